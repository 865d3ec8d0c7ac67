/* Decode floors: decode-only with libspng, libjpeg(-turbo) and libwebp; see floors.h. */
#include "floors.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <spng.h>
#include <webp/decode.h>

const int floors_jpeg_scales[FLOORS_JPEG_SCALES] = {1, 2, 4, 8};

floor_format floors_sniff(const uint8_t *d, size_t n)
{
    if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
        return FLOOR_PNG;
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return FLOOR_JPEG;
    if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
        return FLOOR_WEBP;
    return FLOOR_UNKNOWN;
}

const char *floors_format_name(floor_format fmt)
{
    switch (fmt) {
    case FLOOR_PNG:
        return "png";
    case FLOOR_JPEG:
        return "jpeg";
    case FLOOR_WEBP:
        return "webp";
    case FLOOR_UNKNOWN:
        break;
    }
    return "unknown";
}

/* The floor of reading: one allocation of the known size (the library may grow its buffer
 * instead; that difference is exactly what the read floor is there to show). */
int floors_read_file(const char *path, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno ? errno : EINVAL;
        close(fd);
        errno = e;
        return -1;
    }
    size_t cap = (size_t)st.st_size, len = 0;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    while (len < cap) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (len != cap) {
        free(buf);
        errno = EIO;
        return -1;
    }
    *data = buf;
    *size = len;
    return 0;
}

/* Keeps the compiler from treating the decoded pixels as dead (they are only freed). */
static void sink(const void *p)
{
    __asm__ volatile("" : : "g"(p) : "memory");
}

/* ---- PNG: libspng ---------------------------------------------------------------------- */

static int decode_png(const uint8_t *data, size_t size, uint32_t *w, uint32_t *h, char *err,
                      size_t errlen)
{
    spng_ctx *ctx = spng_ctx_new(0);
    if (!ctx) {
        snprintf(err, errlen, "PNG: out of memory");
        return -1;
    }
    /* Same CRC policy as core/decode_png.c, so the floor does the same checksum work. */
    int rc = spng_set_crc_action(ctx, SPNG_CRC_ERROR, SPNG_CRC_DISCARD);
    if (!rc)
        rc = spng_set_png_buffer(ctx, data, size);
    struct spng_ihdr ihdr;
    if (!rc)
        rc = spng_get_ihdr(ctx, &ihdr);
    size_t len = 0;
    if (!rc)
        rc = spng_decoded_image_size(ctx, SPNG_FMT_RGBA8, &len);
    uint8_t *pixels = NULL;
    if (!rc) {
        pixels = malloc(len);
        if (!pixels) {
            spng_ctx_free(ctx);
            snprintf(err, errlen, "PNG: out of memory for %zu bytes", len);
            return -1;
        }
        rc = spng_decode_image(ctx, pixels, len, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS);
    }
    if (!rc) {
        *w = ihdr.width;
        *h = ihdr.height;
        sink(pixels);
    } else {
        snprintf(err, errlen, "PNG: %s", spng_strerror(rc));
    }
    free(pixels);
    spng_ctx_free(ctx);
    return rc ? -1 : 0;
}

/* ---- JPEG: libjpeg API ----------------------------------------------------------------- */

typedef struct floor_jerr {
    struct jpeg_error_mgr pub; /* first: libjpeg passes a pointer to it */
    jmp_buf escape;
    char message[JMSG_LENGTH_MAX];
} floor_jerr;

/* Everything that must survive a longjmp lives here, in the caller's frame, so no local
 * of the setjmp frame is relied on afterwards (same pattern as core/decode_jpeg.c). */
typedef struct floor_jpeg_job {
    struct jpeg_decompress_struct cinfo;
    floor_jerr jerr;
    uint8_t *pixels;
} floor_jpeg_job;

static void floor_jpeg_error_exit(j_common_ptr cinfo)
{
    floor_jerr *e = (floor_jerr *)cinfo->err;
    cinfo->err->format_message(cinfo, e->message);
    longjmp(e->escape, 1);
}

static void floor_jpeg_quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo;
    (void)level; /* warnings are not the floor's business; never print */
}

static int jpeg_under_setjmp(floor_jpeg_job *job, const uint8_t *data, size_t size, int denom)
{
    struct jpeg_decompress_struct *c = &job->cinfo;
    if (setjmp(job->jerr.escape))
        return -1;
    jpeg_create_decompress(c);
    jpeg_mem_src(c, data, (unsigned long)size);
    jpeg_read_header(c, TRUE);
    c->scale_num = 1;
    c->scale_denom = (unsigned)denom;
    c->out_color_space =
        c->jpeg_color_space == JCS_CMYK || c->jpeg_color_space == JCS_YCCK ? JCS_CMYK : JCS_EXT_RGBA;
    jpeg_start_decompress(c);
    size_t stride = (size_t)c->output_width * (size_t)c->output_components;
    job->pixels = malloc(stride * c->output_height);
    if (!job->pixels) {
        snprintf(job->jerr.message, sizeof job->jerr.message, "out of memory");
        return -1;
    }
    /* Up to 16 rows per call: libjpeg returns at most rec_outbuf_height (1..4) anyway. */
    while (c->output_scanline < c->output_height) {
        JSAMPROW rows[16];
        JDIMENSION want = c->output_height - c->output_scanline;
        if (want > 16)
            want = 16;
        for (JDIMENSION i = 0; i < want; i++)
            rows[i] = job->pixels + (size_t)(c->output_scanline + i) * stride;
        if (jpeg_read_scanlines(c, rows, want) == 0) {
            snprintf(job->jerr.message, sizeof job->jerr.message, "no scanline returned");
            return -1;
        }
    }
    jpeg_finish_decompress(c);
    sink(job->pixels);
    return 0;
}

static int decode_jpeg(const uint8_t *data, size_t size, int denom, uint32_t *w, uint32_t *h,
                       char *err, size_t errlen)
{
    floor_jpeg_job job;
    memset(&job, 0, sizeof job);
    job.cinfo.err = jpeg_std_error(&job.jerr.pub);
    job.jerr.pub.error_exit = floor_jpeg_error_exit;
    job.jerr.pub.emit_message = floor_jpeg_quiet;
    int rc = jpeg_under_setjmp(&job, data, size, denom);
    if (rc == 0) {
        *w = job.cinfo.output_width;
        *h = job.cinfo.output_height;
    } else {
        snprintf(err, errlen, "JPEG: %s", job.jerr.message);
    }
    jpeg_destroy_decompress(&job.cinfo);
    free(job.pixels);
    return rc;
}

/* ---- WebP: libwebp --------------------------------------------------------------------- */

static int decode_webp(const uint8_t *data, size_t size, uint32_t *w, uint32_t *h, char *err,
                       size_t errlen)
{
    int iw = 0, ih = 0;
    uint8_t *pixels = WebPDecodeRGBA(data, size, &iw, &ih);
    if (!pixels) {
        snprintf(err, errlen, "WebP: WebPDecodeRGBA failed");
        return -1;
    }
    sink(pixels);
    WebPFree(pixels);
    *w = (uint32_t)iw;
    *h = (uint32_t)ih;
    return 0;
}

int floors_decode(floor_format fmt, const uint8_t *data, size_t size, int scale_denom,
                  uint32_t *w, uint32_t *h, char *err, size_t errlen)
{
    *w = *h = 0;
    if (scale_denom != 1 && (fmt != FLOOR_JPEG || (scale_denom != 2 && scale_denom != 4 &&
                                                   scale_denom != 8))) {
        snprintf(err, errlen, "scale 1/%d is not available for %s", scale_denom,
                 floors_format_name(fmt));
        return -1;
    }
    switch (fmt) {
    case FLOOR_PNG:
        return decode_png(data, size, w, h, err, errlen);
    case FLOOR_JPEG:
        return decode_jpeg(data, size, scale_denom, w, h, err, errlen);
    case FLOOR_WEBP:
        return decode_webp(data, size, w, h, err, errlen);
    case FLOOR_UNKNOWN:
        break;
    }
    snprintf(err, errlen, "not a PNG, JPEG or WebP file");
    return -1;
}
