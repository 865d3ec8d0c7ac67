/* Part of covertheme-quality: the table and the JSON lines (see quality_output.h). */
#include "quality_output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../abi/covertheme.h"
#include "wcag_oklab.h"

/* The last two path components, for the table. */
static const char *short_name(const char *path)
{
    const char *end = path + strlen(path), *p = end;
    int slashes = 0;
    while (p > path) {
        if (p[-1] == '/' && ++slashes == 2)
            break;
        p--;
    }
    return p;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A number, or null for NaN/inf (JSON has neither). */
static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

/* ,"name":number (or null) */
static void json_field(FILE *f, const char *name, double v)
{
    fprintf(f, ",\"%s\":", name);
    json_num(f, v);
}

void quality_output_image_json(FILE *f, const image_result *r, const quality_opts *o)
{
    fputs("{\"type\":\"image\",\"image\":", f);
    json_string(f, r->path);
    if (!r->ok) {
        fputs(",\"error\":", f);
        json_string(f, r->err);
        fputs("}\n", f);
        return;
    }
    char hb[8];
    fprintf(f, ",\"width\":%u,\"height\":%u,\"format\":%u,\"opaque_pixels\":%llu,\"unique_colours\":%u", r->width,
            r->height, r->format, (unsigned long long)r->opaque, r->unique);
    fprintf(f, ",\"k_requested\":%u,\"k_effective\":%u,\"palette_count\":%u,\"k_reference\":%u", r->k_requested,
            r->k_effective, r->palette_count, r->k_ref);
    json_field(f, "theme_ms", r->theme_ms);
    json_field(f, "covertheme_mse", r->ct_mse);
    json_field(f, "reference_mse", r->ref_mse);
    json_field(f, "reference_mse_rgb8", r->ref_mse_rgb8);
    json_field(f, "ratio_rgb8", r->ratio8);
    json_field(f, "ratio", r->ratio);
    fprintf(f, ",\"reference_state\":\"%s\"", r->ref_state == 1 ? "done" : "skipped");
    fputs(",\"reference_note\":", f);
    json_string(f, r->ref_note);
    json_field(f, "seeds_best_mse", r->seeds_mse);
    json_field(f, "polished_mse", r->polish_mse);
    if (isfinite(r->polish_mse))
        fprintf(f, ",\"polished_iterations\":%u,\"polished_converged\":%s", r->polish.iterations,
                r->polish.hit_cap ? "false" : "true");
    json_field(f, "polished_cpu_s", isfinite(r->polish_mse) ? r->polish.cpu_s : NAN);
    json_field(f, "reference_cpu_s", r->ref_cpu_s);
    json_field(f, "reference_wall_s", r->ref_wall_s);
    json_field(f, "histogram_cpu_s", r->prep_cpu_s);
    if (r->ref_state == 1 && r->ref_best_seed == 0)
        fputs(",\"reference_source\":\"polished\"", f);
    else if (r->ref_state == 1)
        fprintf(f, ",\"reference_source\":\"seed %d\"", r->ref_best_seed);
    fprintf(f, ",\"reference_max_iter\":%d,\"reference_seeds\":[", o->max_iter);
    for (int s = 0; s < r->seeds_run; s++) {
        fprintf(f, "%s{\"seed\":%d,\"mse\":", s ? "," : "", s + 1);
        json_num(f, r->runs[s].mse);
        fprintf(f, ",\"iterations\":%u,\"converged\":%s,\"cpu_s\":", r->runs[s].iterations,
                r->runs[s].hit_cap ? "false" : "true");
        json_num(f, r->runs[s].cpu_s);
        fputc('}', f);
    }
    fprintf(f, "],\"guarantees_passed\":%d,\"guarantees_total\":%d,\"guarantees\":{", r->g.passed, r->g.total);
    for (int i = 0, first = 1; i < G_COUNT; i++) {
        if (r->g.status[i] == G_NA)
            continue;
        fprintf(f, "%s\"%s\":%s", first ? "" : ",", guarantee_names[i], r->g.status[i] == G_PASS ? "true" : "false");
        first = 0;
    }
    fputs("},\"failures\":", f);
    json_string(f, r->g.fail_text ? r->g.fail_text : "");
    fprintf(f, ",\"colourful_clusters\":%d,\"accent\":\"%s\",\"accent_chroma\":", r->g.n_colourful,
            rgb_hex(r->roles[COVERTHEME_ROLE_ACCENT], hb));
    json_num(f, r->g.accent_chroma);
    json_field(f, "accent_hue", r->g.accent_hue);
    fputs(",\"roles\":{", f);
    for (int i = 0; i < COVERTHEME_ROLE_COUNT_V1; i++) {
        const char *name = covertheme_role_name(i);
        fprintf(f, "%s\"%s\":\"%s\"", i ? "," : "", name ? name : "?", rgb_hex(r->roles[i], hb));
    }
    fputs("}}\n", f);
}

static void fmt_num(char *buf, size_t n, double v, const char *fmt)
{
    if (isfinite(v))
        snprintf(buf, n, fmt, v);
    else
        snprintf(buf, n, "-");
}

void quality_output_header(const quality_opts *o)
{
    printf("covertheme %s, k=%d, bg-policy %s; reference: best of %d weighted k-means++ seeds%s, Lloyd on all "
           "opaque pixels to convergence (cap %d)\n\n",
           covertheme_version_string(), o->k, covertheme_bg_policy_name(o->bg_policy), o->seeds,
           o->polish ? " and covertheme's palette" : "", o->max_iter);
    printf("%-32s %9s %5s %9s %9s %7s %7s %8s %7s %6s\n", "image", "unique", "k", "ct MSE", "ref MSE", "ratio",
           "ratio8", "ref s", "guar", "acc C");
}

void quality_output_row(const image_result *r)
{
    if (!r->ok) {
        printf("%-32s error: %s\n", short_name(r->path), r->err);
    } else {
        char a[16], b[16], c[16], c8[16], d[16], e[16], kbuf[16];
        fmt_num(a, sizeof a, r->ct_mse, "%.3f");
        fmt_num(b, sizeof b, r->ref_mse, "%.3f");
        fmt_num(c, sizeof c, r->ratio, "%.4f");
        fmt_num(c8, sizeof c8, r->ratio8, "%.4f");
        fmt_num(d, sizeof d, r->ref_state == 1 ? r->ref_cpu_s : NAN, "%.2f");
        fmt_num(e, sizeof e, r->g.accent_chroma, "%.3f");
        if (r->palette_count != r->k_ref)
            snprintf(kbuf, sizeof kbuf, "%u/%u", r->palette_count, r->k_ref);
        else
            snprintf(kbuf, sizeof kbuf, "%u", r->k_ref);
        printf("%-32s %9u %5s %9s %9s %7s %7s %8s %3d/%-3d %6s\n", short_name(r->path), r->unique, kbuf, a, b, c, c8,
               d, r->g.passed, r->g.total, e);
        if (r->ref_note[0])
            printf("    note: %s\n", r->ref_note);
        if (r->ref_state == 1 && r->ref_best_seed == 0)
            printf("    note: reference from the polished covertheme palette; best seed %.3f\n", r->seeds_mse);
        if (r->g.fail_text)
            printf("    FAIL: %s\n", r->g.fail_text);
    }
}

int quality_output_pairs(FILE *jf, const image_result *res, const stability_pair *pairs, int np)
{
    int p_ok = 0;
    if (np) {
        printf("\nstability (PNG vs JPEG of the same picture; OKLab distance, requirement <= 0.05)\n");
        printf("%-32s %-32s %7s %7s %7s %s\n", "png", "jpeg", "bg", "text", "accent", "");
    }
    for (int i = 0; i < np; i++) {
        const stability_pair *p = &pairs[i];
        p_ok += p->ok;
        printf("%-32s %-32s %7.4f %7.4f %7.4f %s\n", short_name(res[p->a].path), short_name(res[p->b].path), p->d_bg,
               p->d_text, p->d_accent, p->ok ? "ok" : "FAIL");
        if (jf) {
            fputs("{\"type\":\"pair\",\"png\":", jf);
            json_string(jf, res[p->a].path);
            fputs(",\"jpeg\":", jf);
            json_string(jf, res[p->b].path);
            json_field(jf, "background", p->d_bg);
            json_field(jf, "text", p->d_text);
            json_field(jf, "accent", p->d_accent);
            fprintf(jf, ",\"within\":%s}\n", p->ok ? "true" : "false");
        }
    }
    return p_ok;
}

void quality_output_summary(FILE *jf, const quality_summary *s, const image_result *res,
                            const quality_opts *o)
{
    printf("\nsummary: %d image(s), %d error(s), %d reference(s) skipped\n", s->images, s->errors, s->n_skipped);
    if (s->n_ratio)
        printf("  MSE ratio covertheme/reference: geo-mean %.4f over %d image(s), worst %.4f (%s)\n", s->geo,
               s->n_ratio, s->worst, short_name(res[s->worst_i].path));
    if (s->n_ratio) {
        printf("  against the reference rounded to 8-bit colours (ratio8): geo-mean %.4f, worst %.4f (%s)\n", s->geo8,
               s->worst8, short_name(res[s->worst8_i].path));
        printf("  above 1.02: %d (ratio), %d (ratio8) of %d\n", s->over2, s->over2_8, s->n_ratio);
    }
    printf("  guarantees: %d of %d checks failed\n", s->g_fail, s->g_total);
    for (int g = 0; g < G_COUNT; g++)
        if (s->per_fail[g])
            printf("    %-24s %d fail / %d checked\n", guarantee_names[g], s->per_fail[g],
                   s->per_pass[g] + s->per_fail[g]);
    printf("  stability pairs within 0.05: %d / %d\n", s->pairs_within, s->pairs);

    if (jf) {
        fprintf(jf, "{\"type\":\"summary\",\"images\":%d,\"errors\":%d,\"k\":%d,\"seeds\":%d,\"max_iter\":%d,"
                    "\"bg_policy\":\"%s\",\"references\":%d,\"skipped\":%d,\"geomean_ratio\":",
                s->images, s->errors, o->k, o->seeds, o->max_iter, covertheme_bg_policy_name(o->bg_policy),
                s->n_ratio, s->n_skipped);
        json_num(jf, s->geo);
        json_field(jf, "worst_ratio", s->n_ratio ? s->worst : NAN);
        fputs(",\"worst_image\":", jf);
        if (s->worst_i >= 0)
            json_string(jf, res[s->worst_i].path);
        else
            fputs("null", jf);
        json_field(jf, "geomean_ratio_rgb8", s->geo8);
        json_field(jf, "worst_ratio_rgb8", s->n_ratio ? s->worst8 : NAN);
        fprintf(jf, ",\"above_1_02\":%d,\"above_1_02_rgb8\":%d", s->over2, s->over2_8);
        fprintf(jf, ",\"guarantee_checks\":%d,\"guarantee_failures\":%d,\"per_guarantee\":{", s->g_total,
                s->g_fail);
        for (int g = 0; g < G_COUNT; g++)
            fprintf(jf, "%s\"%s\":{\"pass\":%d,\"fail\":%d}", g ? "," : "", guarantee_names[g], s->per_pass[g],
                    s->per_fail[g]);
        fprintf(jf, "},\"stability_pairs\":%d,\"stability_within\":%d}\n", s->pairs, s->pairs_within);
    }
}
