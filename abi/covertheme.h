/*
 * covertheme — album art to colour theme, inside the player's process.
 *
 * This is the only header a host includes. Everything it declares is part of the
 * stable ABI of libcovertheme.so.1; everything else in the library is hidden.
 *
 * ---------------------------------------------------------------------------------
 * Quick start (linked directly):
 *
 *     covertheme_ctx *ctx = covertheme_create();
 *     covertheme_theme *theme = NULL;
 *     int rc = covertheme_generate_file(ctx, "cover.jpg", &theme);
 *     if (rc < 0) {
 *         fprintf(stderr, "%s: %s\n", covertheme_strerror(rc), covertheme_last_error(ctx));
 *     } else {
 *         char *ron = NULL; size_t len = 0;
 *         covertheme_render(theme, COVERTHEME_FORMAT_RON, 0, &ron, &len);
 *         fwrite(ron, 1, len, stdout);
 *         covertheme_free(ron);
 *         covertheme_theme_free(theme);
 *     }
 *     covertheme_destroy(ctx);
 *
 * Quick start (dlopen host): one dlsym, then everything through the table:
 *
 *     void *lib = dlopen("libcovertheme.so.1", RTLD_NOW | RTLD_LOCAL);
 *     covertheme_get_api_fn get = (covertheme_get_api_fn)dlsym(lib, "covertheme_get_api");
 *     const covertheme_api *api = get(COVERTHEME_ABI_VERSION);
 *     if (!api) { ... library too old ... }
 *     covertheme_ctx *ctx = api->create();
 *
 * ---------------------------------------------------------------------------------
 * Conventions that hold for every function below
 *
 *  - Errors are negative `int` codes (enum covertheme_error); 0 or a positive value is
 *    success. covertheme_strerror() names a code; covertheme_last_error() gives the
 *    detail of the calling thread's last failed call on a context (file name, what the
 *    decoder said).
 *  - Ownership: anything the library returns through an out-pointer is owned by the
 *    caller and is released with the matching free function (covertheme_theme_free for
 *    themes, covertheme_free for rendered text). Never release it with the host's free():
 *    the library and the host may use different allocators. Input pointers are borrowed
 *    only for the duration of the call; the library keeps no reference to them.
 *  - Threads: every function may be called from any thread. Calls on the same context
 *    are serialised by a lock inside the context, so concurrent calls are safe but do not
 *    run in parallel; use one context per thread for parallel work. Themes are immutable
 *    after they are returned and may be read and rendered from several threads at once.
 *  - Worker threads: a context starts THREADS - 1 workers at the first call that has enough
 *    work to share (the calling thread always does a share itself), keeps them parked
 *    between calls, and joins them in covertheme_destroy(). Workers block every signal and
 *    run only covertheme code. The library is linked with -z nodelete, so a host that
 *    dlclose()s it while a context is alive does not unmap code under its workers; destroy
 *    contexts before dlclose() to get the threads back. After fork() a context's workers
 *    exist only in the parent; the child starts its own on its next call.
 *  - Memory: a context keeps the working memory of its largest call so far (decoder rows,
 *    samples, histogram, k-means state; a few MB for covers up to 3000 px) plus a buffer as
 *    large as the largest file it read (whose pages go back to the kernel after decoding
 *    when the file is 4 MB or more), and reuses them, so a warm call on an image no
 *    larger than one seen before allocates nothing in covertheme or libspng (with the cover
 *    cache on, storing a new cover's theme takes a recycled block or a new one; libjpeg and
 *    libwebp allocate inside their decoders, 10 and 3 times per call in tests/alloc_check.c). All of it is
 *    released by covertheme_destroy(). Freed themes are kept in a small process-wide
 *    bin (at most 4) for reuse by the next call and released at exit.
 *  - The library never calls setlocale(), installs signal handlers, forks, waits on child
 *    processes or writes to stdout/stderr. Numbers in RON and JSON are formatted without
 *    the C locale, so a host's LC_NUMERIC does not change the output.
 *  - Determinism: the same image bytes and options give byte-identical themes and
 *    rendered text (timings aside) on every run, thread count and instruction set.
 *
 * What a host must not do: destroy a context while another thread is still inside a
 * call on it; use a theme after covertheme_theme_free(); call any function from a
 * signal handler.
 */
#ifndef COVERTHEME_H
#define COVERTHEME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define COVERTHEME_API __attribute__((visibility("default")))
#else
#define COVERTHEME_API
#endif

/* ---- Versions ------------------------------------------------------------------- */

#define COVERTHEME_VERSION_MAJOR 0
#define COVERTHEME_VERSION_MINOR 1
#define COVERTHEME_VERSION_PATCH 0
/* major*10000 + minor*100 + patch, as zstd does. */
#define COVERTHEME_VERSION_NUMBER \
    (COVERTHEME_VERSION_MAJOR * 10000 + COVERTHEME_VERSION_MINOR * 100 + COVERTHEME_VERSION_PATCH)

/* The ABI version. It only grows when functions or struct members are *added*; a change
 * that would break a compiled host changes the SONAME instead (libcovertheme.so.2). */
#define COVERTHEME_ABI_VERSION 1

/*! covertheme_version_number() :
 *  @return COVERTHEME_VERSION_NUMBER of the loaded library (may differ from the header). */
COVERTHEME_API unsigned covertheme_version_number(void);

/*! covertheme_version_string() :
 *  @return "MAJOR.MINOR.PATCH" of the loaded library; a static string, valid forever. */
COVERTHEME_API const char *covertheme_version_string(void);

/*! covertheme_abi_version() :
 *  @return the highest COVERTHEME_ABI_VERSION the loaded library implements. A host built
 *  against ABI N may use the library when this returns >= N. */
COVERTHEME_API unsigned covertheme_abi_version(void);

/* ---- Errors --------------------------------------------------------------------- */

/* Values are stable: new codes are only ever added below the last one. */
enum covertheme_error {
    COVERTHEME_OK = 0,
    COVERTHEME_ERR_INVALID_ARGUMENT = -1,   /* NULL pointer, unknown option, value out of range */
    COVERTHEME_ERR_NO_MEMORY = -2,          /* an allocation failed */
    COVERTHEME_ERR_NOT_FOUND = -3,          /* the image file does not exist */
    COVERTHEME_ERR_IO = -4,                 /* the file could not be opened or read (permissions, directory, I/O error) */
    COVERTHEME_ERR_EMPTY_INPUT = -5,        /* zero bytes of image data */
    COVERTHEME_ERR_UNSUPPORTED_FORMAT = -6, /* not PNG, JPEG or WebP (or an unsupported variant such as animated WebP) */
    COVERTHEME_ERR_CORRUPT_IMAGE = -7,      /* the decoder rejected the data: truncated, malformed, bad checksum */
    COVERTHEME_ERR_LIMIT_EXCEEDED = -8,     /* the image or file is larger than the limits set on the context */
    COVERTHEME_ERR_WRITE = -9,              /* an output file could not be written; the old file is untouched */
    COVERTHEME_ERR_INTERNAL = -10           /* a bug in covertheme; please report it */
};

/*! covertheme_strerror() :
 *  @return a short static English description of `code` ("no error" for >= 0, "unknown
 *  error" for a code this library does not know). Valid forever; never NULL. */
COVERTHEME_API const char *covertheme_strerror(int code);

/* ---- Context -------------------------------------------------------------------- */

typedef struct covertheme_ctx covertheme_ctx;

/*! covertheme_create() :
 *  Creates a context holding options with their defaults. A context is where per-call
 *  memory, caches and worker threads live, so a host creates one at start-up and keeps it.
 *  @return the context, or NULL when out of memory. Release with covertheme_destroy(). */
COVERTHEME_API covertheme_ctx *covertheme_create(void);

/*! covertheme_destroy() :
 *  Releases a context and everything it owns. Themes already returned stay valid (they are
 *  independent allocations). NULL is accepted and ignored. No other thread may be inside a
 *  call on `ctx` when this is called. */
COVERTHEME_API void covertheme_destroy(covertheme_ctx *ctx);

/* ---- Options (typed setters, like ZSTD_CCtx_setParameter) -------------------------- */

/* Option identifiers are stable; new options are only ever added. Values are sticky:
 * they stay until set again or until covertheme_reset_options(). */
enum covertheme_option {
    /* Number of k-means clusters, 1..256, default 30 (the reference tool's). The effective k
     * is also clamped to the number of distinct sampled colours. */
    COVERTHEME_OPT_K = 1,
    /* Clustering colour space, enum covertheme_space, default COVERTHEME_SPACE_CIELAB. */
    COVERTHEME_OPT_COLOR_SPACE = 2,
    /* Background policy, enum covertheme_bg_policy, default COVERTHEME_BG_TINTED. */
    COVERTHEME_OPT_BG_POLICY = 3,
    /* Seed of the k-means++ initialisation, 0..2^63-1, default 1. */
    COVERTHEME_OPT_SEED = 4,
    /* Threads a call may use, the calling thread included, 0..64; 0 = one per online CPU
     * (default), 1 = never hand work to another thread. The clustering is split into fixed
     * blocks whose results are combined in block order, so the theme is the same for every
     * value; only the time changes. A changed value takes effect at the next call (the
     * context's pool is restarted with the new size). */
    COVERTHEME_OPT_THREADS = 5,
    /* Maximum Lloyd iterations, 1..1000, default 40 (the reference tool's). */
    COVERTHEME_OPT_MAX_ITERATIONS = 6,
    /* Upper bound on sampled pixels, 1..16777216, default 65536. Pixels are taken on a
     * regular grid whose step is chosen so the sample count stays under this bound. */
    COVERTHEME_OPT_MAX_SAMPLES = 7,
    /* Largest accepted image, in pixels (width*height), 1..1073741824, default 100000000. */
    COVERTHEME_OPT_MAX_PIXELS = 8,
    /* Largest accepted input, in bytes, 1..2^40, default 268435456 (256 MiB). */
    COVERTHEME_OPT_MAX_INPUT_BYTES = 9,
    /* Themes kept by the context's cover cache, 0..64, default 8; 0 turns the cache off.
     * Lowering it frees the least recently used entries at once. See "The cover cache"
     * below covertheme_generate_buffer(). */
    COVERTHEME_OPT_CACHE_ENTRIES = 10
};

enum covertheme_space {
    COVERTHEME_SPACE_CIELAB = 0,
    COVERTHEME_SPACE_RGB = 1,
    COVERTHEME_SPACE_HSL = 2,
    COVERTHEME_SPACE_HSV = 3,
    COVERTHEME_SPACE_YUV = 4,
    COVERTHEME_SPACE_CIELUV = 5
};

enum covertheme_bg_policy {
    COVERTHEME_BG_TINTED = 0,   /* cover hue, lightness moved into a dark or light band */
    COVERTHEME_BG_FAITHFUL = 1, /* the reference tool's choice, colour used as is */
    COVERTHEME_BG_DARK = 2,     /* tinted, always the dark band */
    COVERTHEME_BG_LIGHT = 3     /* tinted, always the light band */
};

/*! covertheme_set_option() :
 *  Sets one option on the context; it applies to every later call.
 *  @return COVERTHEME_OK, or COVERTHEME_ERR_INVALID_ARGUMENT (NULL ctx, unknown option,
 *  value out of range; the option then keeps its previous value). */
COVERTHEME_API int covertheme_set_option(covertheme_ctx *ctx, int option, int64_t value);

/*! covertheme_get_option() :
 *  Writes the current value of `option` to *value.
 *  @return COVERTHEME_OK or COVERTHEME_ERR_INVALID_ARGUMENT. */
COVERTHEME_API int covertheme_get_option(const covertheme_ctx *ctx, int option, int64_t *value);

/*! covertheme_reset_options() : puts every option back to its default. */
COVERTHEME_API int covertheme_reset_options(covertheme_ctx *ctx);

/*! covertheme_space_from_name() :
 *  Parses a colour-space name the way the reference tool's --space does, ignoring case:
 *  CIELAB/LAB, RGB, HSL, HSV, YUV, CIELUV/LUV.
 *  @return an enum covertheme_space value, or COVERTHEME_ERR_INVALID_ARGUMENT. */
COVERTHEME_API int covertheme_space_from_name(const char *name);

/*! covertheme_space_name() : canonical upper-case name ("CIELAB"...), or NULL if unknown. */
COVERTHEME_API const char *covertheme_space_name(int space);

/*! covertheme_bg_policy_from_name() : "tinted", "faithful", "dark", "light" (any case).
 *  @return an enum covertheme_bg_policy value or COVERTHEME_ERR_INVALID_ARGUMENT. */
COVERTHEME_API int covertheme_bg_policy_from_name(const char *name);

/*! covertheme_bg_policy_name() : lower-case policy name, or NULL if unknown. */
COVERTHEME_API const char *covertheme_bg_policy_name(int policy);

/* ---- The theme ------------------------------------------------------------------ */

/* Colour roles; see docs in README.md for what each guarantees. Values are stable and
 * index covertheme_theme.roles. Later versions may add roles after the last one, so loop
 * to theme->role_count, not to a constant. */
enum covertheme_role {
    COVERTHEME_ROLE_BACKGROUND = 0,     /* page, header and modal background */
    COVERTHEME_ROLE_TEXT = 1,           /* body text; >= 4.5:1 vs background (>= 7 unless faithful) */
    COVERTHEME_ROLE_ACCENT = 2,         /* emphasised text; >= 4.5:1 vs background */
    COVERTHEME_ROLE_HEADER_ACCENT = 3,  /* header labels; >= 4.5:1 vs background */
    COVERTHEME_ROLE_ACTIVE = 4,         /* selected row / active tab background; >= 3:1 vs background */
    COVERTHEME_ROLE_HIGHLIGHT_TEXT = 5, /* text on `active`; >= 4.5:1 vs active */
    COVERTHEME_ROLE_INACTIVE = 6,       /* dimmed text; >= 3:1 vs background, below text's contrast */
    COVERTHEME_ROLE_FRAME = 7,          /* borders, separators, tracks; >= 3:1 vs background */
    COVERTHEME_ROLE_PROGRESS = 8,       /* progress elapsed and scrollbar thumb; >= 3:1, distinct from frame */
    COVERTHEME_ROLE_WARN = 9,           /* log levels: >= 4.5:1, hue of their meaning */
    COVERTHEME_ROLE_ERROR = 10,
    COVERTHEME_ROLE_DEBUG = 11,
    COVERTHEME_ROLE_TRACE = 12,
    COVERTHEME_ROLE_COUNT_V1 = 13       /* number of roles in ABI 1; use theme->role_count */
};

/*! covertheme_role_name() : lower-case role name ("background", "highlight_text"...),
 *  or NULL for an unknown role. Static string. */
COVERTHEME_API const char *covertheme_role_name(int role);

typedef struct covertheme_rgb {
    uint8_t r, g, b;
} covertheme_rgb;

/* Flags of a role colour. */
#define COVERTHEME_ROLE_FROM_CLUSTER 0x1u /* hue taken from a palette cluster (source_cluster) */
#define COVERTHEME_ROLE_ADJUSTED 0x2u     /* lightness or chroma moved to meet its guarantees */
#define COVERTHEME_ROLE_YIELDED 0x4u      /* a hue/chroma wish gave way to a contrast minimum */

typedef struct covertheme_role_color {
    covertheme_rgb rgb;
    uint8_t reserved;
    uint32_t flags;            /* COVERTHEME_ROLE_* flags */
    int32_t source_cluster;    /* index into palette, or -1 */
    float contrast_background; /* WCAG ratio vs the background (1 for the background itself) */
    float contrast_text;       /* WCAG ratio vs the text colour */
    float contrast_active;     /* WCAG ratio vs the active colour */
    float oklch[3];            /* OKLCH of the 8-bit colour: L 0..1, C, hue in degrees [0,360) */
    const char *origin;        /* how it was derived, e.g. "cluster:3 L+0.120"; owned by the theme */
} covertheme_role_color;

typedef struct covertheme_cluster {
    covertheme_rgb rgb;        /* centroid as 8-bit sRGB */
    uint8_t reserved;
    uint32_t count;            /* samples assigned to it */
    float share;               /* count / sample_count */
    float lab[3];              /* CIELAB (D65) of the 8-bit colour */
    float oklch[3];            /* OKLCH of the 8-bit colour */
    float hsv[3];              /* HSV: hue degrees, s and v 0..1 */
} covertheme_cluster;

/* Per-stage wall-clock times of the call that produced a theme, in nanoseconds. A theme
 * served from the cover cache reports that call: read_ns as usual, decode_ns through
 * roles_ns 0, total_ns the whole call (read, hash and copy). decode_ns == 0 is the signal
 * of a cache hit: a decode always takes some time. */
typedef struct covertheme_timings {
    uint64_t read_ns;          /* reading the file (0 for buffers) */
    uint64_t decode_ns;        /* decoding, with the sampling of rows as they arrive; with two
                                * or more threads the colours are counted on another one
                                * meanwhile, and any counting left at the end is in here too */
    uint64_t sample_ns;        /* 0 since 0.2: sampling is part of decode_ns */
    uint64_t convert_ns;       /* samples into the weighted colour histogram (clustering space);
                                * with two or more threads, only what is left after the decode */
    uint64_t cluster_ns;       /* k-means++ restarts and Lloyd iterations */
    uint64_t roles_ns;
    uint64_t total_ns;
} covertheme_timings;

typedef enum covertheme_image_format {
    COVERTHEME_IMAGE_PNG = 1,
    COVERTHEME_IMAGE_JPEG = 2,
    COVERTHEME_IMAGE_WEBP = 3
} covertheme_image_format;

/* A generated theme. Read-only for the host; allocated as one block by the library and
 * released with covertheme_theme_free(). Members are only ever appended: check
 * struct_size before reading a member added after ABI 1. */
typedef struct covertheme_theme {
    uint32_t struct_size;      /* sizeof(covertheme_theme) of the library that made it */
    uint32_t abi_version;      /* COVERTHEME_ABI_VERSION of the library that made it */

    uint32_t role_count;       /* entries in roles (>= COVERTHEME_ROLE_COUNT_V1) */
    const covertheme_role_color *roles; /* indexed by enum covertheme_role */

    uint32_t palette_count;    /* clusters, most samples first; 0 for a fully transparent image */
    const covertheme_cluster *palette;

    uint32_t image_width, image_height;
    uint32_t image_format;     /* covertheme_image_format */
    uint32_t sample_count;     /* pixels that took part in clustering */
    uint32_t iterations;       /* Lloyd iterations run */
    uint32_t k_requested;      /* COVERTHEME_OPT_K at the time of the call */
    uint32_t k_effective;      /* after clamping to distinct colours */
    int32_t color_space;       /* enum covertheme_space used */
    int32_t bg_policy;         /* enum covertheme_bg_policy used */
    uint32_t reserved0;
    uint64_t seed;
    covertheme_timings timings;
} covertheme_theme;

/*! covertheme_generate_file() :
 *  Reads the image at `path` (PNG, JPEG or WebP; the format is sniffed from the bytes, not
 *  the name), and computes a theme with the context's options.
 *  @param out receives the theme on success and NULL on failure; release the theme with
 *         covertheme_theme_free().
 *  @return COVERTHEME_OK or a negative covertheme_error; covertheme_last_error(ctx) then
 *  says which file and what went wrong. */
COVERTHEME_API int covertheme_generate_file(covertheme_ctx *ctx, const char *path,
                                            covertheme_theme **out);

/*! covertheme_generate_buffer() :
 *  Same as covertheme_generate_file() for image bytes already in memory (MPD's
 *  `albumart`/`readpicture`, mpv's embedded art). `data` is only read during the call.
 *  size 0 gives COVERTHEME_ERR_EMPTY_INPUT. */
COVERTHEME_API int covertheme_generate_buffer(covertheme_ctx *ctx, const void *data, size_t size,
                                              covertheme_theme **out);

/* The cover cache.
 *  A context remembers the themes of the last COVERTHEME_OPT_CACHE_ENTRIES covers (8 by
 *  default), so a cover seen again (the next track of the same album, a repeat) costs a
 *  read and a hash of its bytes instead of a decode and a clustering.
 *  - Keyed by content, never by path: players write every cover to the same file, so the
 *    bytes are read and hashed on every call; generate_file and generate_buffer share it.
 *    The key is a 128-bit hash (MurmurHash3 x64_128) of the bytes, their length, and every
 *    option that changes the theme: K, COLOR_SPACE, BG_POLICY, SEED, MAX_ITERATIONS and
 *    MAX_SAMPLES (THREADS does not; MAX_PIXELS and MAX_INPUT_BYTES are checked on every
 *    call, hit or not). Changing an option does not drop entries; those of other values
 *    just stop matching. The bytes are not kept, so two different covers are confused only
 *    when their hashes and lengths are equal: < 2e-37 per call by chance. The hash is not
 *    cryptographic: two covers crafted to collide could swap their themes in one context.
 *  - A hit gives exactly the theme (and rendered text, timings aside) the computation
 *    would: same bytes and options, same theme. Each returned theme is an independent
 *    copy, released with covertheme_theme_free() as always, valid after the context is
 *    destroyed. Only successful calls are cached.
 *  - Memory: entries x one theme, about 4 KB plus 48 bytes per palette colour (at most
 *    ~16 KB at k = 256): 8 entries of k = 30 are ~44 KB, 64 entries at most ~1 MB.
 *    covertheme_destroy() frees it.
 *  - Cost: a hit is the read (for files), a hash at several GB/s and a copy of a few KB.
 *    Benchmarks of the computation set COVERTHEME_OPT_CACHE_ENTRIES to 0. */

/*! covertheme_theme_free() : releases a theme. NULL is accepted and ignored. */
COVERTHEME_API void covertheme_theme_free(covertheme_theme *theme);

/*! covertheme_last_error() :
 *  @return a description of the most recent failed call that the *calling thread* made on
 *  `ctx` ("" if its last call on ctx succeeded or it made none). Each thread remembers this
 *  for the 8 contexts it failed on most recently. The string belongs to the library and stays
 *  valid until the calling thread's next call into covertheme. Never NULL. */
COVERTHEME_API const char *covertheme_last_error(const covertheme_ctx *ctx);

/* ---- Rendering ------------------------------------------------------------------ */

typedef enum covertheme_format {
    /* rmpc theme, full shape: loads on rmpc 0.9, 0.10, 0.11 and the development version
     * and recolours every visible element (ships header rows and a layout). */
    COVERTHEME_FORMAT_RON = 1,
    /* rmpc theme, palette-only shape: only colour fields; keeps the user's layout. Needs
     * rmpc 0.11 or later (older versions require structural fields). */
    COVERTHEME_FORMAT_RON_PALETTE = 2,
    /* JSON analysis: the reference tool's schema plus covertheme's own fields. */
    COVERTHEME_FORMAT_JSON = 3
} covertheme_format;

/* Render flags (bitwise OR). */
#define COVERTHEME_RENDER_NO_SCROLLBAR 0x1u /* RON: `scrollbar: None`; JSON: scrollbarEnabled false */
#define COVERTHEME_RENDER_DEBUG 0x2u        /* JSON: add the `debug` block */
#define COVERTHEME_RENDER_NO_TIMINGS 0x4u   /* JSON: write 0 for durations, for byte-comparable output */

/*! covertheme_render() :
 *  Renders `theme` as text. Pure: depends only on the theme, format and flags.
 *  @param out receives a NUL-terminated string allocated by the library; release it with
 *         covertheme_free(). Set to NULL on failure.
 *  @param len if not NULL, receives strlen(*out).
 *  @return COVERTHEME_OK, COVERTHEME_ERR_INVALID_ARGUMENT (unknown format or flag, NULL
 *  pointer) or COVERTHEME_ERR_NO_MEMORY. */
COVERTHEME_API int covertheme_render(const covertheme_theme *theme, int format, unsigned flags,
                                     char **out, size_t *len);

/*! covertheme_render_to_file() :
 *  Renders and writes to `path` atomically: a temporary file in the same directory is
 *  written, fsync'ed and renamed over `path`, then `path` is opened for append and closed
 *  so that watchers relying on IN_CLOSE_WRITE (rmpc's hot reload) see the change. On any
 *  failure `path` keeps its previous content and no temporary file is left behind. Missing
 *  parent directories are not created. If `path` is a symbolic link, the file it points to
 *  is replaced and the link kept. A path that names a device or pipe (/dev/stdout, a FIFO)
 *  is written to directly, without the atomic replacement; a directory is an error.
 *  @return COVERTHEME_OK, COVERTHEME_ERR_INVALID_ARGUMENT, COVERTHEME_ERR_NO_MEMORY or
 *  COVERTHEME_ERR_WRITE (detail in covertheme_last_error(ctx) when ctx is not NULL). */
COVERTHEME_API int covertheme_render_to_file(covertheme_ctx *ctx, const covertheme_theme *theme,
                                             int format, unsigned flags, const char *path);

/*! covertheme_free() : releases text returned by covertheme_render(). NULL is ignored. */
COVERTHEME_API void covertheme_free(void *p);

/* ---- The dlopen entry point ------------------------------------------------------ */

/* A table of every function above. Members are only ever appended; `struct_size` tells a
 * host compiled against a newer header which members this library has. */
typedef struct covertheme_api {
    uint32_t struct_size;  /* sizeof(covertheme_api) in the library */
    uint32_t abi_version;  /* COVERTHEME_ABI_VERSION of the library */
    unsigned (*version_number)(void);
    const char *(*version_string)(void);
    unsigned (*abi_version_fn)(void);
    const char *(*strerror)(int code);
    covertheme_ctx *(*create)(void);
    void (*destroy)(covertheme_ctx *ctx);
    int (*set_option)(covertheme_ctx *ctx, int option, int64_t value);
    int (*get_option)(const covertheme_ctx *ctx, int option, int64_t *value);
    int (*reset_options)(covertheme_ctx *ctx);
    int (*space_from_name)(const char *name);
    const char *(*space_name)(int space);
    int (*bg_policy_from_name)(const char *name);
    const char *(*bg_policy_name)(int policy);
    const char *(*role_name)(int role);
    int (*generate_file)(covertheme_ctx *ctx, const char *path, covertheme_theme **out);
    int (*generate_buffer)(covertheme_ctx *ctx, const void *data, size_t size,
                           covertheme_theme **out);
    void (*theme_free)(covertheme_theme *theme);
    const char *(*last_error)(const covertheme_ctx *ctx);
    int (*render)(const covertheme_theme *theme, int format, unsigned flags, char **out,
                  size_t *len);
    int (*render_to_file)(covertheme_ctx *ctx, const covertheme_theme *theme, int format,
                          unsigned flags, const char *path);
    void (*free)(void *p);
} covertheme_api;

typedef const covertheme_api *(*covertheme_get_api_fn)(unsigned abi_version);

/*! covertheme_get_api() :
 *  The one symbol a dlopen host looks up.
 *  @param abi_version the COVERTHEME_ABI_VERSION the host was compiled with.
 *  @return a static table valid until the library is unloaded, or NULL when the library is
 *  older than `abi_version` (or abi_version is 0). */
COVERTHEME_API const covertheme_api *covertheme_get_api(unsigned abi_version);

#ifdef __cplusplus
}
#endif
#endif /* COVERTHEME_H */
