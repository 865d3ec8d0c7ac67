/* PNG decoding with libspng.
 *
 * libspng converts every PNG variant (grey, grey+alpha, palette, RGB, RGBA; 1 to 16 bits;
 * Adam7 interlaced) to RGBA8 in one call, and with SPNG_DECODE_TRNS it also turns a tRNS
 * colour key or palette alpha table into alpha. Gamma is deliberately not applied: album
 * art is authored for sRGB display and a stray gAMA chunk should not shift the palette.
 *
 * Error mapping (every libspng error text is kept as "PNG: <spng_strerror>"):
 *   SPNG_EMEM                         -> COVERTHEME_ERR_NO_MEMORY
 *   SPNG_EUSER_WIDTH/HEIGHT           -> COVERTHEME_ERR_LIMIT_EXCEEDED (our side limit)
 *   SPNG_ECHUNK_LIMITS                -> COVERTHEME_ERR_LIMIT_EXCEEDED (our chunk limits;
 *                                        the file may be valid, just unreasonably large)
 *   SPNG_ECHUNK_UNKNOWN_CRITICAL      -> COVERTHEME_ERR_UNSUPPORTED_FORMAT (a PNG extension
 *                                        we cannot read, e.g. a private critical chunk)
 *   anything else (bad CRC, bad zlib stream, truncation, invalid header values)
 *                                     -> COVERTHEME_ERR_CORRUPT_IMAGE
 * A file cut off anywhere before the end of IEND is rejected, also when every pixel was
 * already read (see require_complete_file).
 *
 * The sampled decode (ct_decode_png_sampled) uses libspng's progressive API instead: rows
 * are decoded one at a time into a single row buffer and only the sampler's grid pixels are
 * kept, so a large cover never exists in memory as a whole. Configuration, limits, error
 * mapping and the complete-file check are the same code as for the full decode. With an
 * arena, libspng's own allocations (context, zlib state, scanline buffers) go there too. */
#include "decode.h"

#include <inttypes.h>
#include <spng.h>
#include <stdlib.h>
#include <string.h>

/* Largest single ancillary chunk and total cached ancillary data (text, ICC, Exif) we let
 * libspng hold. Real covers carry kilobytes; these bound what a hostile file can make us
 * allocate before the first pixel. */
#define CT_PNG_MAX_CHUNK_BYTES ((size_t)16 << 20)
#define CT_PNG_MAX_CHUNK_CACHE_BYTES ((size_t)32 << 20)

/* PNG's own maximum width/height (2^31-1). */
#define CT_PNG_SPEC_MAX_SIDE UINT32_C(0x7FFFFFFF)

static int map_spng_error(int spng_rc)
{
    switch (spng_rc) {
    case SPNG_EMEM:
        return COVERTHEME_ERR_NO_MEMORY;
    case SPNG_EUSER_WIDTH:
    case SPNG_EUSER_HEIGHT:
    case SPNG_ECHUNK_LIMITS:
        return COVERTHEME_ERR_LIMIT_EXCEEDED;
    case SPNG_ECHUNK_UNKNOWN_CRITICAL:
        return COVERTHEME_ERR_UNSUPPORTED_FORMAT;
    default:
        return COVERTHEME_ERR_CORRUPT_IMAGE;
    }
}

static int fail_spng(int spng_rc, ct_err *err)
{
    /* libspng's "end of stream" does not say that it means a truncated file. */
    int truncated = spng_rc == SPNG_IO_EOF || spng_rc == SPNG_EOF;
    const char *hint = truncated ? " (the file is truncated)" : "";
    return ct_fail(err, map_spng_error(spng_rc), "PNG: %s%s", spng_strerror(spng_rc), hint);
}

static uint32_t read_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail_too_large(uint32_t width, uint32_t height, uint64_t max_pixels, ct_err *err)
{
    return ct_fail(err, COVERTHEME_ERR_LIMIT_EXCEEDED,
                   "PNG: image is %" PRIu32 "x%" PRIu32 " pixels, more than the limit of %" PRIu64,
                   width, height, max_pixels);
}

/* libspng rejects a side above our limit before it hands out the header, so the sizes
 * for the message are read from IHDR directly (signature 8 + length 4 + type 4). */
static int fail_side_limit(const uint8_t *data, size_t size, uint64_t max_pixels, int spng_rc,
                           ct_err *err)
{
    if (size >= 24)
        return fail_too_large(read_be32(data + 16), read_be32(data + 20), max_pixels, err);
    return fail_spng(spng_rc, err);
}

/* Applies our limits and the input buffer to a fresh decoder context. */
static int configure_decoder(spng_ctx *ctx, const uint8_t *data, size_t size,
                             uint64_t max_pixels)
{
    /* A side longer than max_pixels cannot fit whatever the other side is, so it is a
     * safe early cut-off that stops libspng before it sizes any row buffer. */
    uint32_t max_side = max_pixels < CT_PNG_SPEC_MAX_SIDE ? (uint32_t)max_pixels
                                                           : CT_PNG_SPEC_MAX_SIDE;
    if (max_side == 0)
        max_side = 1; /* libspng rejects 0; max_pixels 0 fails in our own check anyway */
    int rc = spng_set_image_limits(ctx, max_side, max_side);
    if (!rc)
        rc = spng_set_chunk_limits(ctx, CT_PNG_MAX_CHUNK_BYTES, CT_PNG_MAX_CHUNK_CACHE_BYTES);
    /* Critical chunks must be intact; a damaged comment or Exif chunk is dropped rather
     * than costing the user the picture (libpng behaves the same way). */
    if (!rc)
        rc = spng_set_crc_action(ctx, SPNG_CRC_ERROR, SPNG_CRC_DISCARD);
    if (!rc)
        rc = spng_set_png_buffer(ctx, data, size);
    return rc;
}

/* libspng stops reading after the last IDAT, so a file cut off in the chunks that follow
 * (at least IEND) would decode "successfully". Asking for a chunk that may come after the
 * image makes libspng read on to IEND. Only running out of data counts: truncation is
 * rejected as it is for JPEG, while damage in metadata after the pixels is tolerated
 * (the picture itself is complete and checksummed). */
static int require_complete_file(spng_ctx *ctx)
{
    struct spng_exif exif;
    int rc = spng_get_exif(ctx, &exif);
    return rc == SPNG_IO_EOF || rc == SPNG_EOF ? rc : 0;
}

/* Reads IHDR and applies the pixel limit; `len` gets the RGBA8 size of the whole image. */
static int read_header(spng_ctx *ctx, const uint8_t *data, size_t size, uint64_t max_pixels,
                       struct spng_ihdr *ihdr, size_t *len, ct_err *err)
{
    int rc = spng_get_ihdr(ctx, ihdr);
    if (rc == SPNG_EUSER_WIDTH || rc == SPNG_EUSER_HEIGHT)
        return fail_side_limit(data, size, max_pixels, rc, err);
    if (rc)
        return fail_spng(rc, err);

    if ((uint64_t)ihdr->width * ihdr->height > max_pixels)
        return fail_too_large(ihdr->width, ihdr->height, max_pixels, err);

    rc = spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, len);
    if (rc)
        return fail_spng(rc, err);
    if (*len != (size_t)ihdr->width * ihdr->height * 4)
        return ct_fail(err, COVERTHEME_ERR_INTERNAL,
                       "PNG: libspng reports %zu bytes for a %" PRIu32 "x%" PRIu32 " RGBA8 image",
                       *len, ihdr->width, ihdr->height);
    return COVERTHEME_OK;
}

/* Decodes with an already configured context; on success *out owns the pixels. */
static int decode_with_ctx(spng_ctx *ctx, const uint8_t *data, size_t size,
                           uint64_t max_pixels, ct_image *out, ct_err *err)
{
    struct spng_ihdr ihdr;
    size_t len = 0;
    int rc = read_header(ctx, data, size, max_pixels, &ihdr, &len, err);
    if (rc != COVERTHEME_OK)
        return rc;

    uint8_t *pixels = malloc(len);
    if (!pixels)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "PNG: out of memory for %zu bytes", len);
    rc = spng_decode_image(ctx, pixels, len, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS);
    if (!rc)
        rc = require_complete_file(ctx);
    if (rc) {
        free(pixels);
        return fail_spng(rc, err);
    }
    out->width = ihdr.width;
    out->height = ihdr.height;
    out->format = COVERTHEME_IMAGE_PNG;
    out->rgba = pixels;
    return COVERTHEME_OK;
}

int ct_decode_png(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
                  ct_err *err)
{
    if (!out || !lim || (!data && size))
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "PNG: invalid argument");
    memset(out, 0, sizeof *out);

    spng_ctx *ctx = spng_ctx_new(0);
    if (!ctx)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "PNG: out of memory for the decoder");

    int rc = configure_decoder(ctx, data, size, lim->max_pixels);
    if (rc)
        rc = fail_spng(rc, err);
    else
        rc = decode_with_ctx(ctx, data, size, lim->max_pixels, out, err);
    spng_ctx_free(ctx);
    return rc;
}

/* ---- Sampled decoding ----------------------------------------------------------------- */

/* Where Adam7 pass p (0..6) puts its pixels in a row: x_start + k * x_delta. */
static const uint32_t adam7_x_start[7] = {0, 4, 0, 2, 0, 1, 0};
static const uint32_t adam7_x_delta[7] = {8, 8, 4, 4, 2, 2, 1};

/* Decodes every row (PNG filters chain each row to the one before, so none can be
 * skipped) into the one buffer `row` and gives the sampler the rows it wants. For an
 * interlaced image spng_decode_row writes only the current pass's pixels of row
 * `row_num`, at their final x, so exactly those are handed over; the row's other
 * pixels come with the other passes. Returns 0 or a libspng error. */
static int feed_rows(spng_ctx *ctx, int interlaced, uint8_t *row, size_t row_len,
                     ct_sampler *sampler)
{
    int rc;
    do {
        struct spng_row_info info;
        rc = spng_get_row_info(ctx, &info);
        if (rc)
            break;
        rc = spng_decode_row(ctx, row, row_len);
        if (rc && rc != SPNG_EOI)
            break;
        if (!interlaced)
            ct_sampler_add_row(sampler, info.row_num, row);
        else
            ct_sampler_add_row_part(sampler, info.row_num, row, adam7_x_start[info.pass],
                                    adam7_x_delta[info.pass]);
    } while (!rc);
    /* SPNG_EOI ends the image: it comes with the last row, which is still decoded, or (for
     * interlaced images) only from the request after it. */
    return rc == SPNG_EOI ? 0 : rc;
}

/* Progressive decoding with a configured context into a begun sampler. */
static int sample_with_ctx(spng_ctx *ctx, const struct spng_ihdr *ihdr, ct_arena *arena,
                           ct_sampler *sampler, ct_err *err)
{
    size_t row_len = (size_t)ihdr->width * 4;
    uint8_t *row = ct_mem_alloc(arena, row_len);
    if (!row)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "PNG: out of memory for %zu bytes", row_len);
    int rc = spng_decode_image(ctx, NULL, 0, SPNG_FMT_RGBA8,
                               SPNG_DECODE_TRNS | SPNG_DECODE_PROGRESSIVE);
    if (!rc)
        rc = feed_rows(ctx, ihdr->interlace_method != 0, row, row_len, sampler);
    if (!rc)
        rc = require_complete_file(ctx);
    ct_mem_free(arena, row);
    return rc ? fail_spng(rc, err) : COVERTHEME_OK;
}

static int decode_sampled_with_ctx(spng_ctx *ctx, const uint8_t *data, size_t size,
                                   const ct_decode_limits *lim, ct_arena *arena,
                                   uint32_t max_samples, ct_decoded_info *info,
                                   ct_samples *out, ct_err *err)
{
    struct spng_ihdr ihdr;
    size_t len = 0;
    int rc = configure_decoder(ctx, data, size, lim->max_pixels);
    if (rc)
        return fail_spng(rc, err);
    rc = read_header(ctx, data, size, lim->max_pixels, &ihdr, &len, err);
    if (rc != COVERTHEME_OK)
        return rc;

    ct_sampler sampler;
    rc = ct_sampler_begin(&sampler, ihdr.width, ihdr.height, max_samples, arena, lim->watch, err);
    if (rc != COVERTHEME_OK)
        return rc;
    rc = sample_with_ctx(ctx, &ihdr, arena, &sampler, err);
    if (rc != COVERTHEME_OK) {
        ct_sampler_discard(&sampler);
        return rc;
    }
    ct_sampler_finish(&sampler, out);
    info->width = ihdr.width;
    info->height = ihdr.height;
    return COVERTHEME_OK;
}

/* libspng takes allocator callbacks without a user pointer, so the arena is bound to this
 * thread for as long as the context exists (it allocates lazily, in any call). */
static spng_ctx *new_ctx(ct_arena *arena)
{
    if (!arena)
        return spng_ctx_new(0);
    struct spng_alloc alloc = {ct_arena_cb_malloc, ct_arena_cb_realloc, ct_arena_cb_calloc,
                               ct_arena_cb_free};
    ct_arena_bind_thread(arena);
    return spng_ctx_new2(&alloc, 0); /* copies `alloc` */
}

static void free_ctx(spng_ctx *ctx, ct_arena *arena)
{
    spng_ctx_free(ctx);
    if (arena)
        ct_arena_bind_thread(NULL);
}

int ct_decode_png_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                          ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                          ct_samples *out, ct_err *err)
{
    if (!data && size)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "PNG: invalid argument");
    spng_ctx *ctx = new_ctx(arena);
    int rc = ctx ? decode_sampled_with_ctx(ctx, data, size, lim, arena, max_samples, info, out,
                                           err)
                 : ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "PNG: out of memory for the decoder");
    free_ctx(ctx, arena); /* spng_ctx_free(NULL) does nothing; the unbind still matters */
    return rc;
}
