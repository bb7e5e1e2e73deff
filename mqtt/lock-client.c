/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's D-Bus side (lock-client.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "bus-dict.h"
#include "code-info.h"
#include "lock-client.h"
#include "log-entry.h"
#include "log.h"
#include "macro.h"

#include "lock-client-private.h"

static uint64_t now_realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t)ts.tv_sec * (uint64_t)USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static void copy_string(char *dst, size_t size, const char *src) {
        size_t n = src ? strlen(src) : 0;

        if (n >= size)
                n = size - 1;
        if (n)
                memcpy(dst, src, n);
        dst[n] = '\0';
}

bool lock_client_present(const struct lock_client *lc) {
        return lc->present;
}

const struct lock_view *lock_client_view(const struct lock_client *lc) {
        return &lc->view;
}

const char *lock_client_daemon_version(const struct lock_client *lc) {
        return lc->version;
}

const char *lock_client_hardware(const struct lock_client *lc) {
        return lc->hardware;
}

const struct code_info *lock_client_codes(const struct lock_client *lc, size_t *ret_n) {
        *ret_n = lc->n_codes;
        return lc->codes;
}

const struct code_info *lock_client_find_code(const struct lock_client *lc, uint32_t id) {
        for (size_t i = 0; i < lc->n_codes; i++)
                if (lc->codes[i].id == id)
                        return &lc->codes[i];
        return NULL;
}

unsigned lock_client_calls_in_flight(const struct lock_client *lc) {
        return lc->n_calls;
}

/* ---- the view from properties ---- */

static bool view_equal(const struct lock_view *a, const struct lock_view *b) {
        return a->bolt == b->bolt && a->door == b->door && a->has_door_sensor == b->has_door_sensor &&
               a->mode == b->mode && a->keypad_locked_until == b->keypad_locked_until &&
               a->network_locked_until == b->network_locked_until && a->clock_trusted == b->clock_trusted &&
               a->code_count == b->code_count && a->last_access_time == b->last_access_time &&
               a->last_access_source == b->last_access_source &&
               strcmp(a->last_access_name, b->last_access_name) == 0 && a->alarms == b->alarms &&
               a->prefix_conflict == b->prefix_conflict;
}

/* Apply one a{sv} of Lock1 properties (GetAll, PropertiesChanged). */
static bool apply_lock_properties(struct lock_client *lc, const struct bus_dict *d) {
        struct lock_view *v = &lc->view;
        struct lock_view before = *v;
        const char *s;

        s = bus_dict_string(d, "State");
        if (s) {
                enum lock_bolt b;

                if (lock_bolt_from_dbus(s, &b) == 0)
                        v->bolt = b;
                else
                        log_msg(LOG_WARNING, "doorlockd reports an unknown State '%s'", s);
                if (v->bolt == LOCK_BOLT_JAMMED)
                        v->alarms |= LOCK_ALARM_BIT(LOCK_ALARM_JAMMED);
                else
                        v->alarms &= ~LOCK_ALARM_BIT(LOCK_ALARM_JAMMED);
        }
        s = bus_dict_string(d, "Door");
        if (s) {
                enum lock_door dr;

                if (lock_door_from_dbus(s, &dr) == 0)
                        v->door = dr;
        }
        s = bus_dict_string(d, "Mode");
        if (s) {
                enum lock_mode m;

                if (lock_mode_from_dbus(s, &m) == 0)
                        v->mode = m;
        }
        v->keypad_locked_until = bus_dict_unsigned(d, "KeypadLockedUntil", v->keypad_locked_until);
        v->network_locked_until = bus_dict_unsigned(d, "NetworkLockedUntil", v->network_locked_until);
        v->code_count = (uint32_t)bus_dict_unsigned(d, "CodeCount", v->code_count);
        v->clock_trusted = bus_dict_bool(d, "ClockTrusted", v->clock_trusted);
        if (bus_dict_find(d, "Tamper")) {
                if (bus_dict_bool(d, "Tamper", false))
                        v->alarms |= LOCK_ALARM_BIT(LOCK_ALARM_TAMPER);
                else
                        v->alarms &= ~LOCK_ALARM_BIT(LOCK_ALARM_TAMPER);
        }
        s = bus_dict_string(d, "Version");
        if (s)
                copy_string(lc->version, sizeof(lc->version), s);
        s = bus_dict_string(d, "Hardware");
        if (s)
                copy_string(lc->hardware, sizeof(lc->hardware), s);

        return !view_equal(&before, v);
}

static void state_changed(struct lock_client *lc) {
        if (lc->present && lc->cb.state_changed)
                lc->cb.state_changed(lc, lc->userdata);
}

/* ---- following the name ---- */

static void read_codes(struct lock_client *lc);

static void maybe_appeared(struct lock_client *lc) {
        if (lc->present || !lc->owner || !lc->got_all || !lc->got_hardware || !lc->got_codes)
                return;
        lc->present = true;
        log_msg(LOG_INFO, "doorlockd %s is on the bus (%s), %u codes", lc->version[0] ? lc->version : "(?)",
                lc->owner, lc->view.code_count);
        if (lc->cb.appeared)
                lc->cb.appeared(lc, lc->userdata);
}

static int on_get_all(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        struct bus_dict d = {};
        int r;

        (void)ret_error;
        lc->slot_get_all = sd_bus_slot_unref(lc->slot_get_all);
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);

                log_msg(LOG_WARNING, "Cannot read doorlockd's properties: %s",
                        e && e->message ? e->message : "?");
        } else {
                r = bus_read_dict(m, &d);
                if (r < 0)
                        log_msg(LOG_WARNING, "Cannot parse doorlockd's properties: %s", strerror(-r));
                else
                        (void)apply_lock_properties(lc, &d);
                bus_dict_done(&d);
        }
        lc->got_all = true;
        maybe_appeared(lc);
        return 0;
}

static int on_get_hardware(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        struct bus_dict d = {};
        int r;

        (void)ret_error;
        lc->slot_hardware = sd_bus_slot_unref(lc->slot_hardware);
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);

                log_msg(LOG_WARNING, "Cannot read doorlockd's hardware: %s",
                        e && e->message ? e->message : "?");
        } else {
                r = bus_read_dict(m, &d);
                if (r < 0)
                        log_msg(LOG_WARNING, "Cannot parse doorlockd's hardware: %s", strerror(-r));
                else {
                        bool had = lc->view.has_door_sensor;

                        lc->view.has_door_sensor = bus_dict_bool(&d, "DoorSensor", false);
                        if (had != lc->view.has_door_sensor)
                                state_changed(lc);
                }
                bus_dict_done(&d);
        }
        lc->got_hardware = true;
        maybe_appeared(lc);
        return 0;
}

static int on_codes(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        struct code_info *codes = NULL;
        size_t n = 0;
        int r;

        (void)ret_error;
        lc->slot_codes = sd_bus_slot_unref(lc->slot_codes);
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);

                log_msg(LOG_WARNING, "Cannot read doorlockd's codes: %s",
                        e && e->message ? e->message : "?");
        } else {
                r = code_infos_read(m, &codes, &n);
                if (r < 0)
                        log_msg(LOG_WARNING, "Cannot parse doorlockd's codes: %s", strerror(-r));
                else {
                        code_infos_free(lc->codes, lc->n_codes);
                        lc->codes = codes;
                        lc->n_codes = n;
                        if (lc->present && lc->cb.codes_changed)
                                lc->cb.codes_changed(lc, lc->userdata);
                }
        }
        if (!lc->got_codes) {
                lc->got_codes = true;
                maybe_appeared(lc);
        }
        if (lc->codes_dirty && lc->owner)
                read_codes(lc);
        return 0;
}

static int call_lock_async(struct lock_client *lc, sd_bus_slot **slot, const char *path,
                           const char *interface, const char *member, sd_bus_message_handler_t handler,
                           const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(lc->bus, &m, DL_BUS_NAME, path, interface, member);
        if (r < 0)
                return r;
        (void)sd_bus_message_set_auto_start(m, false);
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return sd_bus_call_async(lc->bus, slot, m, handler, lc, CALL_TIMEOUT_USEC);
}

static void read_codes(struct lock_client *lc) {
        int r;

        lc->codes_dirty = false;
        if (lc->slot_codes) {
                lc->codes_dirty = true;
                return;
        }
        r = call_lock_async(lc, &lc->slot_codes, DL_LOCK_PATH, OBJECT_MANAGER_INTERFACE, "GetManagedObjects",
                            on_codes, NULL);
        if (r < 0)
                log_msg(LOG_WARNING, "Cannot ask doorlockd for its codes: %s", strerror(-r));
}

static void forget_reads(struct lock_client *lc) {
        lc->slot_get_all = sd_bus_slot_unref(lc->slot_get_all);
        lc->slot_hardware = sd_bus_slot_unref(lc->slot_hardware);
        lc->slot_codes = sd_bus_slot_unref(lc->slot_codes);
        lc->got_all = lc->got_hardware = lc->got_codes = false;
        lc->codes_dirty = false;
}

static void set_owner(struct lock_client *lc, const char *owner) {
        int r;

        if (owner && !owner[0])
                owner = NULL;
        if ((!owner && !lc->owner) || (owner && lc->owner && strcmp(owner, lc->owner) == 0))
                return;

        forget_reads(lc);
        free(lc->owner);
        lc->owner = NULL;
        if (lc->present) {
                lc->present = false;
                log_msg(LOG_WARNING, "doorlockd left the bus");
                if (lc->cb.vanished)
                        lc->cb.vanished(lc, lc->userdata);
        }
        if (!owner)
                return;

        lc->owner = strdup(owner);
        if (!lc->owner) {
                log_msg(LOG_ERR, "Out of memory");
                return;
        }
        r = call_lock_async(lc, &lc->slot_get_all, DL_LOCK_PATH, PROPERTIES_INTERFACE, "GetAll", on_get_all,
                            "s", DL_LOCK_INTERFACE);
        if (r >= 0)
                r = call_lock_async(lc, &lc->slot_hardware, DL_LOCK_PATH, DL_LOCK_INTERFACE, "GetHardware",
                                    on_get_hardware, NULL);
        if (r >= 0)
                r = call_lock_async(lc, &lc->slot_codes, DL_LOCK_PATH, OBJECT_MANAGER_INTERFACE,
                                    "GetManagedObjects", on_codes, NULL);
        if (r < 0)
                log_msg(LOG_ERR, "Cannot read doorlockd's state: %s", strerror(-r));
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        (void)ret_error;
        r = sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner);
        if (r < 0 || strcmp(name, DL_BUS_NAME) != 0)
                return 0;
        set_owner(lc, new_owner);
        return 0;
}

static int on_get_name_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        const char *owner = NULL;

        (void)ret_error;
        lc->slot_get_owner = sd_bus_slot_unref(lc->slot_get_owner);
        if (sd_bus_message_is_method_error(m, NULL)) {
                log_msg(LOG_INFO, "doorlockd is not on the bus yet; waiting for %s", DL_BUS_NAME);
                set_owner(lc, NULL);
                return 0;
        }
        if (sd_bus_message_read(m, "s", &owner) < 0)
                return 0;
        set_owner(lc, owner);
        return 0;
}

/* ---- signals ---- */

static bool from_owner(struct lock_client *lc, sd_bus_message *m) {
        const char *sender = sd_bus_message_get_sender(m);

        return lc->owner && sender && strcmp(sender, lc->owner) == 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        const char *path = sd_bus_message_get_path(m);
        const char *interface;
        struct bus_dict d = {};
        int r;

        (void)ret_error;
        if (!from_owner(lc, m) || !path)
                return 0;
        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0)
                return 0;

        if (strcmp(interface, DL_CODE_INTERFACE) == 0) {
                if (lc->got_codes)
                        read_codes(lc);
                return 0;
        }
        if (strcmp(interface, DL_LOCK_INTERFACE) != 0 || strcmp(path, DL_LOCK_PATH) != 0)
                return 0;
        r = bus_read_dict(m, &d);
        if (r < 0) {
                log_msg(LOG_WARNING, "Cannot parse doorlockd's PropertiesChanged: %s", strerror(-r));
                return 0;
        }
        if (apply_lock_properties(lc, &d))
                state_changed(lc);
        bus_dict_done(&d);
        return 0;
}

static int on_objects_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;

        (void)ret_error;
        if (!from_owner(lc, m))
                return 0;
        if (lc->got_codes)
                read_codes(lc);
        return 0;
}

static void signal_access_granted(struct lock_client *lc, sd_bus_message *m) {
        const char *source, *code, *name;
        struct lock_access a = { .result = LOCK_ACCESS_GRANTED };

        if (sd_bus_message_read(m, "sos", &source, &code, &name) < 0)
                return;
        if (lock_source_from_dbus(source, &a.source) < 0) {
                log_msg(LOG_WARNING, "AccessGranted with an unknown source '%s'", source);
                return;
        }
        if (lock_code_id_from_path(code, &a.code_id) < 0)
                a.code_id = 0;
        a.code_name = name;
        a.time = now_realtime_usec();
        if (lock_view_set_last_access(&lc->view, a.time, name, a.source) < 0)
                log_msg(LOG_WARNING, "AccessGranted with a name that does not fit");
        if (lc->cb.access)
                lc->cb.access(lc, &a, lc->userdata);
        state_changed(lc);
}

static void signal_access_denied(struct lock_client *lc, sd_bus_message *m) {
        const char *source, *reason;
        struct lock_access a = { .result = LOCK_ACCESS_DENIED };

        if (sd_bus_message_read(m, "ss", &source, &reason) < 0)
                return;
        if (lock_source_from_dbus(source, &a.source) < 0 ||
            lock_deny_reason_from_dbus(reason, &a.reason) < 0) {
                log_msg(LOG_WARNING, "AccessDenied with an unknown source '%s' or reason '%s'", source,
                        reason);
                return;
        }
        a.time = now_realtime_usec();
        if (lc->cb.access)
                lc->cb.access(lc, &a, lc->userdata);
}

static void signal_alarm(struct lock_client *lc, sd_bus_message *m) {
        const char *kind, *detail;
        enum lock_alarm a;

        if (sd_bus_message_read(m, "ss", &kind, &detail) < 0)
                return;
        if (lock_alarm_from_dbus(kind, &a) < 0) {
                log_msg(LOG_WARNING, "Alarm of an unknown kind '%s'", kind);
                return;
        }
        if (lc->cb.alarm)
                lc->cb.alarm(lc, a, now_realtime_usec(), detail, lc->userdata);
        if (a == LOCK_ALARM_HELD_OPEN && !(lc->view.alarms & LOCK_ALARM_BIT(a))) {
                lc->view.alarms |= LOCK_ALARM_BIT(a);
                state_changed(lc);
        }
}

static void signal_log_entry(struct lock_client *lc, sd_bus_message *m) {
        struct log_entry e = {};
        int r;

        r = log_entry_read(m, &e);
        if (r < 0) {
                log_msg(LOG_WARNING, "Cannot parse a LogEntry signal: %s", strerror(-r));
                return;
        }
        if (lc->cb.log_entry)
                lc->cb.log_entry(lc, &e, lc->userdata);
        if (e.event && strcmp(e.event, "held-open-cleared") == 0 &&
            (lc->view.alarms & LOCK_ALARM_BIT(LOCK_ALARM_HELD_OPEN))) {
                lc->view.alarms &= ~LOCK_ALARM_BIT(LOCK_ALARM_HELD_OPEN);
                state_changed(lc);
        }
        log_entry_done(&e);
}

static int on_lock_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct lock_client *lc = userdata;
        const char *member = sd_bus_message_get_member(m);

        (void)ret_error;
        /* Signals before the first complete read would land in a view that
         * is not published yet: the read brings the state anyway. */
        if (!from_owner(lc, m) || !member || !lc->present)
                return 0;
        if (strcmp(member, "AccessGranted") == 0)
                signal_access_granted(lc, m);
        else if (strcmp(member, "AccessDenied") == 0)
                signal_access_denied(lc, m);
        else if (strcmp(member, "Alarm") == 0)
                signal_alarm(lc, m);
        else if (strcmp(member, "Doorbell") == 0) {
                if (lc->cb.alarm)
                        lc->cb.alarm(lc, LOCK_ALARM_DOORBELL, now_realtime_usec(), NULL, lc->userdata);
        } else if (strcmp(member, "LogEntry") == 0)
                signal_log_entry(lc, m);
        return 0;
}

/* ---- life ---- */

int lock_client_new(sd_bus *bus, const struct lock_client_callbacks *cb, void *userdata,
                    struct lock_client **ret) {
        struct lock_client *lc;

        if (!bus || !cb || !ret)
                return -EINVAL;
        lc = calloc(1, sizeof(*lc));
        if (!lc)
                return -ENOMEM;
        lc->bus = sd_bus_ref(bus);
        lc->cb = *cb;
        lc->userdata = userdata;
        lock_view_init(&lc->view);
        *ret = lc;
        return 0;
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void)userdata;
        (void)ret_error;
        if (sd_bus_message_is_method_error(m, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(m);

                log_msg(LOG_ERR, "Cannot subscribe to doorlockd's signals: %s",
                        e && e->message ? e->message : "?");
        }
        return 0;
}

int lock_client_start(struct lock_client *lc) {
        int r;

        r = sd_bus_add_match_async(lc->bus, &lc->match_owner,
                                   "type='signal',sender='" DBUS_SERVICE "',path='" DBUS_PATH
                                   "',interface='" DBUS_INTERFACE
                                   "',member='NameOwnerChanged',arg0='" DL_BUS_NAME "'",
                                   on_name_owner_changed, on_match_installed, lc);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(lc->bus, &lc->match_props,
                                   "type='signal',sender='" DL_BUS_NAME "',interface='" PROPERTIES_INTERFACE
                                   "',member='PropertiesChanged',path_namespace='" DL_LOCK_PATH "'",
                                   on_properties_changed, on_match_installed, lc);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(lc->bus, &lc->match_objects,
                                   "type='signal',sender='" DL_BUS_NAME
                                   "',interface='" OBJECT_MANAGER_INTERFACE "',path='" DL_LOCK_PATH "'",
                                   on_objects_changed, on_match_installed, lc);
        if (r < 0)
                return r;
        r = sd_bus_add_match_async(lc->bus, &lc->match_lock,
                                   "type='signal',sender='" DL_BUS_NAME "',interface='" DL_LOCK_INTERFACE
                                   "',path='" DL_LOCK_PATH "'",
                                   on_lock_signal, on_match_installed, lc);
        if (r < 0)
                return r;
        return sd_bus_call_method_async(lc->bus, &lc->slot_get_owner, DBUS_SERVICE, DBUS_PATH,
                                        DBUS_INTERFACE, "GetNameOwner", on_get_name_owner, lc, "s",
                                        DL_BUS_NAME);
}

void lock_client_call_unlink(struct call *c) {
        struct lock_client *lc = c->lc;

        if (c->prev)
                c->prev->next = c->next;
        else
                lc->calls = c->next;
        if (c->next)
                c->next->prev = c->prev;
        lc->n_calls--;
        c->slot = sd_bus_slot_unref(c->slot);
}

struct lock_client *lock_client_free(struct lock_client *lc) {
        if (!lc)
                return NULL;
        while (lc->calls) {
                struct call *c = lc->calls;
                struct lock_call_result res = { .cancelled = true,
                                                .error_name = SD_BUS_ERROR_NO_REPLY,
                                                .error_message = "The bridge is stopping",
                                                .code_name = "" };

                lock_client_call_unlink(c);
                if (c->done)
                        c->done(lc, &res, c->userdata);
                free(c);
        }
        forget_reads(lc);
        sd_bus_slot_unref(lc->slot_get_owner);
        sd_bus_slot_unref(lc->match_owner);
        sd_bus_slot_unref(lc->match_props);
        sd_bus_slot_unref(lc->match_objects);
        sd_bus_slot_unref(lc->match_lock);
        code_infos_free(lc->codes, lc->n_codes);
        free(lc->owner);
        sd_bus_unref(lc->bus);
        free(lc);
        return NULL;
}
