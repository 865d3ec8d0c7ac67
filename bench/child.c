/* Part of covertheme-bench: forked children and their framed records (see child.h). */
#include "child.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine.h"
#include "results.h"
#include "strbuf.h"

const char *const rec_kind_name[] = {"e2e", "floor", "error"};
/* Starts every record header. The parent stops reading at the first header without it, or
 * at one whose body is cut short, so a child that died mid-write loses only its tail. */
#define REC_MAGIC 0x43544252u

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_rec(int fd, const rec_hdr *h, const strbuf *body)
{
    rec_hdr copy = *h;
    copy.magic = REC_MAGIC;
    copy.body_len = (uint32_t)body->len;
    if (write_all(fd, &copy, sizeof copy) != 0)
        return -1;
    return write_all(fd, body->p, body->len);
}

int child_send_series(int fd, int kind, const char *stage, const char *metric, const image_info *img,
                      const double *v, size_t n, int has_allocs, double allocs, double bytes,
                      const char *extra)
{
    rec_hdr h;
    memset(&h, 0, sizeof h);
    h.kind = (uint32_t)kind;
    snprintf(h.stage, sizeof h.stage, "%s", stage);
    snprintf(h.metric, sizeof h.metric, "%s", metric);
    stats_summarize(v, n, &h.sum);
    h.has_allocs = has_allocs;
    h.allocs = allocs;
    h.bytes = bytes;

    strbuf s = {0};
    results_series_json(&s, &h, img, v, n, extra);
    int rc = send_rec(fd, &h, &s);
    strbuf_free(&s);
    return rc;
}

int child_send_error(int fd, const image_info *img, const char *stage, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rec_hdr h;
    memset(&h, 0, sizeof h);
    h.kind = REC_ERROR;
    snprintf(h.stage, sizeof h.stage, "%s", stage);
    snprintf(h.metric, sizeof h.metric, "-");
    h.sum.median = NAN;
    snprintf(h.message, sizeof h.message, "%s", msg);
    strbuf s = {0};
    results_error_json(&s, img, stage, msg);
    int rc = send_rec(fd, &h, &s);
    strbuf_free(&s);
    return rc;
}

static void parse_records(const char *buf, size_t len, child_result *r)
{
    size_t off = 0, cap = 0;
    while (off + sizeof(rec_hdr) <= len) {
        rec_hdr h;
        memcpy(&h, buf + off, sizeof h);
        if (h.magic != REC_MAGIC || off + sizeof h + h.body_len > len)
            break;
        if (r->n == cap) {
            cap = cap ? cap * 2 : 32;
            rec *p = realloc(r->recs, cap * sizeof *p);
            if (!p)
                break;
            r->recs = p;
        }
        rec *out = &r->recs[r->n++];
        out->h = h;
        out->body = malloc(h.body_len + 1);
        if (out->body) {
            memcpy(out->body, buf + off + sizeof h, h.body_len);
            out->body[h.body_len] = 0;
        }
        off += sizeof h + h.body_len;
    }
}

void child_run(child_fn fn, const bench_opts *o, image_info *img, child_result *r)
{
    memset(r, 0, sizeof *r);
    r->peak_rss_kb = -1;
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(r->failure, sizeof r->failure, "pipe: %s", strerror(errno));
        return;
    }
    r->rss_at_fork_kb = machine_rss_kb();
    fflush(NULL); /* or the child's exit path could write our buffers twice */
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(r->failure, sizeof r->failure, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_IGN);
        int rc = fn(o, img, fds[1]);
        close(fds[1]);
        _exit(rc); /* no atexit handlers, no stdio flush of the parent's buffers */
    }
    close(fds[1]);
    strbuf buf = {0};
    char chunk[65536];
    for (;;) {
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        strbuf_putn(&buf, chunk, (size_t)got);
    }
    close(fds[0]);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    r->peak_rss_kb = ru.ru_maxrss; /* kilobytes on Linux */
    if (buf.len)
        parse_records(buf.p, buf.len, r);
    strbuf_free(&buf);
    if (WIFSIGNALED(status))
        snprintf(r->failure, sizeof r->failure, "child killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(r->failure, sizeof r->failure, "child exited with status %d", WEXITSTATUS(status));
}

void child_result_free(child_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->recs[i].body);
    free(r->recs);
    memset(r, 0, sizeof *r);
}

int child_has_error_rec(const child_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->recs[i].h.kind == REC_ERROR)
            return 1;
    return 0;
}
