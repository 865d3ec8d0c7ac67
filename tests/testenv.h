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

/* Threads of this process (entries of /proc/self/task), or -1 when unreadable. */
int tg_task_count(void);
/* tg_task_count once it is `want`, waiting up to a second for that: a joined thread leaves
 * /proc a moment after pthread_join returns (the kernel clears its tid first). Returns the
 * last count seen, so a thread that really stays still fails the caller's assertion. */
int tg_task_count_settled(int want);

/* A finished child process: exit status (128 + signal if killed) and its captured output. */
typedef struct tg_proc {
    int status;
    char *out, *err; /* never NULL; release with tg_proc_free */
} tg_proc;

/* Runs argv[0] (an absolute path) with argv, stdin from `stdin_path` (NULL: /dev/null) and
 * RMPC_THEME_DEBUG set to `debug_env` (NULL: unset); stdout and stderr go through files in
 * `scratch_dir`, which are removed afterwards. Fails the calling Check test if it cannot run. */
tg_proc tg_run(const char *const *argv, const char *stdin_path, const char *debug_env, const char *scratch_dir);
void tg_proc_free(tg_proc *p);

/* Runs `sr` with TMPDIR pointing at a fresh directory "<TMPDIR or /tmp>/covertheme-TAG-XXXXXX",
 * removed afterwards: a failed ck_assert ends a forked test with _exit(), skipping that test's
 * own clean-up, so its leftovers must live somewhere that goes away. Frees `sr`.
 * Returns the number of failed tests. */
int tg_run_private(SRunner *sr, const char *tag, enum print_output mode);

#endif
