/* Part of covertheme-bench: the list of images to measure, from FILE and DIR arguments. */
#ifndef COVERTHEME_BENCH_INPUTS_H
#define COVERTHEME_BENCH_INPUTS_H

#include <stddef.h>

typedef struct input {
    char *path; /* as opened */
    char *name; /* as reported: relative to the walked directory, or the argument without "./" */
} input;

typedef struct input_list {
    input *v;
    size_t n, cap;
} input_list;

/* argv[optind..argc) are files or directories; directories are walked recursively for
 * *.png, *.jpg, *.jpeg, *.webp (case-insensitive, dot-files skipped). The result is sorted by
 * name and, when filter is not NULL, keeps only names containing it. Unreadable arguments
 * are reported on stderr and skipped; out of memory exits 3. */
void inputs_collect(int argc, char **argv, const char *filter, input_list *out);
void inputs_free(input_list *l);

#endif /* COVERTHEME_BENCH_INPUTS_H */
