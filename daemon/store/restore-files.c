/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The restore's files in the state directory: a restore is staged in
 * restore.new, committed by renaming it to restore.ready, and moved into
 * place from there.  dl_store_open() calls dl_restore_recover() first, so a
 * restore that a power cut interrupted is finished (or dropped, if it was
 * not committed) before anything is read.  Files only: nothing here opens
 * the database or calls back into the store. */
#include "restore-files.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

#include "emergency-store.h"
#include "macro.h"
#include "store.h"

static int remove_one(const char *path, const struct stat *st _unused_, int flag, struct FTW *ftw _unused_) {
        if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* rm -rf path (it holds copies of keys: nothing else may be left). */
int dl_remove_tree(const char *path) {
        int r;

        r = nftw(path, remove_one, 8, FTW_DEPTH | FTW_PHYS);
        if (r < 0 && errno == ENOENT)
                return 0;
        return r < 0 ? -errno : -r;
}

int dl_fsync_path(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

int dl_path_join(char **ret, const char *a, const char *b) {
        return asprintf(ret, "%s/%s", a, b) < 0 ? -ENOMEM : 0;
}

bool dl_path_exists(const char *path) {
        return access(path, F_OK) == 0;
}

/* Move what restore.ready holds into place.  Every step can be repeated,
 * so a restore cut short by a power failure is finished by running this
 * again. */
static int apply_ready(const char *dir, struct dl_error *err) {
        static const char *const keys[] = { DL_STORE_PIN_KEY_FILE, DL_STORE_AUDIT_KEY_FILE };
        _cleanup_free_ char *ready = NULL, *from = NULL, *to = NULL, *old = NULL;
        int r;

        r = dl_path_join(&ready, dir, DL_RESTORE_READY_DIR);
        if (r < 0)
                return r;
        if (!dl_path_exists(ready))
                return 0;

        for (size_t i = 0; i <= ELEMENTSOF(keys); i++) {
                const char *name = i < ELEMENTSOF(keys) ? keys[i] : DL_STORE_DB_FILE;

                free(from);
                free(to);
                from = to = NULL;
                if (dl_path_join(&from, ready, name) < 0 || dl_path_join(&to, dir, name) < 0)
                        return -ENOMEM;
                if (!dl_path_exists(from))
                        continue;
                if (i == ELEMENTSOF(keys)) {
                        /* The old database was closed cleanly (no WAL) before
                         * the commit point; never let a stray WAL or shared
                         * memory file meet the new database. */
                        static const char *const sfx[] = { "-wal", "-shm" };

                        for (size_t k = 0; k < ELEMENTSOF(sfx); k++) {
                                _cleanup_free_ char *p = NULL;

                                if (asprintf(&p, "%s%s", to, sfx[k]) < 0)
                                        return -ENOMEM;
                                if (unlink(p) < 0 && errno != ENOENT)
                                        return dl_error_set(err, -errno, "Cannot remove %s: %m", p);
                        }
                }
                if (rename(from, to) < 0)
                        return dl_error_set(err, -errno, "Cannot move %s into place: %m", from);
        }

        free(from);
        free(to);
        from = to = NULL;
        if (dl_path_join(&from, ready, DL_EC_KEY_DIR) < 0 || dl_path_join(&to, dir, DL_EC_KEY_DIR) < 0 ||
            dl_path_join(&old, dir, DL_EC_KEY_DIR ".old") < 0)
                return -ENOMEM;
        if (dl_path_exists(from)) {
                r = dl_remove_tree(old);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot remove %s: %s", old, strerror(-r));
                if (dl_path_exists(to) && rename(to, old) < 0)
                        return dl_error_set(err, -errno, "Cannot move %s aside: %m", to);
                if (rename(from, to) < 0)
                        return dl_error_set(err, -errno, "Cannot move %s into place: %m", from);
        }
        r = dl_fsync_path(dir);
        if (r < 0)
                return dl_error_set(err, r, "Cannot sync %s: %s", dir, strerror(-r));
        r = dl_remove_tree(old);
        if (r >= 0)
                r = dl_remove_tree(ready);
        if (r >= 0)
                r = dl_fsync_path(dir);
        if (r < 0)
                return dl_error_set(err, r, "Cannot finish the restore in %s: %s", dir, strerror(-r));
        return 0;
}

int dl_restore_recover(const char *state_dir, struct dl_error *err) {
        _cleanup_free_ char *stage = NULL;
        int r;

        r = dl_path_join(&stage, state_dir, DL_RESTORE_STAGE_DIR);
        if (r < 0)
                return r;
        /* Never committed: as if it had not started. */
        r = dl_remove_tree(stage);
        if (r < 0)
                return dl_error_set(err, r, "Cannot remove %s: %s", stage, strerror(-r));
        return apply_ready(state_dir, err);
}
