/* Part of covertheme-bench: a growable string with JSON writers (see strbuf.h). */
#include "strbuf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void strbuf_reserve(strbuf *s, size_t extra)
{
    if (s->len + extra + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + extra + 1)
        cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
        fprintf(stderr, "covertheme-bench: out of memory\n");
        _exit(3);
    }
    s->p = p;
    s->cap = cap;
}

void strbuf_putn(strbuf *s, const char *str, size_t n)
{
    strbuf_reserve(s, n);
    memcpy(s->p + s->len, str, n);
    s->len += n;
    s->p[s->len] = 0;
}

void strbuf_puts(strbuf *s, const char *str)
{
    strbuf_putn(s, str, strlen(str));
}

void strbuf_printf(strbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    strbuf_reserve(s, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(s->p + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

void strbuf_json_str(strbuf *s, const char *str)
{
    if (!str) {
        strbuf_puts(s, "null");
        return;
    }
    strbuf_putn(s, "\"", 1);
    for (const unsigned char *c = (const unsigned char *)str; *c; c++) {
        if (*c == '"' || *c == '\\') {
            char esc[2] = {'\\', (char)*c};
            strbuf_putn(s, esc, 2);
        } else if (*c < 0x20) {
            strbuf_printf(s, "\\u%04x", *c);
        } else {
            strbuf_putn(s, (const char *)c, 1);
        }
    }
    strbuf_putn(s, "\"", 1);
}

void strbuf_json_num(strbuf *s, const char *fmt, double v)
{
    if (isfinite(v))
        strbuf_printf(s, fmt, v);
    else
        strbuf_puts(s, "null");
}

void strbuf_free(strbuf *s)
{
    free(s->p);
    *s = (strbuf){0};
}
