/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "message.h"

#include <errno.h>
#include <string.h>

#include "code-name.h"
#include "macro.h"

bool ble_op_is_request(uint8_t op) {
        return op >= BLE_OP_STATUS && op <= BLE_OP_REQUEST_MAX;
}

bool ble_op_is_response(uint8_t op) {
        return op == BLE_OP_ERROR || (op & BLE_OP_RESPONSE && ble_op_is_request(op & ~BLE_OP_RESPONSE));
}

bool ble_op_needs_challenge(uint8_t op) {
        switch (op) {
        case BLE_OP_UNLOCK:
        case BLE_OP_LOCK:
        case BLE_OP_CODE_ADD:
        case BLE_OP_CODE_EDIT:
        case BLE_OP_CODE_REMOVE:
        case BLE_OP_CODE_ENABLE:
        case BLE_OP_CODE_DISABLE:
        case BLE_OP_EMERGENCY_CODE:
        case BLE_OP_PHONE_REMOVE:
        case BLE_OP_TIME_SYNC:
                return true;
        default:
                return false;
        }
}

static const char *const op_names[] = {
        [BLE_OP_STATUS] = "status",
        [BLE_OP_UNLOCK] = "unlock",
        [BLE_OP_LOCK] = "lock",
        [BLE_OP_CODE_LIST] = "code-list",
        [BLE_OP_CODE_ADD] = "code-add",
        [BLE_OP_CODE_EDIT] = "code-edit",
        [BLE_OP_CODE_REMOVE] = "code-remove",
        [BLE_OP_CODE_ENABLE] = "code-enable",
        [BLE_OP_CODE_DISABLE] = "code-disable",
        [BLE_OP_LOG_READ] = "log-read",
        [BLE_OP_EMERGENCY_CODE] = "emergency-code",
        [BLE_OP_PHONE_LIST] = "phone-list",
        [BLE_OP_PHONE_REMOVE] = "phone-remove",
        [BLE_OP_TIME_SYNC] = "time-sync",
        [BLE_OP_CHALLENGE] = "challenge",
};
static const char *const reply_names[] = {
        [BLE_OP_STATUS] = "status-reply",
        [BLE_OP_UNLOCK] = "unlock-reply",
        [BLE_OP_LOCK] = "lock-reply",
        [BLE_OP_CODE_LIST] = "code-list-reply",
        [BLE_OP_CODE_ADD] = "code-add-reply",
        [BLE_OP_CODE_EDIT] = "code-edit-reply",
        [BLE_OP_CODE_REMOVE] = "code-remove-reply",
        [BLE_OP_CODE_ENABLE] = "code-enable-reply",
        [BLE_OP_CODE_DISABLE] = "code-disable-reply",
        [BLE_OP_LOG_READ] = "log-read-reply",
        [BLE_OP_EMERGENCY_CODE] = "emergency-code-reply",
        [BLE_OP_PHONE_LIST] = "phone-list-reply",
        [BLE_OP_PHONE_REMOVE] = "phone-remove-reply",
        [BLE_OP_TIME_SYNC] = "time-sync-reply",
        [BLE_OP_CHALLENGE] = "challenge-reply",
};

const char *ble_op_to_string(uint8_t op) {
        if (op == BLE_OP_ERROR)
                return "error";
        if (ble_op_is_request(op))
                return op_names[op];
        if (ble_op_is_response(op))
                return reply_names[op & ~BLE_OP_RESPONSE];
        return NULL;
}

/* ---- plain messages ---- */

static void put_be32(uint8_t *p, uint32_t v) {
        for (size_t i = 0; i < 4; i++)
                p[i] = (uint8_t)(v >> (8 * (3 - i)));
}

static uint32_t get_be32(const uint8_t *p) {
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ble_message_type(const uint8_t *p, size_t n) {
        if (!p || n == 0)
                return -EMSGSIZE;
        switch (p[0]) {
        case BLE_MSG_PAIR_START:
        case BLE_MSG_PAIR_SHARE:
        case BLE_MSG_PAIR_CONFIRM:
        case BLE_MSG_PAIR_DONE:
        case BLE_MSG_PAIR_FAIL:
        case BLE_MSG_HELLO:
        case BLE_MSG_HELLO_REPLY:
        case BLE_MSG_SEALED:
                return p[0];
        default:
                return -EOPNOTSUPP;
        }
}

void ble_hello_build(uint32_t phone_id, const uint8_t nonce_p[BLE_NONCE_SIZE], uint8_t out[BLE_HELLO_SIZE]) {
        out[0] = BLE_MSG_HELLO;
        put_be32(out + 1, phone_id);
        memcpy(out + 5, nonce_p, BLE_NONCE_SIZE);
}

int ble_hello_parse(const uint8_t *p, size_t n, uint32_t *phone_id, uint8_t nonce_p[BLE_NONCE_SIZE]) {
        if (!p || !phone_id || !nonce_p)
                return -EINVAL;
        if (n == 0)
                return -EMSGSIZE;
        if (p[0] != BLE_MSG_HELLO)
                return -EPROTO;
        if (n != BLE_HELLO_SIZE)
                return -EMSGSIZE;
        *phone_id = get_be32(p + 1);
        memcpy(nonce_p, p + 5, BLE_NONCE_SIZE);
        return 0;
}

void ble_hello_reply_build(uint32_t link_id, const uint8_t session_id[BLE_SESSION_ID_SIZE],
                           const uint8_t nonce_l[BLE_NONCE_SIZE], uint8_t out[BLE_HELLO_REPLY_SIZE]) {
        out[0] = BLE_MSG_HELLO_REPLY;
        put_be32(out + 1, link_id);
        memcpy(out + 5, session_id, BLE_SESSION_ID_SIZE);
        memcpy(out + 5 + BLE_SESSION_ID_SIZE, nonce_l, BLE_NONCE_SIZE);
}

int ble_hello_reply_parse(const uint8_t *p, size_t n, uint32_t *link_id,
                          uint8_t session_id[BLE_SESSION_ID_SIZE], uint8_t nonce_l[BLE_NONCE_SIZE]) {
        uint32_t id;

        if (!p || !link_id || !session_id || !nonce_l)
                return -EINVAL;
        if (n == 0)
                return -EMSGSIZE;
        if (p[0] != BLE_MSG_HELLO_REPLY)
                return -EPROTO;
        if (n != BLE_HELLO_REPLY_SIZE)
                return -EMSGSIZE;
        id = get_be32(p + 1);
        if (id == 0)
                return -EINVAL;
        *link_id = id;
        memcpy(session_id, p + 5, BLE_SESSION_ID_SIZE);
        memcpy(nonce_l, p + 5 + BLE_SESSION_ID_SIZE, BLE_NONCE_SIZE);
        return 0;
}

/* ---- the schemas ---- */

enum vtype {
        V_NONE = 0, /* not a tag */
        V_U8,
        V_BOOL,
        V_U16,
        V_U32,
        V_U64,
        V_OP,      /* u8, a state-changing op */
        V_ROLE,    /* u8, 0 or 1 */
        V_REASON,  /* u8, 1..BLE_ERROR_REASON_MAX */
        V_LENGTH,  /* u8, 4..12 */
        V_COUNT,   /* u16, 1..1000 */
        V_NAME,    /* 1..128 bytes, dl_code_name_check() */
        V_TEXT,    /* 1..255 bytes of UTF-8, no NUL */
        V_PIN,     /* 4..12 ASCII digits */
        V_DIGITS8, /* 8 ASCII digits */
        V_BYTES16,
        V_SCHEDULE, /* 0..16 windows of 5 bytes */
        V_NESTED,
};

#define NAME_MAX_BYTES 128
#define TEXT_MAX_BYTES 255
#define PIN_MIN 4
#define PIN_MAX 12
#define COUNT_MAX 1000
#define WINDOW_BYTES 5

static const uint8_t tag_type[256] = {
        [BLE_TAG_OP] = V_OP,
        [BLE_TAG_CHALLENGE] = V_BYTES16,
        [BLE_TAG_CODE_ID] = V_U32,
        [BLE_TAG_NAME] = V_NAME,
        [BLE_TAG_PIN] = V_PIN,
        [BLE_TAG_LENGTH] = V_LENGTH,
        [BLE_TAG_ONE_TIME] = V_BOOL,
        [BLE_TAG_DURESS] = V_BOOL,
        [BLE_TAG_VALID_FROM] = V_U64,
        [BLE_TAG_VALID_UNTIL] = V_U64,
        [BLE_TAG_MAX_USES] = V_U32,
        [BLE_TAG_SCHEDULE] = V_SCHEDULE,
        [BLE_TAG_ENABLED] = V_BOOL,
        [BLE_TAG_CODE] = V_NESTED,
        [BLE_TAG_CURSOR] = V_U64,
        [BLE_TAG_COUNT] = V_COUNT,
        [BLE_TAG_MORE] = V_BOOL,
        [BLE_TAG_LOG_ENTRY] = V_NESTED,
        [BLE_TAG_SEQ] = V_U64,
        [BLE_TAG_TIME] = V_U64,
        [BLE_TAG_TEXT] = V_TEXT,
        [BLE_TAG_PHONE_ID] = V_U32,
        [BLE_TAG_PHONE] = V_NESTED,
        [BLE_TAG_ROLE] = V_ROLE,
        [BLE_TAG_PAIRED] = V_U64,
        [BLE_TAG_LAST_SEEN] = V_U64,
        [BLE_TAG_STATE] = V_U8,
        [BLE_TAG_MODE] = V_U8,
        [BLE_TAG_CLOCK_TRUSTED] = V_BOOL,
        [BLE_TAG_EMERGENCY] = V_DIGITS8,
        [BLE_TAG_REASON] = V_REASON,
        [BLE_TAG_USES] = V_U32,
};

#define REQ 0x01    /* required */
#define REPEAT 0x02 /* may repeat (list entries) */

struct field {
        uint8_t tag;
        uint8_t flags;
};

struct schema {
        const struct field *f;
        size_t n;
};

#define SCHEMA(...)                                                                                         \
        {                                                                                                   \
                .f = (const struct field[]){ __VA_ARGS__ },                                                 \
                .n = sizeof((const struct field[]){ __VA_ARGS__ }) / sizeof(struct field),                  \
        }
#define EMPTY                                                                                               \
        { .f = NULL, .n = 0 }

static const struct schema code_entry = SCHEMA(
        { BLE_TAG_CODE_ID, REQ }, { BLE_TAG_NAME, REQ }, { BLE_TAG_ENABLED, REQ }, { BLE_TAG_ONE_TIME, 0 },
        { BLE_TAG_DURESS, 0 }, { BLE_TAG_VALID_FROM, 0 }, { BLE_TAG_VALID_UNTIL, 0 },
        { BLE_TAG_MAX_USES, 0 }, { BLE_TAG_USES, 0 }, { BLE_TAG_SCHEDULE, 0 });
static const struct schema log_entry =
        SCHEMA({ BLE_TAG_SEQ, REQ }, { BLE_TAG_TIME, REQ }, { BLE_TAG_TEXT, REQ });
static const struct schema phone_entry =
        SCHEMA({ BLE_TAG_PHONE_ID, REQ }, { BLE_TAG_NAME, REQ }, { BLE_TAG_ROLE, REQ },
               { BLE_TAG_PAIRED, REQ }, { BLE_TAG_LAST_SEEN, 0 });

static const struct schema requests[BLE_OP_REQUEST_MAX + 1] = {
        [BLE_OP_STATUS] = EMPTY,
        [BLE_OP_UNLOCK] = EMPTY,
        [BLE_OP_LOCK] = EMPTY,
        [BLE_OP_CODE_LIST] = SCHEMA({ BLE_TAG_CURSOR, 0 }, { BLE_TAG_COUNT, 0 }),
        [BLE_OP_CODE_ADD] =
                SCHEMA({ BLE_TAG_NAME, REQ }, { BLE_TAG_LENGTH, 0 }, { BLE_TAG_ONE_TIME, 0 },
                       { BLE_TAG_DURESS, 0 }, { BLE_TAG_VALID_FROM, 0 }, { BLE_TAG_VALID_UNTIL, 0 },
                       { BLE_TAG_MAX_USES, 0 }, { BLE_TAG_SCHEDULE, 0 }),
        [BLE_OP_CODE_EDIT] =
                SCHEMA({ BLE_TAG_CODE_ID, REQ }, { BLE_TAG_NAME, 0 }, { BLE_TAG_VALID_FROM, 0 },
                       { BLE_TAG_VALID_UNTIL, 0 }, { BLE_TAG_MAX_USES, 0 }, { BLE_TAG_SCHEDULE, 0 }),
        [BLE_OP_CODE_REMOVE] = SCHEMA({ BLE_TAG_CODE_ID, REQ }),
        [BLE_OP_CODE_ENABLE] = SCHEMA({ BLE_TAG_CODE_ID, REQ }),
        [BLE_OP_CODE_DISABLE] = SCHEMA({ BLE_TAG_CODE_ID, REQ }),
        [BLE_OP_LOG_READ] = SCHEMA({ BLE_TAG_CURSOR, 0 }, { BLE_TAG_COUNT, 0 }),
        [BLE_OP_EMERGENCY_CODE] = EMPTY,
        [BLE_OP_PHONE_LIST] = EMPTY,
        [BLE_OP_PHONE_REMOVE] = SCHEMA({ BLE_TAG_PHONE_ID, REQ }),
        [BLE_OP_TIME_SYNC] = SCHEMA({ BLE_TAG_TIME, REQ }),
        [BLE_OP_CHALLENGE] = SCHEMA({ BLE_TAG_OP, REQ }),
};

static const struct schema responses[BLE_OP_REQUEST_MAX + 1] = {
        [BLE_OP_STATUS] = SCHEMA({ BLE_TAG_STATE, REQ }, { BLE_TAG_MODE, 0 }, { BLE_TAG_TIME, 0 },
                                 { BLE_TAG_CLOCK_TRUSTED, 0 }),
        [BLE_OP_UNLOCK] = EMPTY,
        [BLE_OP_LOCK] = EMPTY,
        [BLE_OP_CODE_LIST] = SCHEMA({ BLE_TAG_CODE, REPEAT }, { BLE_TAG_MORE, 0 }),
        [BLE_OP_CODE_ADD] = SCHEMA({ BLE_TAG_CODE_ID, REQ }, { BLE_TAG_PIN, REQ }),
        [BLE_OP_CODE_EDIT] = EMPTY,
        [BLE_OP_CODE_REMOVE] = EMPTY,
        [BLE_OP_CODE_ENABLE] = EMPTY,
        [BLE_OP_CODE_DISABLE] = EMPTY,
        [BLE_OP_LOG_READ] = SCHEMA({ BLE_TAG_LOG_ENTRY, REPEAT }, { BLE_TAG_MORE, 0 }),
        [BLE_OP_EMERGENCY_CODE] = SCHEMA({ BLE_TAG_EMERGENCY, REQ }, { BLE_TAG_VALID_UNTIL, REQ }),
        [BLE_OP_PHONE_LIST] = SCHEMA({ BLE_TAG_PHONE, REPEAT }),
        [BLE_OP_PHONE_REMOVE] = EMPTY,
        [BLE_OP_TIME_SYNC] = EMPTY,
        [BLE_OP_CHALLENGE] = SCHEMA({ BLE_TAG_CHALLENGE, REQ }, { BLE_TAG_OP, REQ }),
};

static const struct schema error_schema = SCHEMA({ BLE_TAG_REASON, REQ }, { BLE_TAG_OP, 0 });

static const struct schema *entry_schema(uint8_t tag) {
        switch (tag) {
        case BLE_TAG_CODE:
                return &code_entry;
        case BLE_TAG_LOG_ENTRY:
                return &log_entry;
        case BLE_TAG_PHONE:
                return &phone_entry;
        default:
                return NULL;
        }
}

static uint64_t get_uint(const uint8_t *p, size_t n) {
        uint64_t v = 0;

        for (size_t i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

static bool all_digits(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (p[i] < '0' || p[i] > '9')
                        return false;
        return true;
}

static int check_len(size_t len, size_t want) {
        return len == want ? 0 : -EBADE;
}

static int decode_level(const uint8_t *p, size_t n, const struct schema *schema, bool nested,
                        struct ble_tlv_list *ret);

static int check_value(uint8_t type, const uint8_t *v, size_t len) {
        char name[NAME_MAX_BYTES + 1];
        uint64_t x;
        int r;

        switch (type) {
        case V_U8:
                return check_len(len, 1);
        case V_U16:
                return check_len(len, 2);
        case V_U32:
                return check_len(len, 4);
        case V_U64:
                return check_len(len, 8);
        case V_BOOL:
        case V_ROLE:
                r = check_len(len, 1);
                return r < 0 ? r : v[0] <= 1 ? 0 : -EINVAL;
        case V_OP:
                r = check_len(len, 1);
                return r < 0 ? r : ble_op_needs_challenge(v[0]) ? 0 : -EINVAL;
        case V_REASON:
                r = check_len(len, 1);
                return r < 0 ? r : v[0] >= 1 && v[0] <= BLE_ERROR_REASON_MAX ? 0 : -EINVAL;
        case V_LENGTH:
                r = check_len(len, 1);
                return r < 0 ? r : v[0] >= PIN_MIN && v[0] <= PIN_MAX ? 0 : -EINVAL;
        case V_COUNT:
                r = check_len(len, 2);
                if (r < 0)
                        return r;
                x = get_uint(v, 2);
                return x >= 1 && x <= COUNT_MAX ? 0 : -EINVAL;
        case V_NAME:
                if (len == 0 || len > NAME_MAX_BYTES)
                        return -EBADE;
                if (memchr(v, 0, len))
                        return -EINVAL;
                memcpy(name, v, len);
                name[len] = 0;
                return dl_code_name_check(name, NULL);
        case V_TEXT:
                if (len == 0 || len > TEXT_MAX_BYTES)
                        return -EBADE;
                if (memchr(v, 0, len))
                        return -EINVAL;
                return dl_utf8_length((const char *)v, len) < 0 ? -EILSEQ : 0;
        case V_PIN:
                if (len < PIN_MIN || len > PIN_MAX)
                        return -EBADE;
                return all_digits(v, len) ? 0 : -EINVAL;
        case V_DIGITS8:
                r = check_len(len, 8);
                return r < 0 ? r : all_digits(v, len) ? 0 : -EINVAL;
        case V_BYTES16:
                return check_len(len, 16);
        case V_SCHEDULE:
                if (len % WINDOW_BYTES != 0 || len > (size_t)DL_WINDOWS_MAX * WINDOW_BYTES)
                        return -EBADE;
                for (size_t i = 0; i < len; i += WINDOW_BYTES) {
                        struct dl_window w = {
                                .days = v[i],
                                .start = (uint16_t)get_uint(v + i + 1, 2),
                                .end = (uint16_t)get_uint(v + i + 3, 2),
                        };

                        if (dl_window_check(&w, NULL) < 0)
                                return -EINVAL;
                }
                return 0;
        default:
                return -ENOPROTOOPT;
        }
}

static int decode_level(const uint8_t *p, size_t n, const struct schema *schema, bool nested,
                        struct ble_tlv_list *ret) {
        uint32_t seen[8] = { 0 };
        size_t i = 0;
        int r;

        ret->n = 0;
        while (i < n) {
                const struct field *fd = NULL;
                struct ble_tlv t;

                if (n - i < 3)
                        return -EBADMSG;
                t.tag = p[i];
                t.len = (uint16_t)get_uint(p + i + 1, 2);
                i += 3;
                if (t.len > n - i)
                        return -EBADMSG;
                t.value = p + i;
                i += t.len;

                if (ret->n >= BLE_TLV_MAX)
                        return -E2BIG;
                for (size_t k = 0; k < schema->n; k++)
                        if (schema->f[k].tag == t.tag)
                                fd = &schema->f[k];
                if (!fd)
                        return -ENOPROTOOPT;
                if (seen[t.tag / 32] & 1u << (t.tag % 32) && !(fd->flags & REPEAT))
                        return -EEXIST;
                seen[t.tag / 32] |= 1u << (t.tag % 32);

                if (tag_type[t.tag] == V_NESTED) {
                        struct ble_tlv_list sub;

                        /* Entries hold no entries (their schemas have none);
                         * guard anyway. */
                        if (nested)
                                return -ENOPROTOOPT;
                        r = decode_level(t.value, t.len, entry_schema(t.tag), true, &sub);
                } else
                        r = check_value(tag_type[t.tag], t.value, t.len);
                if (r < 0)
                        return r;
                ret->item[ret->n++] = t;
        }

        for (size_t k = 0; k < schema->n; k++)
                if (schema->f[k].flags & REQ &&
                    !(seen[schema->f[k].tag / 32] & 1u << (schema->f[k].tag % 32)))
                        return -ENODATA;
        return 0;
}

int ble_inner_decode(const uint8_t *p, size_t n, enum ble_role sender, struct ble_inner *ret) {
        const struct schema *schema;
        bool request;
        size_t i = BLE_INNER_HEADER_SIZE;
        int r;

        if (!p || !ret || (sender != BLE_ROLE_PHONE && sender != BLE_ROLE_LOCK))
                return -EINVAL;
        if (n < BLE_INNER_HEADER_SIZE)
                return -EMSGSIZE;

        memset(ret, 0, sizeof(*ret));
        ret->op = p[0];
        request = ble_op_is_request(ret->op);
        if (!request && !ble_op_is_response(ret->op))
                return -EOPNOTSUPP;
        if (request != (sender == BLE_ROLE_PHONE))
                return -EPROTO;
        ret->req_seq = get_uint(p + 1, 8);
        if (request ? ret->req_seq != 0 : ret->req_seq == 0)
                return -EBADRQC;

        if (request && ble_op_needs_challenge(ret->op)) {
                if (n - i < BLE_CHALLENGE_SIZE)
                        return -ENOKEY;
                ret->has_challenge = true;
                memcpy(ret->challenge, p + i, BLE_CHALLENGE_SIZE);
                i += BLE_CHALLENGE_SIZE;
        }

        if (request)
                schema = &requests[ret->op];
        else if (ret->op == BLE_OP_ERROR)
                schema = &error_schema;
        else
                schema = &responses[ret->op & ~BLE_OP_RESPONSE];

        r = decode_level(p + i, n - i, schema, false, &ret->tlv);
        if (r < 0) {
                memset(ret, 0, sizeof(*ret));
                return r;
        }
        return 0;
}

int ble_entry_decode(const struct ble_tlv *entry, struct ble_tlv_list *ret) {
        const struct schema *schema;

        if (!entry || !ret)
                return -EINVAL;
        schema = entry_schema(entry->tag);
        if (!schema)
                return -EINVAL;
        return decode_level(entry->value, entry->len, schema, true, ret);
}

int ble_inner_check_response(const struct ble_inner *resp, uint8_t request_op, uint64_t request_counter) {
        if (!resp)
                return -EINVAL;
        if (resp->op != BLE_OP_ERROR && resp->op != (BLE_OP_RESPONSE | request_op))
                return -EPROTO;
        if (resp->req_seq != request_counter)
                return -EBADRQC;
        return 0;
}

/* ---- accessors ---- */

const struct ble_tlv *ble_tlv_find(const struct ble_tlv_list *l, uint8_t tag) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n; i++)
                if (l->item[i].tag == tag)
                        return &l->item[i];
        return NULL;
}

uint64_t ble_tlv_uint(const struct ble_tlv *t) {
        if (!t || t->len > 8)
                return 0;
        return get_uint(t->value, t->len);
}

int ble_tlv_get_uint(const struct ble_tlv_list *l, uint8_t tag, uint64_t *ret) {
        const struct ble_tlv *t = ble_tlv_find(l, tag);

        if (!t)
                return -ENOENT;
        if (t->len > 8)
                return -EBADE;
        if (ret)
                *ret = ble_tlv_uint(t);
        return 0;
}

int ble_tlv_get_string(const struct ble_tlv_list *l, uint8_t tag, char *buf, size_t size) {
        const struct ble_tlv *t = ble_tlv_find(l, tag);

        if (!t)
                return -ENOENT;
        if (!buf || size <= t->len)
                return -ENOBUFS;
        memcpy(buf, t->value, t->len);
        buf[t->len] = 0;
        return 0;
}

int ble_tlv_get_windows(const struct ble_tlv_list *l, uint8_t tag, struct dl_window w[DL_WINDOWS_MAX],
                        size_t *n) {
        const struct ble_tlv *t = ble_tlv_find(l, tag);
        size_t k = 0;

        if (!t)
                return -ENOENT;
        if (!w || !n || t->len % WINDOW_BYTES != 0 || t->len > (size_t)DL_WINDOWS_MAX * WINDOW_BYTES)
                return -EINVAL;
        for (size_t i = 0; i < t->len; i += WINDOW_BYTES)
                w[k++] = (struct dl_window){
                        .days = t->value[i],
                        .start = (uint16_t)get_uint(t->value + i + 1, 2),
                        .end = (uint16_t)get_uint(t->value + i + 3, 2),
                };
        *n = k;
        return 0;
}

/* ---- the writer ---- */

void ble_writer_init(struct ble_writer *w, uint8_t *buf, size_t size) {
        *w = (struct ble_writer){ .buf = buf, .size = size, .error = buf ? 0 : -EINVAL };
}

static void put_raw(struct ble_writer *w, const void *p, size_t n) {
        if (w->error < 0)
                return;
        if (n > w->size - w->len) {
                w->error = -ENOBUFS;
                return;
        }
        if (n)
                memcpy(w->buf + w->len, p, n);
        w->len += n;
}

static void put_uint(struct ble_writer *w, uint64_t v, size_t n) {
        uint8_t b[8];

        for (size_t i = 0; i < n; i++)
                b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
        put_raw(w, b, n);
}

void ble_put_header(struct ble_writer *w, uint8_t op, uint64_t req_seq, const uint8_t *challenge) {
        if (w->error >= 0 && w->len != 0)
                w->error = -EINVAL;
        put_uint(w, op, 1);
        put_uint(w, req_seq, 8);
        if (challenge)
                put_raw(w, challenge, BLE_CHALLENGE_SIZE);
}

void ble_put_bytes(struct ble_writer *w, uint8_t tag, const void *p, size_t n) {
        if (w->error >= 0 && (n > UINT16_MAX || (n && !p)))
                w->error = -EINVAL;
        put_uint(w, tag, 1);
        put_uint(w, n, 2);
        put_raw(w, p, n);
}

void ble_put_u8(struct ble_writer *w, uint8_t tag, uint8_t v) {
        ble_put_bytes(w, tag, &v, 1);
}

void ble_put_u16(struct ble_writer *w, uint8_t tag, uint16_t v) {
        put_uint(w, tag, 1);
        put_uint(w, 2, 2);
        put_uint(w, v, 2);
}

void ble_put_u32(struct ble_writer *w, uint8_t tag, uint32_t v) {
        put_uint(w, tag, 1);
        put_uint(w, 4, 2);
        put_uint(w, v, 4);
}

void ble_put_u64(struct ble_writer *w, uint8_t tag, uint64_t v) {
        put_uint(w, tag, 1);
        put_uint(w, 8, 2);
        put_uint(w, v, 8);
}

void ble_put_string(struct ble_writer *w, uint8_t tag, const char *s) {
        if (!s) {
                if (w->error >= 0)
                        w->error = -EINVAL;
                return;
        }
        ble_put_bytes(w, tag, s, strlen(s));
}

void ble_put_windows(struct ble_writer *w, uint8_t tag, const struct dl_window *wins, size_t n) {
        if (w->error >= 0 && (n > DL_WINDOWS_MAX || (n && !wins)))
                w->error = -EINVAL;
        put_uint(w, tag, 1);
        put_uint(w, n * WINDOW_BYTES, 2);
        for (size_t i = 0; i < n && w->error >= 0; i++) {
                put_uint(w, wins[i].days, 1);
                put_uint(w, wins[i].start, 2);
                put_uint(w, wins[i].end, 2);
        }
}

void ble_put_begin(struct ble_writer *w, uint8_t tag) {
        if (w->error >= 0 && w->open)
                w->error = -EINVAL;
        put_uint(w, tag, 1);
        put_uint(w, 0, 2); /* the length, filled in by ble_put_end() */
        if (w->error >= 0)
                w->open = w->len - 2; /* where the length goes; never 0 */
}

void ble_put_end(struct ble_writer *w) {
        size_t len;

        if (w->error < 0)
                return;
        if (!w->open) {
                w->error = -EINVAL;
                return;
        }
        len = w->len - w->open - 2;
        if (len > UINT16_MAX) {
                w->error = -EINVAL;
                return;
        }
        w->buf[w->open] = (uint8_t)(len >> 8);
        w->buf[w->open + 1] = (uint8_t)len;
        w->open = 0;
}

int ble_writer_finish(struct ble_writer *w, size_t *len) {
        if (!w)
                return -EINVAL;
        if (w->error < 0)
                return w->error;
        if (w->open || w->len < BLE_INNER_HEADER_SIZE)
                return -EINVAL;
        if (len)
                *len = w->len;
        return 0;
}
