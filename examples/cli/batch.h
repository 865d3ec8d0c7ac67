/* covertheme --batch: many covers in one process, spread over worker threads.
 *
 * Every input FILE gets DIR/<basename without its last extension>.ron (or .json with
 * --format json), written atomically with covertheme_render_to_file. Each worker thread owns
 * one covertheme_ctx whose options are copied from the command line's; files are handed out
 * through an atomic index (largest file first, so the last file to start is a small one), and
 * the per-file results are printed in input order once every file is done. */
#ifndef COVERTHEME_CLI_BATCH_H
#define COVERTHEME_CLI_BATCH_H

#include <stddef.h>

#include "../../abi/covertheme.h"

typedef struct cli_batch {
    const covertheme_ctx *options; /* every option set on it is copied to each worker's context */
    const char *out_dir;           /* created (with its parents) when missing */
    char *const *files;            /* inputs, as given on the command line */
    size_t file_count;
    int format;                    /* COVERTHEME_FORMAT_RON, _RON_PALETTE or _JSON */
    unsigned flags;                /* COVERTHEME_RENDER_* */
} cli_batch;

/* Checks the inputs' output names (every input must name a file; no two inputs may map to the
 * same output file), then themes every file. Nothing is created or written when the check
 * fails. Prints "ok FILE -> OUT" on stdout and "error FILE: DETAIL" on stderr per input, in
 * input order, after all files are done.
 * @return 0 when every file was themed and written, 1 when any failed (the others are still
 * written) or the output directory or the workers could not be set up, 2 on a usage error. */
int cli_batch_run(const cli_batch *b);

#endif
