/* A decoded image: 8-bit RGBA, straight (not premultiplied) alpha, rows packed
 * (stride = width * 4). Every decoder produces this one layout. */
#ifndef CT_IMAGE_H
#define CT_IMAGE_H

#include <stdint.h>

typedef struct ct_image {
    uint32_t width, height;
    int format;     /* covertheme_image_format */
    uint8_t *rgba;  /* width*height*4 bytes, malloc'ed; release with ct_image_free */
} ct_image;

void ct_image_free(ct_image *img);

#endif
