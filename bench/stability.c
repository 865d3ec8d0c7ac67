/* Part of covertheme-quality: PNG/JPEG stability pairs (see stability.h). */
#include "stability.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wcag_oklab.h"

/* Splits "X/png-rgb/NAME.png" into prefix "X/", variant "png-rgb", stem "NAME", ext "png";
 * without a variant directory, variant is "". Returns 0 when the path has an extension. */
typedef struct pathparts {
    char prefix[1024], variant[64], stem[256], ext[16];
} pathparts;

static int split_path(const char *path, pathparts *p)
{
    memset(p, 0, sizeof *p);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot + 1) >= sizeof p->ext || (size_t)(dot - base) >= sizeof p->stem)
        return -1;
    memcpy(p->stem, base, (size_t)(dot - base));
    snprintf(p->ext, sizeof p->ext, "%s", dot + 1);
    size_t dirlen = (size_t)(base - path);
    if (dirlen >= sizeof p->prefix)
        return -1;
    memcpy(p->prefix, path, dirlen);
    /* a known corpus variant directory as the last component? */
    static const char *const variants[] = {"png-rgb", "jpg-base", "jpg-prog", "webp", "png-rgba"};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        size_t vl = strlen(variants[v]);
        if (dirlen >= vl + 1 && memcmp(path + dirlen - vl - 1, variants[v], vl) == 0 &&
            (dirlen == vl + 1 || path[dirlen - vl - 2] == '/')) {
            snprintf(p->variant, sizeof p->variant, "%s", variants[v]);
            p->prefix[dirlen - vl - 1] = 0;
            break;
        }
    }
    return 0;
}


static int is_png_side(const pathparts *p)
{
    return strcmp(p->ext, "png") == 0 && (p->variant[0] == 0 || strcmp(p->variant, "png-rgb") == 0);
}

static int is_jpg_partner(const pathparts *png, const pathparts *q)
{
    if (strcmp(q->ext, "jpg") != 0 && strcmp(q->ext, "jpeg") != 0)
        return 0;
    if (strcmp(png->prefix, q->prefix) != 0 || strcmp(png->stem, q->stem) != 0)
        return 0;
    if (png->variant[0] == 0)
        return q->variant[0] == 0;
    return strcmp(q->variant, "jpg-base") == 0;
}

int stability_find_pairs(const image_result *res, int n, stability_pair **out)
{
    pathparts *pp = calloc((size_t)n ? (size_t)n : 1, sizeof *pp);
    stability_pair *pr = calloc((size_t)n ? (size_t)n : 1, sizeof *pr);
    int np = 0;
    if (!pp || !pr) {
        free(pp);
        free(pr);
        *out = NULL;
        return 0;
    }
    int *valid = calloc((size_t)n ? (size_t)n : 1, sizeof *valid);
    for (int i = 0; i < n; i++)
        valid[i] = valid && split_path(res[i].path, &pp[i]) == 0;
    for (int i = 0; valid && i < n; i++) {
        if (!valid[i] || !res[i].ok || !is_png_side(&pp[i]))
            continue;
        for (int j = 0; j < n; j++) {
            if (j == i || !valid[j] || !res[j].ok || !is_jpg_partner(&pp[i], &pp[j]))
                continue;
            stability_pair *p = &pr[np++];
            p->a = i;
            p->b = j;
            p->d_bg = oklab_dist(res[i].roles[COVERTHEME_ROLE_BACKGROUND], res[j].roles[COVERTHEME_ROLE_BACKGROUND]);
            p->d_text = oklab_dist(res[i].roles[COVERTHEME_ROLE_TEXT], res[j].roles[COVERTHEME_ROLE_TEXT]);
            p->d_accent = oklab_dist(res[i].roles[COVERTHEME_ROLE_ACCENT], res[j].roles[COVERTHEME_ROLE_ACCENT]);
            p->worst = fmax(p->d_bg, fmax(p->d_text, p->d_accent));
            p->ok = p->worst <= 0.05;
            break; /* one partner per PNG */
        }
    }
    free(valid);
    free(pp);
    *out = pr;
    return np;
}
