/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's calls to doorlockd (lock-client.h): SubmitPin, Lock,
 * Unlock, SetMode, AddCode, a Code1 property, Code1.Remove, and their
 * replies. */
#include "bus-dict.h"
#include "code-info.h"
#include "lock-client-private.h"
#include "lock-client.h"
#include "log-entry.h"
#include "log.h"
#include "macro.h"
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

const char *lock_code_field_to_property(enum lock_code_field f) {
        static const char *const names[_LOCK_CODE_FIELD_MAX] = {
                [LOCK_CODE_FIELD_NAME] = "Name",
                [LOCK_CODE_FIELD_ENABLED] = "Enabled",
                [LOCK_CODE_FIELD_VALID_FROM] = "ValidFrom",
                [LOCK_CODE_FIELD_VALID_UNTIL] = "ValidUntil",
                [LOCK_CODE_FIELD_MAX_USES] = "MaxUses",
                [LOCK_CODE_FIELD_SCHEDULE] = "Schedule",
        };

        return (unsigned)f < _LOCK_CODE_FIELD_MAX ? names[f] : NULL;
}

static int on_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct call *c = userdata;
        struct lock_client *lc = c->lc;
        struct lock_call_result res = { .error_message = "", .code_name = "" };
        const char *path = NULL, *s = NULL;

        (void)ret_error;
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);

                res.error_name = e && e->name ? e->name : SD_BUS_ERROR_FAILED;
                res.error_message = e && e->message ? e->message : "";
        } else if (c->kind == CALL_SUBMIT_PIN) {
                if (sd_bus_message_read(m, "os", &path, &s) < 0) {
                        res.error_name = SD_BUS_ERROR_INCONSISTENT_MESSAGE;
                        res.error_message = "Cannot read doorlockd's reply";
                } else {
                        if (lock_code_id_from_path(path, &res.code_id) < 0)
                                res.code_id = 0;
                        res.code_name = s;
                }
        } else if (c->kind == CALL_ADD_CODE) {
                if (sd_bus_message_read(m, "os", &path, &s) < 0) {
                        res.error_name = SD_BUS_ERROR_INCONSISTENT_MESSAGE;
                        res.error_message = "Cannot read doorlockd's reply";
                } else
                        res.code_id = code_path_to_id(path);
                /* s is empty: the PIN was ours; never kept. */
        }

        lock_client_call_unlink(c);
        if (c->done)
                c->done(lc, &res, c->userdata);
        free(c);
        return 0;
}

static int call_send(struct lock_client *lc, sd_bus_message *m, enum call_kind kind, lock_call_done_t done,
                     void *userdata) {
        struct call *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->lc = lc;
        c->kind = kind;
        c->done = done;
        c->userdata = userdata;
        r = sd_bus_call_async(lc->bus, &c->slot, m, on_call_reply, c, CALL_TIMEOUT_USEC);
        if (r < 0) {
                free(c);
                return r;
        }
        c->next = lc->calls;
        if (c->next)
                c->next->prev = c;
        lc->calls = c;
        lc->n_calls++;
        return 0;
}

static int new_call(struct lock_client *lc, const char *path, const char *interface, const char *member,
                    sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(lc->bus, &m, DL_BUS_NAME, path, interface, member);
        if (r < 0)
                return r;
        /* Never start doorlockd by bus activation from here. */
        (void)sd_bus_message_set_auto_start(m, false);
        *ret = TAKE_PTR(m);
        return 0;
}

int lock_client_submit_pin(struct lock_client *lc, const char *pin, const char *action,
                           lock_call_done_t done, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = new_call(lc, DL_LOCK_PATH, DL_LOCK_INTERFACE, "SubmitPin", &m);
        if (r < 0)
                return r;
        /* sd-bus wipes a sensitive message when it frees it. */
        r = sd_bus_message_sensitive(m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", pin, action);
        if (r < 0)
                return r;
        return call_send(lc, m, CALL_SUBMIT_PIN, done, userdata);
}

static int call_simple(struct lock_client *lc, const char *member, const char *mode, lock_call_done_t done,
                       void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = new_call(lc, DL_LOCK_PATH, DL_LOCK_INTERFACE, member, &m);
        if (r < 0)
                return r;
        if (mode) {
                r = sd_bus_message_append(m, "s", mode);
                if (r < 0)
                        return r;
        }
        return call_send(lc, m, CALL_PLAIN, done, userdata);
}

int lock_client_lock(struct lock_client *lc, lock_call_done_t done, void *userdata) {
        return call_simple(lc, "Lock", NULL, done, userdata);
}

int lock_client_unlock(struct lock_client *lc, lock_call_done_t done, void *userdata) {
        return call_simple(lc, "Unlock", NULL, done, userdata);
}

int lock_client_set_mode(struct lock_client *lc, enum lock_mode mode, lock_call_done_t done,
                         void *userdata) {
        const char *s = lock_mode_to_string(mode);

        if (!s)
                return -EINVAL;
        return call_simple(lc, "SetMode", s, done, userdata);
}

static int append_schedule(sd_bus_message *m, const struct dl_window *w, size_t n) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "(yqq)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_message_append(m, "(yqq)", w[i].days, w[i].start, w[i].end);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

/* One {sv} entry of an a{sv} with a basic value. */
static int append_option(sd_bus_message *m, const char *key, char type, const void *value) {
        char sig[2] = { type, '\0' };
        int r;

        r = sd_bus_message_open_container(m, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append_basic(m, 's', key);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'v', sig);
        if (r < 0)
                return r;
        r = sd_bus_message_append_basic(m, type, value);
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int append_code_options(sd_bus_message *m, const struct lock_code_options *o) {
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        if (o && o->has_one_time) {
                int b = o->one_time;

                r = append_option(m, "OneTime", 'b', &b);
                if (r < 0)
                        return r;
        }
        if (o && o->has_valid_from) {
                r = append_option(m, "ValidFrom", 't', &o->valid_from);
                if (r < 0)
                        return r;
        }
        if (o && o->has_valid_until) {
                r = append_option(m, "ValidUntil", 't', &o->valid_until);
                if (r < 0)
                        return r;
        }
        if (o && o->has_max_uses) {
                r = append_option(m, "MaxUses", 'u', &o->max_uses);
                if (r < 0)
                        return r;
        }
        if (o && o->has_schedule) {
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                r = sd_bus_message_append_basic(m, 's', "Schedule");
                if (r < 0)
                        return r;
                r = sd_bus_message_open_container(m, 'v', "a(yqq)");
                if (r < 0)
                        return r;
                r = append_schedule(m, o->windows, o->n_windows);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(m);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(m);
}

int lock_client_add_code(struct lock_client *lc, const char *name, const char *pin,
                         const struct lock_code_options *o, lock_call_done_t done, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        if (!name || !pin)
                return -EINVAL;
        r = new_call(lc, DL_LOCK_PATH, DL_LOCK_INTERFACE, "AddCode", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_sensitive(m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", name, pin);
        if (r < 0)
                return r;
        r = append_code_options(m, o);
        if (r < 0)
                return r;
        return call_send(lc, m, CALL_ADD_CODE, done, userdata);
}

static int code_path(uint32_t code_id, char *buf, size_t size) {
        int n = snprintf(buf, size, DL_CODE_PATH_PREFIX "%" PRIu32, code_id);

        return n < 0 || (size_t)n >= size ? -EINVAL : 0;
}

int lock_client_set_code(struct lock_client *lc, uint32_t code_id, const struct lock_code_value *v,
                         lock_call_done_t done, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *property = v ? lock_code_field_to_property(v->field) : NULL;
        char path[sizeof(DL_CODE_PATH_PREFIX) + 16];
        int r;

        if (!property || code_id == 0)
                return -EINVAL;
        r = code_path(code_id, path, sizeof(path));
        if (r < 0)
                return r;
        r = new_call(lc, path, PROPERTIES_INTERFACE, "Set", &m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", DL_CODE_INTERFACE, property);
        if (r < 0)
                return r;
        switch (v->field) {
        case LOCK_CODE_FIELD_NAME:
                if (!v->name)
                        return -EINVAL;
                r = sd_bus_message_append(m, "v", "s", v->name);
                break;
        case LOCK_CODE_FIELD_ENABLED:
                r = sd_bus_message_append(m, "v", "b", (int)v->enabled);
                break;
        case LOCK_CODE_FIELD_VALID_FROM:
        case LOCK_CODE_FIELD_VALID_UNTIL:
                r = sd_bus_message_append(m, "v", "t", v->time);
                break;
        case LOCK_CODE_FIELD_MAX_USES:
                r = sd_bus_message_append(m, "v", "u", v->max_uses);
                break;
        case LOCK_CODE_FIELD_SCHEDULE:
                r = sd_bus_message_open_container(m, 'v', "a(yqq)");
                if (r >= 0)
                        r = append_schedule(m, v->windows, v->n_windows);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        return call_send(lc, m, CALL_PLAIN, done, userdata);
}

int lock_client_remove_code(struct lock_client *lc, uint32_t code_id, lock_call_done_t done,
                            void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        char path[sizeof(DL_CODE_PATH_PREFIX) + 16];
        int r;

        if (code_id == 0)
                return -EINVAL;
        r = code_path(code_id, path, sizeof(path));
        if (r < 0)
                return r;
        r = new_call(lc, path, DL_CODE_INTERFACE, "Remove", &m);
        if (r < 0)
                return r;
        return call_send(lc, m, CALL_PLAIN, done, userdata);
}
