/* Format sniffing and decoder dispatch.
 *
 * The format comes from the first bytes only: album art arrives from MPD, tags and
 * downloads with names and MIME types that are often wrong ("cover.jpg" holding a PNG),
 * so a name is never trusted. Formats covertheme cannot read are still recognised by
 * their signature so the user is told "GIF image" rather than "corrupt data". */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CT_READABLE_FORMATS "covertheme reads PNG, JPEG and WebP"

void ct_image_free(ct_image *img)
{
    if (!img)
        return;
    free(img->rgba);
    memset(img, 0, sizeof *img);
}

/* True when `data` holds at least `len` bytes at `offset` equal to `sig`. */
static int has_bytes_at(const uint8_t *data, size_t size, size_t offset, const void *sig,
                        size_t len)
{
    return size >= offset && size - offset >= len && memcmp(data + offset, sig, len) == 0;
}

static int is_png(const uint8_t *d, size_t n)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    return has_bytes_at(d, n, 0, sig, sizeof sig);
}

static int is_jpeg(const uint8_t *d, size_t n)
{
    static const uint8_t soi[3] = {0xFF, 0xD8, 0xFF};
    return has_bytes_at(d, n, 0, soi, sizeof soi);
}

static int is_webp(const uint8_t *d, size_t n)
{
    return has_bytes_at(d, n, 0, "RIFF", 4) && has_bytes_at(d, n, 8, "WEBP", 4);
}

/* Names an ISO base media file (HEIF, AVIF, MP4...) from the major brand of its ftyp box,
 * which sits right after the 4-byte box size. NULL when there is no ftyp box. */
static const char *name_iso_media(const uint8_t *d, size_t n)
{
    if (!has_bytes_at(d, n, 4, "ftyp", 4) || n < 12)
        return NULL;
    static const char *const avif_brands[] = {"avif", "avis"};
    static const char *const heif_brands[] = {"heic", "heix", "hevc", "hevx", "heim",
                                              "heis", "mif1", "msf1"};
    for (size_t i = 0; i < sizeof avif_brands / sizeof avif_brands[0]; i++)
        if (memcmp(d + 8, avif_brands[i], 4) == 0)
            return "AVIF image";
    for (size_t i = 0; i < sizeof heif_brands / sizeof heif_brands[0]; i++)
        if (memcmp(d + 8, heif_brands[i], 4) == 0)
            return "HEIF/HEIC image";
    return "ISO media file (MP4/MOV/M4A)";
}

/* A signature of a format covertheme does not decode, with the name shown to the user. */
typedef struct foreign_signature {
    size_t offset;
    size_t len;
    const char *bytes;
    const char *name;
} foreign_signature;

/* Checked in order; longer, more specific signatures come before shorter ones. The audio
 * and document entries are there because players hand over whatever file they found next
 * to the music, and naming it helps the user more than "unknown data". */
static const foreign_signature foreign_signatures[] = {
    {0, 6, "GIF87a", "GIF image"},
    {0, 6, "GIF89a", "GIF image"},
    {0, 12, "\x00\x00\x00\x0CJXL \x0D\x0A\x87\x0A", "JPEG XL image"},
    {0, 2, "\xFF\x0A", "JPEG XL image"},
    {0, 12, "\x00\x00\x00\x0CjP  \x0D\x0A\x87\x0A", "JPEG 2000 image"},
    {0, 4, "\xFF\x4F\xFF\x51", "JPEG 2000 image"},
    {0, 4, "II*\x00", "TIFF image"},
    {0, 4, "MM\x00*", "TIFF image"},
    {0, 4, "qoif", "QOI image"},
    {0, 4, "8BPS", "Photoshop (PSD) image"},
    {0, 4, "\x00\x00\x01\x00", "ICO icon"},
    {0, 4, "\x00\x00\x02\x00", "CUR cursor"},
    {0, 4, "%PDF", "PDF document"},
    {0, 4, "fLaC", "FLAC audio"},
    {0, 4, "OggS", "Ogg media"},
    {0, 3, "ID3", "MP3 audio (ID3 tag)"},
    {0, 4, "RIFF", "RIFF file that is not WebP"},
    {0, 4, "<svg", "SVG image"},
    {0, 5, "<?xml", "XML document (SVG?)"},
    {0, 2, "BM", "BMP image"},
};

/* Names recognised-but-unsupported data, or NULL. */
static const char *name_foreign_format(const uint8_t *d, size_t n)
{
    const char *iso = name_iso_media(d, n);
    if (iso)
        return iso;
    for (size_t i = 0; i < sizeof foreign_signatures / sizeof foreign_signatures[0]; i++) {
        const foreign_signature *s = &foreign_signatures[i];
        if (has_bytes_at(d, n, s->offset, s->bytes, s->len))
            return s->name;
    }
    return NULL;
}

/* "unsupported format: unknown data (first bytes 3c 21 44 4f) (...)": the bytes let a
 * user or a bug report tell an HTML error page from a half-written file. */
static int fail_unknown_data(const uint8_t *d, size_t n, ct_err *err)
{
    char hex[3 * 4] = ""; /* "xx xx xx xx" and the terminator */
    size_t shown = n < 4 ? n : 4, used = 0;
    for (size_t i = 0; i < shown; i++)
        used += (size_t)snprintf(hex + used, sizeof hex - used, i ? " %02x" : "%02x", d[i]);
    return ct_fail(err, COVERTHEME_ERR_UNSUPPORTED_FORMAT,
                   "unsupported format: unknown data (first bytes %s) (" CT_READABLE_FORMATS ")",
                   hex);
}

int ct_sniff_format(const uint8_t *data, size_t size, ct_err *err)
{
    /* Zero bytes are their own error so "the tag had no picture" is not reported as a
     * strange format. */
    if (size == 0)
        return ct_fail(err, COVERTHEME_ERR_EMPTY_INPUT, "empty input (0 bytes)");
    if (!data)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "image data is NULL");
    if (is_png(data, size))
        return COVERTHEME_IMAGE_PNG;
    if (is_jpeg(data, size))
        return COVERTHEME_IMAGE_JPEG;
    if (is_webp(data, size))
        return COVERTHEME_IMAGE_WEBP;

    const char *foreign = name_foreign_format(data, size);
    if (foreign)
        return ct_fail(err, COVERTHEME_ERR_UNSUPPORTED_FORMAT,
                       "unsupported format: %s (" CT_READABLE_FORMATS ")", foreign);
    return fail_unknown_data(data, size, err);
}

int ct_decode(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
              ct_err *err)
{
    if (!out)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "no output image");
    memset(out, 0, sizeof *out);

    static const ct_decode_limits default_limits = {.max_pixels = CT_DEFAULT_MAX_PIXELS};
    if (!lim)
        lim = &default_limits;

    int format = ct_sniff_format(data, size, err);
    int rc;
    switch (format) {
    case COVERTHEME_IMAGE_PNG:
        rc = ct_decode_png(data, size, lim, out, err);
        break;
    case COVERTHEME_IMAGE_JPEG:
        rc = ct_decode_jpeg(data, size, lim, out, err);
        break;
    case COVERTHEME_IMAGE_WEBP:
        rc = ct_decode_webp(data, size, lim, out, err);
        break;
    default:
        return format; /* a negative error from sniffing, message already set */
    }
    if (rc < 0) {
        /* Decoders promise a zeroed `out` on failure; re-zeroing costs nothing and keeps
         * the promise of this function independent of theirs. */
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->format = format;
    return COVERTHEME_OK;
}

int ct_decode_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                      ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                      ct_samples *out, ct_err *err)
{
    if (!out || !info)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "no output samples");
    memset(out, 0, sizeof *out);
    memset(info, 0, sizeof *info);
    /* ct_sample_image's own refusal, made before any decoding work. */
    if (max_samples == 0)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "sampling: empty image");

    static const ct_decode_limits default_limits = {.max_pixels = CT_DEFAULT_MAX_PIXELS};
    if (!lim)
        lim = &default_limits;

    int format = ct_sniff_format(data, size, err);
    int rc;
    switch (format) {
    case COVERTHEME_IMAGE_PNG:
        rc = ct_decode_png_sampled(data, size, lim, arena, max_samples, info, out, err);
        break;
    case COVERTHEME_IMAGE_JPEG:
        rc = ct_decode_jpeg_sampled(data, size, lim, arena, max_samples, info, out, err);
        break;
    case COVERTHEME_IMAGE_WEBP:
        rc = ct_decode_webp_sampled(data, size, lim, arena, max_samples, info, out, err);
        break;
    default:
        return format; /* a negative error from sniffing, message already set */
    }
    if (rc < 0) {
        /* As in ct_decode: the promise of a zeroed result does not rest on the decoders. */
        memset(out, 0, sizeof *out);
        memset(info, 0, sizeof *info);
        return rc;
    }
    info->format = format;
    return COVERTHEME_OK;
}
