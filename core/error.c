#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ct_fail(ct_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void ct_err_prefix(ct_err *e, const char *prefix)
{
    if (!e || !prefix)
        return;
    /* Truncation is acceptable here: the start of a message carries the file name. */
    char tmp[CT_ERR_MSG_MAX];
    size_t n = 0;
    for (const char *parts[3] = {prefix, ": ", e->msg}, **p = parts; p < parts + 3; p++)
        for (const char *c = *p; *c && n + 1 < sizeof tmp; c++)
            tmp[n++] = *c;
    tmp[n] = '\0';
    memcpy(e->msg, tmp, n + 1);
}
