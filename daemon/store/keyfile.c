/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "keyfile.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <sys/stat.h>

#include "macro.h"

static int read_key(int fd, const char *path, uint8_t key[DL_KEY_SIZE], struct dl_error *err) {
        struct stat st;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return dl_error_set(err, -errno, "Cannot stat key file %s: %m", path);
        if (!S_ISREG(st.st_mode))
                return dl_error_set(err, -EBADMSG, "Key file %s is not a regular file", path);
        if (st.st_mode & 0077)
                return dl_error_set(err, -EPERM,
                                    "Key file %s is accessible to group or others (mode %04o); "
                                    "it must be 0600",
                                    path, (unsigned)(st.st_mode & 07777));
        if (st.st_size != DL_KEY_SIZE)
                return dl_error_set(err, -EBADMSG,
                                    "Key file %s has %lld bytes, expected %d: damaged or not a key", path,
                                    (long long)st.st_size, DL_KEY_SIZE);
        n = pread(fd, key, DL_KEY_SIZE, 0);
        if (n < 0)
                return dl_error_set(err, -errno, "Cannot read key file %s: %m", path);
        if (n != DL_KEY_SIZE)
                return dl_error_set(err, -EBADMSG, "Key file %s is truncated", path);
        return 0;
}

static int fsync_dir(const char *dir) {
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

static int create_key(const char *dir, const char *path, uint8_t key[DL_KEY_SIZE], struct dl_error *err) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;

        if (RAND_priv_bytes(key, DL_KEY_SIZE) != 1)
                return dl_error_set(err, -EIO, "The random number generator failed; cannot create %s", path);

        /* A stale .tmp from a power cut during creation is simply replaced. */
        (void)unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return dl_error_set(err, -errno, "Cannot create key file %s: %m", path);
        if (write(fd, key, DL_KEY_SIZE) != DL_KEY_SIZE) {
                r = errno > 0 ? -errno : -EIO;
                goto fail;
        }
        if (fsync(fd) < 0) {
                r = -errno;
                goto fail;
        }
        /* link() rather than rename(): never replace a key someone else made
         * in the meantime. */
        if (link(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        (void)unlink(tmp);
        r = fsync_dir(dir);
        if (r < 0)
                return dl_error_set(err, r, "Cannot sync directory %s: %s", dir, strerror(-r));
        return 0;

fail:
        (void)unlink(tmp);
        secure_zero(key, DL_KEY_SIZE);
        return dl_error_set(err, r, "Cannot write key file %s: %s", path, strerror(-r));
}

int dl_keyfile_load(const char *dir, const char *name, bool create, uint8_t key[DL_KEY_SIZE], bool *created,
                    struct dl_error *err) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (created)
                *created = false;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK); /* a FIFO must not hang us */
        if (fd >= 0) {
                r = read_key(fd, path, key, err);
                if (r < 0)
                        secure_zero(key, DL_KEY_SIZE);
                return r;
        }
        if (errno != ENOENT)
                return dl_error_set(err, -errno, "Cannot open key file %s: %m", path);
        if (!create)
                return dl_error_set(err, -ENOENT, "Key file %s is missing", path);

        r = create_key(dir, path, key, err);
        if (r < 0)
                return r;
        if (created)
                *created = true;
        return 0;
}
