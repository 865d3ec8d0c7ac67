/* Decode floors: the cost of decoding an image with the same libraries covertheme uses,
 * and nothing else. covertheme-bench times these next to the end-to-end call so that every
 * figure can be read as "N x what the decoder alone needs" (see peers-and-floors.md §3).
 *
 * This file only decodes; timing, repetition and statistics are the harness's job, so the
 * floors are measured with exactly the same loop, clocks and statistics as the library. */
#ifndef COVERTHEME_BENCH_FLOORS_H
#define COVERTHEME_BENCH_FLOORS_H

#include <stddef.h>
#include <stdint.h>

typedef enum floor_format {
    FLOOR_UNKNOWN = 0,
    FLOOR_PNG = 1,
    FLOOR_JPEG = 2,
    FLOOR_WEBP = 3
} floor_format;

/* Format from the magic bytes (as the library sniffs: never from the file name). */
floor_format floors_sniff(const uint8_t *data, size_t size);
const char *floors_format_name(floor_format fmt);

/* Reads a whole file the way the library does (open, fstat, one malloc, read loop, close).
 * On success *data is malloc'ed (free() it). Returns 0 or -1 (errno set). */
int floors_read_file(const char *path, uint8_t **data, size_t *size);

/* The DCT scale denominators timed for JPEG (1 = full size); other formats only have 1. */
#define FLOORS_JPEG_SCALES 4
extern const int floors_jpeg_scales[FLOORS_JPEG_SCALES];

/* Decodes an in-memory image into a freshly malloc'ed buffer and frees it again, which is
 * what the library's decode stage does:
 *   PNG : libspng, spng_decode_image(SPNG_FMT_RGBA8, SPNG_DECODE_TRNS), CRC policy as the library;
 *   JPEG: libjpeg(-turbo) API, scale_num/scale_denom = 1/scale_denom, JCS_EXT_RGBA output
 *         (JCS_CMYK for CMYK/YCCK sources, without the library's ink conversion);
 *   WebP: WebPDecodeRGBA.
 * scale_denom must be 1 except for JPEG (1, 2, 4 or 8). The output size goes to w and h.
 * Returns 0, or -1 with a message in err. */
int floors_decode(floor_format fmt, const uint8_t *data, size_t size, int scale_denom,
                  uint32_t *w, uint32_t *h, char *err, size_t errlen);

#endif /* COVERTHEME_BENCH_FLOORS_H */
