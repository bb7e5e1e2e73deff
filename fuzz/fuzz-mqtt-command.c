/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's command path (mqtt/command.c) on arbitrary bytes:
 * command_parse(), then command_check() in a context taken from the first
 * bytes, then the reply.  Never a crash or a leak; the reply is always
 * made and holds no PIN; a refusal always has a name and a message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "fuzz-util.h"
#include "json-in.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return n > 0;
}

/* The PIN the payload holds, as far as a reader can tell: the top-level
 * "pin" string when it looks like one (4 or more digits), else NULL. */
static char *payload_pin(const uint8_t *data, size_t size) {
        struct json_in *v = NULL;
        const struct json_in *pin;
        char *r = NULL;

        if (json_in_parse(data, size, &v, NULL, 0) < 0)
                return NULL;
        pin = json_in_get(v, "pin");
        if (pin && pin->type == JSON_IN_STRING && pin->string.len >= 4 && all_digits(pin->string.s, pin->string.len))
                r = strdup(pin->string.s);
        json_in_free(v);
        return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fuzz_input in = { .data = data, .size = size };
        struct mqtt_config config;
        struct command_context x;
        struct command c;
        struct command_error e;
        uint8_t flags;
        char *reply = NULL, *pin;
        const uint8_t *payload;
        size_t len;
        int r;

        if (size < 2 || size > 8192)
                return 0;
        /* Two bytes of context, the rest is the payload. */
        flags = fuzz_u8(&in);
        mqtt_config_init(&config);
        config.commands.lock = flags & 1;
        config.commands.unlock = flags & 2;
        config.commands.mode = flags & 4;
        config.commands.code_changes = flags & 8;
        config.commands.unlock_without_pin = flags & 16;
        config.commands.max_skew_sec = fuzz_u8(&in) % 8;
        x = (struct command_context){
                .now = (uint64_t)FUZZ_EPOCH_USEC,
                .clock_trusted = flags & 32,
                .has_expiry = flags & 64,
                .expiry_sec = (flags >> 4) * 4u,
                .config = &config,
                .link_secure = flags & 128,
                .prefix_conflict = (flags & 0x0f) == 0x0f,
                .daemon_present = (flags & 0x0f) != 0x0e,
        };
        payload = data + in.pos;
        len = size - in.pos;

        r = command_parse(payload, len, config.commands.max_payload, &c, &e);
        if (r < 0 && (r != -EINVAL || !e.name || !e.message[0]))
                abort();
        if (r == 0) {
                if (!c.id[0] || !c.has_action || (c.has_pin && (strlen(c.pin) < 4 || strlen(c.pin) > 12)))
                        abort();
                r = command_check(&c, &x, &e);
                if (r < 0 && (r != -EPERM || !e.name || !e.message[0]))
                        abort();
        }
        if (r == 0)
                r = command_reply_ok(c.id, c.action, c.action >= COMMAND_EDIT_CODE ? c.code_id : 0, &reply);
        else
                r = command_reply_error(c.id, &c, e.name, e.message, &reply);
        if (r < 0 || !reply)
                abort();

        /* No PIN in the reply, unless the id (which the reply carries)
         * holds the same digits itself. */
        pin = payload_pin(payload, len);
        if (pin && !strstr(c.id, pin) && strstr(reply, pin))
                abort();
        if (pin)
                explicit_bzero(pin, strlen(pin));
        free(pin);
        free(reply);
        command_done(&c);
        return 0;
}
