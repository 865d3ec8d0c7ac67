/*
 * render_ron.c — a theme as an rmpc theme file (RON).
 *
 * Two shapes (see docs/rmpc.md):
 *  - full (palette_only = 0), §5.3 "portable palette theme": every field rmpc 0.9/0.10
 *    require (symbols, tab_bar, progress_bar with symbols, show_song_table_header,
 *    song_table_format, header) plus a layout with Pane(Header), so the header is themed
 *    the same way from 0.9 to the development version. Only variants that exist since 0.9.
 *  - palette (palette_only = 1), §5.2: top-level colour fields, tab_bar, progress_bar
 *    styles, scrollbar and level_styles; rmpc 0.11+ fills in the rest and keeps the user's
 *    layout.
 *
 * Rules that keep rmpc from rejecting the file or crashing (a theme rejected at start-up
 * costs the user their whole config): the three #![enable] lines first; colours are
 * quoted lower-case "#rrggbb"; only field names rmpc knows; progress_bar.symbols has
 * exactly 5 entries, scrollbar.symbols 4, browser_column_widths 3. Output is a pure
 * function of the theme and flags: no timestamps, no floating-point numbers at all.
 */
#include "render.h"

#include "theme_private.h"

/* Indentation unit: four spaces per nesting level. */
#define IND "    "

/* "No colour" for style(). */
#define NONE (-1)

/* The role colour, or black for a role the theme does not carry (role_count is always
 * >= COVERTHEME_ROLE_COUNT_V1 for themes this library makes; this only avoids reading
 * past a foreign struct). */
static covertheme_rgb role_rgb(const covertheme_theme *t, int role)
{
    static const covertheme_rgb black = {0, 0, 0};
    if (!t->roles || role < 0 || (uint32_t)role >= t->role_count)
        return black;
    return t->roles[role].rgb;
}

static void hex(ct_buf *b, const covertheme_theme *t, int role)
{
    covertheme_rgb c = role_rgb(t, role);
    ct_buf_hex(b, c.r, c.g, c.b);
}

/* A quoted colour: "#rrggbb". */
static void qhex(ct_buf *b, const covertheme_theme *t, int role)
{
    ct_buf_putc(b, '"');
    hex(b, t, role);
    ct_buf_putc(b, '"');
}

/* (fg: "#..", bg: "#..", modifiers: "..."); parts given as NONE / NULL are left out. */
static void style(ct_buf *b, const covertheme_theme *t, int fg, int bg, const char *mods)
{
    const char *sep = "";
    ct_buf_putc(b, '(');
    if (fg != NONE) {
        ct_buf_puts(b, "fg: ");
        qhex(b, t, fg);
        sep = ", ";
    }
    if (bg != NONE) {
        ct_buf_puts(b, sep);
        ct_buf_puts(b, "bg: ");
        qhex(b, t, bg);
        sep = ", ";
    }
    if (mods) {
        ct_buf_puts(b, sep);
        ct_buf_puts(b, "modifiers: \"");
        ct_buf_puts(b, mods);
        ct_buf_putc(b, '"');
    }
    ct_buf_putc(b, ')');
}

/* One line "<indent>name: (style),\n". */
static void style_field(ct_buf *b, const covertheme_theme *t, int depth, const char *name,
                        int fg, int bg, const char *mods)
{
    ct_buf_rep(b, IND, depth);
    ct_buf_puts(b, name);
    ct_buf_puts(b, ": ");
    style(b, t, fg, bg, mods);
    ct_buf_puts(b, ",\n");
}

static void colour_field(ct_buf *b, const covertheme_theme *t, const char *name, int role)
{
    ct_buf_puts(b, IND);
    ct_buf_puts(b, name);
    ct_buf_puts(b, ": ");
    qhex(b, t, role);
    ct_buf_puts(b, ",\n");
}

static void version(ct_buf *b)
{
    ct_buf_u64(b, COVERTHEME_VERSION_MAJOR);
    ct_buf_putc(b, '.');
    ct_buf_u64(b, COVERTHEME_VERSION_MINOR);
    ct_buf_putc(b, '.');
    ct_buf_u64(b, COVERTHEME_VERSION_PATCH);
}

/* The enable lines must come first: the syntax below (bare strings for options, bitflags
 * newtypes as strings, unwrapped variant structs) depends on them. */
static void preamble(ct_buf *b, const covertheme_theme *t, int palette_only)
{
    static const struct {
        const char *name;
        int role;
    } shown[] = {
        {"background", COVERTHEME_ROLE_BACKGROUND}, {"text", COVERTHEME_ROLE_TEXT},
        {"accent", COVERTHEME_ROLE_ACCENT},         {"header_accent", COVERTHEME_ROLE_HEADER_ACCENT},
        {"active", COVERTHEME_ROLE_ACTIVE},         {"highlight_text", COVERTHEME_ROLE_HIGHLIGHT_TEXT},
        {"inactive", COVERTHEME_ROLE_INACTIVE},     {"frame", COVERTHEME_ROLE_FRAME},
        {"progress", COVERTHEME_ROLE_PROGRESS},
    };
    ct_buf_puts(b, "#![enable(implicit_some)]\n"
                   "#![enable(unwrap_newtypes)]\n"
                   "#![enable(unwrap_variant_newtypes)]\n");
    ct_buf_puts(b, "// covertheme ");
    version(b);
    ct_buf_puts(b, palette_only ? " rmpc theme (palette, rmpc 0.11+):" : " rmpc theme (full, rmpc 0.9+):");
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        ct_buf_putc(b, ' ');
        ct_buf_puts(b, shown[i].name);
        ct_buf_putc(b, ' ');
        hex(b, t, shown[i].role);
    }
    ct_buf_puts(b, "\n(\n");
}

static void top_colours(ct_buf *b, const covertheme_theme *t)
{
    const int BG = COVERTHEME_ROLE_BACKGROUND;
    colour_field(b, t, "background_color", BG);
    colour_field(b, t, "text_color", COVERTHEME_ROLE_TEXT);
    colour_field(b, t, "header_background_color", BG);
    colour_field(b, t, "modal_background_color", BG);
    style_field(b, t, 1, "borders_style", COVERTHEME_ROLE_FRAME, BG, NULL);
    style_field(b, t, 1, "highlight_border_style", COVERTHEME_ROLE_ACCENT, BG, NULL);
    /* Since 0.11 these two are layered on top of the row's own style, so fg, bg and
     * modifiers are all given: nothing of the underlying style may show through. */
    style_field(b, t, 1, "highlighted_item_style", COVERTHEME_ROLE_ACCENT, BG, "Bold");
    style_field(b, t, 1, "current_item_style", COVERTHEME_ROLE_HIGHLIGHT_TEXT,
                COVERTHEME_ROLE_ACTIVE, "Bold");
    style_field(b, t, 1, "preview_label_style", COVERTHEME_ROLE_HEADER_ACCENT, BG, NULL);
    style_field(b, t, 1, "preview_metadata_group_style", COVERTHEME_ROLE_HEADER_ACCENT, BG,
                "Bold");
}

/* Structural fields 0.9/0.10 require (no struct-level defaults there). */
static void structure(ct_buf *b, const covertheme_theme *t)
{
    ct_buf_puts(b, IND "draw_borders: true,\n");
    ct_buf_puts(b, IND "browser_column_widths: [20, 38, 42],\n"); /* < 3 entries panics */
    /* Required by <= 0.10, ignored (deprecated) since 0.11. */
    ct_buf_puts(b, IND "show_song_table_header: true,\n");
    /* song, dir and marker are required once `symbols` is given. The three styles exist
     * since 0.9. They colour glyphs inside list rows, so they carry no bg: a bg here would
     * cut a hole into the selected/playing row's bar. */
    ct_buf_puts(b, IND "symbols: (\n");
    ct_buf_puts(b, IND IND "song: \"S\",\n" IND IND "dir: \"D\",\n" IND IND "playlist: \"P\",\n");
    ct_buf_puts(b, IND IND "marker: \"M\",\n" IND IND "ellipsis: \"...\",\n");
    style_field(b, t, 2, "song_style", COVERTHEME_ROLE_ACCENT, NONE, NULL);
    style_field(b, t, 2, "dir_style", COVERTHEME_ROLE_HEADER_ACCENT, NONE, NULL);
    style_field(b, t, 2, "playlist_style", COVERTHEME_ROLE_ACCENT, NONE, NULL);
    ct_buf_puts(b, IND "),\n");
}

static void tab_bar(ct_buf *b, const covertheme_theme *t)
{
    ct_buf_puts(b, IND "tab_bar: (\n");
    style_field(b, t, 2, "active_style", COVERTHEME_ROLE_HIGHLIGHT_TEXT, COVERTHEME_ROLE_ACTIVE,
                "Bold");
    style_field(b, t, 2, "inactive_style", COVERTHEME_ROLE_INACTIVE, COVERTHEME_ROLE_BACKGROUND,
                NULL);
    ct_buf_puts(b, IND "),\n");
}

static void progress_bar(ct_buf *b, const covertheme_theme *t, int with_symbols)
{
    const int BG = COVERTHEME_ROLE_BACKGROUND;
    ct_buf_puts(b, IND "progress_bar: (\n");
    /* Exactly 5: [start, elapsed, thumb, track, end]; 4 entries make rmpc panic. */
    if (with_symbols)
        ct_buf_puts(b, IND IND "symbols: [\"[\", \"=\", \">\", \"-\", \"]\"],\n");
    style_field(b, t, 2, "elapsed_style", COVERTHEME_ROLE_PROGRESS, BG, NULL);
    style_field(b, t, 2, "thumb_style", COVERTHEME_ROLE_PROGRESS, BG, NULL);
    style_field(b, t, 2, "track_style", COVERTHEME_ROLE_FRAME, BG, NULL);
    ct_buf_puts(b, IND "),\n");
}

static void scrollbar(ct_buf *b, const covertheme_theme *t, unsigned flags)
{
    const int BG = COVERTHEME_ROLE_BACKGROUND;
    if (flags & COVERTHEME_RENDER_NO_SCROLLBAR) {
        ct_buf_puts(b, IND "scrollbar: None,\n");
        return;
    }
    ct_buf_puts(b, IND "scrollbar: (\n");
    /* symbols is required once scrollbar is given, >= 4 entries: [track, thumb, up, down]. */
    ct_buf_puts(b, IND IND "symbols: [\"\xe2\x94\x82\", \"\xe2\x96\x88\", \"\xe2\x96\xb2\", "
                           "\"\xe2\x96\xbc\"],\n"); /* │ █ ▲ ▼ */
    style_field(b, t, 2, "track_style", COVERTHEME_ROLE_FRAME, BG, NULL);
    style_field(b, t, 2, "ends_style", COVERTHEME_ROLE_FRAME, BG, NULL);
    style_field(b, t, 2, "thumb_style", COVERTHEME_ROLE_PROGRESS, BG, NULL);
    ct_buf_puts(b, IND "),\n");
}

static void level_styles(ct_buf *b, const covertheme_theme *t)
{
    const int BG = COVERTHEME_ROLE_BACKGROUND;
    ct_buf_puts(b, IND "level_styles: (\n");
    style_field(b, t, 2, "info", COVERTHEME_ROLE_ACCENT, BG, NULL);
    style_field(b, t, 2, "warn", COVERTHEME_ROLE_WARN, BG, NULL);
    style_field(b, t, 2, "error", COVERTHEME_ROLE_ERROR, BG, NULL);
    style_field(b, t, 2, "debug", COVERTHEME_ROLE_DEBUG, BG, NULL);
    style_field(b, t, 2, "trace", COVERTHEME_ROLE_TRACE, BG, NULL);
    ct_buf_puts(b, IND "),\n");
}

/* One song table column. Cell styles carry no bg for the same reason as symbol styles:
 * the row's bg (current/highlighted item style) must stay visible across the whole row. */
static void table_column(ct_buf *b, const covertheme_theme *t, const char *prop, int fg,
                         const char *fallback, const char *label, const char *width,
                         int right)
{
    ct_buf_puts(b, IND IND "(\n");
    ct_buf_puts(b, IND IND IND "prop: (kind: Property(");
    ct_buf_puts(b, prop);
    ct_buf_puts(b, "), style: ");
    style(b, t, fg, NONE, NULL);
    ct_buf_puts(b, ",\n" IND IND IND IND "default: (kind: Text(\"");
    ct_buf_puts(b, fallback);
    ct_buf_puts(b, "\"), style: ");
    style(b, t, COVERTHEME_ROLE_INACTIVE, NONE, NULL);
    ct_buf_puts(b, ")),\n");
    /* `label` (a plain string) works in every version; `label_prop` is 0.11+. */
    ct_buf_puts(b, IND IND IND "label: \"");
    ct_buf_puts(b, label);
    ct_buf_puts(b, "\",\n" IND IND IND "width: \"");
    ct_buf_puts(b, width);
    ct_buf_puts(b, "\",\n");
    if (right)
        ct_buf_puts(b, IND IND IND "alignment: Right,\n");
    ct_buf_puts(b, IND IND "),\n");
}

static void song_table(ct_buf *b, const covertheme_theme *t)
{
    ct_buf_puts(b, IND "song_table_format: [\n");
    table_column(b, t, "Artist", COVERTHEME_ROLE_ACCENT, "Unknown", "Artist", "25%", 0);
    table_column(b, t, "Title", COVERTHEME_ROLE_TEXT, "Unknown", "Title", "40%", 0);
    table_column(b, t, "Album", COVERTHEME_ROLE_HEADER_ACCENT, "Unknown", "Album", "25%", 0);
    table_column(b, t, "Duration", COVERTHEME_ROLE_INACTIVE, "-", "Time", "10%", 1);
    ct_buf_puts(b, IND "],\n");
}

/* "(kind: KIND, style: STYLE)" on its own line at depth 5; the header pane's bg is
 * header_background_color = background, so giving it explicitly changes nothing visible
 * but keeps every header item independent of rmpc's fallbacks. */
static void header_item(ct_buf *b, const covertheme_theme *t, const char *kind, int fg,
                        const char *mods)
{
    ct_buf_rep(b, IND, 5);
    ct_buf_puts(b, "(kind: ");
    ct_buf_puts(b, kind);
    ct_buf_puts(b, ", style: ");
    style(b, t, fg, COVERTHEME_ROLE_BACKGROUND, mods);
    ct_buf_puts(b, "),\n");
}

/* A header item with a fallback shown when the song lacks the value. */
static void header_item_default(ct_buf *b, const covertheme_theme *t, const char *kind, int fg,
                                const char *mods, const char *fallback)
{
    ct_buf_rep(b, IND, 5);
    ct_buf_puts(b, "(kind: ");
    ct_buf_puts(b, kind);
    ct_buf_puts(b, ", style: ");
    style(b, t, fg, COVERTHEME_ROLE_BACKGROUND, mods);
    ct_buf_puts(b, ",\n");
    ct_buf_rep(b, IND, 6);
    ct_buf_puts(b, "default: (kind: Text(\"");
    ct_buf_puts(b, fallback);
    ct_buf_puts(b, "\"), style: ");
    style(b, t, COVERTHEME_ROLE_INACTIVE, COVERTHEME_ROLE_BACKGROUND, NULL);
    ct_buf_puts(b, ")),\n");
}

static void open_list(ct_buf *b, const char *name)
{
    ct_buf_rep(b, IND, 4);
    ct_buf_puts(b, name);
    ct_buf_puts(b, ": [\n");
}

static void close_list(ct_buf *b)
{
    ct_buf_rep(b, IND, 4);
    ct_buf_puts(b, "],\n");
}

static void header_row1(ct_buf *b, const covertheme_theme *t)
{
    const int BG = COVERTHEME_ROLE_BACKGROUND;
    ct_buf_puts(b, IND IND IND "(\n");
    open_list(b, "left");
    /* StateV2 exists since 0.9; its labels keep rmpc's defaults. */
    ct_buf_rep(b, IND, 5);
    ct_buf_puts(b, "(kind: Property(Status(StateV2(\n");
    style_field(b, t, 6, "playing_style", COVERTHEME_ROLE_ACCENT, BG, "Bold");
    style_field(b, t, 6, "paused_style", COVERTHEME_ROLE_HEADER_ACCENT, BG, "Bold");
    style_field(b, t, 6, "stopped_style", COVERTHEME_ROLE_INACTIVE, BG, "Bold");
    ct_buf_rep(b, IND, 5);
    ct_buf_puts(b, "))), style: ");
    style(b, t, NONE, BG, "Bold");
    ct_buf_puts(b, "),\n");
    close_list(b);
    open_list(b, "center");
    header_item_default(b, t, "Property(Song(Title))", COVERTHEME_ROLE_TEXT, "Bold", "No Song");
    close_list(b);
    open_list(b, "right");
    header_item(b, t, "Property(Widget(Volume))", COVERTHEME_ROLE_ACCENT, NULL);
    close_list(b);
    ct_buf_puts(b, IND IND IND "),\n");
}

static void header_row2(ct_buf *b, const covertheme_theme *t)
{
    const int BG = COVERTHEME_ROLE_BACKGROUND;
    ct_buf_puts(b, IND IND IND "(\n");
    open_list(b, "left");
    header_item(b, t, "Property(Status(Elapsed))", COVERTHEME_ROLE_HEADER_ACCENT, NULL);
    header_item(b, t, "Text(\" / \")", COVERTHEME_ROLE_HEADER_ACCENT, NULL);
    header_item(b, t, "Property(Status(Duration))", COVERTHEME_ROLE_HEADER_ACCENT, NULL);
    close_list(b);
    open_list(b, "center");
    header_item_default(b, t, "Property(Song(Artist))", COVERTHEME_ROLE_ACCENT, NULL,
                        "Unknown Artist");
    header_item(b, t, "Text(\" - \")", COVERTHEME_ROLE_FRAME, NULL);
    header_item_default(b, t, "Property(Song(Album))", COVERTHEME_ROLE_HEADER_ACCENT, NULL,
                        "Unknown Album");
    close_list(b);
    open_list(b, "right");
    ct_buf_rep(b, IND, 5);
    ct_buf_puts(b, "(kind: Property(Widget(States(\n");
    style_field(b, t, 6, "active_style", COVERTHEME_ROLE_ACCENT, BG, "Bold");
    style_field(b, t, 6, "separator_style", COVERTHEME_ROLE_FRAME, BG, NULL);
    ct_buf_rep(b, IND, 5);
    ct_buf_puts(b, "))), style: ");
    style(b, t, COVERTHEME_ROLE_FRAME, BG, NULL);
    ct_buf_puts(b, "),\n");
    close_list(b);
    ct_buf_puts(b, IND IND IND "),\n");
}

static void header(ct_buf *b, const covertheme_theme *t)
{
    ct_buf_puts(b, IND "header: (\n" IND IND "rows: [\n");
    header_row1(b, t);
    header_row2(b, t);
    ct_buf_puts(b, IND IND "],\n" IND "),\n");
}

/* An explicit Pane(Header) layout: 0.11+ otherwise uses component panes whose named
 * colours we could not reach, and 0.9/0.10 use this very layout by default. Sub-pane
 * `borders` is in rmpc's SubPaneFile at least since 0.10; a version without it would
 * ignore it (unknown fields are ignored), so it is safe everywhere. */
static void layout(ct_buf *b)
{
    ct_buf_puts(b, IND "layout: Split(\n"
                   IND IND "direction: Vertical,\n"
                   IND IND "panes: [\n"
                   IND IND IND "(size: \"2\", pane: Pane(Header)),\n"
                   IND IND IND "(size: \"3\", borders: \"ALL\", pane: Pane(Tabs)),\n"
                   IND IND IND "(size: \"100%\", pane: Pane(TabContent)),\n"
                   IND IND IND "(size: \"1\", pane: Pane(ProgressBar)),\n"
                   IND IND "],\n"
                   IND "),\n");
}

void ct_render_ron(const covertheme_theme *t, int palette_only, unsigned flags, ct_buf *out)
{
    preamble(out, t, palette_only);
    top_colours(out, t);
    if (!palette_only)
        structure(out, t);
    tab_bar(out, t);
    progress_bar(out, t, !palette_only);
    scrollbar(out, t, flags);
    level_styles(out, t);
    if (!palette_only) {
        song_table(out, t);
        header(out, t);
        layout(out);
    }
    ct_buf_puts(out, ")\n");
}
