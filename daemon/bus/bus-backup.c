/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lock1.Backup and Lock1.Restore: the file travels as a file descriptor the
 * caller opened (so the daemon needs no path and no access to the caller's
 * directories), the passphrase as a string in a message marked sensitive. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bus-private.h"

/* Only regular files: a pipe or socket whose other end never moves would
 * stall the event loop, and the lock with it. */
static int check_fd(int fd, bool for_writing, struct stat *st, sd_bus_error *error) {
        int fl = fcntl(fd, F_GETFL);

        if (fl < 0 || fstat(fd, st) < 0)
                return sd_bus_error_set_errnof(error, errno, "Cannot use the file descriptor: %m");
        if (!S_ISREG(st->st_mode))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "The backup must be a regular file");
        if (for_writing ? (fl & O_ACCMODE) == O_RDONLY : (fl & O_ACCMODE) == O_WRONLY)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "The file is not open for %s",
                                         for_writing ? "writing" : "reading");
        if (for_writing && st->st_size != 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "The file for the backup must be new and empty");
        return 0;
}

int dl_bus_method_backup(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        _cleanup_free_ uint8_t *buf = NULL;
        struct dl_error err = {};
        struct dl_caller c;
        const char *pass;
        struct stat st = {};
        size_t size = 0;
        int fd, r;

        (void)sd_bus_message_sensitive(m);
        r = sd_bus_message_read(m, "hs", &fd, &pass);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        /* The role first: nobody else learns anything about the fd. */
        r = dl_service_check_admin(&c, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        r = check_fd(fd, true, &st, error);
        if (r < 0)
                return r;
        r = dl_service_backup(b->service, &c, pass, &buf, &size, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        r = dl_backup_write(fd, buf, size);
        if (r < 0)
                return sd_bus_error_set_errnof(error, -r, "Cannot write the backup: %s", strerror(-r));
        return sd_bus_reply_method_return(m, "t", (uint64_t)size);
}

static int read_restore_options(sd_bus_message *m, bool *force, sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                int v;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "Force") != 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'",
                                                 key);
                r = sd_bus_message_read(m, "v", "b", &v);
                if (r < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Force must be a boolean");
                *force = v;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_file(int fd, const struct stat *st, uint8_t **ret, size_t *ret_size, sd_bus_error *error) {
        const uint64_t max =
                DL_BACKUP_HEADER_SIZE + DL_BACKUP_PAYLOAD_MAX + DL_BACKUP_TAG_SIZE + DL_BACKUP_SUM_SIZE;
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n = 0, size;

        if (st->st_size < 0 || (uint64_t)st->st_size > max)
                return sd_bus_error_setf(error, DL_BUS_ERROR_PREFIX "BackupDamaged",
                                         "The file is larger than any backup (%" PRId64 " bytes)",
                                         (int64_t)st->st_size);
        size = (size_t)st->st_size;
        buf = malloc(size ? size : 1);
        if (!buf)
                return -ENOMEM;
        while (n < size) {
                ssize_t k = pread(fd, buf + n, size - n, (off_t)n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return sd_bus_error_set_errnof(error, errno, "Cannot read the backup: %m");
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

int dl_bus_method_restore(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        _cleanup_msg_ sd_bus_message *reply = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        struct dl_restore_info info = {};
        struct dl_error err = {};
        struct dl_caller c;
        const char *pass;
        bool force = false;
        struct stat st = {};
        size_t size = 0;
        int fd, r;

        (void)sd_bus_message_sensitive(m);
        r = sd_bus_message_read(m, "hs", &fd, &pass);
        if (r < 0)
                return r;
        r = read_restore_options(m, &force, error);
        if (r < 0)
                return r;
        dl_bus_get_caller(b, m, &c);
        /* The role first: nobody else learns anything about the fd. */
        r = dl_service_check_admin(&c, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        r = check_fd(fd, false, &st, error);
        if (r >= 0)
                r = read_file(fd, &st, &buf, &size, error);
        if (r < 0)
                return r;
        r = dl_service_restore(b->service, &c, buf, size, pass, force, &info, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "a{sv}", 3, "Created", "t", (uint64_t)info.created, "Codes",
                                          "u", info.codes, "EmergencyIssuers", "u", info.issuers);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}
