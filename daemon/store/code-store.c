/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "code-store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "pin-rules.h"
#include "store-private.h"

/* ---- reading codes ---- */

static const char SQL_WINDOWS_GET[] =
        "SELECT days, start_minute, end_minute FROM code_windows WHERE code_id = ?1 ORDER BY idx";

static int load_windows(struct dl_store *s, struct dl_code *c, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_WINDOWS_GET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, c->id);
        c->spec.n_windows = 0;
        while ((r = dl_db_step(&s->db, st, err)) > 0) {
                if (c->spec.n_windows >= DL_WINDOWS_MAX) {
                        r = dl_error_set(err, -EBADMSG, "Code %" PRId64 " has too many windows", c->id);
                        break;
                }
                c->spec.windows[c->spec.n_windows++] = (struct dl_window){
                        .days = (uint8_t)sqlite3_column_int(st, 0),
                        .start = (uint16_t)sqlite3_column_int(st, 1),
                        .end = (uint16_t)sqlite3_column_int(st, 2),
                };
        }
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int dl_code_from_row(struct dl_store *s, sqlite3_stmt *st, struct dl_code *c, struct dl_error *err) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *kind = (const char *)sqlite3_column_text(st, 2);

        *c = (struct dl_code){
                .id = sqlite3_column_int64(st, 0),
                .created = sqlite3_column_int64(st, 5),
                .use_count = (uint32_t)sqlite3_column_int64(st, 9),
                .last_used = sqlite3_column_int64(st, 10),
        };
        c->spec.kind = dl_code_kind_from_string(kind);
        if (!name || dl_code_spec_set_name(&c->spec, name) < 0 || c->spec.kind < 0)
                return dl_error_set(err, -EBADMSG, "Code %" PRId64 " is damaged in the database", c->id);
        c->spec.enabled = sqlite3_column_int(st, 3) != 0;
        c->spec.duress = sqlite3_column_int(st, 4) != 0;
        c->spec.valid_from = sqlite3_column_int64(st, 6);
        c->spec.valid_until = sqlite3_column_int64(st, 7);
        c->spec.use_limit = (uint32_t)sqlite3_column_int64(st, 8);
        return load_windows(s, c, err);
}

static const char SQL_CODE_GET[] = "SELECT " DL_CODE_COLUMNS " FROM codes WHERE id = ?1";

int dl_store_get_code(struct dl_store *s, int64_t id, struct dl_code *ret, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_CODE_GET, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = dl_db_step(&s->db, st, err);
        if (r == 0)
                r = dl_error_kind(err, "NotFound",
                                  dl_error_set(err, -ENOENT, "No code with id %" PRId64, id));
        else if (r > 0)
                r = dl_code_from_row(s, st, ret, err);
        sqlite3_reset(st);
        return r;
}

static const char SQL_CODE_BY_NAME[] = "SELECT id FROM codes WHERE name = ?1";

static int id_by_name(struct dl_store *s, const char *name, int64_t *ret, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_CODE_BY_NAME, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        if (r > 0)
                *ret = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return r; /* 1 found, 0 not found, < 0 error */
}

int dl_store_find_code(struct dl_store *s, const char *id_or_name, struct dl_code *ret,
                       struct dl_error *err) {
        int64_t id;
        int r;

        if (!id_or_name || !*id_or_name)
                return dl_error_set(err, -EINVAL, "No code id or name given");
        if (dl_is_digits(id_or_name, strlen(id_or_name))) {
                char *end;

                errno = 0;
                id = strtoll(id_or_name, &end, 10);
                if (errno != 0 || *end || id <= 0)
                        return dl_error_kind(err, "NotFound",
                                             dl_error_set(err, -ENOENT, "No code with id %s", id_or_name));
                return dl_store_get_code(s, id, ret, err);
        }
        r = id_by_name(s, id_or_name, &id, err);
        if (r < 0)
                return r;
        if (r == 0) {
                /* Echo the name only if it is one (no control characters). */
                if (dl_code_name_check(id_or_name, NULL) < 0)
                        return dl_error_kind(err, "NotFound",
                                             dl_error_set(err, -ENOENT, "No code with that name"));
                return dl_error_kind(err, "NotFound",
                                     dl_error_set(err, -ENOENT, "No code named '%s'", id_or_name));
        }
        return dl_store_get_code(s, id, ret, err);
}

static const char SQL_CODE_LIST[] = "SELECT " DL_CODE_COLUMNS " FROM codes ORDER BY id";

int dl_store_list_codes(struct dl_store *s, dl_code_cb cb, void *userdata, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_CODE_LIST, &st, err);
        if (r < 0)
                return r;
        while ((r = dl_db_step(&s->db, st, err)) > 0) {
                struct dl_code c;

                r = dl_code_from_row(s, st, &c, err);
                if (r < 0)
                        break;
                r = cb(&c, userdata);
                if (r < 0)
                        break;
        }
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

static const char SQL_CODE_COUNT[] = "SELECT count(*) FROM codes";

int dl_store_count_codes(struct dl_store *s, unsigned *ret, struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_CODE_COUNT, &st, err);
        if (r < 0)
                return r;
        r = dl_db_step(&s->db, st, err);
        if (r > 0)
                *ret = (unsigned)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return r < 0 ? r : 0;
}

int dl_store_code_status(struct dl_store *s, const struct dl_code *c, struct dl_code_status *ret,
                         struct dl_error *err) {
        struct dl_clock_status cs;
        struct dl_wall wall;
        int r;

        r = dl_store_clock_status(s, &cs, err);
        if (r < 0)
                return r;
        r = dl_store_wall(s, cs.now, &wall);
        if (r < 0)
                return dl_error_set(err, r, "Cannot convert the time to local time");
        *ret = (struct dl_code_status){
                .reason = dl_access_evaluate(c, cs.now, &wall, cs.trusted),
                .dead_since = dl_code_dead_since(c, cs.now),
        };
        if (ret->dead_since > 0)
                ret->remove_at = ret->dead_since + s->config.remove_dead_after_usec;
        return 0;
}

/* ---- writing codes ---- */

static int pin_mac(struct dl_store *s, const char *pin, uint8_t out[DL_MAC_SIZE]) {
        struct dl_hmac_part part = { pin, strlen(pin) };

        return dl_hmac(s->pin_key, &part, 1, out);
}

static const char SQL_PIN_EXISTS[] = "SELECT 1 FROM codes WHERE pin_mac = ?1";

static int pin_in_use(struct dl_store *s, const uint8_t mac[DL_MAC_SIZE], struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_PIN_EXISTS, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_blob(st, 1, mac, DL_MAC_SIZE, SQLITE_STATIC);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        return r;
}

static const char SQL_WINDOWS_DELETE[] = "DELETE FROM code_windows WHERE code_id = ?1";
static const char SQL_WINDOW_INSERT[] = "INSERT INTO code_windows (code_id, idx, days, start_minute, "
                                        "end_minute) VALUES (?1, ?2, ?3, ?4, ?5)";

static int save_windows(struct dl_store *s, int64_t id, const struct dl_code_spec *spec,
                        struct dl_error *err) {
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_WINDOWS_DELETE, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;

        for (size_t i = 0; i < spec->n_windows; i++) {
                r = dl_db_prepare(&s->db, SQL_WINDOW_INSERT, &st, err);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_int64(st, 2, (int64_t)i);
                sqlite3_bind_int(st, 3, spec->windows[i].days);
                sqlite3_bind_int(st, 4, spec->windows[i].start);
                sqlite3_bind_int(st, 5, spec->windows[i].end);
                r = dl_db_step(&s->db, st, err);
                sqlite3_reset(st);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void bind_optional(sqlite3_stmt *st, int idx, int64_t v) {
        if (v > 0)
                sqlite3_bind_int64(st, idx, v);
        else
                sqlite3_bind_null(st, idx);
}

static const char SQL_CODE_INSERT[] = "INSERT INTO codes (name, kind, pin_mac, enabled, duress, created, "
                                      "valid_from, valid_until, use_limit, "
                                      "use_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)";

/* A short description of a spec for the audit log: never the PIN. */
static void describe_spec(const struct dl_code_spec *spec, char *buf, size_t size) {
        snprintf(buf, size, "%s%s%s, %zu window%s, use limit %u%s%s", dl_code_kind_to_string(spec->kind),
                 spec->duress ? " duress" : "", spec->enabled ? "" : " disabled", spec->n_windows,
                 spec->n_windows == 1 ? "" : "s", spec->use_limit,
                 spec->valid_from > 0 ? ", valid-from set" : "",
                 spec->valid_until > 0 ? ", valid-until set" : "");
}

int dl_store_add_code(struct dl_store *s, const struct dl_code_spec *in, const char *pin,
                      unsigned generated_length, const struct dl_actor *actor, int64_t *ret_id,
                      char *pin_out, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        struct dl_code_spec spec = *in;
        char generated[DL_PIN_BUFFER_SIZE] = {}, who[96], what[160];
        uint8_t mac[DL_MAC_SIZE];
        unsigned count = 0;
        int64_t id, existing;
        int r;

        if (spec.kind == DL_CODE_ONE_TIME && spec.use_limit == 0)
                spec.use_limit = 1;
        r = dl_code_spec_check(&spec, err);
        if (r < 0)
                return r;

        if (pin) {
                r = dl_pin_check(&s->config.pin, pin, err);
                if (r < 0)
                        return r; /* kind set: WeakPin or InvalidPin */
        } else {
                if (!pin_out)
                        return dl_error_set(err, -EINVAL, "Nowhere to return the generated PIN");
                if (generated_length == 0)
                        generated_length = s->config.generated_pin_length;
                if (generated_length < s->config.pin.min_length ||
                    generated_length > s->config.pin.max_length)
                        return dl_error_set(err, -ERANGE, "PIN length %u is outside the allowed %u-%u",
                                            generated_length, s->config.pin.min_length,
                                            s->config.pin.max_length);
        }

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;

        /* Dead codes past their removal time go first, so they do not hold a
         * place in a full table. */
        r = dl_codes_remove_dead(&t, err);
        if (r < 0)
                return r;

        r = dl_store_count_codes(s, &count, err);
        if (r < 0)
                return r;
        if (count >= s->config.max_codes)
                return dl_error_kind(err, "CodeLimit",
                                     dl_error_set(err, -ENOSPC,
                                                  "The lock already holds %u codes, the most it can (%u); "
                                                  "remove one first",
                                                  count, s->config.max_codes));

        r = id_by_name(s, spec.name, &existing, err);
        if (r < 0)
                return r;
        if (r > 0)
                return dl_error_kind(
                        err, "DuplicateName",
                        dl_error_set(err, -EEXIST, "A code named '%s' already exists", spec.name));

        if (pin) {
                r = pin_mac(s, pin, mac);
                if (r < 0)
                        return dl_error_set(err, r, "Cannot compute PIN MAC");
                r = pin_in_use(s, mac, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        return dl_error_kind(
                                err, "DuplicatePin",
                                dl_error_set(err, -EEXIST, "This PIN is already used by another code"));
        } else {
                /* With 200 codes out of 10^6 PINs a clash is rare; a few tries
                 * are plenty. */
                for (int attempt = 0;; attempt++) {
                        if (attempt >= 32)
                                return dl_error_set(err, -EEXIST,
                                                    "Cannot find an unused PIN; try a longer one");
                        r = dl_pin_generate(generated_length, generated, sizeof(generated));
                        if (r < 0)
                                return dl_error_set(err, r,
                                                    "Cannot generate a PIN: random number generator failed");
                        if (dl_pin_check(&s->config.pin, generated, NULL) < 0)
                                continue;
                        r = pin_mac(s, generated, mac);
                        if (r < 0)
                                break;
                        r = pin_in_use(s, mac, err);
                        if (r <= 0)
                                break;
                }
                if (r < 0) {
                        secure_zero(generated, sizeof(generated));
                        return r;
                }
        }

        sqlite3_stmt *st;

        r = dl_db_prepare(&s->db, SQL_CODE_INSERT, &st, err);
        if (r < 0) {
                secure_zero(generated, sizeof(generated));
                return r;
        }
        sqlite3_bind_text(st, 1, spec.name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, dl_code_kind_to_string(spec.kind), -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, mac, DL_MAC_SIZE, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, spec.enabled);
        sqlite3_bind_int(st, 5, spec.duress);
        sqlite3_bind_int64(st, 6, t.now);
        bind_optional(st, 7, spec.valid_from);
        bind_optional(st, 8, spec.valid_until);
        bind_optional(st, 9, spec.use_limit);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r >= 0) {
                id = sqlite3_last_insert_rowid(s->db.sql);
                r = save_windows(s, id, &spec, err);
        }
        if (r >= 0) {
                describe_spec(&spec, what, sizeof(what));
                r = dl_txn_logf(&t, DL_EVENT_CODE_ADDED, actor ? actor->source : DL_SOURCE_SYSTEM, id,
                                spec.name, "%s; PIN %s; %s", what, pin ? "chosen" : "generated",
                                dl_actor_describe(actor, who, sizeof(who)));
                if (r < 0)
                        dl_error_set(err, r, "Cannot write audit log");
        }
        if (r >= 0)
                r = dl_txn_commit(&t, err);
        if (r < 0) {
                secure_zero(generated, sizeof(generated));
                return r;
        }

        if (ret_id)
                *ret_id = id;
        if (!pin) {
                memcpy(pin_out, generated, DL_PIN_BUFFER_SIZE);
                secure_zero(generated, sizeof(generated));
        }
        return 0;
}

static const char SQL_CODE_UPDATE[] =
        "UPDATE codes SET name = ?2, enabled = ?3, valid_from = ?4, valid_until = ?5, use_limit = ?6 "
        "WHERE id = ?1";

int dl_store_update_code(struct dl_store *s, int64_t id, const struct dl_code_spec *in,
                         const struct dl_actor *actor, struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        struct dl_code_spec spec = *in;
        struct dl_code old;
        char who[96], what[160];
        int64_t existing;
        sqlite3_stmt *st;
        int r;

        if (spec.kind == DL_CODE_ONE_TIME && spec.use_limit == 0)
                spec.use_limit = 1;
        r = dl_code_spec_check(&spec, err);
        if (r < 0)
                return r;

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_store_get_code(s, id, &old, err);
        if (r < 0)
                return r;
        if (spec.kind != old.spec.kind)
                return dl_error_set(err, -EINVAL,
                                    "The kind of a code cannot be changed; add a new code instead");
        if (spec.duress != old.spec.duress)
                return dl_error_set(err, -EINVAL,
                                    "The duress flag of a code cannot be changed; add a new code instead");

        r = id_by_name(s, spec.name, &existing, err);
        if (r < 0)
                return r;
        if (r > 0 && existing != id)
                return dl_error_kind(
                        err, "DuplicateName",
                        dl_error_set(err, -EEXIST, "A code named '%s' already exists", spec.name));

        r = dl_db_prepare(&s->db, SQL_CODE_UPDATE, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, spec.name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, spec.enabled);
        bind_optional(st, 4, spec.valid_from);
        bind_optional(st, 5, spec.valid_until);
        bind_optional(st, 6, spec.use_limit);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        r = save_windows(s, id, &spec, err);
        if (r < 0)
                return r;

        describe_spec(&spec, what, sizeof(what));
        r = dl_txn_logf(&t, DL_EVENT_CODE_CHANGED, actor ? actor->source : DL_SOURCE_SYSTEM, id, spec.name,
                        "%s%s%s; %s", what, strcmp(old.spec.name, spec.name) ? "; renamed from " : "",
                        strcmp(old.spec.name, spec.name) ? old.spec.name : "",
                        dl_actor_describe(actor, who, sizeof(who)));
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        return dl_txn_commit(&t, err);
}

static const char SQL_CODE_DELETE[] = "DELETE FROM codes WHERE id = ?1";

static int delete_code(struct dl_txn *t, const struct dl_code *c, enum dl_source source, const char *why,
                       struct dl_error *err) {
        struct dl_store *s = t->store;
        sqlite3_stmt *st;
        int r;

        r = dl_db_prepare(&s->db, SQL_CODE_DELETE, &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, c->id);
        r = dl_db_step(&s->db, st, err);
        sqlite3_reset(st);
        if (r < 0)
                return r;
        r = dl_txn_log(t, DL_EVENT_CODE_REMOVED, source, c->id, c->spec.name, why);
        if (r < 0)
                return dl_error_set(err, r, "Cannot write audit log");
        return 0;
}

int dl_store_remove_code(struct dl_store *s, int64_t id, const struct dl_actor *actor,
                         struct dl_error *err) {
        _cleanup_txn_ struct dl_txn t = {};
        struct dl_code c;
        char who[96];
        int r;

        r = dl_txn_begin(s, true, &t, err);
        if (r < 0)
                return r;
        r = dl_store_get_code(s, id, &c, err);
        if (r < 0)
                return r;
        dl_actor_describe(actor, who, sizeof(who));
        r = delete_code(&t, &c, actor ? actor->source : DL_SOURCE_SYSTEM, who, err);
        if (r < 0)
                return r;
        return dl_txn_commit(&t, err);
}

/* Codes that can never work again (used up, or validity over) are kept so
 * the owner sees what happened, then removed remove_dead_after later. */
static const char SQL_CODES_MAYBE_DEAD[] =
        "SELECT " DL_CODE_COLUMNS " FROM codes WHERE (use_limit IS NOT NULL AND use_count >= use_limit) "
        "OR (valid_until IS NOT NULL AND valid_until <= ?1)";

int dl_codes_remove_dead(struct dl_txn *t, struct dl_error *err) {
        struct dl_store *s = t->store;
        struct dl_code dead[32];
        size_t n;
        int r;

        /* Collect first, delete after: never delete under a running SELECT.
         * Loop in batches in case more than 32 are due. */
        do {
                sqlite3_stmt *st;

                r = dl_db_prepare(&s->db, SQL_CODES_MAYBE_DEAD, &st, err);
                if (r < 0)
                        return r;
                sqlite3_bind_int64(st, 1, t->now);
                n = 0;
                while (n < ELEMENTSOF(dead) && (r = dl_db_step(&s->db, st, err)) > 0) {
                        struct dl_code c;
                        int64_t since;

                        r = dl_code_from_row(s, st, &c, err);
                        if (r < 0)
                                break;
                        since = dl_code_dead_since(&c, t->now);
                        if (since > 0 && t->now - since >= s->config.remove_dead_after_usec)
                                dead[n++] = c;
                }
                sqlite3_reset(st);
                if (r < 0)
                        return r;

                for (size_t i = 0; i < n; i++) {
                        char why[96];

                        snprintf(why, sizeof(why), "removed automatically: %s",
                                 dead[i].spec.use_limit > 0 && dead[i].use_count >= dead[i].spec.use_limit
                                         ? "used up"
                                         : "expired");
                        r = delete_code(t, &dead[i], DL_SOURCE_SYSTEM, why, err);
                        if (r < 0)
                                return r;
                }
        } while (n == ELEMENTSOF(dead));
        return 0;
}
