/* Part of covertheme-bench: files and directory walks (see inputs.h). */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static void add_input(input_list *l, const char *path, const char *name)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        input *p = realloc(l->v, l->cap * sizeof *p);
        if (!p) {
            fprintf(stderr, "covertheme-bench: out of memory\n");
            exit(3);
        }
        l->v = p;
    }
    l->v[l->n].path = strdup(path);
    l->v[l->n].name = strdup(name);
    l->n++;
}

static int is_image_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") ||
                   !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".webp"));
}

/* Walks dir; names are relative to the walked root so that baselines from different
 * checkouts or corpus locations pair up in compare.py. */
static void walk(input_list *l, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "covertheme-bench: %s: %s\n", dir, strerror(errno));
        return;
    }
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096], name[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        snprintf(name, sizeof name, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(l, path, name);
        else if (S_ISREG(st.st_mode) && is_image_name(de->d_name))
            add_input(l, path, name);
    }
    closedir(d);
}

static int cmp_input(const void *a, const void *b)
{
    return strcmp(((const input *)a)->name, ((const input *)b)->name);
}

void inputs_collect(int argc, char **argv, const char *filter, input_list *out)
{
    input_list all = {0};
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "covertheme-bench: %s: %s\n", argv[i], strerror(errno));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            char root[4096];
            snprintf(root, sizeof root, "%s", argv[i]);
            size_t len = strlen(root);
            while (len > 1 && root[len - 1] == '/')
                root[--len] = 0;
            walk(&all, root, "");
        } else {
            const char *name = argv[i];
            while (!strncmp(name, "./", 2))
                name += 2;
            add_input(&all, argv[i], name);
        }
    }
    qsort(all.v, all.n, sizeof *all.v, cmp_input);
    for (size_t i = 0; i < all.n; i++) {
        if (!filter || strstr(all.v[i].name, filter))
            add_input(out, all.v[i].path, all.v[i].name);
        free(all.v[i].path);
        free(all.v[i].name);
    }
    free(all.v);
}

void inputs_free(input_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].name);
    }
    free(l->v);
}
