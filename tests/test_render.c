/*
 * test_render.c — the RON and JSON renderers on hand-built themes (no decoder, no solver).
 *
 * The RON output is parsed by a small RON reader written here (strings, chars, comments,
 * named/unnamed structs, lists, maps; balanced brackets; no duplicate fields) and then
 * checked against rmpc's rules from docs/rmpc.md: field names per struct from an
 * allow-list, colours as lower-case #rrggbb, array lengths that do not crash rmpc, the role
 * -> field mapping, only enum variants that exist since rmpc 0.9 in the full shape.
 * The JSON output is parsed by a strict RFC 8259 reader and checked against the reference
 * tool's schema plus covertheme's fields. Both checkers are themselves tested on bad input
 * so a checker that accepts everything cannot go unnoticed.
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/color.h"
#include "../core/render.h"
#include "../core/theme_private.h"
#include "suites.h"

/* ====================================================================================
 * A parsed document (shared by the RON and JSON readers)
 * ==================================================================================== */

enum node_type {
    N_STR,    /* text = unescaped string */
    N_CHAR,   /* RON 'c' */
    N_NUM,    /* text = the number as written */
    N_IDENT,  /* RON bare identifier (true, None, Vertical, ...) */
    N_STRUCT, /* RON (..) or Name(..); text = name or "" */
    N_LIST,   /* RON [..], JSON array */
    N_MAP,    /* RON {..} */
    N_OBJ,    /* JSON object */
    N_TRUE,
    N_FALSE,
    N_NULL
};

typedef struct node {
    enum node_type type;
    char *text;
    size_t n, cap;
    char **keys; /* field name / object key per child, NULL for positional children */
    struct node **kids;
} node;

static node *node_new(enum node_type type)
{
    node *n = calloc(1, sizeof *n);
    ck_assert_ptr_nonnull(n);
    n->type = type;
    return n;
}

static void node_free(node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        free(n->keys[i]);
        node_free(n->kids[i]);
    }
    free(n->keys);
    free(n->kids);
    free(n->text);
    free(n);
}

static void node_add(node *parent, char *key, node *kid)
{
    if (parent->n == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 8;
        parent->keys = realloc(parent->keys, parent->cap * sizeof *parent->keys);
        parent->kids = realloc(parent->kids, parent->cap * sizeof *parent->kids);
        ck_assert(parent->keys && parent->kids);
    }
    parent->keys[parent->n] = key;
    parent->kids[parent->n] = kid;
    parent->n++;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    ck_assert_ptr_nonnull(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Child by field name / key. */
static node *field(const node *n, const char *name, size_t len)
{
    if (!n || (n->type != N_STRUCT && n->type != N_OBJ && n->type != N_MAP))
        return NULL;
    for (size_t i = 0; i < n->n; i++)
        if (n->keys[i] && strlen(n->keys[i]) == len && memcmp(n->keys[i], name, len) == 0)
            return n->kids[i];
    return NULL;
}

/* i-th list element, or i-th positional value of a struct. */
static node *item(const node *n, size_t idx)
{
    if (!n)
        return NULL;
    if (n->type == N_LIST)
        return idx < n->n ? n->kids[idx] : NULL;
    if (n->type == N_STRUCT) {
        for (size_t i = 0; i < n->n; i++)
            if (!n->keys[i] && idx-- == 0)
                return n->kids[i];
    }
    return NULL;
}

/* "a.b[2].c[0][1]" — names select fields, [i] selects list items / positional values. */
static node *get(const node *root, const char *path)
{
    const node *n = root;
    const char *p = path;
    while (n && *p) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            char *end;
            unsigned long idx = strtoul(p + 1, &end, 10);
            ck_assert_msg(*end == ']', "bad path %s", path);
            n = item(n, idx);
            p = end + 1;
        } else {
            size_t len = strcspn(p, ".[");
            n = field(n, p, len);
            p += len;
        }
    }
    return (node *)n;
}

/* The string at `path`, or NULL when missing or not a string. */
static const char *get_str(const node *root, const char *path)
{
    const node *n = get(root, path);
    return n && n->type == N_STR ? n->text : NULL;
}

/* ====================================================================================
 * RON reader
 * ==================================================================================== */

typedef struct rp {
    const char *s;
    size_t i, n;
    int ok;
    int depth;
    char why[200];
} rp;

static void rp_fail(rp *p, const char *why)
{
    if (p->ok) {
        p->ok = 0;
        snprintf(p->why, sizeof p->why, "%s at byte %zu", why, p->i);
    }
}

/* Whitespace and comments. */
static void rp_ws(rp *p)
{
    while (p->ok && p->i < p->n) {
        char c = p->s[p->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p->i++;
        } else if (c == '/' && p->i + 1 < p->n && p->s[p->i + 1] == '/') {
            while (p->i < p->n && p->s[p->i] != '\n')
                p->i++;
        } else if (c == '/' && p->i + 1 < p->n && p->s[p->i + 1] == '*') {
            const char *end = strstr(p->s + p->i + 2, "*/");
            if (!end) {
                rp_fail(p, "unterminated block comment");
                return;
            }
            p->i = (size_t)(end - p->s) + 2;
        } else {
            return;
        }
    }
}

static int is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static size_t rp_ident_len(const rp *p)
{
    size_t j = p->i;
    if (j >= p->n || !is_ident_start(p->s[j]))
        return 0;
    while (j < p->n && is_ident_char(p->s[j]))
        j++;
    return j - p->i;
}

static node *rp_value(rp *p);

static node *rp_string(rp *p)
{
    char quote = p->s[p->i++];
    size_t start = p->i;
    while (p->i < p->n && p->s[p->i] != quote) {
        if (p->s[p->i] == '\\') {
            char e = p->i + 1 < p->n ? p->s[p->i + 1] : '\0';
            if (!strchr("\"'\\ntr0u", e)) {
                rp_fail(p, "bad escape");
                return NULL;
            }
            p->i++;
        }
        p->i++;
    }
    if (p->i >= p->n) {
        rp_fail(p, "unterminated string");
        return NULL;
    }
    node *n = node_new(quote == '"' ? N_STR : N_CHAR);
    n->text = dup_n(p->s + start, p->i - start); /* escapes kept as written: enough here */
    p->i++;
    if (quote == '\'') {
        /* One character: one UTF-8 sequence or one escape. */
        const unsigned char *t = (const unsigned char *)n->text;
        size_t len = strlen(n->text);
        size_t want = t[0] == '\\' ? 2 : t[0] < 0x80 ? 1 : t[0] < 0xe0 ? 2 : t[0] < 0xf0 ? 3 : 4;
        if (len != want)
            rp_fail(p, "char literal is not one character");
    }
    return n;
}

static node *rp_number(rp *p)
{
    size_t start = p->i;
    if (p->s[p->i] == '-' || p->s[p->i] == '+')
        p->i++;
    size_t digits = p->i;
    while (p->i < p->n && strchr("0123456789._eE", p->s[p->i]))
        p->i++;
    if (p->i == digits) {
        rp_fail(p, "bad number");
        return NULL;
    }
    node *n = node_new(N_NUM);
    n->text = dup_n(p->s + start, p->i - start);
    return n;
}

/* Elements up to `close`, separated by commas, trailing comma allowed. In structs an
 * element may be `name: value`; a struct is either all named or all positional. */
static void rp_elements(rp *p, node *n, char close)
{
    int named = -1;
    for (;;) {
        rp_ws(p);
        if (!p->ok)
            return;
        if (p->i >= p->n) {
            rp_fail(p, "unbalanced: missing closing bracket");
            return;
        }
        if (p->s[p->i] == close) {
            p->i++;
            return;
        }
        char *key = NULL;
        if (n->type == N_STRUCT) {
            size_t len = rp_ident_len(p);
            size_t save = p->i;
            if (len) {
                p->i += len;
                rp_ws(p);
                if (p->i < p->n && p->s[p->i] == ':' &&
                    !(p->i + 1 < p->n && p->s[p->i + 1] == ':')) {
                    key = dup_n(p->s + save, len);
                    p->i++;
                } else {
                    p->i = save;
                }
            }
            int this_named = key != NULL;
            if (named >= 0 && named != this_named) {
                free(key);
                rp_fail(p, "struct mixes named and positional values");
                return;
            }
            named = this_named;
            if (key && field(n, key, strlen(key))) {
                free(key);
                rp_fail(p, "duplicate field");
                return;
            }
        } else if (n->type == N_MAP) {
            node *k = rp_value(p);
            if (!k)
                return;
            key = k->text ? dup_n(k->text, strlen(k->text)) : dup_n("", 0);
            node_free(k);
            rp_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                free(key);
                rp_fail(p, "map entry without ':'");
                return;
            }
            p->i++;
        }
        node *v = rp_value(p);
        if (!v) {
            free(key);
            return;
        }
        node_add(n, key, v);
        rp_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
        } else if (p->i < p->n && p->s[p->i] == close) {
            /* closed on the next iteration */
        } else {
            rp_fail(p, p->i >= p->n ? "unbalanced: missing closing bracket"
                                    : "expected ',' or a closing bracket");
            return;
        }
    }
}

static node *rp_value(rp *p)
{
    rp_ws(p);
    if (!p->ok)
        return NULL;
    if (p->i >= p->n) {
        rp_fail(p, "unexpected end");
        return NULL;
    }
    if (++p->depth > 64) {
        rp_fail(p, "nesting too deep");
        return NULL;
    }
    node *n = NULL;
    char c = p->s[p->i];
    if (c == '"' || c == '\'') {
        n = rp_string(p);
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
        n = rp_number(p);
    } else if (c == '[' || c == '{' || c == '(') {
        p->i++;
        n = node_new(c == '[' ? N_LIST : c == '{' ? N_MAP : N_STRUCT);
        n->text = dup_n("", 0);
        rp_elements(p, n, c == '[' ? ']' : c == '{' ? '}' : ')');
    } else if (is_ident_start(c)) {
        size_t len = rp_ident_len(p);
        char *name = dup_n(p->s + p->i, len);
        p->i += len;
        size_t save = p->i;
        rp_ws(p);
        if (p->i < p->n && p->s[p->i] == '(') {
            p->i++;
            n = node_new(N_STRUCT);
            n->text = name;
            rp_elements(p, n, ')');
        } else {
            p->i = save;
            n = node_new(N_IDENT);
            n->text = name;
        }
    } else {
        rp_fail(p, "unexpected character (stray closing bracket?)");
    }
    p->depth--;
    if (!p->ok) {
        node_free(n);
        return NULL;
    }
    return n;
}

/* Parses a whole RON file: leading #![...] attributes, one value, nothing after it. */
static node *ron_parse(const char *text, char *why, size_t why_len)
{
    rp p = {.s = text, .n = strlen(text), .ok = 1};
    for (;;) {
        rp_ws(&p);
        if (p.i + 2 < p.n && p.s[p.i] == '#' && p.s[p.i + 1] == '!' && p.s[p.i + 2] == '[') {
            p.i += 2;
            node *attr = rp_value(&p);
            node_free(attr);
            if (!p.ok)
                break;
        } else {
            break;
        }
    }
    node *root = p.ok ? rp_value(&p) : NULL;
    rp_ws(&p);
    if (p.ok && p.i != p.n)
        rp_fail(&p, "text after the top-level value (unbalanced?)");
    if (!p.ok) {
        node_free(root);
        snprintf(why, why_len, "%s", p.why);
        return NULL;
    }
    return root;
}

/* ---- rmpc's field names per struct (docs/rmpc.md §1.4-§1.8) ------------------------- */

static const struct {
    const char *ctx;   /* enclosing field name ("x[]" for list items) or struct name */
    const char *names; /* space separated */
} RMPC_FIELDS[] = {
    {"", "draw_borders symbols tab_bar progress_bar scrollbar browser_column_widths "
         "browser_song_format background_color text_color preview_label_style "
         "preview_metadata_group_style header_background_color modal_background_color "
         "modal_backdrop borders_style highlighted_item_style current_item_style "
         "highlight_border_style show_song_table_header song_table_format "
         "song_table_album_separator header_column_widths header default_album_art_path "
         "layout components format_tag_separator multiple_tag_resolution_strategy "
         "level_styles lyrics cava border_symbol_sets"},
    {"symbols", "song dir playlist marker ellipsis song_style dir_style playlist_style "
                "marker_style song_highlighted_style dir_highlighted_style "
                "playlist_highlighted_style marker_highlighted_style song_current_style "
                "dir_current_style playlist_current_style marker_current_style"},
    {"tab_bar", "enabled active_style inactive_style"},
    {"progress_bar", "symbols elapsed_style thumb_style track_style use_track_when_empty"},
    {"scrollbar", "symbols track_style ends_style thumb_style"},
    {"level_styles", "trace debug warn error info"},
    {"song_table_format[]", "prop label label_prop width width_percent alignment scroll_speed"},
    {"prop", "kind style default"},
    {"default", "kind style default"},
    {"label_prop", "kind style default"},
    {"left[]", "kind style default"},
    {"center[]", "kind style default"},
    {"right[]", "kind style default"},
    {"header", "rows"},
    {"rows[]", "left center right"},
    {"StateV2", "playing_label paused_label stopped_label playing_style paused_style "
                "stopped_style"},
    {"States", "active_style separator_style"},
    {"Split", "direction borders panes"},
    {"panes[]", "size pane borders background_color border_style border_active_style "
                "border_title border_title_position border_title_alignment border_symbols"},
    {"lyrics", "timestamp alignment"},
    {"cava", "bar_symbols inverted_bar_symbols inverted_bar_as_mask bg_color bar_color "
             "bar_spacing bar_width orientation"},
};

/* Enum variants and struct names that exist since rmpc 0.9 (what the full shape may use). */
static const char *const VARIANTS_SINCE_0_9 =
    " Property Status Song Widget Text Group StateV2 States Volume Elapsed Duration Bitrate"
    " Title Artist Album Track Filename Split Pane Header Tabs TabContent ProgressBar Queue"
    " Vertical Horizontal Left Center Right None true false ";

static int is_style_ctx(const char *ctx)
{
    size_t len = strlen(ctx);
    return strcmp(ctx, "style") == 0 || strcmp(ctx, "trace") == 0 || strcmp(ctx, "debug") == 0 ||
           strcmp(ctx, "warn") == 0 || strcmp(ctx, "error") == 0 || strcmp(ctx, "info") == 0 ||
           (len > 6 && strcmp(ctx + len - 6, "_style") == 0);
}

static int word_in(const char *list, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p++) {
        int start_ok = p == list || p[-1] == ' ';
        int end_ok = p[len] == ' ' || p[len] == '\0';
        if (start_ok && end_ok)
            return 1;
    }
    return 0;
}

/* Whether `name` may appear in a struct reached through `ctx`. */
static int field_allowed(const char *ctx, const char *name)
{
    if (is_style_ctx(ctx))
        return word_in("fg bg modifiers", name);
    for (size_t i = 0; i < sizeof RMPC_FIELDS / sizeof RMPC_FIELDS[0]; i++)
        if (strcmp(RMPC_FIELDS[i].ctx, ctx) == 0)
            return word_in(RMPC_FIELDS[i].names, name);
    return 0;
}

static int is_hex_colour(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return 0;
    for (int i = 1; i < 7; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Fields whose value must be a single colour string (cava's bar_color is a variant such as
 * Gradient({...}); the strings inside it are still checked by the '#' rule). */
static int is_colour_field(const char *name)
{
    size_t len = strlen(name);
    if (strcmp(name, "bar_color") == 0)
        return 0;
    return strcmp(name, "fg") == 0 || strcmp(name, "bg") == 0 ||
           (len > 6 && strcmp(name + len - 6, "_color") == 0);
}

typedef struct ron_check {
    int only_0_9_variants;
    char err[300];
} ron_check;

/* Walks the tree: field names against the allow-list, colours, variants. Returns 0 and
 * fills err on the first problem. */
static int ron_walk(const node *n, const char *ctx, ron_check *rc)
{
    if (n->type == N_STR && n->text[0] == '#' && !is_hex_colour(n->text)) {
        snprintf(rc->err, sizeof rc->err, "string \"%s\" starts with '#' but is not #rrggbb",
                 n->text);
        return 0;
    }
    if (rc->only_0_9_variants && (n->type == N_IDENT || (n->type == N_STRUCT && n->text[0]))) {
        char word[80];
        snprintf(word, sizeof word, " %s ", n->text);
        if (!strstr(VARIANTS_SINCE_0_9, word)) {
            snprintf(rc->err, sizeof rc->err, "variant %s is not known to rmpc 0.9", n->text);
            return 0;
        }
    }
    if (n->type == N_STRUCT) {
        const char *sctx = n->text[0] ? n->text : ctx;
        for (size_t i = 0; i < n->n; i++) {
            const char *key = n->keys[i];
            if (key) {
                if (!field_allowed(sctx, key)) {
                    snprintf(rc->err, sizeof rc->err, "field `%s` is not an rmpc field in `%s`",
                             key, sctx[0] ? sctx : "(top level)");
                    return 0;
                }
                if (is_colour_field(key)) {
                    const node *v = n->kids[i];
                    if (v->type != N_STR || !is_hex_colour(v->text)) {
                        snprintf(rc->err, sizeof rc->err, "colour `%s` is not a \"#rrggbb\"",
                                 key);
                        return 0;
                    }
                }
            }
            /* Positional values (Property(...) contents) keep the enclosing context. */
            if (!ron_walk(n->kids[i], key ? key : sctx, rc))
                return 0;
        }
    } else if (n->type == N_LIST || n->type == N_MAP) {
        char sub[96];
        snprintf(sub, sizeof sub, "%s[]", ctx);
        for (size_t i = 0; i < n->n; i++)
            if (!ron_walk(n->kids[i], sub, rc))
                return 0;
    }
    return 1;
}

/* Parses and checks a RON text. Returns the tree (caller frees) or NULL with err set. */
static node *ron_check_text(const char *text, int only_0_9_variants, char *err, size_t err_len)
{
    node *root = ron_parse(text, err, err_len);
    if (!root)
        return NULL;
    if (root->type != N_STRUCT || root->text[0] != '\0') {
        snprintf(err, err_len, "top level is not an unnamed struct");
        node_free(root);
        return NULL;
    }
    ron_check rc = {.only_0_9_variants = only_0_9_variants};
    if (!ron_walk(root, "", &rc)) {
        snprintf(err, err_len, "%s", rc.err);
        node_free(root);
        return NULL;
    }
    return root;
}

/* ====================================================================================
 * JSON reader (strict RFC 8259)
 * ==================================================================================== */

static node *jp_value(rp *p);

static void jp_ws(rp *p)
{
    while (p->i < p->n && strchr(" \t\n\r", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static int is_hexdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char *jp_string_text(rp *p)
{
    if (p->i >= p->n || p->s[p->i] != '"') {
        rp_fail(p, "expected a string");
        return NULL;
    }
    p->i++;
    char *out = malloc(p->n - p->i + 1);
    ck_assert_ptr_nonnull(out);
    size_t o = 0;
    while (p->i < p->n && p->s[p->i] != '"') {
        unsigned char c = (unsigned char)p->s[p->i];
        if (c < 0x20) {
            rp_fail(p, "raw control character in string");
            free(out);
            return NULL;
        }
        if (c == '\\') {
            char e = p->i + 1 < p->n ? p->s[p->i + 1] : '\0';
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *hit = e ? strchr(from, e) : NULL;
            if (hit) {
                out[o++] = to[hit - from];
                p->i += 2;
            } else if (e == 'u' && p->i + 5 < p->n && is_hexdigit(p->s[p->i + 2]) &&
                       is_hexdigit(p->s[p->i + 3]) && is_hexdigit(p->s[p->i + 4]) &&
                       is_hexdigit(p->s[p->i + 5])) {
                unsigned long cp = strtoul((char[5]){p->s[p->i + 2], p->s[p->i + 3],
                                                     p->s[p->i + 4], p->s[p->i + 5], 0},
                                           NULL, 16);
                out[o++] = cp < 0x80 ? (char)cp : '?';
                p->i += 6;
            } else {
                rp_fail(p, "bad escape in string");
                free(out);
                return NULL;
            }
        } else {
            out[o++] = (char)c;
            p->i++;
        }
    }
    if (p->i >= p->n) {
        rp_fail(p, "unterminated string");
        free(out);
        return NULL;
    }
    p->i++;
    out[o] = '\0';
    return out;
}

static node *jp_number(rp *p)
{
    size_t start = p->i;
    if (p->s[p->i] == '-')
        p->i++;
    if (p->i < p->n && p->s[p->i] == '0') {
        p->i++;
    } else if (p->i < p->n && p->s[p->i] >= '1' && p->s[p->i] <= '9') {
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
    } else {
        rp_fail(p, "bad number");
        return NULL;
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d) {
            rp_fail(p, "no digits after '.'");
            return NULL;
        }
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == d) {
            rp_fail(p, "no digits in exponent");
            return NULL;
        }
    }
    node *n = node_new(N_NUM);
    n->text = dup_n(p->s + start, p->i - start);
    return n;
}

static node *jp_container(rp *p, int is_obj)
{
    char close = is_obj ? '}' : ']';
    node *n = node_new(is_obj ? N_OBJ : N_LIST);
    p->i++;
    jp_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return n;
    }
    for (;;) {
        char *key = NULL;
        jp_ws(p);
        if (is_obj) {
            key = jp_string_text(p);
            if (!key)
                break;
            if (field(n, key, strlen(key))) {
                rp_fail(p, "duplicate key");
                free(key);
                break;
            }
            jp_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                rp_fail(p, "expected ':'");
                free(key);
                break;
            }
            p->i++;
        }
        node *v = jp_value(p);
        if (!v) {
            free(key);
            break;
        }
        node_add(n, key, v);
        jp_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return n;
        }
        rp_fail(p, "expected ',' or closing bracket");
        break;
    }
    node_free(n);
    return NULL;
}

static node *jp_value(rp *p)
{
    jp_ws(p);
    if (p->i >= p->n) {
        rp_fail(p, "unexpected end");
        return NULL;
    }
    if (++p->depth > 64) {
        rp_fail(p, "nesting too deep");
        return NULL;
    }
    node *n = NULL;
    char c = p->s[p->i];
    if (c == '{' || c == '[') {
        n = jp_container(p, c == '{');
    } else if (c == '"') {
        char *s = jp_string_text(p);
        if (s) {
            n = node_new(N_STR);
            n->text = s;
        }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        n = jp_number(p);
    } else if (strncmp(p->s + p->i, "true", 4) == 0) {
        p->i += 4;
        n = node_new(N_TRUE);
    } else if (strncmp(p->s + p->i, "false", 5) == 0) {
        p->i += 5;
        n = node_new(N_FALSE);
    } else if (strncmp(p->s + p->i, "null", 4) == 0) {
        p->i += 4;
        n = node_new(N_NULL);
    } else {
        rp_fail(p, "unexpected character");
    }
    p->depth--;
    return n;
}

static node *json_parse(const char *text, char *why, size_t why_len)
{
    rp p = {.s = text, .n = strlen(text), .ok = 1};
    node *root = jp_value(&p);
    jp_ws(&p);
    if (p.ok && p.i != p.n)
        rp_fail(&p, "text after the top-level value");
    if (!p.ok) {
        node_free(root);
        snprintf(why, why_len, "%s", p.why);
        return NULL;
    }
    return root;
}

static double get_num(const node *root, const char *path)
{
    const node *n = get(root, path);
    ck_assert_msg(n && n->type == N_NUM, "no number at %s", path);
    return strtod(n->text, NULL);
}

/* Every number in the tree is a finite value (the grammar already excludes NaN/inf
 * tokens; this also catches overflowing literals such as 1e999). */
static int all_numbers_finite(const node *n)
{
    if (n->type == N_NUM && !isfinite(strtod(n->text, NULL)))
        return 0;
    for (size_t i = 0; i < n->n; i++)
        if (!all_numbers_finite(n->kids[i]))
            return 0;
    return 1;
}

/* ====================================================================================
 * Hand-built themes
 * ==================================================================================== */

/* Thirteen distinct role colours, so every mapping check identifies exactly one role. */
static const uint8_t ROLE_RGB[CT_ROLE_COUNT][3] = {
    {0x1b, 0x1d, 0x2b}, /* background */
    {0xd8, 0xda, 0xe8}, /* text */
    {0xe0, 0xa4, 0x58}, /* accent */
    {0x6f, 0xb3, 0xb8}, /* header_accent */
    {0x3a, 0x5f, 0x9c}, /* active */
    {0xf5, 0xf0, 0xe1}, /* highlight_text */
    {0x8a, 0x8f, 0xb0}, /* inactive */
    {0x5c, 0x61, 0x88}, /* frame */
    {0xc8, 0x64, 0x7d}, /* progress */
    {0xe5, 0xc0, 0x7b}, /* warn */
    {0xe0, 0x6c, 0x75}, /* error */
    {0x98, 0xc3, 0x79}, /* debug */
    {0xc6, 0x78, 0xdd}, /* trace */
};

enum { BG = COVERTHEME_ROLE_BACKGROUND, TX = COVERTHEME_ROLE_TEXT, AC = COVERTHEME_ROLE_ACCENT,
       HA = COVERTHEME_ROLE_HEADER_ACCENT, AV = COVERTHEME_ROLE_ACTIVE,
       HL = COVERTHEME_ROLE_HIGHLIGHT_TEXT, IN = COVERTHEME_ROLE_INACTIVE,
       FR = COVERTHEME_ROLE_FRAME, PR = COVERTHEME_ROLE_PROGRESS, WA = COVERTHEME_ROLE_WARN,
       ER = COVERTHEME_ROLE_ERROR, DB = COVERTHEME_ROLE_DEBUG, TR = COVERTHEME_ROLE_TRACE };

#define N_CLUSTERS 3

static ct_theme_block *make_theme(void)
{
    ct_theme_block *b = calloc(1, sizeof *b + N_CLUSTERS * sizeof(covertheme_cluster));
    ck_assert_ptr_nonnull(b);
    covertheme_theme *t = &b->pub;
    t->struct_size = sizeof *t;
    t->abi_version = COVERTHEME_ABI_VERSION;
    t->role_count = CT_ROLE_COUNT;
    t->roles = b->roles;
    t->palette_count = N_CLUSTERS;
    t->palette = b->palette;
    t->image_width = 600;
    t->image_height = 400;
    t->image_format = COVERTHEME_IMAGE_JPEG;
    t->sample_count = 15000;
    t->iterations = 17;
    t->k_requested = 30;
    t->k_effective = 12;
    t->color_space = COVERTHEME_SPACE_HSV;
    t->bg_policy = COVERTHEME_BG_FAITHFUL;
    t->seed = 42;
    t->timings = (covertheme_timings){.read_ns = 1000, .decode_ns = 2500000, .sample_ns = 333,
                                      .convert_ns = 1600, .cluster_ns = 7000000,
                                      .roles_ns = 900000, .total_ns = 12345678};

    for (int i = 0; i < CT_ROLE_COUNT; i++) {
        covertheme_role_color *r = &b->roles[i];
        r->rgb = (covertheme_rgb){ROLE_RGB[i][0], ROLE_RGB[i][1], ROLE_RGB[i][2]};
        r->source_cluster = -1;
        r->flags = 0;
        snprintf(b->origin[i], CT_ORIGIN_MAX, "synthetic:role%d", i);
        r->origin = b->origin[i];
        /* Deliberately wrong stored contrasts: the JSON must recompute them. */
        r->contrast_background = r->contrast_text = r->contrast_active = 99.0f;
    }
    b->roles[BG].flags = COVERTHEME_ROLE_FROM_CLUSTER;
    b->roles[BG].source_cluster = 0;
    b->roles[TX].flags = COVERTHEME_ROLE_FROM_CLUSTER | COVERTHEME_ROLE_ADJUSTED;
    b->roles[TX].source_cluster = 1;
    b->roles[AC].flags = COVERTHEME_ROLE_FROM_CLUSTER | COVERTHEME_ROLE_ADJUSTED;
    b->roles[AC].source_cluster = 2;
    b->roles[AV].flags = COVERTHEME_ROLE_FROM_CLUSTER;
    b->roles[AV].source_cluster = 1;
    snprintf(b->origin[AC], CT_ORIGIN_MAX, "cluster:2 L+0.120");
    snprintf(b->origin[AV], CT_ORIGIN_MAX, "cluster:1");
    snprintf(b->origin[HL], CT_ORIGIN_MAX, "text \"on\" active");

    static const uint8_t cl[N_CLUSTERS][3] = {{20, 30, 40}, {200, 210, 220}, {220, 160, 80}};
    for (int i = 0; i < N_CLUSTERS; i++) {
        covertheme_cluster *c = &b->palette[i];
        c->rgb = (covertheme_rgb){cl[i][0], cl[i][1], cl[i][2]};
        c->count = (uint32_t)(9000 - 3000 * i);
        c->share = (float)c->count / 15000.0f;
        double lab[3], hsv[3], lch[3];
        ct_srgb8_to_lab(cl[i], lab);
        ct_srgb8_to_hsv(cl[i], hsv);
        ct_srgb8_to_oklch(cl[i], lch);
        for (int k = 0; k < 3; k++) {
            c->lab[k] = (float)lab[k];
            c->hsv[k] = (float)hsv[k];
            c->oklch[k] = (float)lch[k];
        }
    }

    ct_theme_debug *d = &b->debug;
    d->n_accent = 3;
    d->n_active = 2;
    for (int i = 0; i < 3; i++) {
        d->accent[i] = (ct_candidate){.rgb = {(uint8_t)(100 + i), 50, 60}, .rank = i,
                                      .score = 1.5f - 0.25f * (float)i};
        snprintf(d->accent[i].origin, CT_ORIGIN_MAX, "cluster:%d", i);
    }
    for (int i = 0; i < 2; i++) {
        d->active[i] = (ct_candidate){.rgb = {10, (uint8_t)(90 + i), 160}, .rank = 2 * i,
                                      .score = 0.75f};
        snprintf(d->active[i].origin, CT_ORIGIN_MAX, "active:%d", i);
    }
    /* A note that fills its array without a NUL must not be over-read. */
    memset(d->active[1].origin, 'x', CT_ORIGIN_MAX);
    snprintf(d->note[AC], CT_NOTE_MAX, "hue 14 deg off cluster 2: contrast minimum");
    snprintf(d->note[WA], CT_NOTE_MAX, "line1\n\"quoted\" \\ tab\t");
    return b;
}

static char *render_ron(const covertheme_theme *t, int palette_only, unsigned flags)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_render_ron(t, palette_only, flags, &b);
    ck_assert(!b.oom);
    char *s = ct_buf_take(&b, NULL);
    ck_assert_ptr_nonnull(s);
    return s;
}

static char *render_json(const covertheme_theme *t, unsigned flags)
{
    ct_buf b;
    ct_buf_init(&b);
    ct_render_json(t, flags, &b);
    ck_assert(!b.oom);
    char *s = ct_buf_take(&b, NULL);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void hex_of(const uint8_t rgb[3], char out[8])
{
    snprintf(out, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static void role_hex(const covertheme_theme *t, int role, char out[8])
{
    const covertheme_rgb c = t->roles[role].rgb;
    const uint8_t rgb[3] = {c.r, c.g, c.b};
    hex_of(rgb, out);
}

/* Parses and checks RON; fails the test with the checker's reason. */
static node *ron_ok(const char *text, int only_0_9_variants)
{
    char err[300] = "";
    node *root = ron_check_text(text, only_0_9_variants, err, sizeof err);
    ck_assert_msg(root != NULL, "RON rejected: %s\n%s", err, text);
    return root;
}

static node *json_ok(const char *text)
{
    char err[200] = "";
    node *root = json_parse(text, err, sizeof err);
    ck_assert_msg(root != NULL, "JSON rejected: %s", err);
    ck_assert_int_eq(root->type, N_OBJ);
    return root;
}

typedef struct {
    const char *path;
    int role;
} mapping;

static void expect_mapping(const node *root, const covertheme_theme *t, const mapping *m,
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char want[8];
        role_hex(t, m[i].role, want);
        const char *got = get_str(root, m[i].path);
        ck_assert_msg(got != NULL, "missing colour at %s", m[i].path);
        ck_assert_msg(strcmp(got, want) == 0, "%s = %s, want %s (role %d)", m[i].path, got, want,
                      m[i].role);
    }
}

/* Role -> field mapping shared by both shapes (fg and explicit bg). */
static const mapping COMMON_MAP[] = {
    {"background_color", BG},
    {"text_color", TX},
    {"header_background_color", BG},
    {"modal_background_color", BG},
    {"borders_style.fg", FR},
    {"borders_style.bg", BG},
    {"highlight_border_style.fg", AC},
    {"highlight_border_style.bg", BG},
    {"current_item_style.fg", HL},
    {"current_item_style.bg", AV},
    {"highlighted_item_style.fg", AC},
    {"highlighted_item_style.bg", BG},
    {"preview_label_style.fg", HA},
    {"preview_label_style.bg", BG},
    {"preview_metadata_group_style.fg", HA},
    {"preview_metadata_group_style.bg", BG},
    {"tab_bar.active_style.fg", HL},
    {"tab_bar.active_style.bg", AV},
    {"tab_bar.inactive_style.fg", IN},
    {"tab_bar.inactive_style.bg", BG},
    {"progress_bar.elapsed_style.fg", PR},
    {"progress_bar.elapsed_style.bg", BG},
    {"progress_bar.thumb_style.fg", PR},
    {"progress_bar.thumb_style.bg", BG},
    {"progress_bar.track_style.fg", FR},
    {"progress_bar.track_style.bg", BG},
    {"level_styles.info.fg", AC},
    {"level_styles.warn.fg", WA},
    {"level_styles.error.fg", ER},
    {"level_styles.debug.fg", DB},
    {"level_styles.trace.fg", TR},
    {"level_styles.info.bg", BG},
    {"level_styles.warn.bg", BG},
    {"level_styles.error.bg", BG},
    {"level_styles.debug.bg", BG},
    {"level_styles.trace.bg", BG},
};

static const mapping SCROLLBAR_MAP[] = {
    {"scrollbar.track_style.fg", FR}, {"scrollbar.track_style.bg", BG},
    {"scrollbar.ends_style.fg", FR},  {"scrollbar.ends_style.bg", BG},
    {"scrollbar.thumb_style.fg", PR}, {"scrollbar.thumb_style.bg", BG},
};

/* Full shape only: symbols, song table, header. */
static const mapping FULL_MAP[] = {
    {"symbols.song_style.fg", AC},
    {"symbols.dir_style.fg", HA},
    {"symbols.playlist_style.fg", AC},
    {"song_table_format[0].prop.style.fg", AC},
    {"song_table_format[1].prop.style.fg", TX},
    {"song_table_format[2].prop.style.fg", HA},
    {"song_table_format[3].prop.style.fg", IN},
    {"song_table_format[0].prop.default.style.fg", IN},
    {"song_table_format[1].prop.default.style.fg", IN},
    {"song_table_format[2].prop.default.style.fg", IN},
    {"song_table_format[3].prop.default.style.fg", IN},
    {"header.rows[0].left[0].kind[0][0].playing_style.fg", AC},
    {"header.rows[0].left[0].kind[0][0].paused_style.fg", HA},
    {"header.rows[0].left[0].kind[0][0].stopped_style.fg", IN},
    {"header.rows[0].center[0].style.fg", TX},
    {"header.rows[0].center[0].default.style.fg", IN},
    {"header.rows[0].right[0].style.fg", AC},
    {"header.rows[1].left[0].style.fg", HA},
    {"header.rows[1].left[1].style.fg", HA},
    {"header.rows[1].left[2].style.fg", HA},
    {"header.rows[1].center[0].style.fg", AC},
    {"header.rows[1].center[1].style.fg", FR},
    {"header.rows[1].center[2].style.fg", HA},
    {"header.rows[1].right[0].kind[0][0].active_style.fg", AC},
    {"header.rows[1].right[0].kind[0][0].separator_style.fg", FR},
    {"header.rows[1].right[0].style.fg", FR},
};

static size_t list_len(const node *root, const char *path)
{
    const node *n = get(root, path);
    ck_assert_msg(n && n->type == N_LIST, "no list at %s", path);
    return n->n;
}

static void expect_str(const node *root, const char *path, const char *want)
{
    const char *got = get_str(root, path);
    ck_assert_msg(got && strcmp(got, want) == 0, "%s = %s, want %s", path, got ? got : "(none)",
                  want);
}

static void expect_ident(const node *root, const char *path, const char *want)
{
    const node *n = get(root, path);
    ck_assert_msg(n && n->type == N_IDENT && strcmp(n->text, want) == 0, "%s is not %s", path,
                  want);
}

/* ====================================================================================
 * The checkers themselves
 * ==================================================================================== */

START_TEST(ron_checker_rejects_bad_input)
{
    static const char *const bad[] = {
        "(background_colour: \"#000000\")",               /* unknown field */
        "(background_color: \"#00000G\")",                /* not hex */
        "(background_color: \"#ABCDEF\")",                /* upper case */
        "(background_color: \"#abc\")",                   /* short form */
        "(background_color: \"red\")",                    /* named colour where we promise hex */
        "(tab_bar: (active_style: (fg: \"#000000\", underline: true)))", /* unknown style part */
        "(level_styles: (fatal: (fg: \"#000000\")))",     /* unknown level */
        "(progress_bar: (symbols: [\"a\"]), text_color: \"#000000\"", /* unbalanced */
        "(text_color: \"#000000\"))",                     /* stray closer */
        "(text_color: \"#000000)",                        /* unterminated string */
        "(text_color: \"#000000\", text_color: \"#111111\")", /* duplicate */
        "(text_color: \"#000000\" modal_backdrop: true)", /* missing comma */
        "(draw_borders: true) /* unterminated",
        "(header: (rows: [(left: [(kind: Text(\"x\"), colour: \"#000000\")])]))",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[300] = "";
        node *n = ron_check_text(bad[i], 0, err, sizeof err);
        ck_assert_msg(n == NULL, "checker accepted bad RON #%zu: %s", i, bad[i]);
        ck_assert(err[0] != '\0');
    }
    /* and a variant from 0.11 is caught in 0.9 mode */
    char err[300];
    node *n = ron_check_text("(layout: Split(direction: Vertical, panes: "
                             "[(size: \"1\", pane: Pane(QueueHeader()))]))",
                             1, err, sizeof err);
    ck_assert_ptr_null(n);
    ck_assert_ptr_nonnull(strstr(err, "QueueHeader"));
}
END_TEST

START_TEST(ron_checker_accepts_rmpc_examples)
{
    /* Excerpts of docs/rmpc.md §5.2/§5.3 syntax: comments, chars, maps, nested variants. */
    const char *good =
        "#![enable(implicit_some)]\n#![enable(unwrap_newtypes)]\n"
        "// comment\n(\n  background_color: \"#1b1d2b\", /* block */\n"
        "  cava: (bar_symbols: ['\xe2\x96\x81', 'x'], bar_color: Gradient({0: \"#6fb3b8\", "
        "100: \"#c8647d\"})),\n"
        "  header: (rows: [(left: [(kind: Property(Status(StateV2(playing_style: "
        "(fg: \"#6fb3b8\")))), style: (modifiers: \"Bold\"))], center: [], right: [])]),\n"
        "  scrollbar: None,\n)\n";
    char err[300] = "";
    node *n = ron_check_text(good, 0, err, sizeof err);
    ck_assert_msg(n != NULL, "rejected: %s", err);
    expect_str(n, "header.rows[0].left[0].kind[0][0].playing_style.fg", "#6fb3b8");
    expect_ident(n, "scrollbar", "None");
    node_free(n);
}
END_TEST

START_TEST(json_checker_rejects_bad_input)
{
    static const char *const bad[] = {
        "{\"a\": 1,}",      "[1, 2,]",          "{\"a\": NaN}",     "{\"a\": nan}",
        "{\"a\": inf}",     "{\"a\": 01}",      "{\"a\": 1.}",      "{\"a\": .5}",
        "{a: 1}",           "{'a': 1}",         "{\"a\": 1} x",     "{\"a\": \"\x01\"}",
        "{\"a\": \"\\x\"}", "{\"a\" 1}",        "{\"a\": 1, \"a\": 2}", "{\"a\": [1, 2}",
        "",                 "{\"a\": -}",       "{\"a\": 1e}",      "{\"a\": \"unterminated}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[200] = "";
        node *n = json_parse(bad[i], err, sizeof err);
        ck_assert_msg(n == NULL, "checker accepted bad JSON #%zu: %s", i, bad[i]);
        node_free(n);
    }
    char err[200];
    node *n = json_parse("{\"a\": [1, -0.5, 2e3, true, false, null, \"x\\u0041\\n\"], "
                         "\"b\": {}}",
                         err, sizeof err);
    ck_assert_ptr_nonnull(n);
    expect_str(n, "a[6]", "xA\n");
    ck_assert_double_eq_tol(get_num(n, "a[2]"), 2000.0, 1e-9);
    node_free(n);
}
END_TEST

/* ====================================================================================
 * RON
 * ==================================================================================== */

static void expect_preamble(const char *text, const covertheme_theme *t)
{
    static const char lines[] = "#![enable(implicit_some)]\n"
                                "#![enable(unwrap_newtypes)]\n"
                                "#![enable(unwrap_variant_newtypes)]\n";
    ck_assert_msg(strncmp(text, lines, strlen(lines)) == 0, "enable lines are not first");
    const char *l4 = text + strlen(lines);
    char want[64];
    snprintf(want, sizeof want, "// covertheme %d.%d.%d ", COVERTHEME_VERSION_MAJOR,
             COVERTHEME_VERSION_MINOR, COVERTHEME_VERSION_PATCH);
    ck_assert_msg(strncmp(l4, want, strlen(want)) == 0, "4th line is not the covertheme comment");
    const char *eol = strchr(l4, '\n');
    ck_assert_ptr_nonnull(eol);
    /* The comment names the main role colours. */
    const int main_roles[] = {BG, TX, AC, AV, HL};
    for (size_t i = 0; i < sizeof main_roles / sizeof main_roles[0]; i++) {
        char hex[8];
        role_hex(t, main_roles[i], hex);
        const char *hit = strstr(l4, hex);
        ck_assert_msg(hit && hit < eol, "comment lacks %s", hex);
    }
    ck_assert_int_eq(eol[1], '(');
    ck_assert_ptr_null(strchr(text, '\r'));
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
}

START_TEST(ron_full_shape_is_valid_rmpc)
{
    ct_theme_block *b = make_theme();
    char *text = render_ron(&b->pub, 0, 0);
    expect_preamble(text, &b->pub);
    node *root = ron_ok(text, 1);

    expect_mapping(root, &b->pub, COMMON_MAP, sizeof COMMON_MAP / sizeof COMMON_MAP[0]);
    expect_mapping(root, &b->pub, SCROLLBAR_MAP, sizeof SCROLLBAR_MAP / sizeof SCROLLBAR_MAP[0]);
    expect_mapping(root, &b->pub, FULL_MAP, sizeof FULL_MAP / sizeof FULL_MAP[0]);

    expect_str(root, "current_item_style.modifiers", "Bold");
    expect_str(root, "highlighted_item_style.modifiers", "Bold");
    expect_str(root, "tab_bar.active_style.modifiers", "Bold");
    expect_str(root, "preview_metadata_group_style.modifiers", "Bold");

    /* Array lengths that make rmpc panic when wrong. */
    ck_assert_uint_eq(list_len(root, "progress_bar.symbols"), 5);
    ck_assert_uint_eq(list_len(root, "scrollbar.symbols"), 4);
    ck_assert_uint_eq(list_len(root, "browser_column_widths"), 3);
    expect_str(root, "progress_bar.symbols[0]", "[");
    expect_str(root, "progress_bar.symbols[1]", "=");
    expect_str(root, "progress_bar.symbols[2]", ">");
    expect_str(root, "progress_bar.symbols[3]", "-");
    expect_str(root, "progress_bar.symbols[4]", "]");
    expect_str(root, "scrollbar.symbols[0]", "\xe2\x94\x82");
    expect_str(root, "scrollbar.symbols[1]", "\xe2\x96\x88");
    expect_str(root, "scrollbar.symbols[2]", "\xe2\x96\xb2");
    expect_str(root, "scrollbar.symbols[3]", "\xe2\x96\xbc");
    int sum = 0;
    for (size_t i = 0; i < 3; i++) {
        const node *w = item(get(root, "browser_column_widths"), i);
        ck_assert_int_eq(w->type, N_NUM);
        sum += atoi(w->text);
    }
    ck_assert_int_eq(sum, 100);

    /* What rmpc 0.9/0.10 require (§1.9) is present. */
    expect_ident(root, "show_song_table_header", "true");
    expect_ident(root, "draw_borders", "true");
    expect_str(root, "symbols.song", "S");
    expect_str(root, "symbols.dir", "D");
    expect_str(root, "symbols.playlist", "P");
    expect_str(root, "symbols.marker", "M");
    expect_str(root, "symbols.ellipsis", "...");
    ck_assert_ptr_nonnull(get(root, "tab_bar"));
    ck_assert_uint_eq(list_len(root, "header.rows"), 2);
    for (int r = 0; r < 2; r++) {
        static const char *const parts[] = {"left", "center", "right"};
        for (int k = 0; k < 3; k++) {
            char path[64];
            snprintf(path, sizeof path, "header.rows[%d].%s", r, parts[k]);
            ck_assert_msg(list_len(root, path) > 0, "%s empty", path);
        }
    }
    expect_str(root, "header.rows[0].center[0].default.kind[0]", "No Song");
    ck_assert_str_eq(get(root, "header.rows[0].left[0].kind[0][0]")->text, "StateV2");
    ck_assert_str_eq(get(root, "header.rows[1].right[0].kind[0][0]")->text, "States");
    ck_assert_str_eq(get(root, "header.rows[0].right[0].kind[0]")->text, "Widget");

    /* Song table: 4 columns, widths add up to 100 %, Duration right-aligned. */
    ck_assert_uint_eq(list_len(root, "song_table_format"), 4);
    static const char *const props[] = {"Artist", "Title", "Album", "Duration"};
    static const char *const widths[] = {"25%", "40%", "25%", "10%"};
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "song_table_format[%zu].prop.kind[0]", i);
        expect_ident(root, path, props[i]);
        snprintf(path, sizeof path, "song_table_format[%zu].width", i);
        expect_str(root, path, widths[i]);
        snprintf(path, sizeof path, "song_table_format[%zu].label", i);
        ck_assert_ptr_nonnull(get_str(root, path));
    }
    expect_ident(root, "song_table_format[3].alignment", "Right");

    /* Layout: Pane(Header) layout, exactly one TabContent. */
    const node *layout = get(root, "layout");
    ck_assert_ptr_nonnull(layout);
    ck_assert_str_eq(layout->text, "Split");
    expect_ident(root, "layout.direction", "Vertical");
    ck_assert_uint_eq(list_len(root, "layout.panes"), 4);
    static const char *const panes[] = {"Header", "Tabs", "TabContent", "ProgressBar"};
    static const char *const sizes[] = {"2", "3", "100%", "1"};
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        snprintf(path, sizeof path, "layout.panes[%zu].pane[0]", i);
        expect_ident(root, path, panes[i]);
        snprintf(path, sizeof path, "layout.panes[%zu].size", i);
        expect_str(root, path, sizes[i]);
    }
    expect_str(root, "layout.panes[1].borders", "ALL");
    const char *first = strstr(text, "TabContent");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_null(strstr(first + 1, "TabContent"));

    node_free(root);
    free(text);
    free(b);
}
END_TEST

START_TEST(ron_palette_shape)
{
    ct_theme_block *b = make_theme();
    char *text = render_ron(&b->pub, 1, 0);
    expect_preamble(text, &b->pub);
    node *root = ron_ok(text, 0);
    expect_mapping(root, &b->pub, COMMON_MAP, sizeof COMMON_MAP / sizeof COMMON_MAP[0]);
    expect_mapping(root, &b->pub, SCROLLBAR_MAP, sizeof SCROLLBAR_MAP / sizeof SCROLLBAR_MAP[0]);
    ck_assert_uint_eq(list_len(root, "scrollbar.symbols"), 4);

    /* §5.2: no structural fields, progress bar without symbols. */
    static const char *const absent[] = {
        "layout",       "header",        "song_table_format",      "symbols",
        "draw_borders", "components",    "show_song_table_header", "browser_column_widths",
        "progress_bar.symbols",
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        ck_assert_msg(get(root, absent[i]) == NULL, "palette shape has %s", absent[i]);
    ck_assert_ptr_null(strstr(text, "Pane("));
    node_free(root);
    free(text);
    free(b);
}
END_TEST

START_TEST(ron_no_scrollbar)
{
    ct_theme_block *b = make_theme();
    for (int palette = 0; palette <= 1; palette++) {
        char *text = render_ron(&b->pub, palette, COVERTHEME_RENDER_NO_SCROLLBAR);
        node *root = ron_ok(text, !palette);
        expect_ident(root, "scrollbar", "None");
        ck_assert_ptr_nonnull(strstr(text, "    scrollbar: None,\n"));
        /* no scrollbar symbols anywhere */
        ck_assert_ptr_null(strstr(text, "\xe2\x96\xb2"));
        ck_assert_ptr_null(strstr(text, "\xe2\x96\xbc"));
        ck_assert_ptr_null(strstr(text, "ends_style"));
        /* the rest is still there */
        expect_mapping(root, &b->pub, COMMON_MAP, sizeof COMMON_MAP / sizeof COMMON_MAP[0]);
        if (!palette)
            ck_assert_uint_eq(list_len(root, "progress_bar.symbols"), 5);
        node_free(root);
        free(text);
    }
    free(b);
}
END_TEST

START_TEST(ron_is_deterministic_and_follows_the_theme)
{
    ct_theme_block *b = make_theme();
    for (int palette = 0; palette <= 1; palette++) {
        for (unsigned flags = 0; flags <= COVERTHEME_RENDER_NO_SCROLLBAR; flags++) {
            char *a = render_ron(&b->pub, palette, flags);
            char *c = render_ron(&b->pub, palette, flags);
            ck_assert_str_eq(a, c);
            /* JSON-only flags do not change the RON */
            char *d = render_ron(&b->pub, palette,
                                 flags | COVERTHEME_RENDER_DEBUG | COVERTHEME_RENDER_NO_TIMINGS);
            ck_assert_str_eq(a, d);
            free(a);
            free(c);
            free(d);
        }
    }
    /* A different background changes exactly the background's occurrences. */
    char *before = render_ron(&b->pub, 0, 0);
    b->roles[BG].rgb = (covertheme_rgb){0, 0, 0};
    char *after = render_ron(&b->pub, 0, 0);
    ck_assert_str_ne(before, after);
    ck_assert_uint_eq(strlen(before), strlen(after));
    ck_assert_ptr_null(strstr(after, "#1b1d2b"));
    node *root = ron_ok(after, 1);
    expect_str(root, "background_color", "#000000");
    node_free(root);
    free(before);
    free(after);
    free(b);
}
END_TEST

START_TEST(ron_extreme_colours)
{
    /* Black and white everywhere still give valid, zero-padded hex. */
    ct_theme_block *b = make_theme();
    for (int i = 0; i < CT_ROLE_COUNT; i++)
        b->roles[i].rgb = (i % 2) ? (covertheme_rgb){255, 255, 255} : (covertheme_rgb){0, 0, 0};
    char *text = render_ron(&b->pub, 0, 0);
    node *root = ron_ok(text, 1);
    expect_str(root, "background_color", "#000000");
    expect_str(root, "text_color", "#ffffff");
    node_free(root);
    free(text);
    free(b);
}
END_TEST

/* ====================================================================================
 * JSON
 * ==================================================================================== */

static const struct {
    const char *name;
    int role;
} REF_ROLES[] = {
    {"Background", BG},   {"Text", TX},          {"Accent", AC},       {"Border", IN},
    {"ActiveItem", AV},   {"HighlightText", HL}, {"Frame", FR},        {"HeaderAccent", HA},
    {"InactiveItem", IN}, {"ProgressBar", PR},   {"Scrollbar", PR},    {"Warn", WA},
    {"Error", ER},        {"Debug", DB},         {"Trace", TR},
};

static double contrast_roles(const covertheme_theme *t, int a, int b)
{
    const uint8_t ca[3] = {t->roles[a].rgb.r, t->roles[a].rgb.g, t->roles[a].rgb.b};
    const uint8_t cb[3] = {t->roles[b].rgb.r, t->roles[b].rgb.g, t->roles[b].rgb.b};
    return ct_contrast(ca, cb);
}

START_TEST(json_reference_schema)
{
    ct_theme_block *b = make_theme();
    const covertheme_theme *t = &b->pub;
    char *text = render_json(t, 0);
    node *root = json_ok(text);

    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", COVERTHEME_VERSION_MAJOR,
             COVERTHEME_VERSION_MINOR, COVERTHEME_VERSION_PATCH);
    expect_str(root, "version", version);
    ck_assert_str_eq(version, "0.1.0");

    /* The reference's keys come first, in its order. */
    static const char *const first_keys[] = {"version",      "clusters",   "roleAssignments",
                                             "totalSamples", "iterations", "durationMs",
                                             "colorSpace",   "scrollbarEnabled"};
    for (size_t i = 0; i < sizeof first_keys / sizeof first_keys[0]; i++)
        ck_assert_str_eq(root->keys[i], first_keys[i]);

    /* clusters */
    ck_assert_uint_eq(list_len(root, "clusters"), N_CLUSTERS);
    for (int i = 0; i < N_CLUSTERS; i++) {
        char path[64];
        const covertheme_cluster *c = &t->palette[i];
        snprintf(path, sizeof path, "clusters[%d].rgb.r", i);
        ck_assert_int_eq((int)get_num(root, path), c->rgb.r);
        snprintf(path, sizeof path, "clusters[%d].rgb.b", i);
        ck_assert_int_eq((int)get_num(root, path), c->rgb.b);
        snprintf(path, sizeof path, "clusters[%d].count", i);
        ck_assert_int_eq((int)get_num(root, path), (int)c->count);
        snprintf(path, sizeof path, "clusters[%d].share", i);
        ck_assert_double_eq_tol(get_num(root, path), c->share, 1e-6);
        snprintf(path, sizeof path, "clusters[%d].lab[0]", i);
        ck_assert_double_eq_tol(get_num(root, path), c->lab[0], 1e-4);
        snprintf(path, sizeof path, "clusters[%d].hsv[0]", i);
        ck_assert_double_eq_tol(get_num(root, path), c->hsv[0], 1e-4);
        snprintf(path, sizeof path, "clusters[%d].hsv", i);
        ck_assert_uint_eq(list_len(root, path), 3);
    }
    /* 6 decimals for share */
    ck_assert_ptr_nonnull(strstr(text, "\"share\": 0.600000"));

    /* roleAssignments: the 15 role strings in order, colours per mapping. */
    ck_assert_uint_eq(list_len(root, "roleAssignments"), 15);
    for (size_t i = 0; i < 15; i++) {
        char path[96], hex[8];
        const int role = REF_ROLES[i].role;
        const covertheme_role_color *r = &t->roles[role];
        snprintf(path, sizeof path, "roleAssignments[%zu].role", i);
        expect_str(root, path, REF_ROLES[i].name);
        role_hex(t, role, hex);
        snprintf(path, sizeof path, "roleAssignments[%zu].hex", i);
        expect_str(root, path, hex);
        snprintf(path, sizeof path, "roleAssignments[%zu].rgb.g", i);
        ck_assert_int_eq((int)get_num(root, path), r->rgb.g);

        double lab[3], hsv[3];
        const uint8_t rgb[3] = {r->rgb.r, r->rgb.g, r->rgb.b};
        ct_srgb8_to_lab(rgb, lab);
        ct_srgb8_to_hsv(rgb, hsv);
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "roleAssignments[%zu].lab[%d]", i, k);
            ck_assert_double_eq_tol(get_num(root, path), lab[k], 1e-4);
            snprintf(path, sizeof path, "roleAssignments[%zu].hsv[%d]", i, k);
            ck_assert_double_eq_tol(get_num(root, path), hsv[k], 1e-4);
        }

        snprintf(path, sizeof path, "roleAssignments[%zu].sourceClusterIndex", i);
        if (r->source_cluster < 0)
            ck_assert_msg(get(root, path) == NULL, "%s present for -1", path);
        else
            ck_assert_int_eq((int)get_num(root, path), r->source_cluster);

        double want_conf = 0.5;
        if ((r->flags & COVERTHEME_ROLE_FROM_CLUSTER) && !(r->flags & COVERTHEME_ROLE_ADJUSTED))
            want_conf = 0.9;
        else if (r->flags & COVERTHEME_ROLE_FROM_CLUSTER)
            want_conf = 0.75;
        snprintf(path, sizeof path, "roleAssignments[%zu].confidence", i);
        ck_assert_double_eq_tol(get_num(root, path), want_conf, 1e-9);

        /* Honest contrasts, recomputed from the 8-bit colours (the stored 99s are ignored). */
        snprintf(path, sizeof path, "roleAssignments[%zu].contrastAgainstBackground", i);
        ck_assert_double_eq_tol(get_num(root, path), contrast_roles(t, role, BG), 0.0005001);
        snprintf(path, sizeof path, "roleAssignments[%zu].contrastAgainstText", i);
        ck_assert_double_eq_tol(get_num(root, path), contrast_roles(t, role, TX), 0.0005001);
        snprintf(path, sizeof path, "roleAssignments[%zu].contrastAgainstActive", i);
        ck_assert_double_eq_tol(get_num(root, path), contrast_roles(t, role, AV), 0.0005001);

        snprintf(path, sizeof path, "roleAssignments[%zu].origin", i);
        expect_str(root, path, r->origin);
    }
    /* The highlight text's background contrast is against the background, not active. */
    ck_assert(fabs(get_num(root, "roleAssignments[5].contrastAgainstBackground") -
                   contrast_roles(t, HL, AV)) > 0.01);

    ck_assert_int_eq((int)get_num(root, "totalSamples"), 15000);
    ck_assert_int_eq((int)get_num(root, "iterations"), 17);
    ck_assert_ptr_nonnull(strstr(text, "\"durationMs\": 12.346,"));
    expect_str(root, "colorSpace", "HSV");
    ck_assert(all_numbers_finite(root));
    ck_assert_int_eq(get(root, "scrollbarEnabled")->type, N_TRUE);
    ck_assert_ptr_null(get(root, "debug"));

    /* covertheme's own fields */
    expect_str(root, "generator", "covertheme");
    ck_assert_int_eq((int)get_num(root, "abiVersion"), COVERTHEME_ABI_VERSION);
    expect_str(root, "backgroundPolicy", "faithful");
    ck_assert_int_eq((int)get_num(root, "k"), 30);
    ck_assert_int_eq((int)get_num(root, "kEffective"), 12);
    ck_assert_int_eq((int)get_num(root, "seed"), 42);
    ck_assert_int_eq((int)get_num(root, "image.width"), 600);
    ck_assert_int_eq((int)get_num(root, "image.height"), 400);
    expect_str(root, "image.format", "jpeg");
    static const char *const names[CT_ROLE_COUNT] = {
        "background", "text",     "accent", "header_accent", "active", "highlight_text",
        "inactive",   "frame",    "progress", "warn",        "error",  "debug", "trace"};
    const node *roles = get(root, "roles");
    ck_assert_uint_eq(roles->n, CT_ROLE_COUNT);
    for (int i = 0; i < CT_ROLE_COUNT; i++) {
        char hex[8];
        role_hex(t, i, hex);
        expect_str(roles, names[i], hex);
    }
    ck_assert_double_eq_tol(get_num(root, "timingsMs.read"), 0.001, 1e-9);
    ck_assert_double_eq_tol(get_num(root, "timingsMs.decode"), 2.5, 1e-9);
    ck_assert_double_eq_tol(get_num(root, "timingsMs.sample"), 0.0, 1e-9);
    ck_assert_double_eq_tol(get_num(root, "timingsMs.convert"), 0.002, 1e-9);
    ck_assert_double_eq_tol(get_num(root, "timingsMs.cluster"), 7.0, 1e-9);
    ck_assert_double_eq_tol(get_num(root, "timingsMs.roles"), 0.9, 1e-9);
    ck_assert_double_eq_tol(get_num(root, "timingsMs.total"), 12.346, 1e-9);

    /* serde_json-like formatting: 2-space indent, one member per line */
    ck_assert(strncmp(text, "{\n  \"version\": \"0.1.0\",\n  \"clusters\": [\n    {\n", 45) == 0);
    ck_assert_int_eq(text[strlen(text) - 1], '\n');

    node_free(root);
    free(text);
    free(b);
}
END_TEST

START_TEST(json_enum_names)
{
    ct_theme_block *b = make_theme();
    static const char *const spaces[] = {"CIELAB", "RGB", "HSL", "HSV", "YUV", "CIELUV"};
    static const char *const policies[] = {"tinted", "faithful", "dark", "light"};
    static const char *const formats[] = {"", "png", "jpeg", "webp"};
    for (int i = 0; i < 6; i++) {
        b->pub.color_space = i;
        b->pub.bg_policy = i % 4;
        b->pub.image_format = (uint32_t)(1 + i % 3);
        char *text = render_json(&b->pub, 0);
        node *root = json_ok(text);
        expect_str(root, "colorSpace", spaces[i]);
        expect_str(root, "backgroundPolicy", policies[i % 4]);
        expect_str(root, "image.format", formats[1 + i % 3]);
        node_free(root);
        free(text);
    }
    free(b);
}
END_TEST

START_TEST(json_flags)
{
    ct_theme_block *b = make_theme();
    char *text = render_json(&b->pub, COVERTHEME_RENDER_NO_TIMINGS | COVERTHEME_RENDER_NO_SCROLLBAR);
    node *root = json_ok(text);
    ck_assert_int_eq(get(root, "scrollbarEnabled")->type, N_FALSE);
    ck_assert_ptr_nonnull(strstr(text, "\"durationMs\": 0.000,"));
    ck_assert_double_eq(get_num(root, "durationMs"), 0.0);
    const node *tm = get(root, "timingsMs");
    ck_assert_uint_eq(tm->n, 7);
    for (size_t i = 0; i < tm->n; i++) {
        ck_assert_int_eq(tm->kids[i]->type, N_NUM);
        ck_assert_str_eq(tm->kids[i]->text, "0.000");
    }
    ck_assert_ptr_null(get(root, "debug"));
    node_free(root);

    /* Two renders with NO_TIMINGS of themes that differ only in timings are identical. */
    char *again;
    b->pub.timings.total_ns = 999999999;
    b->pub.timings.decode_ns = 5;
    again = render_json(&b->pub, COVERTHEME_RENDER_NO_TIMINGS | COVERTHEME_RENDER_NO_SCROLLBAR);
    ck_assert_str_eq(text, again);
    free(again);
    free(text);

    /* Deterministic with timings too. */
    char *x = render_json(&b->pub, COVERTHEME_RENDER_DEBUG);
    char *y = render_json(&b->pub, COVERTHEME_RENDER_DEBUG);
    ck_assert_str_eq(x, y);
    free(x);
    free(y);
    free(b);
}
END_TEST

START_TEST(json_debug_block)
{
    ct_theme_block *b = make_theme();
    const covertheme_theme *t = &b->pub;
    char *text = render_json(t, COVERTHEME_RENDER_DEBUG);
    node *root = json_ok(text);
    const node *dbg = get(root, "debug");
    ck_assert_ptr_nonnull(dbg);
    ck_assert_str_eq(root->keys[root->n - 1], "debug");

    ck_assert_int_eq((int)get_num(root, "debug.pairwise.evaluatedPairs"), 6);
    expect_str(root, "debug.pairwise.passMode", "strict");

    char acc[8], act[8], bg[8], tx[8], hl[8], fr[8];
    role_hex(t, AC, acc);
    role_hex(t, AV, act);
    role_hex(t, BG, bg);
    role_hex(t, TX, tx);
    role_hex(t, HL, hl);
    role_hex(t, FR, fr);
    expect_str(root, "debug.pairwise.winningPair.accentHex", acc);
    expect_str(root, "debug.pairwise.winningPair.accentOrigin", "cluster:2 L+0.120");
    expect_str(root, "debug.pairwise.winningPair.activeHex", act);
    expect_str(root, "debug.pairwise.winningPair.activeOrigin", "cluster:1");
    const double c5[5] = {contrast_roles(t, AC, BG), contrast_roles(t, AC, TX),
                          contrast_roles(t, AC, AV), contrast_roles(t, AV, BG),
                          contrast_roles(t, AV, TX)};
    static const char *const c5_keys[5] = {"accentBg", "accentText", "accentActive", "activeBg",
                                           "activeText"};
    double min = c5[0];
    for (int i = 0; i < 5; i++) {
        char path[96];
        snprintf(path, sizeof path, "debug.pairwise.winningPair.%s", c5_keys[i]);
        ck_assert_double_eq_tol(get_num(root, path), c5[i], 0.0005001);
        if (c5[i] < min)
            min = c5[i];
    }
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.winningPair.minContrast"), min,
                            0.0005001);
    double la[3], lv[3];
    ct_srgb8_to_lab(ROLE_RGB[AC], la);
    ct_srgb8_to_lab(ROLE_RGB[AV], lv);
    const double de = sqrt((la[0] - lv[0]) * (la[0] - lv[0]) + (la[1] - lv[1]) * (la[1] - lv[1]) +
                           (la[2] - lv[2]) * (la[2] - lv[2]));
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.winningPair.deltaE"), de, 0.00005001);
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.winningPair.brightnessSeparation"),
                            fabs(la[0] - lv[0]), 0.00005001);
    /* accent: cluster adjusted (1) + active: cluster as is (0) */
    ck_assert_int_eq((int)get_num(root, "debug.pairwise.winningPair.provenanceScore"), 1);
    double lch[3];
    ct_srgb8_to_oklch(ROLE_RGB[BG], lch);
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.winningPair.backgroundHue"), lch[2],
                            0.00005001);
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.winningPair.backgroundChroma"), lch[1],
                            0.00005001);
    ct_srgb8_to_oklch(ROLE_RGB[TX], lch);
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.winningPair.textHue"), lch[2],
                            0.00005001);
    static const char *const pair_keys[] = {
        "accentHex",   "accentOrigin",         "activeHex",       "activeOrigin",
        "accentBg",    "accentText",           "accentActive",    "activeBg",
        "activeText",  "deltaE",               "minContrast",     "brightnessSeparation",
        "provenanceScore", "accentHue",        "accentChroma",    "activeHue",
        "activeChroma", "backgroundHue",       "backgroundChroma", "textHue",
        "textChroma"};
    const node *wp = get(root, "debug.pairwise.winningPair");
    ck_assert_uint_eq(wp->n, sizeof pair_keys / sizeof pair_keys[0]);
    for (size_t i = 0; i < wp->n; i++)
        ck_assert_str_eq(wp->keys[i], pair_keys[i]);

    ck_assert_uint_eq(list_len(root, "debug.pairwise.topPairs"), 1);
    expect_str(root, "debug.pairwise.topPairs[0].accentHex", acc);

    ck_assert_uint_eq(list_len(root, "debug.pairwise.accentCandidates"), 3);
    ck_assert_uint_eq(list_len(root, "debug.pairwise.activeCandidates"), 2);
    expect_str(root, "debug.pairwise.accentCandidates[1].hex", "#65323c");
    expect_str(root, "debug.pairwise.accentCandidates[1].origin", "cluster:1");
    ck_assert_int_eq((int)get_num(root, "debug.pairwise.accentCandidates[2].provenanceRank"), 2);
    ck_assert_double_eq_tol(get_num(root, "debug.pairwise.accentCandidates[1].baseScore"), 1.25,
                            1e-9);
    /* The origin without a terminating NUL is cut at its array size. */
    const char *o = get_str(root, "debug.pairwise.activeCandidates[1].origin");
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq(strlen(o), CT_ORIGIN_MAX);

    expect_str(root, "debug.roles.highlightText.hex", hl);
    expect_str(root, "debug.roles.highlightText.origin", "text \"on\" active");
    ck_assert_double_eq_tol(get_num(root, "debug.roles.highlightText.contrastAgainstActive"),
                            contrast_roles(t, HL, AV), 0.0005001);
    expect_str(root, "debug.roles.frame.hex", fr);
    ck_assert_double_eq_tol(get_num(root, "debug.roles.frame.contrastAgainstBackground"),
                            contrast_roles(t, FR, BG), 0.0005001);
    ck_assert_double_eq_tol(get_num(root, "debug.roles.frame.contrastAgainstText"),
                            contrast_roles(t, FR, TX), 0.0005001);
    expect_str(root, "debug.roles.playingRow.hex", hl);
    expect_str(root, "debug.roles.playingRow.origin", "fg:text \"on\" active | bg:cluster:1");

    /* Notes only for roles that have one, escaped correctly. */
    const node *notes = get(root, "debug.notes");
    ck_assert_uint_eq(notes->n, 2);
    expect_str(notes, "accent", "hue 14 deg off cluster 2: contrast minimum");
    expect_str(notes, "warn", "line1\n\"quoted\" \\ tab\t");

    node_free(root);
    free(text);

    /* A yielded accent or active changes the pass mode. */
    b->roles[AV].flags |= COVERTHEME_ROLE_YIELDED;
    text = render_json(t, COVERTHEME_RENDER_DEBUG);
    root = json_ok(text);
    expect_str(root, "debug.pairwise.passMode", "yielded");
    node_free(root);
    free(text);
    free(b);
}
END_TEST

START_TEST(json_survives_odd_themes)
{
    /* NULL origins, NaN/inf in the palette, no palette, no debug data, empty candidate
     * lists: the output is still strict JSON without NaN or inf. */
    ct_theme_block *b = make_theme();
    for (int i = 0; i < CT_ROLE_COUNT; i++)
        b->roles[i].origin = NULL;
    b->palette[0].share = NAN;
    b->palette[1].lab[0] = INFINITY;
    b->palette[2].hsv[1] = -INFINITY;
    memset(&b->debug, 0, sizeof b->debug);
    char *text = render_json(&b->pub, COVERTHEME_RENDER_DEBUG);
    node *root = json_ok(text);
    expect_str(root, "roleAssignments[0].origin", "");
    expect_str(root, "debug.roles.playingRow.origin", "fg: | bg:");
    ck_assert_double_eq(get_num(root, "clusters[0].share"), 0.0);
    ck_assert_double_eq(get_num(root, "clusters[1].lab[0]"), 0.0);
    ck_assert_uint_eq(list_len(root, "debug.pairwise.accentCandidates"), 0);
    ck_assert_int_eq((int)get_num(root, "debug.pairwise.evaluatedPairs"), 0);
    ck_assert_uint_eq(get(root, "debug.notes")->n, 0);
    ck_assert_ptr_nonnull(strstr(text, "\"notes\": {}"));
    ck_assert_ptr_nonnull(strstr(text, "\"accentCandidates\": []"));
    ck_assert(all_numbers_finite(root));
    ck_assert_ptr_null(strstr(text, "nan,"));
    ck_assert_ptr_null(strstr(text, "inf,"));
    node_free(root);
    free(text);

    b->pub.palette_count = 0;
    b->pub.palette = NULL;
    text = render_json(&b->pub, 0);
    root = json_ok(text);
    ck_assert_uint_eq(list_len(root, "clusters"), 0);
    ck_assert_ptr_nonnull(strstr(text, "\"clusters\": [],"));
    node_free(root);
    free(text);
    free(b);
}
END_TEST

START_TEST(output_is_locale_independent)
{
    ct_theme_block *b = make_theme();
    char *json_c = render_json(&b->pub, COVERTHEME_RENDER_DEBUG);
    char *ron_c = render_ron(&b->pub, 0, 0);

    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8",
                                        "fr_FR.utf8", "ru_RU.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !got; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (!got) {
        /* No comma-decimal locale installed: nothing to compare against. */
        free(json_c);
        free(ron_c);
        free(b);
        return;
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    ck_assert_msg(strcmp(probe, "1,5") == 0, "locale %s did not switch the decimal point", got);

    char *json_l = render_json(&b->pub, COVERTHEME_RENDER_DEBUG);
    char *ron_l = render_ron(&b->pub, 0, 0);
    setlocale(LC_NUMERIC, "C");
    ck_assert_str_eq(json_c, json_l);
    ck_assert_str_eq(ron_c, ron_l);
    ck_assert_ptr_nonnull(strstr(json_l, "\"durationMs\": 12.346,"));
    node *root = json_ok(json_l);
    node_free(root);
    free(json_c);
    free(json_l);
    free(ron_c);
    free(ron_l);
    free(b);
}
END_TEST

Suite *suite_render(void)
{
    Suite *s = suite_create("render");
    TCase *checkers = tcase_create("checkers");
    tcase_add_test(checkers, ron_checker_rejects_bad_input);
    tcase_add_test(checkers, ron_checker_accepts_rmpc_examples);
    tcase_add_test(checkers, json_checker_rejects_bad_input);
    suite_add_tcase(s, checkers);

    TCase *ron = tcase_create("ron");
    tcase_add_test(ron, ron_full_shape_is_valid_rmpc);
    tcase_add_test(ron, ron_palette_shape);
    tcase_add_test(ron, ron_no_scrollbar);
    tcase_add_test(ron, ron_is_deterministic_and_follows_the_theme);
    tcase_add_test(ron, ron_extreme_colours);
    suite_add_tcase(s, ron);

    TCase *json = tcase_create("json");
    tcase_add_test(json, json_reference_schema);
    tcase_add_test(json, json_enum_names);
    tcase_add_test(json, json_flags);
    tcase_add_test(json, json_debug_block);
    tcase_add_test(json, json_survives_odd_themes);
    tcase_add_test(json, output_is_locale_independent);
    suite_add_tcase(s, json);
    return s;
}
