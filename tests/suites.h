/* Every Check suite of the core unit-test binary (build/test_core). */
#ifndef CT_TEST_SUITES_H
#define CT_TEST_SUITES_H

#include <check.h>

Suite *suite_textbuf(void);
Suite *suite_color(void);
Suite *suite_sample(void);
Suite *suite_kmeans(void);
Suite *suite_kmeans_diff(void);
Suite *suite_decode(void);
Suite *suite_roles(void);
Suite *suite_render(void);
Suite *suite_pool(void);
Suite *suite_arena(void);

#endif
