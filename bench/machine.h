/* Part of covertheme-bench: what the run ran on. Small /proc readers (load, RSS, sysctls)
 * and the metadata fragment that every JSON line of a run carries, so that any single line
 * says which machine, scheduler, compiler, flags, commit and library produced it. */
#ifndef COVERTHEME_BENCH_MACHINE_H
#define COVERTHEME_BENCH_MACHINE_H

#include <stddef.h>

#include "bench_opts.h"
#include "strbuf.h"

/* First line of a small file, without the newline; "" when unreadable. */
void machine_read_line(const char *path, char *buf, size_t len);

/* 1, 5 and 15 minute load averages; NAN each when /proc/loadavg is unreadable. */
void machine_loadavg(double la[3]);
/* The three as a JSON array, null for unknown. */
void machine_loadavg_json(strbuf *s, const double la[3]);

/* Resident set size of this process now, in KiB; -1 when unknown. */
long machine_rss_kb(void);

/* Appends the `"key":value,...` fragment shared by every line (no braces): machine, sched,
 * compiler, cflags, commit, library, timestamp and run id, and the options as the library
 * reports them back from a context (so defaults are recorded as the values actually used).
 * Returns 0, or -1 when the library refuses a context or an option (message printed). */
int machine_build_meta(const bench_opts *o, strbuf *m);

#endif /* COVERTHEME_BENCH_MACHINE_H */
