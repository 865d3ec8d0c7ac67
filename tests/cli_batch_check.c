/*
 * cli_batch_check.c — tests of `covertheme --batch` (examples/cli/batch.c). The CLI is run as
 * a child process (fork/exec, stdout and stderr captured to files) on covers drawn by
 * tests/covers.c and encoded by tests/imggen.c, and its outputs are compared byte for byte
 * with single-image runs of the same CLI.
 *
 * Environment: COVERTHEME_CLI (CLI path, default build/covertheme). Check forks per test;
 * every test works in its own directory under one private TMPDIR, removed at the end.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "covers.h"
#include "imggen.h"
#include "testenv.h"

#define TIMEOUT_S 120

/* ==== Files ============================================================================ */

static const char *cli_path(void)
{
    const char *p = getenv("COVERTHEME_CLI");
    return p && *p ? p : "build/covertheme";
}

static char *join(const char *dir, const char *name)
{
    char *p = tg_path_join(dir, name);
    ck_assert_ptr_nonnull(p);
    return p;
}

static char *temp_dir(const char *tag)
{
    char *d = tg_temp_dir(tag);
    ck_assert_msg(d != NULL, "cannot make a temporary directory");
    return d;
}

static void write_file(const char *path, const void *data, size_t len)
{
    ck_assert_msg(tg_write_file(path, data, len) == 0, "cannot write %s", path);
}

static int path_exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `dir`, sorted and joined with spaces ("" when empty or missing). */
static char *list_dir(const char *dir)
{
    char *names[256];
    size_t n = 0, total = 1;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) && n < 256) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            names[n] = strdup(e->d_name);
            total += strlen(e->d_name) + 1;
            n++;
        }
        closedir(d);
    }
    qsort(names, n, sizeof names[0], cmp_names);
    char *s = calloc(total, 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, names[i]);
        free(names[i]);
    }
    return s;
}

/* ==== Covers =========================================================================== */

enum { ENC_PNG, ENC_JPEG, ENC_WEBP };

/* Draws the named cover and writes it to dir/name in the given encoding. Returns the path. */
static char *write_cover(const char *dir, const char *name, const char *cover, int enc)
{
    int i = tg_cover_find(cover);
    ck_assert_msg(i >= 0, "cover '%s' not in tests/covers.c", cover);
    uint32_t w, h;
    uint8_t *rgba = NULL, *data = NULL;
    size_t len = 0;
    ck_assert_msg(tg_cover_make(i, &w, &h, &rgba) == 0, "tg_cover_make(%s)", cover);
    int rc;
    if (enc == ENC_PNG) {
        tg_png_opts o = {TG_PNG_RGBA, 8, 0, 0};
        rc = tg_png_encode(rgba, w, h, &o, &data, &len);
    } else if (enc == ENC_JPEG) {
        rc = tg_jpeg_encode(rgba, w, h, 90, 0, TG_JPEG_YCC, &data, &len);
    } else {
        rc = tg_webp_encode(rgba, w, h, 1, 90.0f, &data, &len);
    }
    ck_assert_msg(rc == 0, "encoding %s failed", cover);
    char *path = join(dir, name);
    write_file(path, data, len);
    free(rgba);
    free(data);
    return path;
}

/* Six covers in three formats; one in a subdirectory, one with two dots in its name. */
#define NCOVERS 6
typedef struct covers {
    char *dir;
    char *path[NCOVERS];
} covers;

static const char *const COVER_FILE[NCOVERS] = {"two_hue.png", "bokeh.jpg", "ocean.webp",
                                                "sunset.cover.png", "neon.png", "sub/forest.jpeg"};
static const char *const COVER_OUT[NCOVERS] = {"two_hue", "bokeh", "ocean", "sunset.cover", "neon", "forest"};

static covers make_covers(const char *tag)
{
    static const char *const drawn[NCOVERS] = {"two_hue", "dark_purple_bokeh", "ocean",
                                               "sunset_gradient", "neon", "green_forest"};
    static const int enc[NCOVERS] = {ENC_PNG, ENC_JPEG, ENC_WEBP, ENC_PNG, ENC_PNG, ENC_JPEG};
    covers c;
    c.dir = temp_dir(tag);
    char *sub = join(c.dir, "sub");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    free(sub);
    for (int i = 0; i < NCOVERS; i++)
        c.path[i] = write_cover(c.dir, COVER_FILE[i], drawn[i], enc[i]);
    return c;
}

static void covers_free(covers *c)
{
    tg_remove_tree(c->dir);
    free(c->dir);
    for (int i = 0; i < NCOVERS; i++)
        free(c->path[i]);
}

/* ==== Running the CLI ================================================================== */

typedef tg_proc cli_result;

#define MAX_ARGS 64

/* Runs the CLI with args[0..n) followed by extra[0..m) (either may be NULL), stdin /dev/null. */
static cli_result run_cli2(const char *dir, const char *const *args, size_t n, char *const *extra, size_t m)
{
    const char *argv[MAX_ARGS + 2];
    size_t k = 0;
    argv[k++] = cli_path();
    ck_assert_msg(n + m <= MAX_ARGS, "too many arguments");
    for (size_t i = 0; i < n; i++)
        argv[k++] = args[i];
    for (size_t i = 0; i < m; i++)
        argv[k++] = extra[i];
    argv[k] = NULL;
    return tg_run(argv, NULL, NULL, dir);
}

static size_t count_args(const char *const *a)
{
    size_t n = 0;
    while (a[n])
        n++;
    return n;
}

/* CLI(dir, "--a", "b") runs the CLI with those arguments. */
#define CLI(dir, ...) cli_args((dir), (const char *const[]){__VA_ARGS__, NULL}, NULL, 0)
/* BATCH(dir, files, nfiles, "--opt", ...) runs the CLI with the options, then the files. */
#define BATCH(dir, files, nfiles, ...) cli_args((dir), (const char *const[]){__VA_ARGS__, NULL}, (files), (nfiles))

static cli_result cli_args(const char *dir, const char *const *args, char *const *files, size_t nfiles)
{
    return run_cli2(dir, args, count_args(args), files, nfiles);
}

#define cli_free tg_proc_free

static void expect_status(const cli_result *r, int want, const char *what)
{
    ck_assert_msg(r->status == want, "%s: exit %d, want %d; stderr: %.400s", what, r->status, want, r->err);
}

/* What a single-image run writes to stdout with these options. */
static char *single_run(const char *dir, const char *image, const char *const *opts)
{
    const char *args[MAX_ARGS];
    size_t n = 0;
    args[n++] = "--image";
    args[n++] = image;
    for (; opts && *opts; opts++)
        args[n++] = *opts;
    cli_result r = run_cli2(dir, args, n, NULL, 0);
    expect_status(&r, 0, image);
    free(r.err);
    return r.out;
}

/* The expected output path of cover i in out_dir. */
static char *out_path(const char *out_dir, int i, const char *ext)
{
    char name[128];
    snprintf(name, sizeof name, "%s%s", COVER_OUT[i], ext);
    return join(out_dir, name);
}

/* Every cover's output in out_dir equals the single-image run with `opts`; out_dir holds
 * exactly those files (no temporary left behind). */
static void expect_outputs_match_single(const covers *c, const char *out_dir, const char *ext,
                                        const char *const *single_opts)
{
    char want_ls[1024] = "";
    const char *sorted[NCOVERS];
    char names[NCOVERS][128];
    for (int i = 0; i < NCOVERS; i++) {
        snprintf(names[i], sizeof names[i], "%s%s", COVER_OUT[i], ext);
        sorted[i] = names[i];
    }
    qsort(sorted, NCOVERS, sizeof sorted[0], cmp_names);
    for (int i = 0; i < NCOVERS; i++) {
        if (i)
            strcat(want_ls, " ");
        strcat(want_ls, sorted[i]);
    }
    char *ls = list_dir(out_dir);
    ck_assert_msg(strcmp(ls, want_ls) == 0, "%s holds '%s', want '%s'", out_dir, ls, want_ls);
    free(ls);
    for (int i = 0; i < NCOVERS; i++) {
        char *p = out_path(out_dir, i, ext);
        char *got = tg_read_text(p, NULL);
        ck_assert_msg(got != NULL, "%s not written", p);
        char *want = single_run(c->dir, c->path[i], single_opts);
        ck_assert_msg(strcmp(got, want) == 0, "%s differs from the single-image run of %s", p, c->path[i]);
        free(want);
        free(got);
        free(p);
    }
}

/* The summary lines a fully successful batch prints, in input order. */
static char *expected_ok_lines(const covers *c, const char *out_dir, const char *ext)
{
    size_t cap = 8192;
    char *s = calloc(cap, 1);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < NCOVERS; i++) {
        char *p = out_path(out_dir, i, ext);
        size_t used = strlen(s);
        snprintf(s + used, cap - used, "ok %s -> %s\n", c->path[i], p);
        free(p);
    }
    return s;
}

static void expect_same_dirs(const char *a, const char *b, int nfiles_min)
{
    char *la = list_dir(a), *lb = list_dir(b);
    ck_assert_msg(strcmp(la, lb) == 0, "%s holds '%s' but %s holds '%s'", a, la, b, lb);
    int n = 0;
    char *save = NULL;
    for (char *name = strtok_r(la, " ", &save); name; name = strtok_r(NULL, " ", &save), n++) {
        char *pa = join(a, name), *pb = join(b, name);
        char *fa = tg_read_text(pa, NULL), *fb = tg_read_text(pb, NULL);
        ck_assert_msg(fa && fb && strcmp(fa, fb) == 0, "%s and %s differ", pa, pb);
        free(fa);
        free(fb);
        free(pa);
        free(pb);
    }
    ck_assert_int_ge(n, nfiles_min);
    free(la);
    free(lb);
}

/* ==== Tests ============================================================================ */

START_TEST(batch_matches_single_runs)
{
    covers c = make_covers("batch-ron");
    char *out = join(c.dir, "out");
    cli_result r = BATCH(c.dir, c.path, NCOVERS, "--batch", "--threads", "2", "--out-dir", out);
    expect_status(&r, 0, "--batch --threads 2");
    char *want = expected_ok_lines(&c, out, ".ron");
    ck_assert_msg(strcmp(r.out, want) == 0, "stdout:\n%s\nwant:\n%s", r.out, want);
    ck_assert_msg(r.err[0] == '\0', "stderr: '%s'", r.err);
    free(want);
    cli_free(&r);
    static const char *const ron[] = {"--format", "ron", NULL};
    expect_outputs_match_single(&c, out, ".ron", ron);

    /* Options are copied to every worker's context: palette shape, k, space, seed, policy,
     * scrollbar. The files are listed before the options this time (GNU argument order). */
    char *out2 = join(c.dir, "out-opts");
    const char *opts[] = {"--batch", "--out-dir", out2, "--ron-shape", "palette", "-k", "7", "--space", "rgb",
                          "--seed", "42", "--bg-policy", "light", "--disable-scrollbar", "--threads", "3"};
    const char *args[MAX_ARGS];
    size_t n = 0;
    for (int i = 0; i < NCOVERS; i++)
        args[n++] = c.path[i];
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        args[n++] = opts[i];
    r = run_cli2(c.dir, args, n, NULL, 0);
    expect_status(&r, 0, "--batch with options");
    cli_free(&r);
    static const char *const single_opts[] = {"--format", "ron", "--ron-shape", "palette", "-k", "7", "--space",
                                              "rgb", "--seed", "42", "--bg-policy", "light",
                                              "--disable-scrollbar", NULL};
    expect_outputs_match_single(&c, out2, ".ron", single_opts);
    free(out);
    free(out2);
    covers_free(&c);
}
END_TEST

START_TEST(batch_threads_give_identical_outputs)
{
    covers c = make_covers("batch-threads");
    static const char *const counts[] = {"1", "2", "0", "64"};
    char *dirs[4];
    char *first_stdout = NULL;
    for (int t = 0; t < 4; t++) {
        char name[32];
        snprintf(name, sizeof name, "out-t%s", counts[t]);
        dirs[t] = join(c.dir, name);
        char *out = join(c.dir, "out");
        cli_result r = BATCH(c.dir, c.path, NCOVERS, "--batch", "--out-dir", out, "--threads", counts[t]);
        expect_status(&r, 0, counts[t]);
        /* The same directory every time, so the summary must be byte-identical too. */
        if (!first_stdout) {
            first_stdout = r.out;
            r.out = NULL;
        } else {
            ck_assert_msg(strcmp(first_stdout, r.out) == 0, "--threads %s printed\n%s\ninstead of\n%s", counts[t],
                          r.out, first_stdout);
        }
        cli_free(&r);
        ck_assert_int_eq(rename(out, dirs[t]), 0);
        free(out);
    }
    for (int t = 1; t < 4; t++)
        expect_same_dirs(dirs[0], dirs[t], NCOVERS);
    for (int t = 0; t < 4; t++)
        free(dirs[t]);
    free(first_stdout);
    covers_free(&c);
}
END_TEST

/* JSON has durations that change from run to run: drop their digits before comparing. */
static void blank_timings(char *s)
{
    int in_timings = 0;
    char *w = s;
    for (const char *line = s; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        int blank = in_timings || memmem(line, len, "\"durationMs\"", 12) != NULL;
        if (memmem(line, len, "\"timingsMs\"", 11))
            in_timings = 1;
        else if (in_timings && memchr(line, '}', len))
            in_timings = 0, blank = 0;
        for (size_t i = 0; i < len; i++)
            if (!blank || !((line[i] >= '0' && line[i] <= '9') || line[i] == '.'))
                *w++ = line[i];
        line += len;
    }
    *w = '\0';
}

START_TEST(batch_json)
{
    covers c = make_covers("batch-json");
    char *out = join(c.dir, "json");
    cli_result r = BATCH(c.dir, c.path, NCOVERS, "--batch", "--out-dir", out, "--format", "json", "--debug");
    expect_status(&r, 0, "--format json");
    char *want = expected_ok_lines(&c, out, ".json");
    ck_assert_msg(strcmp(r.out, want) == 0, "stdout:\n%s\nwant:\n%s", r.out, want);
    free(want);
    cli_free(&r);
    char *ls = list_dir(out);
    ck_assert_msg(strstr(ls, ".ron") == NULL, "--format json also wrote RON: %s", ls);
    free(ls);
    for (int i = 0; i < NCOVERS; i++) {
        char *p = out_path(out, i, ".json");
        char *got = tg_read_text(p, NULL);
        ck_assert_msg(got && got[0] == '{', "%s is not JSON", p);
        ck_assert_msg(strstr(got, "\"debug\"") != NULL, "%s: --debug block missing", p);
        /* The single-image JSON on stdout ends in one newline the file does not have. */
        char *single_path = join(c.dir, "single.json");
        const char *opts[] = {"-o", single_path, "--debug", NULL};
        char *stdout_text = single_run(c.dir, c.path[i], opts);
        free(stdout_text);
        char *single = tg_read_text(single_path, NULL);
        ck_assert_ptr_nonnull(single);
        blank_timings(got);
        blank_timings(single);
        ck_assert_msg(strcmp(got, single) == 0, "%s differs from --image %s -o (timings aside)", p, c.path[i]);
        free(single);
        free(single_path);
        free(got);
        free(p);
    }
    free(out);
    covers_free(&c);
}
END_TEST

START_TEST(batch_failures_do_not_stop_the_others)
{
    covers c = make_covers("batch-fail");
    char *out = join(c.dir, "out");
    ck_assert_int_eq(mkdir(out, 0755), 0);
    /* A corrupt PNG whose old theme must survive, a missing file, and an output path that is a
     * directory (the write fails, not the generation). */
    char *corrupt = join(c.dir, "corrupt.png");
    write_file(corrupt, "\x89PNG\r\n\x1a\n garbage garbage garbage", 32);
    char *old = join(out, "corrupt.ron");
    write_file(old, "old theme\n", 10);
    char *missing = join(c.dir, "missing.png");
    char *blocked_in = write_cover(c.dir, "blocked.png", "pastel", ENC_PNG);
    char *blocked_out = join(out, "blocked.ron");
    ck_assert_int_eq(mkdir(blocked_out, 0755), 0);

    char *files[NCOVERS + 3];
    size_t n = 0;
    files[n++] = c.path[0];
    files[n++] = corrupt;
    files[n++] = c.path[1];
    files[n++] = c.path[2];
    files[n++] = missing;
    files[n++] = c.path[3];
    files[n++] = blocked_in;
    files[n++] = c.path[4];
    files[n++] = c.path[5];
    for (int pass = 0; pass < 2; pass++) {
        const char *threads = pass ? "2" : "1";
        cli_result r = BATCH(c.dir, files, n, "--batch", "--out-dir", out, "--threads", threads);
        expect_status(&r, 1, "batch with failures");
        /* stdout: the successes in input order. */
        char *want = expected_ok_lines(&c, out, ".ron");
        ck_assert_msg(strcmp(r.out, want) == 0, "--threads %s stdout:\n%s\nwant:\n%s", threads, r.out, want);
        free(want);
        /* stderr: the failures in input order, each naming its file, then the count. */
        char line[PATH_MAX + 32];
        snprintf(line, sizeof line, "error %s: ", corrupt);
        char *e1 = strstr(r.err, line);
        snprintf(line, sizeof line, "error %s: ", missing);
        char *e2 = strstr(r.err, line);
        snprintf(line, sizeof line, "error %s: ", blocked_in);
        char *e3 = strstr(r.err, line);
        ck_assert_msg(e1 && e2 && e3 && e1 < e2 && e2 < e3, "stderr lacks the errors in order:\n%s", r.err);
        ck_assert_msg(strstr(r.err, "No such file") != NULL, "missing file not explained:\n%s", r.err);
        ck_assert_msg(strstr(r.err, blocked_out) != NULL, "write failure does not name %s:\n%s", blocked_out, r.err);
        ck_assert_msg(strstr(r.err, "3 of 9 files failed") != NULL, "no failure count:\n%s", r.err);
        cli_free(&r);

        char *got = tg_read_text(old, NULL);
        ck_assert_msg(got && strcmp(got, "old theme\n") == 0, "a failed file's old output changed");
        free(got);
        char *missing_out = join(out, "missing.ron");
        ck_assert_msg(!path_exists(missing_out), "output written for a missing input");
        free(missing_out);
        static const char *const ron[] = {"--format", "ron", NULL};
        /* The six good covers are written and right; the directory holds nothing else. */
        char *ls = list_dir(out);
        ck_assert_msg(strcmp(ls, "blocked.ron bokeh.ron corrupt.ron forest.ron neon.ron ocean.ron sunset.cover.ron "
                                 "two_hue.ron") == 0,
                      "out holds '%s'", ls);
        free(ls);
        for (int i = 0; i < NCOVERS; i++) {
            char *p = out_path(out, i, ".ron");
            char *g = tg_read_text(p, NULL), *w = single_run(c.dir, c.path[i], ron);
            ck_assert_msg(g && strcmp(g, w) == 0, "%s wrong after a batch with failures", p);
            free(g);
            free(w);
            free(p);
            p = out_path(out, i, ".ron");
            unlink(p);
            free(p);
        }
    }
    free(out);
    free(corrupt);
    free(old);
    free(missing);
    free(blocked_in);
    free(blocked_out);
    covers_free(&c);
}
END_TEST

START_TEST(batch_name_collisions_are_usage_errors)
{
    covers c = make_covers("batch-collide");
    char *out = join(c.dir, "out");
    /* two_hue.png vs two_hue.jpg in another directory; the same file twice. */
    char *other_dir = join(c.dir, "other");
    ck_assert_int_eq(mkdir(other_dir, 0755), 0);
    char *clash = write_cover(other_dir, "two_hue.jpg", "neon", ENC_JPEG);
    char *files[] = {c.path[0], c.path[1], clash};
    cli_result r = BATCH(c.dir, files, 3, "--batch", "--out-dir", out);
    expect_status(&r, 2, "colliding names");
    ck_assert_msg(strstr(r.err, c.path[0]) && strstr(r.err, clash), "stderr does not name both inputs:\n%s", r.err);
    ck_assert_msg(r.out[0] == '\0', "stdout: %s", r.out);
    ck_assert_msg(!path_exists(out), "--out-dir created although the batch was refused");
    cli_free(&r);

    char *twice[] = {c.path[2], c.path[3], c.path[2]};
    r = BATCH(c.dir, twice, 3, "--batch", "--out-dir", out);
    expect_status(&r, 2, "the same file twice");
    ck_assert_msg(!path_exists(out), "--out-dir created although the batch was refused");
    cli_free(&r);

    /* Only the last extension goes: a.b.png and a.png do not collide; .png (hidden) keeps its name. */
    char *dotted = write_cover(c.dir, "neon.cover.cover.png", "neon", ENC_PNG);
    char *hidden = write_cover(c.dir, ".png", "red_only", ENC_PNG);
    char *ok_files[] = {c.path[3], dotted, hidden};
    r = BATCH(c.dir, ok_files, 3, "--batch", "--out-dir", out);
    expect_status(&r, 0, "names differing before the last extension");
    cli_free(&r);
    char *ls = list_dir(out);
    ck_assert_msg(strcmp(ls, ".png.ron neon.cover.cover.ron sunset.cover.ron") == 0, "out holds '%s'", ls);
    free(ls);
    free(dotted);
    free(hidden);
    free(clash);
    free(other_dir);
    free(out);
    covers_free(&c);
}
END_TEST

START_TEST(batch_out_dir)
{
    covers c = make_covers("batch-outdir");
    /* Missing directories are created, parents included; a trailing slash is fine. */
    char *deep = join(c.dir, "a/b/c/");
    cli_result r = BATCH(c.dir, c.path, 2, "--batch", "--out-dir", deep);
    expect_status(&r, 0, "missing nested --out-dir");
    cli_free(&r);
    char *p = join(c.dir, "a/b/c/two_hue.ron");
    ck_assert_msg(path_exists(p), "%s not written", p);
    free(p);
    /* An --out-dir that is a regular file: a runtime error before any work. */
    r = BATCH(c.dir, c.path, 2, "--batch", "--out-dir", c.path[0]);
    expect_status(&r, 1, "--out-dir is a file");
    ck_assert_msg(strstr(r.err, "output directory") != NULL, "stderr: %s", r.err);
    ck_assert_msg(r.out[0] == '\0', "stdout: %s", r.out);
    cli_free(&r);
    char *under = join(c.path[0], "x");
    r = BATCH(c.dir, c.path, 2, "--batch", "--out-dir", under);
    expect_status(&r, 1, "--out-dir under a file");
    cli_free(&r);
    free(under);
    free(deep);
    covers_free(&c);
}
END_TEST

START_TEST(batch_usage_errors)
{
    covers c = make_covers("batch-usage");
    char *out = join(c.dir, "out");
    char *dir_arg = join(c.dir, "sub/");
    const char *const *cases[] = {
        (const char *const[]){"--batch", c.path[0], NULL},                         /* no --out-dir */
        (const char *const[]){"--batch", "--out-dir", out, NULL},                  /* no files */
        (const char *const[]){"--batch", "--out-dir", "", c.path[0], NULL},        /* empty --out-dir */
        (const char *const[]){"--out-dir", out, "--image", c.path[0], NULL},       /* --out-dir alone */
        (const char *const[]){"--batch", "--out-dir", out, "--image", c.path[0], c.path[1], NULL},
        (const char *const[]){"--batch", "--out-dir", out, "-o", "x.json", c.path[0], NULL},
        (const char *const[]){"--batch", "--out-dir", out, "--theme-output", "x.ron", c.path[0], NULL},
        (const char *const[]){"--batch", "--out-dir", out, "--summary", c.path[0], NULL},
        (const char *const[]){"--batch", "--out-dir", out, "-", NULL},
        (const char *const[]){"--batch", "--out-dir", out, dir_arg, NULL},
        (const char *const[]){"--batch", "--out-dir", out, "--format", "xml", c.path[0], NULL},
        (const char *const[]){"--batch", "--out-dir", out, "--threads", "65", c.path[0], NULL},
        (const char *const[]){"--batch", "--out-dir", out, "-k", "0", c.path[0], NULL},
        (const char *const[]){"--batch", "--out-dir", NULL},
        (const char *const[]){"--image", c.path[0], c.path[1], NULL}, /* still an error without --batch */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_result r = run_cli2(c.dir, cases[i], count_args(cases[i]), NULL, 0);
        char what[64];
        snprintf(what, sizeof what, "usage case %zu", i);
        expect_status(&r, 2, what);
        ck_assert_msg(r.out[0] == '\0', "%s: stdout '%s'", what, r.out);
        ck_assert_msg(r.err[0] != '\0', "%s: nothing on stderr", what);
        ck_assert_msg(!path_exists(out), "%s: created --out-dir", what);
        cli_free(&r);
    }
    /* --help documents the mode. */
    cli_result r = CLI(c.dir, "--help");
    expect_status(&r, 0, "--help");
    ck_assert_msg(strstr(r.out, "--batch") && strstr(r.out, "--out-dir"), "--help does not mention --batch");
    cli_free(&r);
    free(out);
    free(dir_arg);
    covers_free(&c);
}
END_TEST

/* ==== Suite ============================================================================ */

static Suite *batch_suite(void)
{
    Suite *s = suite_create("cli-batch");
    TCase *tc = tcase_create("batch");
    tcase_set_timeout(tc, TIMEOUT_S);
    tcase_add_test(tc, batch_matches_single_runs);
    tcase_add_test(tc, batch_threads_give_identical_outputs);
    tcase_add_test(tc, batch_json);
    tcase_add_test(tc, batch_failures_do_not_stop_the_others);
    tcase_add_test(tc, batch_name_collisions_are_usage_errors);
    tcase_add_test(tc, batch_out_dir);
    tcase_add_test(tc, batch_usage_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int failed = tg_run_private(srunner_create(batch_suite()), "cli-batch", CK_NORMAL);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
