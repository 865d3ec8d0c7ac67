/* Test utilities: encode RGBA8 pixels as PNG, JPEG or WebP, and small file helpers.
 *
 * These exist so tests can make exactly the file variant they need (a 2-bit grey PNG,
 * a CMYK JPEG, a lossless WebP...) from pixels they know, and then check what the
 * decoders return. They are not library code.
 *
 * Conventions: input is packed RGBA8 (stride = w*4); every output buffer or string is
 * malloc'ed and released with free(); functions return 0 on success and -1 on failure
 * (invalid options included) with *out = NULL and *len = 0. */
#ifndef CT_TEST_IMGGEN_H
#define CT_TEST_IMGGEN_H

#include <stddef.h>
#include <stdint.h>

/* ---- PNG ---------------------------------------------------------------------------- */

enum tg_png_color {
    TG_PNG_GREY = 0,       /* bit depth 1, 2, 4, 8, 16 */
    TG_PNG_GREY_ALPHA = 1, /* 8, 16 */
    TG_PNG_RGB = 2,        /* 8, 16 */
    TG_PNG_RGBA = 3,       /* 8, 16 */
    TG_PNG_PALETTE = 4     /* 1, 2, 4, 8 */
};

typedef struct tg_png_opts {
    int color_type; /* enum tg_png_color */
    int bit_depth;
    int interlace;  /* non-zero: Adam7 */
    /* Non-zero adds a tRNS chunk. Grey/RGB: a colour key equal to pixel 0's (quantised)
     * colour, so every pixel of that colour decodes with alpha 0. Palette: an alpha per
     * entry taken from the input alpha (the palette is then built from RGBA colours;
     * without trns it is built from RGB and alpha is dropped). Invalid for types that
     * already carry alpha. */
    int trns;
} tg_png_opts;

/* The grey level the encoder stores for an RGB pixel in grey layouts (before bit-depth
 * quantisation): (r + g + b) / 3, so tests can compute what to expect. */
uint8_t tg_grey_of(uint8_t r, uint8_t g, uint8_t b);

/* A w x h RGBA8 pattern in which every channel varies independently, alpha included (0 to
 * 255), so swapped or dropped channels show. malloc'ed; NULL when out of memory. */
uint8_t *tg_colour_pattern(uint32_t w, uint32_t h);

/* Quantises an 8-bit value to `bit_depth` (1, 2, 4 or 8) with rounding, and back to 8
 * bits the way PNG decoders scale (exact multiples of 255 / (2^depth - 1)). */
uint8_t tg_quantise(uint8_t v, int bit_depth);

/* Encodes with libspng. Palette: fails if the image has more distinct colours than
 * 2^bit_depth. 16-bit samples are v*257. */
int tg_png_encode(const uint8_t *rgba, uint32_t w, uint32_t h, const tg_png_opts *o,
                  uint8_t **out, size_t *len);

/* ---- JPEG --------------------------------------------------------------------------- */

enum tg_jpeg_space {
    TG_JPEG_YCC = 0,  /* ordinary colour JPEG (YCbCr, 4:2:0) */
    TG_JPEG_GREY = 1, /* one component, grey = tg_grey_of(r, g, b) */
    TG_JPEG_CMYK = 2, /* four components, Adobe marker, inverted (Photoshop) CMYK */
    TG_JPEG_YCCK = 3  /* the same CMYK stored as YCCK */
};

/* Encodes with libjpeg. CMYK/YCCK store C'=R, M'=G, Y'=B, K'=255 in Adobe's inverted
 * convention, so a correct decoder gets the RGB back. Alpha is ignored. */
int tg_jpeg_encode(const uint8_t *rgba, uint32_t w, uint32_t h, int quality, int progressive,
                   int space, uint8_t **out, size_t *len);

/* ---- WebP --------------------------------------------------------------------------- */

/* Encodes with libwebp. Lossless keeps every pixel exactly, including the RGB of fully
 * transparent pixels; `quality` (0..100) is used for lossy only. */
int tg_webp_encode(const uint8_t *rgba, uint32_t w, uint32_t h, int lossless, float quality,
                   uint8_t **out, size_t *len);

/* ---- Files -------------------------------------------------------------------------- */

/* Writes `len` bytes to `path` (created or truncated). */
int tg_write_file(const char *path, const void *data, size_t len);

/* Reads a whole file into a malloc'ed buffer. */
int tg_read_file(const char *path, uint8_t **out, size_t *len);

/* Creates a fresh private directory under $TMPDIR (or /tmp) whose name contains `tag`;
 * returns its malloc'ed path or NULL. */
char *tg_temp_dir(const char *tag);

/* Joins dir and name into a malloc'ed path, or NULL. */
char *tg_path_join(const char *dir, const char *name);

/* Removes the regular files directly inside `dir`, then `dir` itself. Not recursive, on
 * purpose: tests only make flat directories. */
int tg_remove_dir(const char *dir);

#endif
