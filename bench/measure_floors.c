/* Part of covertheme-bench: the decode-floor measurement (see measure.h and floors.h).
 *
 * One sample reads the file, then decodes every variant from that one buffer; the series
 * are read, decode and read+decode (the sum per sample), each as wall and thread CPU time,
 * measured with the same loop, clocks and statistics as the end-to-end call so that the
 * ratios compare like with like. */
#include "measure.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clocks.h"
#include "rt_guard.h"
#include "strbuf.h"

static const char *const floor_decode_stage[FLOOR_MAX_VARIANTS] = {"decode", "decode_1_2",
                                                                    "decode_1_4", "decode_1_8"};
static const char *const floor_rd_stage[FLOOR_MAX_VARIANTS] = {"read_decode", "read_decode_1_2",
                                                                "read_decode_1_4",
                                                                "read_decode_1_8"};

/* One floor sample: read the file, then decode every variant from that buffer. With
 * rw == NULL nothing is recorded (warm-up). Returns 0 or -1 (message in err). */
static int floor_once(const image_info *img, int nv, double *rw, double *rc_, double *dw[],
                      double *dc[], size_t i, uint64_t *wall_out, char *err, size_t errlen)
{
    uint8_t *data = NULL;
    size_t size = 0;
    uint64_t start = now_ns(CLOCK_MONOTONIC);
    uint64_t c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    int rc = floors_read_file(img->path, &data, &size);
    uint64_t w1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    if (rc != 0) {
        snprintf(err, errlen, "read: %s", strerror(errno));
        return -1;
    }
    if (rw) {
        rw[i] = (double)(w1 - w0);
        rc_[i] = (double)(c1 - c0);
    }
    for (int k = 0; k < nv && rc == 0; k++) {
        uint32_t w, h;
        c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        w0 = now_ns(CLOCK_MONOTONIC);
        rc = floors_decode(img->format, data, size, floors_jpeg_scales[k], &w, &h, err, errlen);
        w1 = now_ns(CLOCK_MONOTONIC);
        c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
        if (rw) {
            dw[k][i] = (double)(w1 - w0);
            dc[k][i] = (double)(c1 - c0);
        }
    }
    free(data);
    *wall_out = now_ns(CLOCK_MONOTONIC) - start;
    return rc;
}

int measure_floors(const bench_opts *o, image_info *img, int fd)
{
    char err[512] = "";
    uint8_t *data = NULL;
    size_t size = 0;
    if (floors_read_file(img->path, &data, &size) != 0)
        return child_send_error(fd, img, "floor", "read: %s", strerror(errno)), 2;
    img->format = floors_sniff(data, size);
    int rc = floors_decode(img->format, data, size, 1, &img->width, &img->height, err, sizeof err);
    free(data);
    if (rc != 0)
        return child_send_error(fd, img, "floor", "%s", err), 2;

    int nv = img->format == FLOOR_JPEG ? FLOORS_JPEG_SCALES : 1;
    rt_guard g;
    rt_guard_init(&g);
    uint64_t wall = 0, start = now_ns(CLOCK_MONOTONIC);
    int warm = 1;
    while (rc == 0 && (warm < o->warmup ||
                       (double)(now_ns(CLOCK_MONOTONIC) - start) < o->warmup_s * 1e9)) {
        rt_guard_before(&g, wall);
        rc = floor_once(img, nv, NULL, NULL, NULL, NULL, 0, &wall, err, sizeof err);
        warm++;
    }

    size_t n = (size_t)bench_opts_samples_for(o, img->width, img->height);
    /* Series: read, then per variant decode and read+decode; each as wall and cpu. */
    double *buf = calloc(n * (2 + 4 * (size_t)nv), sizeof *buf);
    if (!buf)
        return child_send_error(fd, img, "floor", "out of memory for %zu samples", n), 2;
    double *rw = buf, *rcpu = buf + n, *dw[FLOOR_MAX_VARIANTS], *dc[FLOOR_MAX_VARIANTS];
    double *sw[FLOOR_MAX_VARIANTS], *sc[FLOOR_MAX_VARIANTS];
    for (int k = 0; k < nv; k++) {
        dw[k] = buf + (2 + 4 * (size_t)k) * n;
        dc[k] = dw[k] + n;
        sw[k] = dc[k] + n;
        sc[k] = sw[k] + n;
    }
    g.pauses = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rt_guard_before(&g, wall);
        rc = floor_once(img, nv, rw, rcpu, dw, dc, i, &wall, err, sizeof err);
    }
    if (rc != 0) {
        child_send_error(fd, img, "floor", "%s", err);
        free(buf);
        return 2;
    }
    for (int k = 0; k < nv; k++)
        for (size_t i = 0; i < n; i++) {
            sw[k][i] = rw[i] + dw[k][i];
            sc[k][i] = rcpu[i] + dc[k][i];
        }

    strbuf extra = {0};
    strbuf_printf(&extra, ",\"single_threaded\":true,\"warmup_calls\":%d,\"rt_pauses\":%u,\"decoder\":\"%s\"",
                  warm, g.pauses,
                  img->format == FLOOR_PNG    ? "libspng RGBA8+TRNS"
                  : img->format == FLOOR_JPEG ? "libjpeg JCS_EXT_RGBA"
                                              : "libwebp WebPDecodeRGBA");
    int bad = child_send_series(fd, REC_FLOOR, "read", "wall", img, rw, n, 0, 0, 0, extra.p) ||
              child_send_series(fd, REC_FLOOR, "read", "cpu", img, rcpu, n, 0, 0, 0, extra.p);
    for (int k = 0; k < nv && !bad; k++)
        bad = child_send_series(fd, REC_FLOOR, floor_decode_stage[k], "wall", img, dw[k], n, 0, 0, 0, extra.p) ||
              child_send_series(fd, REC_FLOOR, floor_decode_stage[k], "cpu", img, dc[k], n, 0, 0, 0, extra.p) ||
              child_send_series(fd, REC_FLOOR, floor_rd_stage[k], "wall", img, sw[k], n, 0, 0, 0, extra.p) ||
              child_send_series(fd, REC_FLOOR, floor_rd_stage[k], "cpu", img, sc[k], n, 0, 0, 0, extra.p);
    strbuf_free(&extra);
    free(buf);
    return 0;
}
