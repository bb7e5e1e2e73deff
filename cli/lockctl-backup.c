/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl backup FILE and lockctl restore [--force] FILE: the file is opened
 * here, as the user who runs lockctl, and handed to doorlockd as a file
 * descriptor; the daemon seals or opens it (docs/backup.md).  The
 * passphrase is read without echo into one fixed buffer, sent in a message
 * marked sensitive, and wiped. */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup-file.h"
#include "lockctl.h"

/* Scrypt and a full audit log take a few seconds on a small board. */
#define BACKUP_CALL_TIMEOUT_USEC (120 * USEC_PER_SEC)

struct passphrase {
        char s[DL_BACKUP_PASSPHRASE_MAX + 2];
};

static void passphrase_wipe(struct passphrase *p) {
        explicit_bzero(p, sizeof(*p));
}

static int call(sd_bus *bus, const char *member, int fd, const char *pass, int force,
                sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE, member);
        if (r >= 0)
                r = sd_bus_message_sensitive(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "hs", fd, pass);
        if (r >= 0 && force >= 0)
                r = force ? sd_bus_message_append(m, "a{sv}", 1, "Force", "b", 1)
                          : sd_bus_message_append(m, "a{sv}", 0);
        if (r < 0)
                return bus_log_create_error(r);
        r = sd_bus_call(bus, m, BACKUP_CALL_TIMEOUT_USEC, &error, ret_reply);
        if (r < 0)
                return bus_log_error(&error, r);
        return 0;
}

static void backup_help(void) {
        printf("lockctl backup FILE\n"
               "\n"
               "Write everything the lock needs to be brought back on a new SD card (the\n"
               "codes as stored, the keys, the emergency issuers, the settings and the\n"
               "log) to FILE, a new file, encrypted under a passphrase that is asked\n"
               "twice (or read as one line from stdin when it is not a terminal).  The\n"
               "passphrase needs at least %u characters; without it the backup cannot\n"
               "be restored.  PINs are not in it: only what the lock stores.\n"
               "\n"
               "Options:\n"
               "  -h --help    Show this help\n"
               "     --json    Print the result as JSON\n",
               DL_BACKUP_PASSPHRASE_MIN);
}

int verb_backup(int argc, char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(passphrase_wipe) struct passphrase pass = {};
        _cleanup_close_ int fd = -1;
        const char *path;
        uint64_t size = 0;
        int r;

        r = parse_verb_options("backup", backup_help, argc, argv);
        if (r <= 0)
                return r;
        r = check_args("backup", argc, argv, 1, "FILE");
        if (r < 0)
                return r;
        path = argv[optind];

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = read_secret("passphrase", "Passphrase for the backup: ", "Repeat the passphrase: ", pass.s,
                        sizeof(pass.s));
        if (r < 0)
                return r;
        if (strlen(pass.s) < DL_BACKUP_PASSPHRASE_MIN)
                return log_error(-EPERM, "The passphrase must have at least %u characters.",
                                 DL_BACKUP_PASSPHRASE_MIN);

        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                r = -errno;
                if (r == -EEXIST)
                        return log_error(-EEXIST, "%s exists; lockctl does not overwrite a file.", path);
                return log_error(local_errno(r), "Cannot create %s: %s", path, strerror(-r));
        }
        r = call(bus, "Backup", fd, pass.s, -1, &reply);
        passphrase_wipe(&pass);
        if (r >= 0)
                r = sd_bus_message_read(reply, "t", &size);
        if (r >= 0 && fsync(fd) < 0)
                r = log_error(local_errno(-errno), "Cannot sync %s: %m", path);
        if (r < 0) {
                /* Never leave a half-written or empty file that looks like a
                 * backup. */
                (void)unlink(path);
                return r == -EREMOTEIO || r == -EHOSTDOWN || r == -EIO ? r : bus_log_parse_error(r);
        }

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_string(&j, "file", path);
                json_kv_unsigned(&j, "size", size);
                json_end(&j);
        } else {
                printf("Backup written to ");
                print_text(stdout, path, true);
                printf(" (%" PRIu64 " bytes).\nKeep the passphrase apart from it: without it the backup "
                       "cannot be restored.\n",
                       size);
        }
        return 0;
}

static void restore_help(void) {
        printf("lockctl restore [--force] FILE\n"
               "\n"
               "Replace the lock's whole state with the backup in FILE (made by\n"
               "lockctl backup).  Asks for the backup's passphrase (or reads one line\n"
               "from stdin when it is not a terminal).  A wrong passphrase, a damaged\n"
               "file or a backup from a newer doorlockd is refused and nothing changes.\n"
               "\n"
               "Options:\n"
               "  -h --help    Show this help\n"
               "     --force   Restore even though the lock already has codes or\n"
               "               emergency issuers (they are replaced)\n"
               "     --json    Print the result as JSON\n");
}

int verb_restore(int argc, char *argv[]) {
        enum {
                ARG_JSON = 0x100,
                ARG_FORCE,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "force", no_argument, NULL, ARG_FORCE },
                {},
        };
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(passphrase_wipe) struct passphrase pass = {};
        _cleanup_(bus_dict_done) struct bus_dict info = {};
        _cleanup_close_ int fd = -1;
        bool force = false;
        const char *path;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        restore_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_FORCE:
                        force = true;
                        break;
                default:
                        return log_option_error("restore", c, argv);
                }
        r = check_args("restore", argc, argv, 1, "FILE");
        if (r < 0)
                return r;
        path = argv[optind];

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                return log_error(local_errno(r), "Cannot open %s: %s", path, strerror(-r));
        }
        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = read_secret("passphrase", "Passphrase of the backup: ", NULL, pass.s, sizeof(pass.s));
        if (r < 0)
                return r;
        r = call(bus, "Restore", fd, pass.s, force, &reply);
        passphrase_wipe(&pass);
        if (r < 0)
                return r;
        r = bus_read_dict(reply, &info);
        if (r < 0)
                return bus_log_parse_error(r);

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_unsigned(&j, "created", bus_dict_unsigned(&info, "Created", 0));
                json_kv_unsigned(&j, "codes", bus_dict_unsigned(&info, "Codes", 0));
                json_kv_unsigned(&j, "emergency_issuers", bus_dict_unsigned(&info, "EmergencyIssuers", 0));
                json_end(&j);
        } else {
                char when[64];

                printf("Restored %" PRIu64 " codes and %" PRIu64
                       " emergency issuers from the backup made %s.\n",
                       bus_dict_unsigned(&info, "Codes", 0), bus_dict_unsigned(&info, "EmergencyIssuers", 0),
                       format_time(bus_dict_unsigned(&info, "Created", 0), when, sizeof(when)));
        }
        return 0;
}
