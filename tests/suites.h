/* Every Check suite of the core unit-test binary (build/test_core). */
#ifndef CT_TEST_SUITES_H
#define CT_TEST_SUITES_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/decode.h"

Suite *suite_textbuf(void);
Suite *suite_color(void);
Suite *suite_sample(void);
Suite *suite_kmeans(void);
Suite *suite_kmeans_diff(void);
Suite *suite_decode(void);
Suite *suite_stream(void);
Suite *suite_roles(void);
Suite *suite_render(void);
Suite *suite_pool(void);
Suite *suite_arena(void);
Suite *suite_hist(void);
Suite *suite_hist_stream(void);
Suite *suite_webp_yuv(void);

/* Defined in test_stream.c, also used by test_decode.c: asserts that ct_decode_sampled on
 * `data` agrees with ct_sample_image(ct_decode(data)) for many sample budgets, with and
 * without an arena: the same samples byte for byte, or the same error code and message. */
void ts_check_sampled(const uint8_t *data, size_t len, const ct_decode_limits *lim);

struct ct_hist_level;
/* Defined in test_hist.c: asserts two histogram levels are the same bits (`what` names the
 * level in the message). */
void ts_same_level(const struct ct_hist_level *x, const struct ct_hist_level *y, const char *what);

struct ct_pool;
/* Defined in test_hist_stream.c, also used by test_stream.c: asserts that
 * ct_hist_stream_decode on `data` (on `pool`, bins above `exact_limit` colours) returns what
 * ct_decode_sampled does, and then the histogram ct_hist_build makes of those samples. */
void ts_check_streamed(const uint8_t *data, size_t len, const ct_decode_limits *lim, uint32_t budget,
                       uint32_t exact_limit, struct ct_pool *pool);

#endif
