/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "drive-marker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char marker_bytes[] = {
        [DL_DRIVE_MARKER_IDLE] = '-', [DL_DRIVE_MARKER_UNLOCKING] = 'u', [DL_DRIVE_MARKER_LOCKING] = 'l'
};

int dl_drive_marker_open(struct dl_drive_marker *m, const char *dir, enum dl_drive_marker_state *ret_found,
                         struct dl_error *err) {
        char path[4096];
        char b = 0;
        int fd;

        m->fd = -1;
        *ret_found = DL_DRIVE_MARKER_IDLE;
        if (snprintf(path, sizeof(path), "%s/%s", dir, DL_DRIVE_MARKER_FILE) >= (int)sizeof(path))
                return dl_error_set(err, -ENAMETOOLONG, "State directory name too long: %s", dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return dl_error_set(err, -errno, "Cannot open %s: %s", path, strerror(errno));
        if (pread(fd, &b, 1, 0) == 1) {
                if (b == 'u')
                        *ret_found = DL_DRIVE_MARKER_UNLOCKING;
                else if (b == 'l')
                        *ret_found = DL_DRIVE_MARKER_LOCKING;
        }
        m->fd = fd;
        return 0;
}

void dl_drive_marker_close(struct dl_drive_marker *m) {
        if (m->fd >= 0)
                (void)close(m->fd);
        m->fd = -1;
}

int dl_drive_marker_set(struct dl_drive_marker *m, enum dl_drive_marker_state state) {
        if (m->fd < 0)
                return 0;
        if ((unsigned)state >= sizeof(marker_bytes))
                return -EINVAL;
        if (pwrite(m->fd, &marker_bytes[state], 1, 0) != 1)
                return -errno ?: -EIO;
        return 0;
}

int dl_drive_marker_sync(struct dl_drive_marker *m) {
        if (m->fd < 0)
                return 0;
        return fdatasync(m->fd) < 0 ? -errno : 0;
}
