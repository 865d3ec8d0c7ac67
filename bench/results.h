/* Part of covertheme-bench: everything it writes. The JSON-lines text (one line per image,
 * stage and metric: statistics, raw samples, the run's metadata; or an error) and the
 * human-readable table on stderr.
 *
 * A line is built in two steps: the child writes all it knows (results_series_json,
 * results_error_json) and sends it as the body of a record; the parent completes it with
 * peak RSS, ratios to the decode floors and the load at the end (results_emit). */
#ifndef COVERTHEME_BENCH_RESULTS_H
#define COVERTHEME_BENCH_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "child.h"
#include "strbuf.h"

/* The metadata fragment every line carries (machine_build_meta). Set it before forking:
 * the children use it too. The string must outlive the run. */
void results_set_meta(const char *json);

/* Child side: the text of a series line (h: kind, stage, metric, summary, allocations) and
 * of an error line, each without its closing brace. */
void results_series_json(strbuf *s, const rec_hdr *h, const image_info *img, const double *v,
                         size_t n, const char *extra);
void results_error_json(strbuf *s, const image_info *img, const char *stage, const char *msg);

/* Parent side. */
void results_table_header(void);
/* Writes one child's records as JSON lines to out, completing each with the fields only the
 * parent knows (peak RSS, floor ratios when floors is not NULL, load at the end), and a table
 * row per non-error record. Returns the number of error records. */
int results_emit(FILE *out, const image_info *img, const child_result *r, const child_result *floors,
                 const double la_end[3]);
/* A child that died without reporting still leaves a line, so the output shows it. */
void results_emit_failure(FILE *out, const image_info *img, const char *what, const char *why);

#endif /* COVERTHEME_BENCH_RESULTS_H */
