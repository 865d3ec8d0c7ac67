/* Memory for theme blocks (core/theme_private.h). Every block has room for the largest
 * palette (k = 256), so any block fits any theme and freed blocks can be reused: a few are
 * kept in a process-wide bin, which lets a host that frees each theme before asking for the
 * next one (the usual pattern) run warm calls without touching the heap. */
#ifndef CT_PLUGIN_THEME_ALLOC_H
#define CT_PLUGIN_THEME_ALLOC_H

#include "../core/theme_private.h"

#define CT_THEME_MAX_CLUSTERS 256

/* A block from the bin, or a new one; NULL when out of memory. Contents undefined. */
ct_theme_block *ct_theme_block_get(void);
/* Back into the bin, or freed when the bin is full. NULL is ignored. Thread-safe. */
void ct_theme_block_put(ct_theme_block *b);

#endif
