/* libmcount.so: LD_PRELOAD allocation counter with a trap mode; usage in mcount.h.
 *
 * Every allocation function is interposed and forwarded to the next definition (glibc's)
 * found with dlsym(RTLD_NEXT). glibc routes its own internal allocations (fopen, strdup,
 * qsort...) through the public malloc symbol, so those are seen too. reallocarray is
 * wrapped explicitly because glibc implements it on an internal realloc we cannot see.
 *
 * Bootstrap: dlsym itself may call calloc (for its error buffer) before the real calloc
 * is known. While this thread is inside dlsym, allocations come from a static bump
 * buffer; those blocks are never freed (free() recognises and ignores them) and realloc
 * copies them out.
 *
 * Built with the project's -fvisibility=hidden, so every interposed symbol and the API is
 * marked default-visible explicitly. */
#include "mcount.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_fn)(size_t, size_t); /* aligned_alloc, memalign */

/* Resolved once; racing threads store identical values, so relaxed atomics suffice. */
static _Atomic(malloc_fn) real_malloc;
static _Atomic(calloc_fn) real_calloc;
static _Atomic(realloc_fn) real_realloc;
static _Atomic(free_fn) real_free;
static _Atomic(posix_memalign_fn) real_posix_memalign;
static _Atomic(aligned_fn) real_aligned_alloc;
static _Atomic(aligned_fn) real_memalign;
static _Atomic(malloc_fn) real_valloc;
static _Atomic(malloc_fn) real_pvalloc;

static atomic_uint_fast64_t n_allocs, n_frees, n_bytes;
static atomic_int forbidden;

static _Thread_local int resolving; /* this thread is inside dlsym */
static _Thread_local int trapping;  /* this thread is printing a trap backtrace */

/* ---- bootstrap arena ------------------------------------------------------------------- */

#define BOOT_SIZE (64 * 1024)
#define BOOT_HDR 16 /* each block is preceded by its size, keeping 16-byte alignment */
static _Alignas(16) unsigned char boot_buf[BOOT_SIZE];
static atomic_size_t boot_used;

static int in_boot(const void *p)
{
    const unsigned char *c = p;
    return c >= boot_buf && c < boot_buf + BOOT_SIZE;
}

static void *boot_alloc(size_t size, size_t align)
{
    if (align < 16)
        align = 16;
    size_t need = BOOT_HDR + size + align; /* worst case for the alignment */
    size_t off = atomic_fetch_add(&boot_used, need);
    if (off + need > BOOT_SIZE || need < size)
        return NULL;
    uintptr_t start = (uintptr_t)(boot_buf + off + BOOT_HDR);
    start = (start + align - 1) & ~(uintptr_t)(align - 1);
    memcpy((void *)(start - BOOT_HDR), &size, sizeof size);
    return (void *)start; /* zeroed: the arena is static and never reused */
}

static size_t boot_size(const void *p)
{
    size_t size;
    memcpy(&size, (const unsigned char *)p - BOOT_HDR, sizeof size);
    return size;
}

#define LOAD(fn) atomic_load_explicit(&(fn), memory_order_relaxed)
#define RESOLVE(var, type, name) \
    atomic_store_explicit(&(var), (type)dlsym(RTLD_NEXT, name), memory_order_relaxed)

static void resolve(void)
{
    if (LOAD(real_free))
        return;
    resolving = 1;
    RESOLVE(real_malloc, malloc_fn, "malloc");
    RESOLVE(real_calloc, calloc_fn, "calloc");
    RESOLVE(real_realloc, realloc_fn, "realloc");
    RESOLVE(real_posix_memalign, posix_memalign_fn, "posix_memalign");
    RESOLVE(real_aligned_alloc, aligned_fn, "aligned_alloc");
    RESOLVE(real_memalign, aligned_fn, "memalign");
    RESOLVE(real_valloc, malloc_fn, "valloc");
    RESOLVE(real_pvalloc, malloc_fn, "pvalloc");
    RESOLVE(real_free, free_fn, "free"); /* last: it is the "resolved" flag */
    resolving = 0;
}

/* 1 when the caller must use the bootstrap arena (we are inside dlsym). */
static int need_boot(void)
{
    if (LOAD(real_free))
        return 0;
    if (resolving)
        return 1;
    resolve();
    return !LOAD(real_free);
}

/* ---- counting and the trap ----------------------------------------------------------- */

static void trap(size_t size)
{
    if (trapping)
        return; /* backtrace() may allocate while loading libgcc_s: let it */
    trapping = 1;
    atomic_store(&forbidden, 0);
    char msg[160];
    int len = snprintf(msg, sizeof msg,
                       "mcount: allocation of %zu bytes while forbidden (mcount_forbid); backtrace:\n",
                       size);
    if (len > 0 && write(2, msg, (size_t)len) < 0) {
        /* nothing better to do: we abort right after */
    }
    void *frames[64];
    int n = backtrace(frames, 64);
    backtrace_symbols_fd(frames, n, 2);
    abort();
}

static void count_alloc(size_t size)
{
    atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&n_bytes, size, memory_order_relaxed);
    if (atomic_load_explicit(&forbidden, memory_order_relaxed))
        trap(size);
}

static void count_free(void)
{
    atomic_fetch_add_explicit(&n_frees, 1, memory_order_relaxed);
}

/* ---- the public API ------------------------------------------------------------------ */

EXPORT uint64_t mcount_allocs(void)
{
    return atomic_load(&n_allocs);
}

EXPORT uint64_t mcount_frees(void)
{
    return atomic_load(&n_frees);
}

EXPORT uint64_t mcount_bytes(void)
{
    return atomic_load(&n_bytes);
}

EXPORT void mcount_forbid(int on)
{
    if (on) {
        /* The first backtrace() dlopens libgcc_s, which allocates: do it now, not in the trap. */
        void *frames[4];
        (void)backtrace(frames, 4);
    }
    atomic_store(&forbidden, on != 0);
}

/* ---- interposed allocation functions --------------------------------------------------- */

EXPORT void *malloc(size_t size)
{
    if (need_boot())
        return boot_alloc(size, 16);
    count_alloc(size);
    return LOAD(real_malloc)(size);
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
    if (need_boot()) {
        size_t total;
        if (__builtin_mul_overflow(nmemb, size, &total))
            return NULL;
        return boot_alloc(total, 16);
    }
    count_alloc(nmemb * size);
    return LOAD(real_calloc)(nmemb, size);
}

EXPORT void free(void *p)
{
    if (!p || in_boot(p))
        return;
    count_free();
    LOAD(real_free)(p);
}

EXPORT void *realloc(void *p, size_t size)
{
    if (p && in_boot(p)) { /* move a bootstrap block to the real heap */
        void *q = malloc(size);
        if (q) {
            size_t old = boot_size(p);
            memcpy(q, p, old < size ? old : size);
        }
        return q;
    }
    if (need_boot())
        return boot_alloc(size, 16);
    if (p)
        count_free(); /* the old block goes away (or, with size 0, only that happens) */
    if (p == NULL || size > 0)
        count_alloc(size);
    return LOAD(real_realloc)(p, size);
}

EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(nmemb, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, total);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (need_boot()) {
        *out = boot_alloc(size, align);
        return *out ? 0 : ENOMEM;
    }
    count_alloc(size);
    return LOAD(real_posix_memalign)(out, align, size);
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (need_boot())
        return boot_alloc(size, align);
    count_alloc(size);
    return LOAD(real_aligned_alloc)(align, size);
}

EXPORT void *memalign(size_t align, size_t size)
{
    if (need_boot())
        return boot_alloc(size, align);
    count_alloc(size);
    return LOAD(real_memalign)(align, size);
}

EXPORT void *valloc(size_t size)
{
    if (need_boot())
        return boot_alloc(size, 4096);
    count_alloc(size);
    return LOAD(real_valloc)(size);
}

EXPORT void *pvalloc(size_t size)
{
    if (need_boot())
        return boot_alloc(size, 4096);
    count_alloc(size);
    return LOAD(real_pvalloc)(size);
}

/* ---- load and exit --------------------------------------------------------------------- */

__attribute__((constructor)) static void mcount_init(void)
{
    resolve();
}

__attribute__((destructor)) static void mcount_report(void)
{
    const char *env = getenv("MCOUNT_REPORT");
    if (!env || strcmp(env, "1") != 0)
        return;
    char msg[160];
    int len = snprintf(msg, sizeof msg, "mcount: allocs=%llu frees=%llu bytes=%llu\n",
                       (unsigned long long)mcount_allocs(), (unsigned long long)mcount_frees(),
                       (unsigned long long)mcount_bytes());
    if (len > 0 && write(2, msg, (size_t)len) < 0) {
        /* at exit there is nobody left to tell */
    }
}
