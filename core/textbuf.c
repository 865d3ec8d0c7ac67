#include "textbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ct_buf_init(ct_buf *b)
{
    memset(b, 0, sizeof *b);
}

void ct_buf_release(ct_buf *b)
{
    free(b->data);
    ct_buf_init(b);
}

char *ct_buf_take(ct_buf *b, size_t *len)
{
    if (b->oom) {
        ct_buf_release(b);
        return NULL;
    }
    ct_buf_putn(b, "", 0); /* guarantees an allocation and the NUL */
    if (b->oom) {
        ct_buf_release(b);
        return NULL;
    }
    char *s = b->data;
    if (len)
        *len = b->len;
    ct_buf_init(b);
    return s;
}

static int reserve(ct_buf *b, size_t extra)
{
    if (b->oom)
        return 0;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void ct_buf_putn(ct_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ct_buf_puts(ct_buf *b, const char *s)
{
    ct_buf_putn(b, s, strlen(s));
}

void ct_buf_putc(ct_buf *b, char c)
{
    ct_buf_putn(b, &c, 1);
}

void ct_buf_u64(ct_buf *b, uint64_t v)
{
    char tmp[24];
    int i = (int)sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ct_buf_putn(b, tmp + i, sizeof tmp - (size_t)i);
}

void ct_buf_i64(ct_buf *b, int64_t v)
{
    if (v < 0) {
        ct_buf_putc(b, '-');
        ct_buf_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        ct_buf_u64(b, (uint64_t)v);
    }
}

void ct_buf_fixed(ct_buf *b, double v, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (!isfinite(v))
        v = 0.0;
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    int neg = v < 0;
    double a = fabs(v) * (double)scale + 0.5;
    if (a >= 1.8e19)
        a = 1.8e19; /* absurd values saturate instead of overflowing */
    uint64_t q = (uint64_t)a;
    if (q == 0)
        neg = 0;
    if (neg)
        ct_buf_putc(b, '-');
    ct_buf_u64(b, q / scale);
    if (decimals > 0) {
        char frac[10];
        uint64_t r = q % scale;
        for (int i = decimals - 1; i >= 0; i--) {
            frac[i] = (char)('0' + r % 10);
            r /= 10;
        }
        ct_buf_putc(b, '.');
        ct_buf_putn(b, frac, (size_t)decimals);
    }
}

void ct_buf_hex(ct_buf *b, uint8_t r, uint8_t g, uint8_t bl)
{
    static const char hx[] = "0123456789abcdef";
    char s[7] = {'#', hx[r >> 4], hx[r & 15], hx[g >> 4], hx[g & 15], hx[bl >> 4], hx[bl & 15]};
    ct_buf_putn(b, s, 7);
}

void ct_buf_json_str(ct_buf *b, const char *s)
{
    static const char hx[] = "0123456789abcdef";
    ct_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            ct_buf_putc(b, '\\');
            ct_buf_putc(b, (char)c);
        } else if (c == '\n') {
            ct_buf_puts(b, "\\n");
        } else if (c == '\t') {
            ct_buf_puts(b, "\\t");
        } else if (c < 0x20) {
            char u[6] = {'\\', 'u', '0', '0', hx[c >> 4], hx[c & 15]};
            ct_buf_putn(b, u, 6);
        } else {
            ct_buf_putc(b, (char)c);
        }
    }
    ct_buf_putc(b, '"');
}

void ct_buf_rep(ct_buf *b, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        ct_buf_puts(b, s);
}
