/* Test image encoders (libspng, libjpeg, libwebp) and file helpers; see imggen.h.
 *
 * The encoders build the exact raw layout each format variant needs from RGBA8 input,
 * so a test can say "2-bit grey, Adam7" and know what the decoder must return. */
#include "imggen.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <spng.h>
#include <webp/encode.h>

/* Hands a malloc'ed copy of `data` to the caller's out-pointers. */
static int give_copy(const void *data, size_t size, uint8_t **out, size_t *len)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return -1;
    memcpy(copy, data, size);
    *out = copy;
    *len = size;
    return 0;
}

static int invalid_output_args(uint8_t **out, size_t *len)
{
    if (!out || !len)
        return 1;
    *out = NULL;
    *len = 0;
    return 0;
}

uint8_t tg_grey_of(uint8_t r, uint8_t g, uint8_t b)
{
    return (uint8_t)(((unsigned)r + g + b) / 3);
}

/* The stored sample for 8-bit `v` at a bit depth of 1..8 (rounded to nearest). */
static unsigned quantise_code(uint8_t v, int bit_depth)
{
    unsigned max = (1u << bit_depth) - 1;
    return (v * max + 127) / 255;
}

uint8_t tg_quantise(uint8_t v, int bit_depth)
{
    unsigned max = (1u << bit_depth) - 1;
    return (uint8_t)(quantise_code(v, bit_depth) * 255 / max);
}

/* ---- PNG ---------------------------------------------------------------------------- */

/* Colour types in PNG's IHDR numbering, indexed by enum tg_png_color. */
static const uint8_t png_ihdr_color_type[] = {
    SPNG_COLOR_TYPE_GRAYSCALE, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, SPNG_COLOR_TYPE_TRUECOLOR,
    SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, SPNG_COLOR_TYPE_INDEXED};

static const unsigned png_channel_count[] = {1, 2, 3, 4, 1};

static int png_opts_valid(const tg_png_opts *o)
{
    int d = o->bit_depth;
    switch (o->color_type) {
    case TG_PNG_GREY:
        return d == 1 || d == 2 || d == 4 || d == 8 || d == 16;
    case TG_PNG_RGB:
        return d == 8 || d == 16;
    case TG_PNG_GREY_ALPHA:
    case TG_PNG_RGBA:
        return (d == 8 || d == 16) && !o->trns; /* these carry alpha already */
    case TG_PNG_PALETTE:
        return d == 1 || d == 2 || d == 4 || d == 8;
    default:
        return 0;
    }
}

/* Sample value at the PNG's bit depth for an 8-bit channel value. */
static unsigned png_sample(uint8_t v, int bit_depth)
{
    if (bit_depth == 16)
        return v * 257u; /* both bytes equal v: the same in either byte order */
    if (bit_depth == 8)
        return v;
    return quantise_code(v, bit_depth);
}

/* Stores sample number `index` of a row, packing sub-byte depths from the high bits
 * down as PNG does. The row must start zeroed. */
static void put_sample(uint8_t *row, size_t index, int bit_depth, unsigned value)
{
    if (bit_depth == 16) {
        row[2 * index] = (uint8_t)(value >> 8);
        row[2 * index + 1] = (uint8_t)(value & 0xFF);
    } else if (bit_depth == 8) {
        row[index] = (uint8_t)value;
    } else {
        size_t bit = index * (size_t)bit_depth;
        unsigned shift = 8u - (unsigned)bit_depth - (unsigned)(bit % 8);
        row[bit / 8] |= (uint8_t)(value << shift);
    }
}

/* Palette built from the distinct colours of an image. */
typedef struct png_palette {
    struct spng_plte plte;
    struct spng_trns trns;
    uint8_t *indices; /* one per pixel */
} png_palette;

static int palette_find_or_add(png_palette *p, const uint8_t px[4], unsigned max_entries)
{
    for (uint32_t i = 0; i < p->plte.n_entries; i++) {
        const struct spng_plte_entry *e = &p->plte.entries[i];
        if (e->red == px[0] && e->green == px[1] && e->blue == px[2] &&
            p->trns.type3_alpha[i] == px[3])
            return (int)i;
    }
    if (p->plte.n_entries >= max_entries)
        return -1;
    uint32_t n = p->plte.n_entries++;
    p->plte.entries[n].red = px[0];
    p->plte.entries[n].green = px[1];
    p->plte.entries[n].blue = px[2];
    p->plte.entries[n].alpha = 255;
    p->trns.type3_alpha[n] = px[3];
    p->trns.n_type3_entries = p->plte.n_entries;
    return (int)n;
}

/* Without tRNS the palette is keyed on RGB alone (alpha forced to 255). */
static int build_palette(const uint8_t *rgba, size_t pixels, int bit_depth, int use_alpha,
                         png_palette *p)
{
    memset(p, 0, sizeof *p);
    p->indices = malloc(pixels ? pixels : 1);
    if (!p->indices)
        return -1;
    unsigned max_entries = 1u << bit_depth;
    for (size_t i = 0; i < pixels; i++) {
        uint8_t px[4] = {rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2],
                         use_alpha ? rgba[4 * i + 3] : 255};
        int index = palette_find_or_add(p, px, max_entries);
        if (index < 0) {
            free(p->indices);
            p->indices = NULL;
            return -1;
        }
        p->indices[i] = (uint8_t)index;
    }
    return 0;
}

/* Writes one pixel's samples in the raw layout of `o`. */
static void put_pixel(uint8_t *row, uint32_t x, const uint8_t px[4], const tg_png_opts *o,
                      const png_palette *pal, size_t pixel_index)
{
    int d = o->bit_depth;
    size_t first = (size_t)x * png_channel_count[o->color_type];
    switch (o->color_type) {
    case TG_PNG_GREY:
        put_sample(row, first, d, png_sample(tg_grey_of(px[0], px[1], px[2]), d));
        break;
    case TG_PNG_GREY_ALPHA:
        put_sample(row, first, d, png_sample(tg_grey_of(px[0], px[1], px[2]), d));
        put_sample(row, first + 1, d, png_sample(px[3], d));
        break;
    case TG_PNG_RGB:
    case TG_PNG_RGBA:
        for (unsigned c = 0; c < png_channel_count[o->color_type]; c++)
            put_sample(row, first + c, d, png_sample(px[c], d));
        break;
    case TG_PNG_PALETTE:
        put_sample(row, first, d, pal->indices[pixel_index]);
        break;
    }
}

static size_t png_row_bytes(uint32_t w, const tg_png_opts *o)
{
    size_t bits = (size_t)w * png_channel_count[o->color_type] * (size_t)o->bit_depth;
    return (bits + 7) / 8;
}

/* Builds the raw (unfiltered, packed) image data the encoder consumes. */
static uint8_t *build_raw_png(const uint8_t *rgba, uint32_t w, uint32_t h, const tg_png_opts *o,
                              const png_palette *pal, size_t *raw_len)
{
    size_t row_bytes = png_row_bytes(w, o);
    uint8_t *raw = calloc(h ? h : 1, row_bytes ? row_bytes : 1);
    if (!raw)
        return NULL;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            put_pixel(raw + y * row_bytes, x, rgba + 4 * i, o, pal, i);
        }
    *raw_len = row_bytes * h;
    return raw;
}

/* The colour key for grey/RGB tRNS: pixel 0's colour in sample units. */
static void colour_key_from_first_pixel(const uint8_t *rgba, const tg_png_opts *o,
                                        struct spng_trns *trns)
{
    memset(trns, 0, sizeof *trns);
    int d = o->bit_depth;
    trns->gray = (uint16_t)png_sample(tg_grey_of(rgba[0], rgba[1], rgba[2]), d);
    trns->red = (uint16_t)png_sample(rgba[0], d);
    trns->green = (uint16_t)png_sample(rgba[1], d);
    trns->blue = (uint16_t)png_sample(rgba[2], d);
}

/* Sets IHDR, PLTE and tRNS on an encoder context. */
static int set_png_chunks(spng_ctx *ctx, uint32_t w, uint32_t h, const tg_png_opts *o,
                          const uint8_t *rgba, png_palette *pal)
{
    struct spng_ihdr ihdr = {
        .width = w,
        .height = h,
        .bit_depth = (uint8_t)o->bit_depth,
        .color_type = png_ihdr_color_type[o->color_type],
        .compression_method = 0,
        .filter_method = 0,
        .interlace_method = o->interlace ? SPNG_INTERLACE_ADAM7 : SPNG_INTERLACE_NONE,
    };
    if (spng_set_ihdr(ctx, &ihdr))
        return -1;
    if (o->color_type == TG_PNG_PALETTE && spng_set_plte(ctx, &pal->plte))
        return -1;
    if (!o->trns)
        return 0;
    if (o->color_type == TG_PNG_PALETTE)
        return spng_set_trns(ctx, &pal->trns) ? -1 : 0;
    struct spng_trns key;
    colour_key_from_first_pixel(rgba, o, &key);
    return spng_set_trns(ctx, &key) ? -1 : 0;
}

/* Runs the libspng encoder over prepared raw data. */
static int spng_encode_raw(const uint8_t *rgba, uint32_t w, uint32_t h, const tg_png_opts *o,
                           png_palette *pal, const uint8_t *raw, size_t raw_len, uint8_t **out,
                           size_t *len)
{
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx)
        return -1;
    int rc = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    if (!rc)
        rc = set_png_chunks(ctx, w, h, o, rgba, pal);
    /* SPNG_FMT_PNG: the input is already in the PNG's own layout. */
    if (!rc)
        rc = spng_encode_image(ctx, raw, raw_len, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    if (!rc) {
        int error = 0;
        size_t png_len = 0;
        /* The buffer now belongs to us and was allocated with malloc. */
        uint8_t *png = spng_get_png_buffer(ctx, &png_len, &error);
        if (png && !error) {
            *out = png;
            *len = png_len;
        } else {
            free(png);
            rc = -1;
        }
    }
    spng_ctx_free(ctx);
    return rc ? -1 : 0;
}

int tg_png_encode(const uint8_t *rgba, uint32_t w, uint32_t h, const tg_png_opts *o,
                  uint8_t **out, size_t *len)
{
    if (invalid_output_args(out, len) || !rgba || !o || !w || !h || !png_opts_valid(o))
        return -1;
    png_palette pal;
    memset(&pal, 0, sizeof pal);
    if (o->color_type == TG_PNG_PALETTE &&
        build_palette(rgba, (size_t)w * h, o->bit_depth, o->trns, &pal))
        return -1;

    size_t raw_len = 0;
    uint8_t *raw = build_raw_png(rgba, w, h, o, &pal, &raw_len);
    int rc = raw ? spng_encode_raw(rgba, w, h, o, &pal, raw, raw_len, out, len) : -1;
    free(raw);
    free(pal.indices);
    return rc;
}

/* ---- JPEG --------------------------------------------------------------------------- */

/* libjpeg's default error_exit calls exit(); tests must fail an assertion instead. */
typedef struct tg_jpeg_error {
    struct jpeg_error_mgr pub; /* first: libjpeg passes a pointer to it */
    jmp_buf escape;
} tg_jpeg_error;

/* A growable in-memory destination of our own, so the output is always ours to free,
 * also when encoding fails halfway (jpeg_mem_dest's buffer can leak on error). */
typedef struct tg_jpeg_dest {
    struct jpeg_destination_mgr pub; /* first: libjpeg passes a pointer to it */
    uint8_t *buf;
    size_t cap;
    size_t len;
} tg_jpeg_dest;

/* Everything the encode owns, kept outside the setjmp frame so a longjmp cannot leave a
 * pointer we still have to free in an indeterminate local. */
typedef struct tg_jpeg_job {
    struct jpeg_compress_struct cinfo;
    tg_jpeg_error jerr;
    tg_jpeg_dest dest;
    uint8_t *row;
} tg_jpeg_job;

static void tg_jpeg_error_exit(j_common_ptr cinfo)
{
    longjmp(((tg_jpeg_error *)cinfo->err)->escape, 1);
}

static void tg_jpeg_silent(j_common_ptr cinfo, int msg_level)
{
    (void)cinfo;
    (void)msg_level;
}

static void tg_dest_init(j_compress_ptr cinfo)
{
    tg_jpeg_dest *d = (tg_jpeg_dest *)cinfo->dest;
    d->cap = 1 << 16;
    d->buf = malloc(d->cap);
    if (!d->buf)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    d->pub.next_output_byte = d->buf;
    d->pub.free_in_buffer = d->cap;
}

/* Called when the buffer is full: double it and carry on after the old end. */
static boolean tg_dest_grow(j_compress_ptr cinfo)
{
    tg_jpeg_dest *d = (tg_jpeg_dest *)cinfo->dest;
    uint8_t *bigger = realloc(d->buf, d->cap * 2);
    if (!bigger)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 1);
    d->buf = bigger;
    d->pub.next_output_byte = bigger + d->cap;
    d->pub.free_in_buffer = d->cap;
    d->cap *= 2;
    return TRUE;
}

static void tg_dest_term(j_compress_ptr cinfo)
{
    tg_jpeg_dest *d = (tg_jpeg_dest *)cinfo->dest;
    d->len = d->cap - d->pub.free_in_buffer;
}

static int jpeg_components(int space)
{
    return space == TG_JPEG_GREY ? 1 : space == TG_JPEG_YCC ? 3 : 4;
}

/* Converts one RGBA row to the encoder's input layout for `space`. */
static void jpeg_input_row(const uint8_t *rgba, uint32_t w, int space, uint8_t *row)
{
    for (uint32_t x = 0; x < w; x++, rgba += 4) {
        switch (space) {
        case TG_JPEG_GREY:
            row[x] = tg_grey_of(rgba[0], rgba[1], rgba[2]);
            break;
        case TG_JPEG_YCC:
            memcpy(row + 3 * (size_t)x, rgba, 3);
            break;
        default: /* Adobe-inverted CMYK with no black: C'=R, M'=G, Y'=B, K'=255 */
            memcpy(row + 4 * (size_t)x, rgba, 3);
            row[4 * (size_t)x + 3] = 255;
            break;
        }
    }
}

static void jpeg_set_params(struct jpeg_compress_struct *c, uint32_t w, uint32_t h,
                            int quality, int progressive, int space)
{
    static const J_COLOR_SPACE in_space[] = {JCS_RGB, JCS_GRAYSCALE, JCS_CMYK, JCS_CMYK};
    static const J_COLOR_SPACE file_space[] = {JCS_YCbCr, JCS_GRAYSCALE, JCS_CMYK, JCS_YCCK};
    c->image_width = w;
    c->image_height = h;
    c->input_components = jpeg_components(space);
    c->in_color_space = in_space[space];
    jpeg_set_defaults(c);
    /* For CMYK and YCCK this also turns on the Adobe marker the decoder relies on. */
    jpeg_set_colorspace(c, file_space[space]);
    jpeg_set_quality(c, quality, TRUE);
    if (progressive)
        jpeg_simple_progression(c);
}

static int jpeg_encode_under_setjmp(tg_jpeg_job *job, const uint8_t *rgba, uint32_t w,
                                    uint32_t h, int quality, int progressive, int space)
{
    struct jpeg_compress_struct *c = &job->cinfo;
    if (setjmp(job->jerr.escape))
        return -1;
    jpeg_create_compress(c);
    job->dest.pub.init_destination = tg_dest_init;
    job->dest.pub.empty_output_buffer = tg_dest_grow;
    job->dest.pub.term_destination = tg_dest_term;
    c->dest = &job->dest.pub;
    jpeg_set_params(c, w, h, quality, progressive, space);

    job->row = malloc((size_t)w * 4);
    if (!job->row)
        return -1;
    jpeg_start_compress(c, TRUE);
    for (uint32_t y = 0; y < h; y++) {
        jpeg_input_row(rgba + (size_t)y * w * 4, w, space, job->row);
        JSAMPROW row = job->row;
        jpeg_write_scanlines(c, &row, 1);
    }
    jpeg_finish_compress(c);
    return 0;
}

int tg_jpeg_encode(const uint8_t *rgba, uint32_t w, uint32_t h, int quality, int progressive,
                   int space, uint8_t **out, size_t *len)
{
    if (invalid_output_args(out, len) || !rgba || !w || !h || quality < 1 || quality > 100 ||
        space < TG_JPEG_YCC || space > TG_JPEG_YCCK)
        return -1;
    tg_jpeg_job *job = calloc(1, sizeof *job);
    if (!job)
        return -1;
    job->cinfo.err = jpeg_std_error(&job->jerr.pub);
    job->jerr.pub.error_exit = tg_jpeg_error_exit;
    job->jerr.pub.emit_message = tg_jpeg_silent;

    int rc = jpeg_encode_under_setjmp(job, rgba, w, h, quality, progressive, space);
    if (rc == 0) {
        *out = job->dest.buf; /* malloc'ed by tg_dest_init/tg_dest_grow */
        *len = job->dest.len;
        job->dest.buf = NULL;
    }
    jpeg_destroy_compress(&job->cinfo);
    free(job->dest.buf);
    free(job->row);
    free(job);
    return rc;
}

/* ---- WebP --------------------------------------------------------------------------- */

/* The advanced API is used so lossless can set `exact`: without it libwebp may rewrite
 * the RGB of fully transparent pixels, and "lossless" would not round-trip. */
static int webp_config(WebPConfig *config, int lossless, float quality)
{
    if (!WebPConfigInit(config))
        return -1;
    config->lossless = lossless ? 1 : 0;
    config->exact = lossless ? 1 : 0;
    config->quality = lossless ? 75.0f : quality; /* lossless: effort, not fidelity */
    config->method = 4;
    return WebPValidateConfig(config) ? 0 : -1;
}

int tg_webp_encode(const uint8_t *rgba, uint32_t w, uint32_t h, int lossless, float quality,
                   uint8_t **out, size_t *len)
{
    if (invalid_output_args(out, len) || !rgba || !w || !h || w > WEBP_MAX_DIMENSION ||
        h > WEBP_MAX_DIMENSION || !(quality >= 0.0f && quality <= 100.0f))
        return -1;
    WebPConfig config;
    if (webp_config(&config, lossless, quality))
        return -1;

    WebPPicture pic;
    if (!WebPPictureInit(&pic))
        return -1;
    pic.use_argb = 1;
    pic.width = (int)w;
    pic.height = (int)h;
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = &writer;

    int ok = WebPPictureImportRGBA(&pic, rgba, (int)w * 4) && WebPEncode(&config, &pic);
    int rc = ok ? give_copy(writer.mem, writer.size, out, len) : -1;
    WebPPictureFree(&pic);
    WebPMemoryWriterClear(&writer);
    return rc;
}

/* ---- Files -------------------------------------------------------------------------- */

int tg_write_file(const char *path, const void *data, size_t len)
{
    if (!path || (!data && len))
        return -1;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

int tg_read_file(const char *path, uint8_t **out, size_t *len)
{
    if (!path || invalid_output_args(out, len))
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, used = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        used += fread(buf + used, 1, cap - used, f);
        if (used < cap)
            break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
        } else {
            buf = bigger;
            cap *= 2;
        }
    }
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = used;
    return 0;
}

char *tg_path_join(const char *dir, const char *name)
{
    if (!dir || !name)
        return NULL;
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s/%s", dir, name);
    return path;
}

char *tg_temp_dir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char name[128];
    snprintf(name, sizeof name, "covertheme-%s-XXXXXX", tag ? tag : "test");
    char *path = tg_path_join(base, name);
    if (path && !mkdtemp(path)) {
        free(path);
        path = NULL;
    }
    return path;
}

int tg_remove_dir(const char *dir)
{
    if (!dir)
        return -1;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, ".."))
            continue;
        char *path = tg_path_join(dir, entry->d_name);
        if (!path || unlink(path) != 0)
            rc = -1;
        free(path);
    }
    closedir(d);
    if (rmdir(dir) != 0)
        rc = -1;
    return rc;
}

uint8_t *tg_colour_pattern(uint32_t w, uint32_t h)
{
    uint8_t *px = malloc((size_t)w * h * 4);
    if (!px)
        return NULL;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = px + ((size_t)y * w + x) * 4;
            p[0] = (uint8_t)(x * 29 + y * 3);
            p[1] = (uint8_t)(y * 31 + x * 5);
            p[2] = (uint8_t)(x * y + 77);
            p[3] = (uint8_t)(x * 11 + y * 17);
        }
    return px;
}
