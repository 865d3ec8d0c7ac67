/* The arena: alignment, realloc semantics, and no heap allocation once warm. */
#include <stdlib.h>
#include <string.h>

#include "../core/arena.h"
#include "suites.h"

START_TEST(blocks_are_aligned_and_distinct)
{
    ct_arena a;
    ct_arena_init(&a);
    unsigned char *prev = NULL;
    for (size_t i = 1; i < 3000; i += 37) {
        unsigned char *p = ct_arena_alloc(&a, i);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % CT_ARENA_ALIGN, 0);
        memset(p, (int)(i & 0xff), i);
        if (prev)
            ck_assert_uint_eq(prev[0], (unsigned char)((i - 37) & 0xff)); /* not overwritten */
        prev = p;
    }
    ck_assert_ptr_null(ct_arena_alloc(&a, 0));
    ct_arena_destroy(&a);
}
END_TEST

START_TEST(realloc_keeps_contents)
{
    ct_arena a;
    ct_arena_init(&a);
    unsigned char *p = ct_arena_realloc(&a, NULL, 10);
    memcpy(p, "0123456789", 10);
    unsigned char *q = ct_arena_realloc(&a, p, 100); /* last block: grows in place */
    ck_assert_ptr_eq(q, p);
    unsigned char *other = ct_arena_alloc(&a, 8);
    memset(other, 'x', 8);
    unsigned char *r = ct_arena_realloc(&a, q, 200000); /* no longer last: moves */
    ck_assert_ptr_ne(r, q);
    ck_assert_mem_eq(r, "0123456789", 10);
    ck_assert_uint_eq((uintptr_t)r % CT_ARENA_ALIGN, 0);
    ck_assert_ptr_eq(ct_arena_realloc(&a, r, 5), r); /* shrinking stays put */
    unsigned char *z = ct_arena_calloc(&a, 1000, 3);
    for (int i = 0; i < 3000; i++)
        ck_assert_uint_eq(z[i], 0);
    ck_assert_ptr_null(ct_arena_calloc(&a, SIZE_MAX / 2, 4)); /* overflow */
    ct_arena_destroy(&a);
}
END_TEST

/* A pattern of allocations that spills into extra chunks on the first call; after the reset
 * folds them into one chunk, repeating the pattern (or a smaller one) takes nothing from the
 * heap. */
static void pattern(ct_arena *a, size_t scale)
{
    for (size_t i = 0; i < 50; i++)
        ck_assert_ptr_nonnull(ct_arena_alloc(a, (i + 1) * 1000 * scale));
    void *p = ct_arena_realloc(a, NULL, 100);
    for (size_t s = 200; s < 300000; s *= 2)
        p = ct_arena_realloc(a, p, s);
    ck_assert_ptr_nonnull(p);
}

START_TEST(warm_calls_allocate_nothing)
{
    ct_arena a;
    ct_arena_init(&a);
    ct_arena_reset(&a);
    pattern(&a, 2);
    uint64_t cold = a.heap_allocs;
    ck_assert_uint_gt(cold, 1);
    ct_arena_reset(&a);
    uint64_t after_reset = a.heap_allocs; /* the one chunk that replaces the spilled ones */
    ck_assert_uint_eq(after_reset, cold + 1);
    for (int call = 0; call < 5; call++) {
        pattern(&a, call % 2 ? 1 : 2);
        ct_arena_reset(&a);
    }
    ck_assert_uint_eq(a.heap_allocs, after_reset);
    ct_arena_destroy(&a);
}
END_TEST

/* A rewind hands the scratch's memory to the next blocks, keeps the blocks from before the
 * mark, frees chunks begun after it, and sizes the kept chunk by the call's peak, so a warm
 * call with the same scopes allocates nothing. */
START_TEST(rewind_reuses_scratch)
{
    ct_arena a;
    ct_arena_init(&a);
    unsigned char *keep = ct_arena_alloc(&a, 1000);
    memset(keep, 'k', 1000);
    ct_arena_mark m = ct_arena_mark_get(&a);
    size_t before = a.needed;
    unsigned char *scratch = ct_arena_alloc(&a, 5000);
    memset(scratch, 's', 5000);
    ct_arena_rewind(&a, &m);
    ck_assert_uint_eq(a.needed, before);
    unsigned char *next = ct_arena_alloc(&a, 5000);
    ck_assert_ptr_eq(next, scratch); /* the same memory again */
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(keep[i], 'k');

    /* scratch that spills into new chunks: they go, and `keep` survives */
    ct_arena_mark m2 = ct_arena_mark_get(&a);
    uint64_t chunks = a.heap_allocs;
    unsigned char *first = ct_arena_alloc(&a, 16);
    for (int i = 0; i < 20; i++)
        memset(ct_arena_alloc(&a, 100000), 'z', 100000);
    ck_assert_uint_gt(a.heap_allocs, chunks);
    size_t peak = a.peak;
    ct_arena_rewind(&a, &m2);
    ck_assert_uint_eq(a.peak, peak); /* the peak is remembered for the next reset */
    ck_assert_ptr_eq(ct_arena_alloc(&a, 16), first);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(keep[i], 'k');

    /* warm calls that rewind scratch and then allocate more: one chunk fits them all */
    ct_arena_reset(&a);
    uint64_t warm = a.heap_allocs;
    for (int call = 0; call < 3; call++) {
        ct_arena_mark m0 = ct_arena_mark_get(&a);
        for (int i = 0; i < 20; i++)
            memset(ct_arena_alloc(&a, 100000), 'w', 100000);
        ct_arena_rewind(&a, &m0);
        ck_assert_ptr_nonnull(ct_arena_alloc(&a, 2000000));
        ct_arena_reset(&a);
    }
    ck_assert_uint_eq(a.heap_allocs, warm); /* warm calls with scopes: no heap */
    ct_arena_destroy(&a);

    /* a rewind to before the first chunk leaves no chunk at all */
    ct_arena_init(&a);
    ct_arena_mark empty = ct_arena_mark_get(&a);
    ck_assert_ptr_nonnull(ct_arena_alloc(&a, 100));
    ct_arena_rewind(&a, &empty);
    ck_assert_ptr_null(a.head);
    ck_assert_uint_eq(a.needed, 0);
    ct_arena_reset(&a); /* the peak (one block) still gets a chunk for next time */
    uint64_t n = a.heap_allocs;
    ck_assert_ptr_nonnull(ct_arena_alloc(&a, 100));
    ck_assert_uint_eq(a.heap_allocs, n);
    ct_arena_destroy(&a);
}
END_TEST

START_TEST(callbacks_use_the_bound_arena)
{
    ct_arena a;
    ct_arena_init(&a);
    ck_assert_ptr_null(ct_arena_cb_malloc(10)); /* nothing bound */
    ct_arena_bind_thread(&a);
    void *p = ct_arena_cb_malloc(10);
    ck_assert_ptr_nonnull(p);
    unsigned char *z = ct_arena_cb_calloc(4, 4);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(z[i], 0);
    p = ct_arena_cb_realloc(p, 64);
    ck_assert_ptr_nonnull(p);
    ct_arena_cb_free(p);
    ct_arena_bind_thread(NULL);
    ct_arena_destroy(&a);
}
END_TEST

Suite *suite_arena(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("arena");
    tcase_add_test(tc, blocks_are_aligned_and_distinct);
    tcase_add_test(tc, realloc_keeps_contents);
    tcase_add_test(tc, warm_calls_allocate_nothing);
    tcase_add_test(tc, callbacks_use_the_bound_arena);
    tcase_add_test(tc, rewind_reuses_scratch);
    suite_add_tcase(s, tc);
    return s;
}
