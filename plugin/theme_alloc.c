#include "theme_alloc.h"

#include <pthread.h>
#include <stdlib.h>

/* Blocks kept for reuse: one per context in flight is the common case; a few more cover a
 * host that holds the previous theme while asking for the next. At most ~60 KB. */
#define BIN_SLOTS 4

static pthread_mutex_t bin_lock = PTHREAD_MUTEX_INITIALIZER;
static ct_theme_block *bin[BIN_SLOTS];
static int bin_n;

static size_t full_size(void)
{
    return sizeof(ct_theme_block) + (size_t)CT_THEME_MAX_CLUSTERS * sizeof(covertheme_cluster);
}

ct_theme_block *ct_theme_block_get(void)
{
    ct_theme_block *b = NULL;
    pthread_mutex_lock(&bin_lock);
    if (bin_n > 0)
        b = bin[--bin_n];
    pthread_mutex_unlock(&bin_lock);
    return b ? b : malloc(full_size());
}

void ct_theme_block_put(ct_theme_block *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&bin_lock);
    if (bin_n < BIN_SLOTS) {
        bin[bin_n++] = b;
        b = NULL;
    }
    pthread_mutex_unlock(&bin_lock);
    free(b);
}

/* At exit (or unload, were the library not -z nodelete), the kept blocks go back to the
 * heap so leak checkers see nothing. */
__attribute__((destructor)) static void empty_bin(void)
{
    pthread_mutex_lock(&bin_lock);
    while (bin_n > 0)
        free(bin[--bin_n]);
    pthread_mutex_unlock(&bin_lock);
}
