/* Runs the core unit suites. Check forks per test (the default), so a crash in one test is
 * reported as that test's error instead of ending the run. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(suite_textbuf());
    srunner_add_suite(sr, suite_color());
    srunner_add_suite(sr, suite_sample());
    srunner_add_suite(sr, suite_kmeans());
    srunner_add_suite(sr, suite_kmeans_diff());
    srunner_add_suite(sr, suite_decode());
    srunner_add_suite(sr, suite_stream());
    srunner_add_suite(sr, suite_roles());
    srunner_add_suite(sr, suite_render());
    srunner_add_suite(sr, suite_pool());
    srunner_add_suite(sr, suite_arena());
    srunner_add_suite(sr, suite_hist());
    srunner_add_suite(sr, suite_hist_stream());
    srunner_add_suite(sr, suite_webp_yuv());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
