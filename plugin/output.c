/* Rendering to text and atomic theme files. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/render.h"
#include "../core/theme_private.h"
#include "context.h"

#define KNOWN_FLAGS (COVERTHEME_RENDER_NO_SCROLLBAR | COVERTHEME_RENDER_DEBUG | COVERTHEME_RENDER_NO_TIMINGS)

static int render_text(const covertheme_theme *theme, int format, unsigned flags, char **out, size_t *len)
{
    if (!theme || !out || (flags & ~KNOWN_FLAGS) || theme->struct_size < sizeof(covertheme_theme))
        return COVERTHEME_ERR_INVALID_ARGUMENT;
    ct_buf b;
    ct_buf_init(&b);
    switch (format) {
    case COVERTHEME_FORMAT_RON: ct_render_ron(theme, 0, flags, &b); break;
    case COVERTHEME_FORMAT_RON_PALETTE: ct_render_ron(theme, 1, flags, &b); break;
    case COVERTHEME_FORMAT_JSON: ct_render_json(theme, flags, &b); break;
    default: return COVERTHEME_ERR_INVALID_ARGUMENT;
    }
    *out = ct_buf_take(&b, len);
    return *out ? COVERTHEME_OK : COVERTHEME_ERR_NO_MEMORY;
}

COVERTHEME_API int covertheme_render(const covertheme_theme *theme, int format, unsigned flags, char **out,
                                     size_t *len)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    return render_text(theme, format, flags, out, len);
}

COVERTHEME_API void covertheme_free(void *p)
{
    free(p);
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Temporary file beside `path` (same directory, so rename() is atomic), written, flushed to
 * disk and renamed over `path`. Any failure removes the temporary file and leaves `path`. */
static int replace_atomically(const char *path, const char *text, size_t len, ct_err *err)
{
    char *dir_copy = strdup(path), *base_copy = strdup(path);
    char *tmp = NULL;
    int rc = 0, fd = -1;
    if (!dir_copy || !base_copy) {
        rc = ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "%s: out of memory", path);
        goto out;
    }
    const char *dir = dirname(dir_copy), *base = basename(base_copy);
    size_t tlen = strlen(dir) + strlen(base) + 16;
    tmp = malloc(tlen);
    if (!tmp) {
        rc = ct_fail(err, COVERTHEME_ERR_NO_MEMORY, "%s: out of memory", path);
        goto out;
    }
    snprintf(tmp, tlen, "%s/.%s.XXXXXX", dir, base);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = ct_fail(err, COVERTHEME_ERR_WRITE, "%s: cannot create a temporary file in %s: %s", path, dir,
                     strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    /* Keep the mode of the file being replaced; a new file gets rw-r--r--. */
    struct stat st;
    mode_t mode = stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
    if (fchmod(fd, mode) != 0 || write_all(fd, text, len) != 0 || fsync(fd) != 0) {
        rc = ct_fail(err, COVERTHEME_ERR_WRITE, "%s: cannot write %s: %s", path, tmp, strerror(errno));
        goto out;
    }
    int cr = close(fd);
    fd = -1;
    if (cr != 0) {
        rc = ct_fail(err, COVERTHEME_ERR_WRITE, "%s: cannot write %s: %s", path, tmp, strerror(errno));
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = ct_fail(err, COVERTHEME_ERR_WRITE, "%s: cannot replace: %s", path, strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { /* make the rename itself durable; failure here loses nothing */
        fsync(dfd);
        close(dfd);
    }
    /* rmpc hot-reloads on IN_CLOSE_WRITE of the theme path, which a rename does not always
     * produce (docs/rmpc.md 2.2): opening for append and closing does, without changing it. */
    int afd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (afd >= 0)
        close(afd);
out:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(dir_copy);
    free(base_copy);
    return rc;
}

/* Devices and pipes (/dev/stdout, /dev/null, a FIFO) cannot be replaced by a rename — and
 * replacing /dev/null with a regular file would be a disaster — so they are written to. */
static int write_in_place(const char *path, const char *text, size_t len, ct_err *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return ct_fail(err, COVERTHEME_ERR_WRITE, "%s: %s", path, strerror(errno));
    int bad = write_all(fd, text, len) != 0;
    int e = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    return bad ? ct_fail(err, COVERTHEME_ERR_WRITE, "%s: %s", path, strerror(e)) : 0;
}

/* Where the bytes go: a symlink's final target is replaced, not the link (users keep
 * themes in dotfile repositories behind links); a non-regular file is written in place. */
static int write_output(const char *path, const char *text, size_t len, ct_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return ct_fail(err, COVERTHEME_ERR_WRITE, "%s: %s", path, strerror(errno));
        return replace_atomically(path, text, len, err);
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0)
            return ct_fail(err, COVERTHEME_ERR_WRITE, "%s: cannot follow the link: %s", path, strerror(errno));
        if (S_ISREG(st.st_mode)) {
            char *real = realpath(path, NULL);
            if (!real)
                return ct_fail(err, COVERTHEME_ERR_WRITE, "%s: cannot follow the link: %s", path, strerror(errno));
            int rc = replace_atomically(real, text, len, err);
            free(real);
            return rc;
        }
        /* a link to a device or pipe, e.g. /dev/stdout -> /proc/self/fd/1: fall through */
    }
    if (S_ISDIR(st.st_mode))
        return ct_fail(err, COVERTHEME_ERR_WRITE, "%s: is a directory", path);
    if (!S_ISREG(st.st_mode))
        return write_in_place(path, text, len, err);
    return replace_atomically(path, text, len, err);
}

COVERTHEME_API int covertheme_render_to_file(covertheme_ctx *ctx, const covertheme_theme *theme, int format,
                                             unsigned flags, const char *path)
{
    ct_err err = {{0}};
    if (!path || !*path)
        return ct_report(ctx, ct_fail(&err, COVERTHEME_ERR_INVALID_ARGUMENT, "output path is empty"), &err);
    char *text = NULL;
    size_t len = 0;
    int rc = render_text(theme, format, flags, &text, &len);
    if (rc < 0) {
        ct_fail(&err, rc, "%s: cannot render: %s", path, covertheme_strerror(rc));
        return ct_report(ctx, rc, &err);
    }
    rc = write_output(path, text, len, &err);
    free(text);
    return ct_report(ctx, rc, &err);
}
