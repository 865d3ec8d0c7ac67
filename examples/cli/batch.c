/* covertheme --batch: see batch.h. Uses only abi/covertheme.h, like any host. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"

enum { BATCH_OK = 0, BATCH_FAILED = 1, BATCH_USAGE = 2 };

typedef struct item {
    const char *input;  /* as given */
    char *name;         /* basename without its last extension, plus the output extension */
    char *output;       /* out_dir/name */
    long long size;     /* bytes, -1 when it cannot be stat'ed: only orders the hand-out */
    int rc;             /* COVERTHEME_OK or the failing call's covertheme_error */
    char *detail;       /* malloc'ed failure detail, or NULL */
} item;

/* Finished themes on their way to the writer thread. Bounded, so a slow disk holds the
 * workers back instead of piling up themes. */
#define WRITE_QUEUE_CAP 32

typedef struct pending {
    item *it;
    covertheme_theme *theme;
} pending;

typedef struct write_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    pending slot[WRITE_QUEUE_CAP];
    size_t head, count;
    int closed; /* no more pushes: the writer drains what is left and returns */
} write_queue;

typedef struct shared {
    const cli_batch *b;
    item *items;
    const size_t *order; /* item indices in hand-out order */
    atomic_size_t next;  /* next position in `order` to hand out */
    write_queue *wq;     /* NULL: each worker writes its own themes */
} shared;

typedef struct worker {
    shared *s;
    covertheme_ctx *ctx;
    pthread_t tid;
    int started;
} worker;

static void batch_usage_error(const char *msg)
{
    fprintf(stderr, "covertheme: %s\nTry 'covertheme --help'.\n", msg);
}

/* ---- output names ------------------------------------------------------------------ */

/* The last path component, or NULL when `input` names no file: empty, ends in '/', or its
 * last component is "." or "..". */
static const char *file_part(const char *input)
{
    const char *base = strrchr(input, '/');
    base = base ? base + 1 : input;
    return !*base || !strcmp(base, ".") || !strcmp(base, "..") ? NULL : base;
}

/* "dir/cover.front.png" -> "cover.front" + ext; a leading dot is part of the name
 * (".png" -> ".png" + ext). NULL when out of memory. */
static char *output_name(const char *base, const char *ext)
{
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *name = malloc(len + strlen(ext) + 1);
    if (name) {
        memcpy(name, base, len);
        strcpy(name + len, ext);
    }
    return name;
}

static const item *g_sort_items; /* for the qsort comparators only (single-threaded, before the workers) */

static int by_name(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(g_sort_items[i].name, g_sort_items[j].name);
    return c ? c : (i > j) - (i < j);
}

/* Largest file first (longest-processing-time-first keeps the workers' finishing times close);
 * input order on ties, so the hand-out order is deterministic. */
static int by_size_desc(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    long long si = g_sort_items[i].size, sj = g_sort_items[j].size;
    if (si != sj)
        return si < sj ? 1 : -1;
    return (i > j) - (i < j);
}

/* Fills every item's name and output path. Returns BATCH_OK, BATCH_USAGE (message printed)
 * or BATCH_FAILED (out of memory, message printed). */
static int plan_outputs(const cli_batch *b, item *items, size_t *order)
{
    const char *ext = b->format == COVERTHEME_FORMAT_JSON ? ".json" : ".ron";
    size_t dlen = strlen(b->out_dir);
    int slash = dlen > 0 && b->out_dir[dlen - 1] == '/';
    for (size_t i = 0; i < b->file_count; i++) {
        const char *in = b->files[i];
        items[i].input = in;
        items[i].size = -1;
        if (!strcmp(in, "-")) {
            batch_usage_error("--batch reads files only; '-' (standard input) needs the single-image mode");
            return BATCH_USAGE;
        }
        const char *base = file_part(in);
        if (!base) {
            fprintf(stderr, "covertheme: '%s' does not name a file, so it has no output name\n"
                            "Try 'covertheme --help'.\n", in);
            return BATCH_USAGE;
        }
        if (!(items[i].name = output_name(base, ext))) {
            fputs("covertheme: error: out of memory\n", stderr);
            return BATCH_FAILED;
        }
        if (asprintf(&items[i].output, "%s%s%s", b->out_dir, slash || dlen == 0 ? "" : "/", items[i].name) < 0) {
            items[i].output = NULL;
            fputs("covertheme: error: out of memory\n", stderr);
            return BATCH_FAILED;
        }
        order[i] = i;
    }
    /* Two inputs that map to one output (a.png and a.jpg, or one file given twice) would
     * silently overwrite each other: refuse before doing any work. */
    g_sort_items = items;
    qsort(order, b->file_count, sizeof *order, by_name);
    for (size_t k = 1; k < b->file_count; k++) {
        const item *x = &items[order[k - 1]], *y = &items[order[k]];
        if (strcmp(x->name, y->name) == 0) {
            fprintf(stderr, "covertheme: '%s' and '%s' would both write %s; rename one of them or theme them "
                            "in separate batches\nTry 'covertheme --help'.\n", x->input, y->input, x->output);
            return BATCH_USAGE;
        }
    }
    return BATCH_OK;
}

/* ---- the workers --------------------------------------------------------------------- */

/* Records a failure of the calling thread's last call on ctx. The detail is the calling
 * thread's and valid only until its next call: copy it. The library starts it with the
 * input's path, which the summary line already names. */
static void record_failure(covertheme_ctx *ctx, item *it, int rc)
{
    it->rc = rc;
    const char *d = covertheme_last_error(ctx);
    size_t n = strlen(it->input);
    if (!strncmp(d, it->input, n) && d[n] == ':' && d[n + 1] == ' ')
        d += n + 2;
    it->detail = strdup(*d ? d : covertheme_strerror(rc));
}

/* Writes the theme (atomically: temporary file, fsync, rename) and frees it. */
static void write_one(covertheme_ctx *ctx, const cli_batch *b, item *it, covertheme_theme *theme)
{
    int rc = covertheme_render_to_file(ctx, theme, b->format, b->flags, it->output);
    covertheme_theme_free(theme);
    if (rc < 0)
        record_failure(ctx, it, rc);
}

static void queue_push(write_queue *q, item *it, covertheme_theme *theme)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == WRITE_QUEUE_CAP)
        pthread_cond_wait(&q->not_full, &q->lock);
    q->slot[(q->head + q->count) % WRITE_QUEUE_CAP] = (pending){it, theme};
    q->count++;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

/* Next theme to write; 0 once the queue is closed and empty. */
static int queue_pop(write_queue *q, pending *out)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    int got = q->count > 0;
    if (got) {
        *out = q->slot[q->head];
        q->head = (q->head + 1) % WRITE_QUEUE_CAP;
        q->count--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->lock);
    return got;
}

static void queue_close(write_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

static void theme_one(worker *w, item *it)
{
    const cli_batch *b = w->s->b;
    covertheme_theme *theme = NULL;
    int rc = covertheme_generate_file(w->ctx, it->input, &theme);
    if (rc < 0)
        record_failure(w->ctx, it, rc);
    else if (w->s->wq)
        queue_push(w->s->wq, it, theme);
    else
        write_one(w->ctx, b, it, theme);
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    for (;;) {
        size_t k = atomic_fetch_add_explicit(&s->next, 1, memory_order_relaxed);
        if (k >= s->b->file_count)
            return NULL;
        theme_one(w, &s->items[s->order[k]]);
    }
}

/* The writer thread: the fsync of every atomic write waits for the disk (and for the kernel's
 * writeback threads to get a CPU), which would otherwise leave a worker's CPU idle. */
static void *write_all(void *arg)
{
    worker *w = arg;
    pending p;
    while (queue_pop(w->s->wq, &p))
        write_one(w->ctx, w->s->b, p.it, p.theme);
    return NULL;
}

/* A context with every option of `from`, and `threads` worker threads of its own. */
static covertheme_ctx *worker_context(const covertheme_ctx *from, int64_t threads)
{
    covertheme_ctx *ctx = covertheme_create();
    if (!ctx)
        return NULL;
    for (int opt = COVERTHEME_OPT_K; opt <= COVERTHEME_OPT_MAX_INPUT_BYTES; opt++) {
        int64_t v;
        if (covertheme_get_option(from, opt, &v) != COVERTHEME_OK)
            continue;
        if (opt == COVERTHEME_OPT_THREADS)
            v = threads;
        if (covertheme_set_option(ctx, opt, v) != COVERTHEME_OK) {
            covertheme_destroy(ctx);
            return NULL;
        }
    }
    return ctx;
}

/* mkdir -p DIR; then DIR must be a directory. */
static int make_dir(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -1;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s)
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* ---- the batch ---------------------------------------------------------------------- */

static int report(const item *items, size_t n)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        const item *it = &items[i];
        if (it->rc >= 0) {
            printf("ok %s -> %s\n", it->input, it->output);
            continue;
        }
        failed++;
        fflush(stdout); /* keep stdout and stderr in input order when they share a file */
        fprintf(stderr, "error %s: %s\n", it->input, it->detail ? it->detail : covertheme_strerror(it->rc));
    }
    int bad_stdout = fflush(stdout) != 0 || ferror(stdout);
    if (failed)
        fprintf(stderr, "covertheme: %zu of %zu files failed\n", failed, n);
    if (bad_stdout) {
        fprintf(stderr, "covertheme: error: writing to standard output: %s\n", strerror(errno));
        return BATCH_FAILED;
    }
    return failed ? BATCH_FAILED : BATCH_OK;
}

int cli_batch_run(const cli_batch *b)
{
    size_t n = b->file_count;
    item *items = calloc(n ? n : 1, sizeof *items);
    size_t *order = calloc(n ? n : 1, sizeof *order);
    worker *workers = NULL, writer = {0};
    size_t nworkers = 0;
    write_queue wq = {0};
    shared s = {.b = b, .items = items, .order = order};
    atomic_init(&s.next, 0);
    int status = BATCH_FAILED;
    if (!items || !order) {
        fputs("covertheme: error: out of memory\n", stderr);
        goto out;
    }
    status = plan_outputs(b, items, order);
    if (status != BATCH_OK)
        goto out;
    status = BATCH_FAILED;

    if (make_dir(b->out_dir) != 0) {
        fprintf(stderr, "covertheme: error: cannot create the output directory %s: %s\n", b->out_dir, strerror(errno));
        goto out;
    }

    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(items[i].input, &st) == 0 && S_ISREG(st.st_mode))
            items[i].size = (long long)st.st_size;
    }
    g_sort_items = items;
    qsort(order, n, sizeof *order, by_size_desc);

    /* --threads N workers (0 = one per online CPU), never more than files. What is left of
     * N over the workers goes to each context's own COVERTHEME_OPT_THREADS (1 per worker
     * when files outnumber threads), so the machine is not oversubscribed. */
    int64_t want = 0;
    covertheme_get_option(b->options, COVERTHEME_OPT_THREADS, &want);
    if (want <= 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        want = cpus > 0 ? cpus : 1;
    }
    nworkers = (size_t)want < n ? (size_t)want : n;
    workers = calloc(nworkers, sizeof *workers);
    if (!workers) {
        fputs("covertheme: error: out of memory\n", stderr);
        goto out;
    }
    for (size_t w = 0; w < nworkers; w++) {
        workers[w].s = &s;
        int64_t per = want / (int64_t)nworkers;
        workers[w].ctx = worker_context(b->options, per > 64 ? 64 : per);
        if (!workers[w].ctx) {
            fputs("covertheme: error: cannot create a covertheme context (out of memory)\n", stderr);
            goto out;
        }
    }
    /* One more thread writes the files. Without it (no context or thread for it), every
     * worker writes its own. */
    writer.s = &s;
    writer.ctx = covertheme_create();
    if (writer.ctx && pthread_mutex_init(&wq.lock, NULL) == 0) {
        if (pthread_cond_init(&wq.not_empty, NULL) == 0) {
            if (pthread_cond_init(&wq.not_full, NULL) == 0) {
                s.wq = &wq;
                writer.started = pthread_create(&writer.tid, NULL, write_all, &writer) == 0;
                if (!writer.started)
                    pthread_cond_destroy(&wq.not_full);
            }
            if (!writer.started)
                pthread_cond_destroy(&wq.not_empty);
        }
        if (!writer.started) {
            pthread_mutex_destroy(&wq.lock);
            s.wq = NULL;
        }
    }
    /* The calling thread is worker 0. A thread that cannot be started only means fewer workers. */
    for (size_t w = 1; w < nworkers; w++)
        workers[w].started = pthread_create(&workers[w].tid, NULL, work, &workers[w]) == 0;
    work(&workers[0]);
    for (size_t w = 1; w < nworkers; w++)
        if (workers[w].started)
            pthread_join(workers[w].tid, NULL);
    if (writer.started) {
        queue_close(&wq);
        pthread_join(writer.tid, NULL);
        pthread_cond_destroy(&wq.not_full);
        pthread_cond_destroy(&wq.not_empty);
        pthread_mutex_destroy(&wq.lock);
    }

    status = report(items, n);

out:
    covertheme_destroy(writer.ctx);
    if (workers)
        for (size_t w = 0; w < nworkers; w++)
            covertheme_destroy(workers[w].ctx);
    free(workers);
    if (items)
        for (size_t i = 0; i < n; i++) {
            free(items[i].name);
            free(items[i].output);
            free(items[i].detail);
        }
    free(items);
    free(order);
    return status;
}
