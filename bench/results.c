/* Part of covertheme-bench: the JSON lines and the stderr table (see results.h). */
#include "results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "floors.h"
#include "machine.h"
#include "measure.h"
#include "stats.h"

static const char *meta_json; /* built by the parent before forking */

void results_set_meta(const char *json)
{
    meta_json = json;
}

static void line_head(strbuf *s, int kind, const char *stage, const char *metric,
                      const image_info *img)
{
    strbuf_printf(s, "{\"kind\":\"%s\",\"stage\":\"%s\",\"metric\":\"%s\",\"image\":",
                  rec_kind_name[kind], stage, metric);
    strbuf_json_str(s, img->name);
    strbuf_puts(s, ",\"path\":");
    strbuf_json_str(s, img->path);
    strbuf_printf(s, ",\"format\":\"%s\",\"width\":%u,\"height\":%u,\"file_bytes\":%lld",
                  floors_format_name(img->format), img->width, img->height, img->file_bytes);
}

void results_series_json(strbuf *s, const rec_hdr *h, const image_info *img, const double *v,
                         size_t n, const char *extra)
{
    line_head(s, (int)h->kind, h->stage, h->metric, img);
    strbuf_printf(s, ",\"unit\":\"ns\",\"n\":%zu,\"median_ns\":", h->sum.n);
    strbuf_json_num(s, "%.1f", h->sum.median);
    strbuf_puts(s, ",\"mad_ns\":");
    strbuf_json_num(s, "%.1f", h->sum.mad);
    strbuf_puts(s, ",\"mad_pct\":");
    strbuf_json_num(s, "%.4f", 100 * h->sum.mad / h->sum.median);
    strbuf_puts(s, ",\"ci95_lo_ns\":");
    strbuf_json_num(s, "%.1f", h->sum.ci_lo);
    strbuf_puts(s, ",\"ci95_hi_ns\":");
    strbuf_json_num(s, "%.1f", h->sum.ci_hi);
    strbuf_puts(s, ",\"min_ns\":");
    strbuf_json_num(s, "%.0f", h->sum.min);
    strbuf_puts(s, ",\"max_ns\":");
    strbuf_json_num(s, "%.0f", h->sum.max);
    strbuf_printf(s, ",\"outliers\":%zu,\"allocs_per_call\":", h->sum.outliers);
    strbuf_json_num(s, "%.3f", h->has_allocs ? h->allocs : NAN);
    strbuf_puts(s, ",\"alloc_bytes_per_call\":");
    strbuf_json_num(s, "%.1f", h->has_allocs ? h->bytes : NAN);
    if (extra)
        strbuf_puts(s, extra);
    strbuf_puts(s, ",\"loadavg_start\":");
    machine_loadavg_json(s, img->la_start);
    strbuf_putn(s, ",", 1);
    strbuf_puts(s, meta_json);
    strbuf_puts(s, ",\"samples_ns\":[");
    for (size_t i = 0; i < n; i++)
        strbuf_printf(s, i ? ",%.0f" : "%.0f", v[i]);
    strbuf_putn(s, "]", 1);
}

void results_error_json(strbuf *s, const image_info *img, const char *stage, const char *msg)
{
    line_head(s, REC_ERROR, stage, "-", img);
    strbuf_puts(s, ",\"error\":");
    strbuf_json_str(s, msg);
    strbuf_putn(s, ",", 1);
    strbuf_puts(s, meta_json);
}

static const rec *find_rec(const child_result *r, const char *stage, const char *metric)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->recs[i].h.kind == REC_FLOOR && !strcmp(r->recs[i].h.stage, stage) &&
            !strcmp(r->recs[i].h.metric, metric))
            return &r->recs[i];
    return NULL;
}

/* e2e median / the matching floor median; NAN when there is no matching floor. */
static double floor_ratio(const rec *e, const child_result *floors, int variant)
{
    const char *fstage = NULL, *metric = e->h.metric;
    const char *suffix[FLOOR_MAX_VARIANTS] = {"", "_1_2", "_1_4", "_1_8"};
    char name[32];
    if (!strcmp(metric, "pcpu"))
        metric = "cpu"; /* the decoders are single-threaded: their thread CPU is the process's */
    if (!strcmp(e->h.stage, "total") || !strcmp(e->h.stage, "lib_total"))
        fstage = "read_decode";
    else if (!strcmp(e->h.stage, "decode"))
        fstage = "decode";
    else if (!strcmp(e->h.stage, "read") && variant == 0)
        fstage = "read";
    if (!fstage)
        return NAN;
    snprintf(name, sizeof name, "%s%s", fstage, !strcmp(fstage, "read") ? "" : suffix[variant]);
    const rec *f = find_rec(floors, name, metric);
    if (!f || !(f->h.sum.median > 0))
        return NAN;
    return e->h.sum.median / f->h.sum.median;
}

void results_table_header(void)
{
    fprintf(stderr, "%-30s %-5s %-15s %-4s %10s %7s %23s %4s %4s %11s %7s %7s\n", "image", "kind",
            "stage", "mtrc", "median ms", "MAD %", "95% CI of median, ms", "n", "out",
            "allocs/call", "RSS MB", "x floor");
}

static void table_row(const char *name, const rec *r, long rss_kb, double ratio)
{
    char img[31], allocs[16] = "-", rss[16] = "-", rat[16] = "-";
    size_t len = strlen(name);
    if (len > 30)
        snprintf(img, sizeof img, "..%s", name + len - 28);
    else
        snprintf(img, sizeof img, "%s", name);
    if (r->h.has_allocs)
        snprintf(allocs, sizeof allocs, "%.1f", r->h.allocs);
    if (rss_kb > 0)
        snprintf(rss, sizeof rss, "%.1f", (double)rss_kb / 1024);
    if (isfinite(ratio))
        snprintf(rat, sizeof rat, "%.2f", ratio);
    const stats_summary *s = &r->h.sum;
    fprintf(stderr, "%-30s %-5s %-15s %-4s %10.3f %6.2f%% [%10.3f,%10.3f] %4zu %4zu %11s %7s %7s\n",
            img, rec_kind_name[r->h.kind], r->h.stage, r->h.metric, s->median / 1e6,
            100 * s->mad / s->median, s->ci_lo / 1e6, s->ci_hi / 1e6, s->n, s->outliers, allocs, rss,
            rat);
}

int results_emit(FILE *out, const image_info *img, const child_result *r,
                 const child_result *floors, const double la_end[3])
{
    int errors = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rec *e = &r->recs[i];
        if (!e->body)
            continue;
        double ratios[FLOOR_MAX_VARIANTS] = {NAN, NAN, NAN, NAN};
        if (e->h.kind == REC_E2E && floors)
            for (int k = 0; k < FLOOR_MAX_VARIANTS; k++)
                ratios[k] = floor_ratio(e, floors, k);
        strbuf s = {0};
        strbuf_puts(&s, e->body);
        if (e->h.kind != REC_ERROR) {
            strbuf_printf(&s, ",\"peak_rss_kb\":%ld,\"rss_at_fork_kb\":%ld", r->peak_rss_kb,
                          r->rss_at_fork_kb);
            strbuf_puts(&s, ",\"ratio_floor\":");
            strbuf_json_num(&s, "%.4f", ratios[0]);
            strbuf_puts(&s, ",\"ratio_floor_1_2\":");
            strbuf_json_num(&s, "%.4f", ratios[1]);
            strbuf_puts(&s, ",\"ratio_floor_1_4\":");
            strbuf_json_num(&s, "%.4f", ratios[2]);
            strbuf_puts(&s, ",\"ratio_floor_1_8\":");
            strbuf_json_num(&s, "%.4f", ratios[3]);
        } else {
            errors++;
        }
        strbuf_puts(&s, ",\"loadavg_end\":");
        machine_loadavg_json(&s, la_end);
        strbuf_puts(&s, "}\n");
        fwrite(s.p, 1, s.len, out);
        strbuf_free(&s);
        if (e->h.kind != REC_ERROR)
            table_row(img->name, e, r->peak_rss_kb, ratios[0]);
    }
    return errors;
}

void results_emit_failure(FILE *out, const image_info *img, const char *what, const char *why)
{
    strbuf s = {0};
    line_head(&s, REC_ERROR, what, "-", img);
    strbuf_puts(&s, ",\"error\":");
    strbuf_json_str(&s, why);
    strbuf_printf(&s, ",%s}\n", meta_json);
    fwrite(s.p, 1, s.len, out);
    strbuf_free(&s);
}
