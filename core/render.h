/* Renderers: a finished theme to rmpc RON or JSON text. Pure functions of the theme and
 * flags (COVERTHEME_RENDER_*); output is appended to `out` (see textbuf.h). */
#ifndef CT_RENDER_H
#define CT_RENDER_H

#include "../abi/covertheme.h"
#include "textbuf.h"

/* palette_only = 0: full shape for rmpc 0.9 .. development version;
 * palette_only = 1: colour fields only (rmpc 0.11+). */
void ct_render_ron(const covertheme_theme *t, int palette_only, unsigned flags, ct_buf *out);
void ct_render_json(const covertheme_theme *t, unsigned flags, ct_buf *out);

#endif
