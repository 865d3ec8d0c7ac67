/* libmcount.so: an LD_PRELOAD allocation counter (bench/mcount.c).
 *
 *   LD_PRELOAD=build/libmcount.so prog          counts every allocation in prog
 *   MCOUNT_REPORT=1 LD_PRELOAD=... prog         also prints the totals at exit
 *
 * A program that wants the counts without depending on the shim declares the functions
 * weak and checks for NULL, so it still runs without LD_PRELOAD:
 *
 *   extern uint64_t mcount_allocs(void) __attribute__((weak));
 *   if (mcount_allocs) { uint64_t a0 = mcount_allocs(); hot(); delta = mcount_allocs() - a0; }
 *
 * Counted: malloc, calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign,
 * valloc, pvalloc (frees: free, and realloc of a non-NULL pointer). Counters are global
 * (every thread) and atomic. Raw mmap is not seen. Do not combine with ASan or valgrind,
 * which replace malloc themselves. */
#ifndef COVERTHEME_BENCH_MCOUNT_H
#define COVERTHEME_BENCH_MCOUNT_H

#include <stdint.h>

/* Allocation calls so far (realloc of a live block counts as one alloc and one free). */
uint64_t mcount_allocs(void);
/* free() calls with a non-NULL pointer, plus realloc() of a live block. */
uint64_t mcount_frees(void);
/* Sum of the sizes requested by the allocation calls. */
uint64_t mcount_bytes(void);
/* on != 0: the next allocation on any thread prints its backtrace to stderr (symbolised
 * for -rdynamic programs and shared libraries) and aborts. For finding who allocates
 * inside a region that must not: mcount_forbid(1); hot(); mcount_forbid(0); */
void mcount_forbid(int on);

#endif /* COVERTHEME_BENCH_MCOUNT_H */
