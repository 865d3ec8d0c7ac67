#include "testenv.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
