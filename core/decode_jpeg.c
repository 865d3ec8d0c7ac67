/* JPEG decoding with the libjpeg API (libjpeg-turbo).
 *
 * The classic API is used rather than TurboJPEG because TurboJPEG 2.1 cannot convert CMYK
 * or YCCK, which Photoshop-exported covers use. libjpeg converts YCbCr, RGB and greyscale
 * straight to RGBA (JCS_EXT_RGBA, alpha 255); CMYK/YCCK come out as CMYK and are
 * converted here.
 *
 * libjpeg reports fatal errors through error_exit, which must not return: we longjmp back
 * out of the library. To keep that safe, everything that is allocated lives in a
 * `jpeg_job` owned by the caller of the function that calls setjmp, so no local variable
 * of the setjmp frame has to survive the jump, and one cleanup path frees it all.
 *
 * libjpeg treats a truncated file as a warning (it inserts a fake EOI and pads the
 * image with grey). A half-grey cover would give a wrong theme, so that warning is turned
 * into COVERTHEME_ERR_CORRUPT_IMAGE. Other corrupt-data warnings (extraneous bytes before
 * a marker and the like) are common in real files that display fine, and are tolerated.
 *
 * When the caller sets ct_decode_limits.min_pixels, the image is decoded at a DCT scale of
 * 1/2, 1/4 or 1/8 (libjpeg's scaled IDCT): the largest reduction that still leaves at
 * least min_pixels pixels. That skips most of the IDCT and colour-conversion work for
 * callers that only sample the image. max_pixels is still checked on the full size.
 *
 * The sampled decode (ct_decode_jpeg_sampled) shares all of the above but reads one
 * scanline at a time into a single row buffer and hands the sampler the rows it wants;
 * runs of unwanted rows go to jpeg_skip_scanlines where the kept rows stay exactly as a full
 * decode gives them (see rows_to_skip). Our buffers, the job included, come from the caller's arena when it gives
 * one; libjpeg's internal memory stays with libjpeg. */
#include "decode.h"

#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/* libjpeg's error manager extended with our escape route and what we saw. `pub` must
 * stay first: libjpeg hands us a pointer to it. */
typedef struct jpeg_error_state {
    struct jpeg_error_mgr pub;
    jmp_buf escape;
    int premature_eof;              /* JWRN_JPEG_EOF was emitted */
    char message[JMSG_LENGTH_MAX];  /* text of the fatal error */
} jpeg_error_state;

/* Everything the decode owns; lives outside the setjmp frame (see the header comment). */
typedef struct jpeg_job {
    struct jpeg_decompress_struct cinfo;
    jpeg_error_state jerr;
    ct_arena *arena;       /* the job and its buffers come from here; NULL: the heap */
    int sampled;           /* 0: full decode into `pixels`; otherwise into `sampler` */
    uint32_t max_samples;  /* sampled decode: the sampler's budget */
    ct_sample_watch *watch; /* sampled decode: told as the grid fills (NULL: nobody) */
    uint8_t *pixels;       /* full decode: the RGBA8 result */
    uint8_t *row;          /* sampled decode: the one RGBA8 scanline, inside row_block */
    uint8_t *row_block;    /* what was allocated for `row` (see CT_JPEG_ROW_SKEW) */
    ct_sampler sampler;    /* sampled decode: takes the grid rows */
    uint8_t *cmyk_row;     /* one scanline of CMYK, only for CMYK/YCCK input */
} jpeg_job;

static void on_error_exit(j_common_ptr cinfo)
{
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    cinfo->err->format_message(cinfo, state->message);
    longjmp(state->escape, 1);
}

/* Never prints. Warnings (level -1) are counted as libjpeg's own handler would, and a
 * premature end of data is remembered so the caller can reject the image. */
static void on_emit_message(j_common_ptr cinfo, int msg_level)
{
    if (msg_level >= 0)
        return; /* trace messages */
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF)
        state->premature_eof = 1;
}

static void on_output_message(j_common_ptr cinfo)
{
    (void)cinfo; /* the library never writes to stderr */
}

static int map_jpeg_error(int msg_code)
{
    switch (msg_code) {
    case JERR_OUT_OF_MEMORY:
        return COVERTHEME_ERR_NO_MEMORY;
    case JERR_BAD_PRECISION:      /* 12-bit JPEG */
    case JERR_SOF_UNSUPPORTED:    /* lossless and other rare processes */
    case JERR_ARITH_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_CONVERSION_NOTIMPL: /* unusual component counts / colour spaces */
        return COVERTHEME_ERR_UNSUPPORTED_FORMAT;
    default:
        return COVERTHEME_ERR_CORRUPT_IMAGE;
    }
}

static int fail_premature_eof(ct_err *err)
{
    return ct_fail(err, COVERTHEME_ERR_CORRUPT_IMAGE,
                   "JPEG: Premature end of JPEG file (the data is truncated)");
}

/* Rounded a*b/255 for a, b in 0..255. */
static uint8_t mul_div255(unsigned a, unsigned b)
{
    return (uint8_t)((a * b + 127) / 255);
}

/* Converts one CMYK scanline to RGBA. Files with an Adobe APP14 marker (Photoshop and
 * libjpeg itself) store the inks inverted: 255 means no ink. Without the marker, 255 means
 * full ink. Either way the result is a naive ink-to-light model, which is plenty for
 * picking theme colours. */
static void cmyk_row_to_rgba(const uint8_t *cmyk, uint8_t *rgba, uint32_t width,
                             int inverted)
{
    for (uint32_t x = 0; x < width; x++, cmyk += 4, rgba += 4) {
        unsigned c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        rgba[0] = mul_div255(c, k);
        rgba[1] = mul_div255(m, k);
        rgba[2] = mul_div255(y, k);
        rgba[3] = 255;
    }
}

static int is_cmyk_source(const struct jpeg_decompress_struct *cinfo)
{
    return cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
}

/* Reads the next scanline into `dest` as RGBA8 (through job->cmyk_row for CMYK input);
 * returns 0 or a ct error (premature EOF). */
static int read_scanline(jpeg_job *job, uint8_t *dest, ct_err *err)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    int cmyk = is_cmyk_source(cinfo);
    JSAMPROW row = cmyk ? job->cmyk_row : dest;
    if (jpeg_read_scanlines(cinfo, &row, 1) != 1)
        return ct_fail(err, COVERTHEME_ERR_CORRUPT_IMAGE, "JPEG: no scanline returned");
    if (job->jerr.premature_eof)
        return fail_premature_eof(err);
    if (cmyk)
        cmyk_row_to_rgba(job->cmyk_row, dest, cinfo->output_width, cinfo->saw_Adobe_marker);
    return COVERTHEME_OK;
}

/* Allocates the CMYK scanline when the input needs one. */
static int allocate_cmyk_row(jpeg_job *job, ct_err *err)
{
    if (!is_cmyk_source(&job->cinfo))
        return COVERTHEME_OK;
    job->cmyk_row = ct_mem_alloc(job->arena, (size_t)job->cinfo.output_width * 4);
    if (!job->cmyk_row)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "JPEG: out of memory for a scanline");
    return COVERTHEME_OK;
}

/* Full decode: every scanline into job->pixels, allocated once the output size is known. */
static int read_image(jpeg_job *job, ct_err *err)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    size_t stride = (size_t)cinfo->output_width * 4;
    size_t bytes = stride * cinfo->output_height;
    job->pixels = ct_mem_alloc(job->arena, bytes);
    if (!job->pixels)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "JPEG: out of memory for %zu bytes", bytes);
    int rc = allocate_cmyk_row(job, err);
    while (rc == COVERTHEME_OK && cinfo->output_scanline < cinfo->output_height)
        rc = read_scanline(job, job->pixels + (size_t)cinfo->output_scanline * stride, err);
    return rc;
}

/* How many rows from the current scanline may go to jpeg_skip_scanlines instead of being
 * decoded: those before the sampler's next row, under two rules that keep the kept rows
 * byte-identical to a full decode and the errors the same. Skipped rows are still
 * entropy-decoded (damage and truncation in them are reported as when reading them); only
 * the IDCT, upsampling and colour conversion are saved.
 *  - A skip starts only on a row-group boundary (a multiple of max_v_samp_factor rows):
 *    after a skip that starts inside a row group, libjpeg-turbo 2.1 returns wrong rows
 *    whenever chroma is subsampled vertically (seen with 4:2:0, YCCK and luma factors
 *    1x3, 1x4, 3x2, at full, 1/2 and 1/4 scale; cf. libjpeg-turbo issue #915). With the
 *    rule no difference was found, and tests/test_stream.c keeps checking it against the
 *    full decode for every sampling layout, scale and grid step.
 *  - The last row is never skipped: a skip to the end marks the image as read without
 *    reading it, so a file cut off in its last rows would be accepted. */
static JDIMENSION rows_to_skip(const jpeg_job *job)
{
    const struct jpeg_decompress_struct *cinfo = &job->cinfo;
    uint32_t y = cinfo->output_scanline;
    if (y % (uint32_t)cinfo->max_v_samp_factor != 0)
        return 0;
    uint32_t next = ct_sampler_next_row(&job->sampler, y);
    uint32_t last = cinfo->output_height - 1;
    return (next < last ? next : last) - y;
}

/* Where the sampled decode's scanline starts in its block: 4 bytes in, so never on a 16-byte
 * boundary. libjpeg-turbo's SIMD colour converters write an aligned output with
 * non-temporal stores, which bypass the cache; this row is read back by the sampler at
 * once, and from memory each of those reads stalled. Measured in bench/README.md ("A
 * scanline that stays in the cache"). The full decode keeps aligned rows: its image is not
 * read back until the decode is over. */
#define CT_JPEG_ROW_SKEW 4

/* Sampled decode: scanlines through job->row, grid rows into the sampler. */
static int sample_image(jpeg_job *job, ct_err *err)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    int rc = ct_sampler_begin(&job->sampler, cinfo->output_width, cinfo->output_height,
                              job->max_samples, job->arena, job->watch, err);
    if (rc != COVERTHEME_OK)
        return rc;
    job->row_block = ct_mem_alloc(job->arena, (size_t)cinfo->output_width * 4 + CT_JPEG_ROW_SKEW);
    if (!job->row_block)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "JPEG: out of memory for a scanline");
    job->row = job->row_block + CT_JPEG_ROW_SKEW;
    rc = allocate_cmyk_row(job, err);
    while (rc == COVERTHEME_OK && cinfo->output_scanline < cinfo->output_height) {
        uint32_t y = cinfo->output_scanline;
        JDIMENSION skip = rows_to_skip(job);
        if (skip) {
            jpeg_skip_scanlines(cinfo, skip);
            rc = job->jerr.premature_eof ? fail_premature_eof(err) : COVERTHEME_OK;
            continue;
        }
        rc = read_scanline(job, job->row, err);
        if (rc == COVERTHEME_OK)
            ct_sampler_add_row(&job->sampler, y, job->row);
    }
    return rc;
}

/* The largest d in {8, 4, 2} with ceil(w/d) * ceil(h/d) >= min_pixels, else 1. libjpeg
 * rounds each scaled side up the same way (jdiv_round_up). min_pixels 0 -> 1. */
static unsigned pick_scale_denom(uint64_t w, uint64_t h, uint32_t min_pixels)
{
    if (min_pixels == 0)
        return 1;
    static const unsigned denoms[] = {8, 4, 2};
    for (size_t i = 0; i < sizeof denoms / sizeof denoms[0]; i++) {
        uint64_t d = denoms[i];
        if (((w + d - 1) / d) * ((h + d - 1) / d) >= min_pixels)
            return denoms[i];
    }
    return 1;
}

/* The part that runs under setjmp. Locals here are not relied on after a longjmp: all
 * state that matters is in *job. */
static int decode_under_setjmp(jpeg_job *job, const uint8_t *data, size_t size,
                               const ct_decode_limits *lim, ct_err *err)
{
    struct jpeg_decompress_struct *cinfo = &job->cinfo;
    if (setjmp(job->jerr.escape))
        return ct_fail(err, map_jpeg_error(job->jerr.pub.msg_code), "JPEG: %s",
                       job->jerr.message);

    jpeg_create_decompress(cinfo);
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);

    uint64_t pixels = (uint64_t)cinfo->image_width * cinfo->image_height;
    if (pixels > lim->max_pixels)
        return ct_fail(err, COVERTHEME_ERR_LIMIT_EXCEEDED,
                       "JPEG: image is %ux%u pixels, more than the limit of %" PRIu64,
                       (unsigned)cinfo->image_width, (unsigned)cinfo->image_height,
                       lim->max_pixels);

    cinfo->out_color_space = is_cmyk_source(cinfo) ? JCS_CMYK : JCS_EXT_RGBA;
    cinfo->scale_num = 1;
    cinfo->scale_denom = pick_scale_denom(cinfo->image_width, cinfo->image_height,
                                          lim->min_pixels);
    jpeg_calc_output_dimensions(cinfo); /* output_width/height; start_decompress agrees */
    /* For progressive files this already reads every scan, so truncation shows here. */
    jpeg_start_decompress(cinfo);
    if (job->jerr.premature_eof)
        return fail_premature_eof(err);
    if (cinfo->output_components != 4)
        return ct_fail(err, COVERTHEME_ERR_INTERNAL, "JPEG: %d output components, expected 4",
                       cinfo->output_components);

    int rc = job->sampled ? sample_image(job, err) : read_image(job, err);
    if (rc != COVERTHEME_OK)
        return rc;
    /* Reads up to EOI, so data cut off after the last scanline is caught too. */
    jpeg_finish_decompress(cinfo);
    if (job->jerr.premature_eof)
        return fail_premature_eof(err);
    return COVERTHEME_OK;
}

static void install_error_manager(jpeg_job *job)
{
    job->cinfo.err = jpeg_std_error(&job->jerr.pub);
    job->jerr.pub.error_exit = on_error_exit;
    job->jerr.pub.emit_message = on_emit_message;
    job->jerr.pub.output_message = on_output_message;
}

static void release_job(jpeg_job *job)
{
    if (!job)
        return;
    jpeg_destroy_decompress(&job->cinfo);
    ct_sampler_discard(&job->sampler); /* nothing left after a successful finish */
    ct_mem_free(job->arena, job->cmyk_row);
    ct_mem_free(job->arena, job->row_block);
    ct_mem_free(job->arena, job->pixels);
    ct_mem_free(job->arena, job);
}

/* Creates the job in *jobp (also on failure, unless it could not be allocated) and
 * decodes; the caller takes the result from it and then calls release_job. */
static int run_job(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                   ct_arena *arena, int sampled, uint32_t max_samples, jpeg_job **jobp,
                   ct_err *err)
{
    *jobp = NULL;
    if (size > ULONG_MAX) /* jpeg_mem_src takes an unsigned long */
        return ct_fail(err, COVERTHEME_ERR_LIMIT_EXCEEDED, "JPEG: input of %zu bytes is too large",
                       size);

    /* Not the stack: the decompress struct and jmp_buf are large, and a zeroed job makes
     * jpeg_destroy_decompress safe even if jpeg_create_decompress never ran. */
    jpeg_job *job = ct_mem_calloc(arena, 1, sizeof *job);
    if (!job)
        return ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "JPEG: out of memory for the decoder");
    job->arena = arena;
    job->sampled = sampled;
    job->max_samples = max_samples;
    job->watch = lim->watch;
    install_error_manager(job);
    *jobp = job;
    return decode_under_setjmp(job, data, size, lim, err);
}

int ct_decode_jpeg(const uint8_t *data, size_t size, const ct_decode_limits *lim, ct_image *out,
                   ct_err *err)
{
    if (!out || !lim || (!data && size))
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "JPEG: invalid argument");
    memset(out, 0, sizeof *out);

    jpeg_job *job;
    int rc = run_job(data, size, lim, NULL, 0, 0, &job, err);
    if (rc == COVERTHEME_OK) {
        out->width = job->cinfo.output_width;
        out->height = job->cinfo.output_height;
        out->format = COVERTHEME_IMAGE_JPEG;
        out->rgba = job->pixels;
        job->pixels = NULL;
    }
    release_job(job);
    return rc;
}

int ct_decode_jpeg_sampled(const uint8_t *data, size_t size, const ct_decode_limits *lim,
                           ct_arena *arena, uint32_t max_samples, ct_decoded_info *info,
                           ct_samples *out, ct_err *err)
{
    if (!data && size)
        return ct_fail(err, COVERTHEME_ERR_INVALID_ARGUMENT, "JPEG: invalid argument");

    jpeg_job *job;
    int rc = run_job(data, size, lim, arena, 1, max_samples, &job, err);
    if (rc == COVERTHEME_OK) {
        ct_sampler_finish(&job->sampler, out);
        info->width = job->cinfo.output_width;
        info->height = job->cinfo.output_height;
    }
    release_job(job);
    return rc;
}
