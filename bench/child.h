/* Part of covertheme-bench: measuring in a forked child, and the records it sends back.
 *
 * Each measurement of an image runs in its own child, so ru_maxrss from wait4() is that
 * measurement's own peak, and a crash or an mcount trap loses one image, not the run. The
 * child sends its results through a pipe as framed records: a binary header with the
 * summary the parent needs for ratios and the table, then the JSON text of the line (which
 * the parent completes with what only it knows: peak RSS, floor ratios, load at the end). */
#ifndef COVERTHEME_BENCH_CHILD_H
#define COVERTHEME_BENCH_CHILD_H

#include <stddef.h>
#include <stdint.h>

#include "bench_opts.h"
#include "floors.h"
#include "stats.h"

/* What a child knows about its image, for the JSON text. */
typedef struct image_info {
    const char *path, *name;
    floor_format format;
    uint32_t width, height;
    long long file_bytes;
    double la_start[3];
} image_info;

enum { REC_E2E = 0, REC_FLOOR = 1, REC_ERROR = 2 };
/* The JSON "kind" of each REC_*. */
extern const char *const rec_kind_name[];

typedef struct rec_hdr {
    uint32_t magic, kind;
    char stage[24], metric[8];
    stats_summary sum;
    int32_t has_allocs;
    double allocs, bytes; /* per call */
    uint32_t body_len;    /* JSON object text without its closing brace */
    char message[1024];   /* REC_ERROR only: what went wrong, for stderr */
} rec_hdr;

typedef struct rec {
    rec_hdr h;
    char *body;
} rec;

/* Child side. One series of samples (ns) -> one record with its statistics, the raw
 * samples, and `extra` (JSON members starting with ',', or NULL) in the text. allocs and
 * bytes are per call, used when has_allocs. Returns 0, or -1 when the pipe broke. */
int child_send_series(int fd, int kind, const char *stage, const char *metric, const image_info *img,
                      const double *v, size_t n, int has_allocs, double allocs, double bytes,
                      const char *extra);
/* An error record: the message goes to the JSON line and to the parent's stderr. */
int child_send_error(int fd, const image_info *img, const char *stage, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parent side. */
typedef struct child_result {
    rec *recs;
    size_t n;
    long peak_rss_kb, rss_at_fork_kb;
    char failure[256]; /* "" when the child exited 0 */
} child_result;

/* A measurement: runs in the child, writes its records to fd, returns the exit status. */
typedef int (*child_fn)(const bench_opts *, image_info *, int);

/* Forks, runs fn in the child, and collects its records, peak RSS and exit status into *r
 * (failure says why when the child did not exit 0, or the fork itself failed). */
void child_run(child_fn fn, const bench_opts *o, image_info *img, child_result *r);
void child_result_free(child_result *r);
/* 1 when the child explained its own failure with an error record. */
int child_has_error_rec(const child_result *r);

#endif /* COVERTHEME_BENCH_CHILD_H */
