/* Part of covertheme-bench: a growable string with the few JSON writers the harness needs.
 *
 * Every JSON line the harness emits is built in one of these first, so a line reaches the
 * output (or the pipe to the parent) in one write and never half-written. Out of memory is
 * fatal (_exit(3)): a benchmark with a missing line is worse than no benchmark. */
#ifndef COVERTHEME_BENCH_STRBUF_H
#define COVERTHEME_BENCH_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
    char *p; /* NUL-terminated once anything was written; NULL before */
    size_t len, cap;
} strbuf;

void strbuf_putn(strbuf *s, const char *str, size_t n);
void strbuf_puts(strbuf *s, const char *str);
void strbuf_printf(strbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal with escapes; NULL becomes null. */
void strbuf_json_str(strbuf *s, const char *str);
/* v with fmt, or null when v is not finite: JSON has no NaN. */
void strbuf_json_num(strbuf *s, const char *fmt, double v);
void strbuf_free(strbuf *s);

#endif /* COVERTHEME_BENCH_STRBUF_H */
