/* Error detail for the core: a code from enum covertheme_error plus a message buffer that
 * the plugin copies into the caller's per-thread error slot. */
#ifndef CT_ERROR_H
#define CT_ERROR_H

#include <stddef.h>
#include "../abi/covertheme.h"

#define CT_ERR_MSG_MAX 512

typedef struct ct_err {
    char msg[CT_ERR_MSG_MAX];
} ct_err;

/* Formats the message into `e` (if not NULL) and returns `code`, so a failure reads
 * `return ct_fail(e, COVERTHEME_ERR_CORRUPT_IMAGE, "PNG: %s", spng_strerror(rc));`. */
int ct_fail(ct_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: " (used to add the file name). */
void ct_err_prefix(ct_err *e, const char *prefix);

#endif
