/*
 * test_textbuf.c — the renderers' text buffer (core/textbuf.c): locale-free number
 * formatting (rounding, negative zero, saturation, NaN), hex colours, JSON string
 * escaping, growth past the first allocation, ct_buf_take and the sticky oom flag.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/textbuf.h"
#include "suites.h"

/* Formats one value with ct_buf_fixed and compares the text. */
static void expect_fixed(double v, int decimals, const char *want)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_buf_fixed(&b, v, decimals);
    ck_assert_msg(b.data && strcmp(b.data, want) == 0, "ct_buf_fixed(%.17g, %d) = \"%s\", want \"%s\"",
                  v, decimals, b.data ? b.data : "(null)", want);
    ct_buf_release(&b);
}

START_TEST(fixed_rounds_half_away_from_zero)
{
    expect_fixed(0.0005, 3, "0.001");
    expect_fixed(2.5, 0, "3");
    expect_fixed(-2.5, 0, "-3");
    expect_fixed(0.125, 2, "0.13");
    expect_fixed(-0.125, 2, "-0.13");
    expect_fixed(123.456, 1, "123.5");
    expect_fixed(9.9996, 3, "10.000"); /* carry from the fraction into the integer part */
    expect_fixed(4.5, 3, "4.500");
    expect_fixed(21.0, 3, "21.000");
    expect_fixed(0.0, 6, "0.000000");
}
END_TEST

START_TEST(fixed_never_writes_negative_zero)
{
    expect_fixed(-0.0001, 3, "0.000");
    expect_fixed(-0.0, 3, "0.000");
    expect_fixed(-0.4, 0, "0");
    expect_fixed(-0.0005, 3, "-0.001"); /* rounds away from zero, so it is not zero */
}
END_TEST

START_TEST(fixed_saturates_and_zeroes_non_finite)
{
    expect_fixed(1e20, 0, "18000000000000000000");
    expect_fixed(-1e20, 0, "-18000000000000000000");
    expect_fixed(1e20, 3, "18000000000000000.000");
    expect_fixed(NAN, 0, "0");
    expect_fixed(NAN, 3, "0.000");
    expect_fixed(INFINITY, 2, "0.00");
    expect_fixed(-INFINITY, 1, "0.0");
}
END_TEST

START_TEST(fixed_clamps_decimals)
{
    expect_fixed(1.5, 12, "1.500000000"); /* at most 9 */
    expect_fixed(1.5, -3, "2");           /* at least 0 */
}
END_TEST

START_TEST(integers)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_buf_u64(&b, 0);
    ct_buf_putc(&b, ' ');
    ct_buf_u64(&b, UINT64_MAX);
    ct_buf_putc(&b, ' ');
    ct_buf_i64(&b, INT64_MIN);
    ct_buf_putc(&b, ' ');
    ct_buf_i64(&b, -42);
    ck_assert_str_eq(b.data, "0 18446744073709551615 -9223372036854775808 -42");
    ct_buf_release(&b);
}
END_TEST

START_TEST(hex_is_lower_case_and_padded)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_buf_hex(&b, 0, 0, 0);
    ct_buf_hex(&b, 255, 171, 1);
    ct_buf_hex(&b, 0x0a, 0xbc, 0xde);
    ck_assert_str_eq(b.data, "#000000#ffab01#0abcde");
    ck_assert_uint_eq(b.len, 21);
    ct_buf_release(&b);
}
END_TEST

START_TEST(json_string_escaping)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_buf_json_str(&b, "a\"b\\c\nd\te\x01\x1f\r/\xc3\xa9");
    /* quotes and backslashes escaped, \n and \t short forms, other controls as \u00XX,
     * '/' and UTF-8 bytes passed through unchanged */
    ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u000d/\xc3\xa9\"");
    ct_buf_release(&b);

    ct_buf_init(&b);
    ct_buf_json_str(&b, "");
    ck_assert_str_eq(b.data, "\"\"");
    ct_buf_release(&b);
}
END_TEST

START_TEST(grows_past_first_allocation)
{
    ct_buf b;
    ct_buf_init(&b);
    for (int i = 0; i < 5000; i++)
        ct_buf_putc(&b, (char)('a' + i % 26));
    ct_buf_rep(&b, "xy", 600);
    ck_assert(!b.oom);
    ck_assert_uint_eq(b.len, 5000 + 1200);
    ck_assert(b.cap > b.len); /* room for the NUL */
    ck_assert_int_eq(b.data[b.len], '\0');
    for (int i = 0; i < 5000; i++)
        ck_assert_int_eq(b.data[i], 'a' + i % 26);
    ck_assert_int_eq(memcmp(b.data + 5000, "xyxy", 4), 0);
    ck_assert_int_eq(b.data[b.len - 1], 'y');
    ct_buf_release(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(take_hands_over_and_resets)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_buf_puts(&b, "hello");
    size_t len = 99;
    char *s = ct_buf_take(&b, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "hello");
    ck_assert_uint_eq(len, 5);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len, 0);
    free(s);

    /* An empty buffer still gives an allocated empty string. */
    s = ct_buf_take(&b, &len);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "");
    ck_assert_uint_eq(len, 0);
    free(s);

    /* len may be NULL. */
    ct_buf_puts(&b, "x");
    s = ct_buf_take(&b, NULL);
    ck_assert_str_eq(s, "x");
    free(s);
}
END_TEST

START_TEST(oom_is_sticky)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_buf_puts(&b, "abc");
    b.oom = 1; /* as after a failed realloc */
    ct_buf_puts(&b, "def");
    ct_buf_fixed(&b, 1.0, 3);
    ck_assert_uint_eq(b.len, 3);
    size_t len = 7;
    ck_assert_ptr_null(ct_buf_take(&b, &len));
    ck_assert_ptr_null(b.data); /* the partial text was released */
    ck_assert_int_eq(b.oom, 0);
}
END_TEST

Suite *suite_textbuf(void)
{
    Suite *s = suite_create("textbuf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fixed_rounds_half_away_from_zero);
    tcase_add_test(tc, fixed_never_writes_negative_zero);
    tcase_add_test(tc, fixed_saturates_and_zeroes_non_finite);
    tcase_add_test(tc, fixed_clamps_decimals);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, hex_is_lower_case_and_padded);
    tcase_add_test(tc, json_string_escaping);
    tcase_add_test(tc, grows_past_first_allocation);
    tcase_add_test(tc, take_hands_over_and_resets);
    tcase_add_test(tc, oom_is_sticky);
    suite_add_tcase(s, tc);
    return s;
}
