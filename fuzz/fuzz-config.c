/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file parser (daemon/config.c): the input is the file,
 * read through fmemopen() by the same code that reads the real one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz-util.h"
#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

/* Error messages may go out over D-Bus, which takes only valid UTF-8. */
static bool utf8_valid(const char *s) {
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                size_t n;

                if (*p < 0x80)
                        n = 0;
                else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
                        n = 1;
                else if ((*p & 0xf0) == 0xe0)
                        n = 2;
                else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
                        n = 3;
                else
                        return false;
                p++;
                for (size_t i = 0; i < n; i++, p++)
                        if ((*p & 0xc0) != 0x80)
                                return false;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct dl_daemon_config c, before;
        struct dl_error err = {};
        FILE *f;
        int r;

        if (size == 0 || size > 16384)
                return 0;
        f = fmemopen((void *)data, size, "r");
        if (!f)
                abort();
        dl_daemon_config_init(&c);
        before = c;
        r = dl_daemon_config_load_stream(&c, f, "fuzz.conf", &err);
        fclose(f);
        if (r < 0) {
                const char *msg = dl_error_message(&err, r);

                /* A refused file leaves the configuration as it was, and
                 * says where the problem is.  (c was not written to at all,
                 * so comparing its bytes, padding included, is exact.) */
                // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison,cert-exp42-c,cert-flp37-c)
                if (memcmp(&c, &before, sizeof(c)) != 0 || !msg || strncmp(msg, "fuzz.conf", 9) != 0 ||
                    !utf8_valid(msg))
                        abort();
        } else {
                struct dl_error e = {};

                if (dl_store_config_check(&c.store, &e) < 0)
                        abort();
                if (c.store.time_zone != c.time_zone)
                        abort();
        }
        dl_daemon_config_done(&c);
        return 0;
}
