/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AddCode's option dictionary (a{sv}) into a code spec: the input is
 * decoded into (key, variant type, value) entries appended to a real
 * sd_bus_message, which is sealed and handed to the daemon's own converter
 * dl_bus_read_code_options() (daemon/bus/bus-code.c).
 *
 * The message is made on a bus that is never connected: sd-bus only wants
 * a started bus object, which a socketpair nobody answers gives it.  What
 * sd-bus itself would refuse on receipt (invalid UTF-8) is not built.
 *
 * Each entry: a key byte (0-6 one of the known options, 7 an arbitrary
 * string, 8 a known name with a case change, 9 the empty key), a type byte
 * picking the variant's signature, then the value's bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus-private.h"
#include "code-spec.h"
#include "fuzz-util.h"

static sd_bus *bus;

static const char *const option_names[] = {
        "OneTime", "Duress", "ValidFrom", "ValidUntil", "MaxUses", "Length", "Schedule",
};

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        int sv[2];

        (void)argc, (void)argv;
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || sd_bus_new(&bus) < 0 ||
            sd_bus_set_fd(bus, sv[0], sv[0]) < 0 || sd_bus_start(bus) < 0)
                abort();
        return 0;
}

/* A string sd-bus accepts: printable ASCII. */
static char *ascii_string(struct fuzz_input *in, size_t max) {
        char *s = fuzz_string(in, max);

        for (char *p = s; *p; p++)
                if (*p < 0x20 || *p >= 0x7f)
                        *p = '?';
        return s;
}

static int append_schedule(sd_bus_message *m, struct fuzz_input *in) {
        unsigned n = fuzz_u8(in) % 40; /* past DL_WINDOWS_MAX too */
        int r;

        r = sd_bus_message_open_container(m, 'a', "(yqq)");
        for (unsigned i = 0; r >= 0 && i < n && fuzz_more(in); i++) {
                uint8_t days = fuzz_u8(in);
                uint16_t start = fuzz_u16(in), end = fuzz_u16(in);

                r = sd_bus_message_append(m, "(yqq)", days, start, end);
        }
        return r < 0 ? r : sd_bus_message_close_container(m);
}

/* One variant value of the type the input picks. */
static int append_variant(sd_bus_message *m, struct fuzz_input *in, unsigned depth) {
        uint8_t type = fuzz_u8(in) % 10;
        _cleanup_free_ char *s = NULL;

        switch (type) {
        case 0:
                return sd_bus_message_append(m, "v", "b", (int)(fuzz_u8(in) & 1));
        case 1:
                return sd_bus_message_append(m, "v", "t", fuzz_u64(in));
        case 2:
                return sd_bus_message_append(m, "v", "u", fuzz_u32(in));
        case 3: {
                int r = sd_bus_message_open_container(m, 'v', "a(yqq)");

                if (r >= 0)
                        r = append_schedule(m, in);
                return r < 0 ? r : sd_bus_message_close_container(m);
        }
        case 4:
                s = ascii_string(in, 64);
                return sd_bus_message_append(m, "v", "s", s);
        case 5:
                return sd_bus_message_append(m, "v", "x", (int64_t)fuzz_u64(in));
        case 6:
                return sd_bus_message_append(m, "v", "y", fuzz_u8(in));
        case 7:
                return sd_bus_message_append(m, "v", "i", (int32_t)fuzz_u32(in));
        case 8: {
                /* A variant in a variant. */
                int r;

                if (depth > 3)
                        return sd_bus_message_append(m, "v", "q", fuzz_u16(in));
                r = sd_bus_message_open_container(m, 'v', "v");
                if (r >= 0)
                        r = append_variant(m, in, depth + 1);
                return r < 0 ? r : sd_bus_message_close_container(m);
        }
        default:
                /* a(yqq)'s look-alike with the wrong member types. */
                return sd_bus_message_append(m, "v", "a(yuq)", 1, fuzz_u8(in), fuzz_u32(in), fuzz_u16(in));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in = { data, size, 0 };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        struct dl_code_spec spec;
        unsigned length = 0, n = 0;
        int r;

        if (size > 4096)
                return 0;
        if (sd_bus_message_new_method_call(bus, &m, "org.doorlockd", "/org/doorlockd", "org.doorlockd.Lock1",
                                           "AddCode") < 0)
                abort();
        if (sd_bus_message_open_container(m, 'a', "{sv}") < 0)
                abort();
        while (fuzz_more(&in) && n++ < 64) {
                uint8_t k = fuzz_u8(&in) % 10;
                _cleanup_free_ char *key = NULL;

                if (k < ELEMENTSOF(option_names))
                        key = strdup(option_names[k]);
                else if (k == 7)
                        key = ascii_string(&in, 64);
                else if (k == 8) {
                        key = strdup(option_names[fuzz_u8(&in) % ELEMENTSOF(option_names)]);
                        if (key)
                                key[0] = (char)(key[0] ^ 0x20);
                } else
                        key = strdup("");
                if (!key)
                        abort();
                if (sd_bus_message_open_container(m, 'e', "sv") < 0 ||
                    sd_bus_message_append(m, "s", key) < 0 || append_variant(m, &in, 0) < 0 ||
                    sd_bus_message_close_container(m) < 0)
                        abort();
        }
        if (sd_bus_message_close_container(m) < 0 || sd_bus_message_seal(m, 1, 0) < 0 ||
            sd_bus_message_rewind(m, true) < 0)
                abort();

        dl_code_spec_init(&spec, "fuzz");
        r = dl_bus_read_code_options(m, &spec, &length, &error);
        if (r >= 0) {
                /* What AddCode goes on with is in range. */
                if (sd_bus_error_is_set(&error) || spec.n_windows > DL_WINDOWS_MAX || spec.valid_from < 0 ||
                    spec.valid_until < 0 || (spec.kind != DL_CODE_NORMAL && spec.kind != DL_CODE_ONE_TIME))
                        abort();
        } else if (sd_bus_error_is_set(&error) &&
                   !sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS) &&
                   strncmp(error.name, DL_BUS_ERROR_PREFIX, strlen(DL_BUS_ERROR_PREFIX)) != 0)
                abort();
        return 0;
}
