/* Context life cycle, options, versions, error strings and names. */
#include "context.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define EXPORT COVERTHEME_API

/* ---- versions ----------------------------------------------------------------------- */

#define STR2(x) #x
#define STR(x) STR2(x)

EXPORT unsigned covertheme_version_number(void)
{
    return COVERTHEME_VERSION_NUMBER;
}

EXPORT const char *covertheme_version_string(void)
{
    return STR(COVERTHEME_VERSION_MAJOR) "." STR(COVERTHEME_VERSION_MINOR) "." STR(COVERTHEME_VERSION_PATCH);
}

EXPORT unsigned covertheme_abi_version(void)
{
    return COVERTHEME_ABI_VERSION;
}

/* ---- errors --------------------------------------------------------------------------- */

EXPORT const char *covertheme_strerror(int code)
{
    switch (code) {
    case COVERTHEME_ERR_INVALID_ARGUMENT: return "invalid argument";
    case COVERTHEME_ERR_NO_MEMORY: return "out of memory";
    case COVERTHEME_ERR_NOT_FOUND: return "file not found";
    case COVERTHEME_ERR_IO: return "cannot read input";
    case COVERTHEME_ERR_EMPTY_INPUT: return "empty input";
    case COVERTHEME_ERR_UNSUPPORTED_FORMAT: return "unsupported image format";
    case COVERTHEME_ERR_CORRUPT_IMAGE: return "corrupt or truncated image";
    case COVERTHEME_ERR_LIMIT_EXCEEDED: return "image exceeds the configured limits";
    case COVERTHEME_ERR_WRITE: return "cannot write output";
    case COVERTHEME_ERR_INTERNAL: return "internal error";
    default: return code >= 0 ? "no error" : "unknown error";
    }
}

/* Each thread remembers the last failure on each of the ERR_SLOTS contexts it used most
 * recently, so a host juggling a few contexts can still ask any of them. A slot holds the
 * message of the last failed call; a later success on that context empties it. */
#define ERR_SLOTS 8

typedef struct err_slot {
    const covertheme_ctx *ctx;
    uint64_t serial;
    uint64_t used; /* per-thread tick of the last call, for least-recently-used reuse */
    char msg[CT_ERR_MSG_MAX];
} err_slot;

static _Thread_local err_slot slots[ERR_SLOTS];
static _Thread_local uint64_t tick;

static err_slot *slot_of(const covertheme_ctx *ctx)
{
    if (!ctx)
        return NULL;
    for (int i = 0; i < ERR_SLOTS; i++)
        if (slots[i].ctx == ctx && slots[i].serial == ctx->serial)
            return &slots[i];
    return NULL;
}

int ct_report(const covertheme_ctx *ctx, int rc, const ct_err *err)
{
    if (!ctx)
        return rc; /* nothing to attach the message to; the code says enough */
    err_slot *s = slot_of(ctx);
    if (rc >= 0) {
        if (s)
            s->msg[0] = '\0';
        return rc;
    }
    if (!s) {
        s = &slots[0];
        for (int i = 1; i < ERR_SLOTS; i++)
            if (slots[i].used < s->used)
                s = &slots[i];
        s->ctx = ctx;
        s->serial = ctx->serial;
    }
    s->used = ++tick;
    const char *m = err && err->msg[0] ? err->msg : covertheme_strerror(rc);
    size_t n = strlen(m);
    if (n >= sizeof s->msg)
        n = sizeof s->msg - 1;
    memcpy(s->msg, m, n);
    s->msg[n] = '\0';
    return rc;
}

EXPORT const char *covertheme_last_error(const covertheme_ctx *ctx)
{
    err_slot *s = slot_of(ctx);
    return s ? s->msg : "";
}

/* ---- options ------------------------------------------------------------------------ */

typedef struct option_desc {
    int id;
    size_t offset;
    int64_t lo, hi, def;
} option_desc;

#define OPT(id, field, lo, hi, def) {id, offsetof(ct_options, field), lo, hi, def}

static const option_desc option_table[] = {
    OPT(COVERTHEME_OPT_K, k, 1, 256, 30),
    OPT(COVERTHEME_OPT_COLOR_SPACE, space, COVERTHEME_SPACE_CIELAB, COVERTHEME_SPACE_CIELUV, COVERTHEME_SPACE_CIELAB),
    OPT(COVERTHEME_OPT_BG_POLICY, bg_policy, COVERTHEME_BG_TINTED, COVERTHEME_BG_LIGHT, COVERTHEME_BG_TINTED),
    OPT(COVERTHEME_OPT_SEED, seed, 0, INT64_MAX, 1),
    OPT(COVERTHEME_OPT_THREADS, threads, 0, 64, 0),
    OPT(COVERTHEME_OPT_MAX_ITERATIONS, max_iterations, 1, 1000, 40),
    OPT(COVERTHEME_OPT_MAX_SAMPLES, max_samples, 1, 16777216, 65536),
    OPT(COVERTHEME_OPT_MAX_PIXELS, max_pixels, 1, 1073741824, 100000000),
    OPT(COVERTHEME_OPT_MAX_INPUT_BYTES, max_input_bytes, 1, (int64_t)1 << 40, 268435456),
    OPT(COVERTHEME_OPT_CACHE_ENTRIES, cache_entries, 0, CT_CACHE_MAX_ENTRIES, 8),
};

static const option_desc *find_option(int id)
{
    for (size_t i = 0; i < sizeof option_table / sizeof option_table[0]; i++)
        if (option_table[i].id == id)
            return &option_table[i];
    return NULL;
}

static int64_t *option_slot(ct_options *o, const option_desc *d)
{
    return (int64_t *)(void *)((char *)o + d->offset);
}

static void set_defaults(ct_options *o)
{
    for (size_t i = 0; i < sizeof option_table / sizeof option_table[0]; i++)
        *option_slot(o, &option_table[i]) = option_table[i].def;
}

EXPORT int covertheme_set_option(covertheme_ctx *ctx, int option, int64_t value)
{
    ct_err err;
    if (!ctx)
        return ct_report(ctx, COVERTHEME_ERR_INVALID_ARGUMENT, NULL);
    const option_desc *d = find_option(option);
    if (!d)
        return ct_report(ctx, ct_fail(&err, COVERTHEME_ERR_INVALID_ARGUMENT, "unknown option %d", option), &err);
    if (value < d->lo || value > d->hi)
        return ct_report(ctx, ct_fail(&err, COVERTHEME_ERR_INVALID_ARGUMENT,
                                      "option %d: value %lld outside %lld..%lld", option,
                                      (long long)value, (long long)d->lo, (long long)d->hi), &err);
    pthread_mutex_lock(&ctx->lock);
    *option_slot(&ctx->opt, d) = value;
    ct_cache_trim(&ctx->cache, (uint32_t)ctx->opt.cache_entries); /* a lower capacity frees at once */
    pthread_mutex_unlock(&ctx->lock);
    return ct_report(ctx, COVERTHEME_OK, NULL);
}

EXPORT int covertheme_get_option(const covertheme_ctx *ctx, int option, int64_t *value)
{
    const option_desc *d = find_option(option);
    if (!ctx || !value || !d)
        return COVERTHEME_ERR_INVALID_ARGUMENT;
    covertheme_ctx *c = (covertheme_ctx *)ctx; /* the lock is not part of the logical state */
    pthread_mutex_lock(&c->lock);
    *value = *option_slot(&c->opt, d);
    pthread_mutex_unlock(&c->lock);
    return COVERTHEME_OK;
}

EXPORT int covertheme_reset_options(covertheme_ctx *ctx)
{
    if (!ctx)
        return COVERTHEME_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&ctx->lock);
    set_defaults(&ctx->opt);
    ct_cache_trim(&ctx->cache, (uint32_t)ctx->opt.cache_entries);
    pthread_mutex_unlock(&ctx->lock);
    return COVERTHEME_OK;
}

/* ---- life cycle ---------------------------------------------------------------------- */

EXPORT covertheme_ctx *covertheme_create(void)
{
    covertheme_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return NULL;
    }
    set_defaults(&ctx->opt);
    ct_arena_init(&ctx->arena);
    static _Atomic uint64_t next_serial = 1;
    ctx->serial = next_serial++;
    return ctx;
}

EXPORT void covertheme_destroy(covertheme_ctx *ctx)
{
    if (!ctx)
        return;
    err_slot *s = slot_of(ctx);
    if (s) /* a later context at the same address must not inherit the text */
        memset(s, 0, sizeof *s);
    ct_cache_trim(&ctx->cache, 0); /* themes returned from it are copies and stay valid */
    ct_pool_destroy(ctx->pool);    /* joins the workers: nothing runs our code after this */
    ct_arena_destroy(&ctx->arena);
    free(ctx->input);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

ct_pool *ct_ctx_pool(covertheme_ctx *ctx)
{
    uint32_t want = ctx->opt.threads == 0 ? ct_pool_default_threads() : (uint32_t)ctx->opt.threads;
    if (ctx->pool && ctx->pool_threads == want)
        return ctx->pool;
    ct_pool_destroy(ctx->pool);
    ctx->pool = ct_pool_create(want);
    ctx->pool_threads = ctx->pool ? want : 0;
    return ctx->pool;
}

/* ---- names ----------------------------------------------------------------------------- */

static const char *const space_names[] = {"CIELAB", "RGB", "HSL", "HSV", "YUV", "CIELUV"};
static const char *const policy_names[] = {"tinted", "faithful", "dark", "light"};
static const char *const role_names[] = {
    "background", "text", "accent", "header_accent", "active", "highlight_text", "inactive",
    "frame", "progress", "warn", "error", "debug", "trace",
};

EXPORT int covertheme_space_from_name(const char *name)
{
    if (!name)
        return COVERTHEME_ERR_INVALID_ARGUMENT;
    if (strcasecmp(name, "LAB") == 0)
        return COVERTHEME_SPACE_CIELAB;
    if (strcasecmp(name, "LUV") == 0)
        return COVERTHEME_SPACE_CIELUV;
    for (int i = 0; i < (int)(sizeof space_names / sizeof space_names[0]); i++)
        if (strcasecmp(name, space_names[i]) == 0)
            return i;
    return COVERTHEME_ERR_INVALID_ARGUMENT;
}

EXPORT const char *covertheme_space_name(int space)
{
    return space >= 0 && space < (int)(sizeof space_names / sizeof space_names[0]) ? space_names[space] : NULL;
}

EXPORT int covertheme_bg_policy_from_name(const char *name)
{
    if (!name)
        return COVERTHEME_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < (int)(sizeof policy_names / sizeof policy_names[0]); i++)
        if (strcasecmp(name, policy_names[i]) == 0)
            return i;
    return COVERTHEME_ERR_INVALID_ARGUMENT;
}

EXPORT const char *covertheme_bg_policy_name(int policy)
{
    return policy >= 0 && policy < (int)(sizeof policy_names / sizeof policy_names[0]) ? policy_names[policy] : NULL;
}

EXPORT const char *covertheme_role_name(int role)
{
    return role >= 0 && role < (int)(sizeof role_names / sizeof role_names[0]) ? role_names[role] : NULL;
}
