#include "testenv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imggen.h"

char *tg_read_text(const char *path, size_t *len)
{
    uint8_t *data = NULL;
    size_t n = 0;
    if (tg_read_file(path, &data, &n) != 0)
        return NULL;
    char *s = malloc(n + 1);
    if (!s) {
        free(data);
        return NULL;
    }
    if (n)
        memcpy(s, data, n);
    s[n] = '\0';
    free(data);
    if (len)
        *len = n;
    return s;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0; /* best effort: keep going */
}

void tg_remove_tree(const char *path)
{
    if (path)
        nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int tg_run_private(SRunner *sr, const char *tag, enum print_output mode)
{
    const char *base = getenv("TMPDIR");
    char top[PATH_MAX];
    snprintf(top, sizeof top, "%s/covertheme-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    int have_top = mkdtemp(top) != NULL;
    if (have_top)
        setenv("TMPDIR", top, 1);
    srunner_run_all(sr, mode);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (have_top)
        tg_remove_tree(top);
    return failed;
}

tg_proc tg_run(const char *const *argv, const char *stdin_path, const char *debug_env, const char *scratch_dir)
{
    char *outp = tg_path_join(scratch_dir, ".proc-stdout"), *errp = tg_path_join(scratch_dir, ".proc-stderr");
    ck_assert_msg(outp && errp, "tg_path_join failed");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0)
            _exit(120);
        dup2(in, 0);
        dup2(o, 1);
        dup2(e, 2);
        if (debug_env)
            setenv("RMPC_THEME_DEBUG", debug_env, 1);
        else
            unsetenv("RMPC_THEME_DEBUG");
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    tg_proc r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = tg_read_text(outp, NULL);
    r.err = tg_read_text(errp, NULL);
    if (!r.out)
        r.out = strdup("");
    if (!r.err)
        r.err = strdup("");
    ck_assert_msg(r.status != 127, "cannot run %s", argv[0]);
    unlink(outp);
    unlink(errp);
    free(outp);
    free(errp);
    return r;
}

void tg_proc_free(tg_proc *p)
{
    free(p->out);
    free(p->err);
    p->out = p->err = NULL;
}

int tg_task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int tg_task_count_settled(int want)
{
    int n = tg_task_count();
    for (int i = 0; i < 1000 && n != want; i++) {
        usleep(1000);
        n = tg_task_count();
    }
    return n;
}
