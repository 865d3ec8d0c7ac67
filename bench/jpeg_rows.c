/* covertheme-jpeg-rows: what libjpeg-turbo's non-temporal stores cost a reader of its rows.
 *
 * libjpeg-turbo's SIMD colour converters write an output row with non-temporal (cache-
 * bypassing) stores when the row is 16-byte aligned. A decoder that reads each row back at
 * once, as the library's sampler does, then reads it from memory. This tool decodes each
 * file with libjpeg alone, in five ways alternated round by round (thread CPU time):
 *
 *   image         up to 16 rows per call into one packed RGBA image (the bench floor's way)
 *   row           one row per call into a 64-byte-aligned row buffer, nothing read back
 *   row+4         the same buffer, the row starting 4 bytes in
 *   row,copy      as `row`, and the grid pixels of each grid row copied out (the grid the
 *   row+4,copy    library samples for 65 536 samples, as core/sample.c chooses it)
 *
 *   covertheme-jpeg-rows [--reps N] [--rounds N] FILE|DIR...
 *
 * Per file: the median over the rounds of each way's time per decode, and the median of the
 * per-round ratios of row+4,copy to row,copy. YCbCr and greyscale JPEGs only: anything
 * else is reported and skipped (exit status 1). Every row is decoded: jpeg_skip_scanlines and DCT scaling are left out, so the
 * numbers isolate the stores and the reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jpeglib.h>

#include "inputs.h"
#include "stats.h"

#define MAX_ROUNDS 201
#define SAMPLE_BUDGET 65536u

enum { WAY_IMAGE, WAY_ROW, WAY_ROW_SKEW, WAY_ROW_COPY, WAY_ROW_SKEW_COPY, WAYS };
static const char *const way_names[WAYS] = {"image", "row", "row+4", "row,copy", "row+4,copy"};

typedef struct decoder {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr jerr;
    jmp_buf escape;
} decoder;

static void on_error(j_common_ptr cinfo)
{
    decoder *d = (decoder *)cinfo; /* cinfo is the first member */
    longjmp(d->escape, 1);
}

static void quiet(j_common_ptr cinfo, int level)
{
    (void)cinfo;
    (void)level;
}

/* Errors longjmp to d->escape (set by the caller), warnings are not printed. */
static void quiet_errors(decoder *d)
{
    d->cinfo.err = jpeg_std_error(&d->jerr);
    d->jerr.error_exit = on_error;
    d->jerr.emit_message = quiet;
}

/* Called after the caller's setjmp: a failure jumps back there. */
static void open_header(decoder *d, const uint8_t *data, size_t size)
{
    jpeg_create_decompress(&d->cinfo);
    jpeg_mem_src(&d->cinfo, data, (unsigned long)size);
    jpeg_read_header(&d->cinfo, TRUE);
}

static double thread_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The smallest grid step that keeps ceil(w/step) * ceil(h/step) within the budget. */
static uint32_t grid_step(uint32_t w, uint32_t h)
{
    uint32_t step = 1;
    while ((uint64_t)((w + step - 1) / step) * ((h + step - 1) / step) > SAMPLE_BUDGET)
        step++;
    return step;
}

typedef struct buffers {
    uint8_t *image;    /* width * height * 4, 64-byte aligned */
    uint8_t *row;      /* width * 4 + 64, 64-byte aligned */
    uint8_t *grid;     /* where the copies go */
} buffers;

/* One decode in the given way; returns 0, or -1 when libjpeg failed. */
static int decode_once(const uint8_t *data, size_t size, int way, buffers *b)
{
    decoder d;
    quiet_errors(&d);
    if (setjmp(d.escape)) {
        jpeg_destroy_decompress(&d.cinfo);
        return -1;
    }
    open_header(&d, data, size);
    d.cinfo.out_color_space = JCS_EXT_RGBA;
    jpeg_start_decompress(&d.cinfo);
    uint32_t w = d.cinfo.output_width, h = d.cinfo.output_height;
    uint32_t step = grid_step(w, h), start = (step - 1) / 2;
    uint8_t *cell = b->grid;
    while (d.cinfo.output_scanline < h) {
        uint32_t y = d.cinfo.output_scanline;
        if (way == WAY_IMAGE) {
            JSAMPROW rows[16];
            for (int i = 0; i < 16; i++)
                rows[i] = b->image + (size_t)(y + (uint32_t)i < h ? y + (uint32_t)i : y) * w * 4;
            jpeg_read_scanlines(&d.cinfo, rows, 16);
            continue;
        }
        int skew = way == WAY_ROW_SKEW || way == WAY_ROW_SKEW_COPY;
        JSAMPROW row = b->row + (skew ? 4 : 0);
        jpeg_read_scanlines(&d.cinfo, &row, 1);
        if ((way == WAY_ROW_COPY || way == WAY_ROW_SKEW_COPY) && y >= start && (y - start) % step == 0)
            for (uint32_t x = start; x < w; x += step, cell += 4)
                memcpy(cell, row + (size_t)x * 4, 4);
    }
    jpeg_finish_decompress(&d.cinfo);
    jpeg_destroy_decompress(&d.cinfo);
    return 0;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *data = NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)len)) &&
        fread(data, 1, (size_t)len, f) != (size_t)len) {
        free(data);
        data = NULL;
    }
    fclose(f);
    *size = data ? (size_t)len : 0;
    return data;
}

/* Width and height from the header, or 0 when it is not an RGB-convertible JPEG. */
static int probe(const uint8_t *data, size_t size, uint32_t *w, uint32_t *h)
{
    decoder d;
    quiet_errors(&d);
    if (setjmp(d.escape)) {
        jpeg_destroy_decompress(&d.cinfo);
        return 0;
    }
    open_header(&d, data, size);
    int ok = d.cinfo.jpeg_color_space != JCS_CMYK && d.cinfo.jpeg_color_space != JCS_YCCK;
    *w = d.cinfo.image_width;
    *h = d.cinfo.image_height;
    jpeg_destroy_decompress(&d.cinfo);
    return ok;
}

static int measure(const input *in, int reps, int rounds)
{
    size_t size;
    uint8_t *data = read_file(in->path, &size);
    uint32_t w, h;
    if (!data || !probe(data, size, &w, &h)) {
        fprintf(stderr, "covertheme-jpeg-rows: %s: not read, or not a YCbCr/greyscale JPEG\n", in->name);
        free(data);
        return -1;
    }
    buffers b = {aligned_alloc(64, ((size_t)w * h * 4 + 63) / 64 * 64),
                 aligned_alloc(64, ((size_t)w * 4 + 64 + 63) / 64 * 64), malloc((size_t)SAMPLE_BUDGET * 4)};
    static double ms[WAYS][MAX_ROUNDS], ratio[MAX_ROUNDS];
    int rc = b.image && b.row && b.grid ? 0 : -1;
    for (int r = 0; r < rounds && rc == 0; r++)
        for (int k = 0; k < WAYS && rc == 0; k++) {
            int way = r % 2 ? WAYS - 1 - k : k; /* the order alternates round by round */
            double t0 = thread_ms();
            for (int i = 0; i < reps && rc == 0; i++)
                rc = decode_once(data, size, way, &b);
            ms[way][r] = (thread_ms() - t0) / reps;
        }
    if (rc == 0) {
        printf("%-28s %4ux%-4u", in->name, w, h);
        for (int k = 0; k < WAYS; k++)
            printf("  %s %.3f", way_names[k], stats_median(ms[k], (size_t)rounds));
        for (int r = 0; r < rounds; r++)
            ratio[r] = ms[WAY_ROW_SKEW_COPY][r] / ms[WAY_ROW_COPY][r];
        printf("  ms; row+4,copy / row,copy %.3f\n", stats_median(ratio, (size_t)rounds));
    } else {
        fprintf(stderr, "covertheme-jpeg-rows: %s: decode failed\n", in->name);
    }
    free(b.image);
    free(b.row);
    free(b.grid);
    free(data);
    return rc;
}

int main(int argc, char **argv)
{
    int reps = 10, rounds = 15, i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
        else
            break;
    }
    if (i >= argc || reps < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: covertheme-jpeg-rows [--reps N] [--rounds 1..%d] FILE|DIR...\n", MAX_ROUNDS);
        return 2;
    }
    input_list inputs;
    optind = i; /* where inputs_collect starts */
    inputs_collect(argc, argv, NULL, &inputs);
    printf("# libjpeg alone, thread CPU ms per decode, median of %d rounds of %d decodes each way\n", rounds, reps);
    int failed = 0;
    for (size_t k = 0; k < inputs.n; k++)
        failed |= measure(&inputs.v[k], reps, rounds) != 0;
    inputs_free(&inputs);
    return failed;
}
