/* covertheme: the command-line host, a drop-in for rmpc-theme-gen.
 *
 * Same flags and meanings as the reference (--image/-i, --k/-k, --space/-s, --output/-o,
 * --theme-output, --disable-scrollbar, --debug, RMPC_THEME_DEBUG), JSON on stdout when no
 * --output, exit codes 0 ok / 1 runtime error / 2 usage error. It links the library like
 * any host would and uses only abi/covertheme.h. `--batch --out-dir DIR FILE...` themes many
 * covers in one process on worker threads (batch.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../abi/covertheme.h"
#include "batch.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef struct cli {
    const char *image, *output, *theme_output;
    int format;        /* of stdout / --output: COVERTHEME_FORMAT_JSON or a RON shape; -1 until --format */
    int ron_palette;   /* RON shape: 0 full, 1 palette-only */
    unsigned flags;
    int summary;
    int batch;         /* --batch: the remaining arguments are input files */
    const char *out_dir;
    char *const *files;
    size_t file_count;
    covertheme_ctx *ctx;
} cli;

static void usage(FILE *f)
{
    fputs("Usage: covertheme --image PATH [options]\n"
          "       covertheme --batch [options] --out-dir DIR FILE...\n"
          "Turn album art into a colour theme (rmpc RON and JSON analysis).\n\n"
          "  -i, --image PATH         cover image: PNG, JPEG or WebP; '-' reads standard input\n"
          "  -k, --k N                number of colour clusters, 1..256 (default 30)\n"
          "  -s, --space NAME         clustering space: CIELAB (default), RGB, HSL, HSV, YUV, CIELUV\n"
          "  -o, --output PATH        write the main output (see --format) to PATH instead of stdout\n"
          "      --theme-output PATH  also write the rmpc theme (RON) to PATH, atomically\n"
          "      --format FMT         main output: json (default) or ron\n"
          "      --ron-shape SHAPE    full (default; rmpc 0.9 and later) or palette (colours only; rmpc 0.11+)\n"
          "      --disable-scrollbar  write `scrollbar: None` in the theme\n"
          "      --debug              add the solver's debug block to the JSON (also RMPC_THEME_DEBUG=1)\n"
          "      --bg-policy NAME     tinted (default), faithful, dark or light\n"
          "      --threads N          worker threads, 0 = one per CPU (default)\n"
          "      --seed N             k-means++ seed (default 1)\n"
          "      --summary            print the roles with colour swatches to standard error\n"
          "  -h, --help               show this help\n"
          "  -V, --version            show the version\n\n"
          "Batch mode:\n"
          "      --batch              theme every FILE in one process; --threads N files at a time\n"
          "      --out-dir DIR        write DIR/NAME.ron, NAME being FILE's name without its extension\n"
          "                           (DIR/NAME.json with --format json); DIR is created if missing.\n"
          "                           Two FILEs with the same NAME are a usage error.\n"
          "  Prints 'ok FILE -> OUTPUT' (stdout) or 'error FILE: DETAIL' (stderr) per FILE, in input\n"
          "  order, once all are done; exit 1 if any FILE failed (the others are still written).\n\n"
          "Exit status: 0 success, 1 runtime error, 2 usage error.\n",
          f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("covertheme: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'covertheme --help'.\n", stderr);
    return EXIT_USAGE;
}

static int truthy(const char *v)
{
    return v && (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"));
}

static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Sets one numeric option; out-of-range values are usage errors. */
static int numeric_option(cli *c, int opt, const char *flag, const char *arg, long long lo, long long hi)
{
    long long v;
    if (parse_int(arg, lo, hi, &v) != 0 || covertheme_set_option(c->ctx, opt, v) != COVERTHEME_OK) {
        fprintf(stderr, "covertheme: %s must be a whole number from %lld to %lld, not '%s'\n", flag, lo, hi, arg);
        return EXIT_USAGE;
    }
    return 0;
}

enum {
    OPT_THEME_OUTPUT = 256, OPT_DISABLE_SCROLLBAR, OPT_DEBUG, OPT_FORMAT, OPT_RON_SHAPE, OPT_BG_POLICY,
    OPT_THREADS, OPT_SEED, OPT_SUMMARY, OPT_BATCH, OPT_OUT_DIR
};

/* --batch: files come from the positional arguments, outputs go to --out-dir, and the
 * single-image outputs do not apply. The main output defaults to RON. */
static int check_batch_args(cli *c, int argc, char **argv)
{
    static const char *const single[] = {"--image", "--output", "--theme-output", "--summary"};
    const int given[] = {c->image != NULL, c->output != NULL, c->theme_output != NULL, c->summary};
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
        if (given[i])
            return usage_error("%s cannot be used with --batch (outputs go to --out-dir)", single[i]);
    if (!c->out_dir)
        return usage_error("%s", "--batch needs --out-dir DIR");
    if (!*c->out_dir)
        return usage_error("%s", "--out-dir must not be empty");
    if (optind >= argc)
        return usage_error("%s", "--batch needs at least one input file");
    if (c->format < 0)
        c->format = COVERTHEME_FORMAT_RON;
    c->files = argv + optind;
    c->file_count = (size_t)(argc - optind);
    return 0;
}

static int parse_args(cli *c, int argc, char **argv)
{
    static const struct option longs[] = {
        {"image", required_argument, 0, 'i'},   {"k", required_argument, 0, 'k'},
        {"space", required_argument, 0, 's'},   {"output", required_argument, 0, 'o'},
        {"theme-output", required_argument, 0, OPT_THEME_OUTPUT},
        {"disable-scrollbar", no_argument, 0, OPT_DISABLE_SCROLLBAR},
        {"debug", no_argument, 0, OPT_DEBUG},   {"format", required_argument, 0, OPT_FORMAT},
        {"ron-shape", required_argument, 0, OPT_RON_SHAPE},
        {"bg-policy", required_argument, 0, OPT_BG_POLICY},
        {"threads", required_argument, 0, OPT_THREADS}, {"seed", required_argument, 0, OPT_SEED},
        {"summary", no_argument, 0, OPT_SUMMARY}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},       {"batch", no_argument, 0, OPT_BATCH},
        {"out-dir", required_argument, 0, OPT_OUT_DIR}, {0, 0, 0, 0},
    };
    opterr = 0;
    int o, rc = 0;
    while (rc == 0 && (o = getopt_long(argc, argv, ":i:k:s:o:hV", longs, NULL)) != -1) {
        int v;
        switch (o) {
        case 'i': c->image = optarg; break;
        case 'k': rc = numeric_option(c, COVERTHEME_OPT_K, "--k", optarg, 1, 256); break;
        case 's':
            if ((v = covertheme_space_from_name(optarg)) < 0)
                return usage_error("unsupported colour space '%s' (CIELAB, RGB, HSL, HSV, YUV, CIELUV)", optarg);
            covertheme_set_option(c->ctx, COVERTHEME_OPT_COLOR_SPACE, v);
            break;
        case 'o': c->output = optarg; break;
        case OPT_THEME_OUTPUT: c->theme_output = optarg; break;
        case OPT_DISABLE_SCROLLBAR: c->flags |= COVERTHEME_RENDER_NO_SCROLLBAR; break;
        case OPT_DEBUG: c->flags |= COVERTHEME_RENDER_DEBUG; break;
        case OPT_FORMAT:
            if (!strcasecmp(optarg, "json"))
                c->format = COVERTHEME_FORMAT_JSON;
            else if (!strcasecmp(optarg, "ron"))
                c->format = COVERTHEME_FORMAT_RON;
            else
                return usage_error("--format must be json or ron, not '%s'", optarg);
            break;
        case OPT_RON_SHAPE:
            if (!strcasecmp(optarg, "full") || !strcasecmp(optarg, "palette"))
                c->ron_palette = !strcasecmp(optarg, "palette");
            else
                return usage_error("--ron-shape must be full or palette, not '%s'", optarg);
            break;
        case OPT_BG_POLICY:
            if ((v = covertheme_bg_policy_from_name(optarg)) < 0)
                return usage_error("--bg-policy must be tinted, faithful, dark or light, not '%s'", optarg);
            covertheme_set_option(c->ctx, COVERTHEME_OPT_BG_POLICY, v);
            break;
        case OPT_THREADS: rc = numeric_option(c, COVERTHEME_OPT_THREADS, "--threads", optarg, 0, 64); break;
        case OPT_SEED: rc = numeric_option(c, COVERTHEME_OPT_SEED, "--seed", optarg, 0, INT64_MAX); break;
        case OPT_SUMMARY: c->summary = 1; break;
        case OPT_BATCH: c->batch = 1; break;
        case OPT_OUT_DIR: c->out_dir = optarg; break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("covertheme %s (ABI %u)\n", covertheme_version_string(), covertheme_abi_version()); exit(0);
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (c->batch)
        return check_batch_args(c, argc, argv);
    if (c->out_dir)
        return usage_error("%s", "--out-dir needs --batch");
    if (c->format < 0)
        c->format = COVERTHEME_FORMAT_JSON;
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!c->image)
        return usage_error("%s", "--image is required");
    return 0;
}

static int runtime_error(cli *c, int rc, const char *what)
{
    /* The library's detail already names the file and the cause; the code's name is the
     * fallback when there is none. */
    const char *detail = covertheme_last_error(c->ctx);
    if (*detail)
        fprintf(stderr, "covertheme: error: %s\n", detail);
    else
        fprintf(stderr, "covertheme: error: %s: %s\n", what, covertheme_strerror(rc));
    return EXIT_RUNTIME;
}

/* Reads all of standard input (bounded by the library's input limit, checked there). */
static int read_stdin(unsigned char **data, size_t *size)
{
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (len == cap) {
            unsigned char *nb = cap > ((size_t)1 << 31) ? NULL : realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + len, 1, cap - len, stdin);
        len += r;
        if (r == 0) {
            if (ferror(stdin)) {
                free(buf);
                return -1;
            }
            break;
        }
    }
    *data = buf;
    *size = len;
    return 0;
}

/* mkdir -p for the parent of `path`, as the reference does for --theme-output. */
static int make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

static void print_summary(const covertheme_theme *t)
{
    const covertheme_rgb bg = t->roles[COVERTHEME_ROLE_BACKGROUND].rgb;
    fprintf(stderr, "\ncovertheme %s: %ux%u cover, %u samples, %u clusters, %u iterations, %.1f ms\n",
            covertheme_version_string(), t->image_width, t->image_height, t->sample_count, t->palette_count,
            t->iterations, (double)t->timings.total_ns / 1e6);
    for (uint32_t i = 0; i < t->role_count; i++) {
        const covertheme_role_color *r = &t->roles[i];
        fprintf(stderr, "  \033[48;2;%u;%u;%um      \033[0m \033[38;2;%u;%u;%u;48;2;%u;%u;%um Aa \033[0m  "
                        "%-15s #%02x%02x%02x  %5.2f:1 vs background  %s\n",
                r->rgb.r, r->rgb.g, r->rgb.b, r->rgb.r, r->rgb.g, r->rgb.b, bg.r, bg.g, bg.b,
                covertheme_role_name((int)i), r->rgb.r, r->rgb.g, r->rgb.b, (double)r->contrast_background,
                r->origin ? r->origin : "");
    }
    fputs("  palette:", stderr);
    for (uint32_t i = 0; i < t->palette_count && i < 16; i++)
        fprintf(stderr, " \033[48;2;%u;%u;%um  \033[0m", t->palette[i].rgb.r, t->palette[i].rgb.g, t->palette[i].rgb.b);
    fputs("\n", stderr);
}

static int emit(cli *c, const covertheme_theme *theme)
{
    int ron_format = c->ron_palette ? COVERTHEME_FORMAT_RON_PALETTE : COVERTHEME_FORMAT_RON;
    int rc;
    if (c->theme_output) {
        if (make_parents(c->theme_output) != 0) {
            fprintf(stderr, "covertheme: error: cannot create the directory of %s: %s\n", c->theme_output, strerror(errno));
            return EXIT_RUNTIME;
        }
        rc = covertheme_render_to_file(c->ctx, theme, ron_format, c->flags, c->theme_output);
        if (rc < 0)
            return runtime_error(c, rc, "writing the theme");
        fprintf(stderr, "Theme written to: %s\n", c->theme_output);
    }
    int main_format = c->format == COVERTHEME_FORMAT_JSON ? COVERTHEME_FORMAT_JSON : ron_format;
    if (c->output) {
        rc = covertheme_render_to_file(c->ctx, theme, main_format, c->flags, c->output);
        if (rc < 0)
            return runtime_error(c, rc, "writing the output");
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    rc = covertheme_render(theme, main_format, c->flags, &text, &len);
    if (rc < 0)
        return runtime_error(c, rc, "rendering");
    int bad = fwrite(text, 1, len, stdout) != len || (main_format == COVERTHEME_FORMAT_JSON && fputc('\n', stdout) == EOF) ||
              fflush(stdout) != 0;
    covertheme_free(text);
    if (bad) {
        fprintf(stderr, "covertheme: error: writing to standard output: %s\n", strerror(errno));
        return EXIT_RUNTIME;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli c = {0};
    c.format = -1;
    c.ctx = covertheme_create();
    if (!c.ctx) {
        fputs("covertheme: error: out of memory\n", stderr);
        return EXIT_RUNTIME;
    }
    if (truthy(getenv("RMPC_THEME_DEBUG")))
        c.flags |= COVERTHEME_RENDER_DEBUG;
    int status = parse_args(&c, argc, argv);
    if (status == 0 && c.batch) {
        cli_batch b = {
            .options = c.ctx, .out_dir = c.out_dir, .files = c.files, .file_count = c.file_count,
            .format = c.format == COVERTHEME_FORMAT_JSON ? COVERTHEME_FORMAT_JSON
                      : c.ron_palette ? COVERTHEME_FORMAT_RON_PALETTE : COVERTHEME_FORMAT_RON,
            .flags = c.flags,
        };
        status = cli_batch_run(&b);
        covertheme_destroy(c.ctx);
        return status;
    }
    covertheme_theme *theme = NULL;
    if (status == 0) {
        int rc;
        if (strcmp(c.image, "-") == 0) {
            unsigned char *data = NULL;
            size_t size = 0;
            if (read_stdin(&data, &size) != 0) {
                fprintf(stderr, "covertheme: error: reading standard input: %s\n", strerror(errno));
                covertheme_destroy(c.ctx);
                return EXIT_RUNTIME;
            }
            rc = covertheme_generate_buffer(c.ctx, data, size, &theme);
            free(data);
        } else {
            rc = covertheme_generate_file(c.ctx, c.image, &theme);
        }
        status = rc < 0 ? runtime_error(&c, rc, strcmp(c.image, "-") ? "generating the theme" : "<stdin>") : 0;
    }
    if (status == 0) {
        status = emit(&c, theme);
        if (c.summary)
            print_summary(theme);
    }
    covertheme_theme_free(theme);
    covertheme_destroy(c.ctx);
    return status;
}
