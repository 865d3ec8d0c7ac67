/* Plumbing shared by the standalone test programs (host_stub.c, cli_batch_check.c): files
 * as text, recursive removal, and running a Check suite inside a private TMPDIR. */
#ifndef CT_TESTENV_H
#define CT_TESTENV_H

#include <check.h>
#include <stddef.h>

/* A file's bytes as a NUL-terminated string (NULL if unreadable); *len (if not NULL) gets
 * the byte count. Release with free(). */
char *tg_read_text(const char *path, size_t *len);

/* rm -rf, best effort; NULL is ignored. */
void tg_remove_tree(const char *path);

/* Runs `sr` with TMPDIR pointing at a fresh directory "<TMPDIR or /tmp>/covertheme-TAG-XXXXXX",
 * removed afterwards: a failed ck_assert ends a forked test with _exit(), skipping that test's
 * own clean-up, so its leftovers must live somewhere that goes away. Frees `sr`.
 * Returns the number of failed tests. */
int tg_run_private(SRunner *sr, const char *tag, enum print_output mode);

#endif
