/* A per-context bump allocator for the memory of one generate call.
 *
 * Every block is 64-byte aligned (a cache line; also what AVX2/AVX-512 loads like best).
 * ct_arena_reset() starts a new call: all blocks handed out before are invalid at once.
 * Blocks are never freed one by one (ct_arena_free is a no-op kept for libraries that call
 * free), so a call costs no bookkeeping beyond a pointer bump.
 *
 * Growth: when the current chunk is full, a further chunk comes from the heap for the rest
 * of the call. The next reset replaces all chunks by one chunk large enough for everything
 * that call needed, so a later call needing no more memory than an earlier one makes no heap
 * allocation at all. Memory is retained until ct_arena_destroy.
 *
 * Not thread-safe: one arena serves one call at a time (the context lock guarantees that).
 * Workers of the thread pool never allocate; they write into blocks the caller handed out. */
#ifndef CT_ARENA_H
#define CT_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define CT_ARENA_ALIGN 64

typedef struct ct_arena_chunk ct_arena_chunk;

typedef struct ct_arena {
    ct_arena_chunk *head;  /* chunk being filled; older chunks of this call follow via ->next */
    size_t needed;         /* bytes (with headers and padding) of the blocks live now */
    size_t peak;           /* the most `needed` has been during this call */
    size_t retained;       /* capacity of the chunk kept across resets */
    uint64_t heap_allocs;  /* chunks taken from the heap since init (for tests and bench) */
} ct_arena;

void ct_arena_init(ct_arena *a);
/* Releases every chunk. The arena may be initialised again. */
void ct_arena_destroy(ct_arena *a);
/* Starts a new call. If the last call spilled into extra chunks, they are replaced by one
 * chunk of the total size (one heap allocation, here, rather than during the next call).
 * If that allocation fails the arena simply starts empty and grows on demand. */
void ct_arena_reset(ct_arena *a);

/* NULL when size is 0 or memory runs out. */
void *ct_arena_alloc(ct_arena *a, size_t size);
void *ct_arena_calloc(ct_arena *a, size_t n, size_t size);
/* realloc semantics: NULL p allocates; the last block of a chunk grows in place when it
 * fits; otherwise a new block is taken and the old contents copied. size 0 returns NULL
 * and leaves p valid (it is freed at the next reset anyway). */
void *ct_arena_realloc(ct_arena *a, void *p, size_t size);
void ct_arena_free(ct_arena *a, void *p);

/* Scratch scopes: ct_arena_rewind(a, &m) releases every block allocated since
 * m = ct_arena_mark(a), so a later block reuses their memory (the pages already touched, no
 * new ones): a stage's temporary tables then cost nothing past the stage. Blocks allocated
 * before the mark stay valid; the ones after it must not be used again. Chunks taken from
 * the heap after the mark are freed. Marks nest like a stack: rewinding to an older mark
 * also releases everything after the newer ones. The chunk kept across resets is sized by
 * the call's peak, so a warm call still allocates nothing. */
typedef struct ct_arena_mark {
    ct_arena_chunk *head;
    size_t used, last, needed;
} ct_arena_mark;
ct_arena_mark ct_arena_mark_get(const ct_arena *a);
void ct_arena_rewind(ct_arena *a, const ct_arena_mark *m);

/* The arena that the malloc-style callbacks below use on this thread (NULL: none). Set it
 * around calls into a library that takes allocator callbacks without a user pointer
 * (libspng's struct spng_alloc). */
void ct_arena_bind_thread(ct_arena *a);
void *ct_arena_cb_malloc(size_t size);
void *ct_arena_cb_calloc(size_t n, size_t size);
void *ct_arena_cb_realloc(void *p, size_t size);
void ct_arena_cb_free(void *p);

#endif
