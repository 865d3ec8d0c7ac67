/* A growable text buffer for the renderers. Appends never fail loudly: on an allocation
 * failure the buffer remembers it (oom = 1) and ignores later appends, so a renderer
 * checks once at the end. Numbers are formatted by hand, never through printf's %f, so
 * the host's LC_NUMERIC cannot change the output. */
#ifndef CT_TEXTBUF_H
#define CT_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct ct_buf {
    char *data;
    size_t len, cap;
    int oom;
} ct_buf;

void ct_buf_init(ct_buf *b);
void ct_buf_release(ct_buf *b);
/* Hands the NUL-terminated text to the caller (malloc'ed) and resets the buffer. NULL if oom. */
char *ct_buf_take(ct_buf *b, size_t *len);

void ct_buf_putn(ct_buf *b, const char *s, size_t n);
void ct_buf_puts(ct_buf *b, const char *s);
void ct_buf_putc(ct_buf *b, char c);
void ct_buf_u64(ct_buf *b, uint64_t v);
void ct_buf_i64(ct_buf *b, int64_t v);
/* Fixed-point decimal with `decimals` digits after the point (0..9), rounded half away
 * from zero; "-0.000" is written as "0.000"; NaN/inf are written as 0 (JSON has neither). */
void ct_buf_fixed(ct_buf *b, double v, int decimals);
/* "#rrggbb", lower case. */
void ct_buf_hex(ct_buf *b, uint8_t r, uint8_t g, uint8_t bl);
/* A JSON string literal with escaping, quotes included. */
void ct_buf_json_str(ct_buf *b, const char *s);
/* Repeats `s` n times (indentation). */
void ct_buf_rep(ct_buf *b, const char *s, int n);

#endif
