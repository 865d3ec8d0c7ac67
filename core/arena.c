#include "arena.h"

#include <stdlib.h>
#include <string.h>

/* Each block is preceded by a header holding its size, so realloc (which libspng calls
 * without the old size) can copy the right amount. The header occupies a whole alignment
 * unit to keep the block itself 64-byte aligned. */
#define HDR CT_ARENA_ALIGN

struct ct_arena_chunk {
    ct_arena_chunk *next;
    size_t cap, used;  /* bytes of data[] */
    size_t last;       /* offset of the newest block's header, for in-place growth */
    _Alignas(CT_ARENA_ALIGN) unsigned char data[];
};

static size_t round_up(size_t n)
{
    return (n + CT_ARENA_ALIGN - 1) & ~(size_t)(CT_ARENA_ALIGN - 1);
}

static ct_arena_chunk *chunk_new(ct_arena *a, size_t cap)
{
    ct_arena_chunk *c = aligned_alloc(CT_ARENA_ALIGN, round_up(sizeof *c + cap));
    if (!c)
        return NULL;
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
    c->last = SIZE_MAX;
    a->heap_allocs++;
    return c;
}

static void free_chunks(ct_arena_chunk *c)
{
    while (c) {
        ct_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
}

void ct_arena_init(ct_arena *a)
{
    memset(a, 0, sizeof *a);
}

void ct_arena_destroy(ct_arena *a)
{
    free_chunks(a->head);
    memset(a, 0, sizeof *a);
}

void ct_arena_reset(ct_arena *a)
{
    ct_arena_chunk *c = a->head;
    size_t want = a->peak > a->retained ? a->peak : a->retained;
    if (c && !c->next && c->cap >= want) {
        c->used = 0;
        c->last = SIZE_MAX;
    } else if (c || want > 0) {
        /* Spilled (or a rewind freed the chunks): one chunk for the whole peak next time. */
        free_chunks(c);
        a->head = chunk_new(a, round_up(want));
        a->retained = a->head ? a->head->cap : 0;
    }
    a->needed = 0;
    a->peak = 0;
}

static void note_growth(ct_arena *a, size_t bytes)
{
    a->needed += bytes;
    if (a->needed > a->peak)
        a->peak = a->needed;
}

void *ct_arena_alloc(ct_arena *a, size_t size)
{
    if (size == 0 || size > SIZE_MAX / 2)
        return NULL;
    size_t span = HDR + round_up(size);
    note_growth(a, span);
    ct_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < span) {
        /* A fresh chunk at least as large as the previous one (doubling), so a call with many
         * small blocks does not spill once per block. */
        size_t cap = c ? c->cap * 2 : 64 * 1024;
        if (cap < span)
            cap = round_up(span);
        ct_arena_chunk *n = chunk_new(a, cap);
        if (!n)
            return NULL;
        n->next = c;
        a->head = c = n;
        if (!n->next)
            a->retained = n->cap;
    }
    unsigned char *h = c->data + c->used;
    memcpy(h, &size, sizeof size);
    c->last = c->used;
    c->used += span;
    return h + HDR;
}

void *ct_arena_calloc(ct_arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = ct_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *ct_arena_realloc(ct_arena *a, void *p, size_t size)
{
    if (!p)
        return ct_arena_alloc(a, size);
    if (size == 0 || size > SIZE_MAX / 2)
        return NULL;
    unsigned char *h = (unsigned char *)p - HDR;
    size_t old;
    memcpy(&old, h, sizeof old);
    ct_arena_chunk *c = a->head;
    if (c && c->last != SIZE_MAX && h == c->data + c->last) {
        size_t span = HDR + round_up(size), old_span = HDR + round_up(old);
        if (span <= old_span || c->cap - c->last >= span) {
            c->used = c->last + span;
            if (span > old_span)
                note_growth(a, span - old_span);
            else
                a->needed -= old_span - span;
            memcpy(h, &size, sizeof size);
            return p;
        }
    }
    if (size <= old) {
        memcpy(h, &size, sizeof size);
        return p;
    }
    void *n = ct_arena_alloc(a, size);
    if (n)
        memcpy(n, p, old);
    return n;
}

void ct_arena_free(ct_arena *a, void *p)
{
    (void)a, (void)p; /* released at the next reset */
}

ct_arena_mark ct_arena_mark_get(const ct_arena *a)
{
    ct_arena_mark m = {a->head, 0, SIZE_MAX, a->needed};
    if (a->head) {
        m.used = a->head->used;
        m.last = a->head->last;
    }
    return m;
}

void ct_arena_rewind(ct_arena *a, const ct_arena_mark *m)
{
    while (a->head && a->head != m->head) { /* chunks begun after the mark */
        ct_arena_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    if (!a->head)
        a->retained = 0;
    else {
        a->head->used = m->used;
        a->head->last = m->last;
    }
    a->needed = m->needed;
}

static _Thread_local ct_arena *bound;

void ct_arena_bind_thread(ct_arena *a)
{
    bound = a;
}

void *ct_arena_cb_malloc(size_t size)
{
    return bound ? ct_arena_alloc(bound, size) : NULL;
}

void *ct_arena_cb_calloc(size_t n, size_t size)
{
    return bound ? ct_arena_calloc(bound, n, size) : NULL;
}

void *ct_arena_cb_realloc(void *p, size_t size)
{
    return bound ? ct_arena_realloc(bound, p, size) : NULL;
}

void ct_arena_cb_free(void *p)
{
    (void)p;
}
