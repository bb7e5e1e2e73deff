/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emergency-code.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "code-name.h"
#include "hmac.h"
#include "macro.h"

_Static_assert(DL_EC_SECRET_SIZE == DL_KEY_SIZE, "an issuer secret is an HMAC key");
_Static_assert(DL_EC_SECRET_BASE32_SIZE == (DL_EC_SECRET_SIZE * 8 + 4) / 5 + 1,
               "base32 of the secret, plus NUL");

/* The message layout: 0x01 || be32(issuer) || be64(window) || u8(slot). */
#define EC_MESSAGE_TAG 0x01
#define EC_MESSAGE_SIZE (1 + 4 + 8 + 1)

/* Issuer names in the URI: 1 to 128 bytes of UTF-8. */
#define EC_NAME_MAX_BYTES 128

#define EC_URI_PREFIX "otpauth://doorlockd-emergency/"
#define EC_URI_FIXED_PARAMS "&algorithm=SHA256&digits=8&period=14400&slots=16"

/* The longest URI: every name byte percent-encoded, the largest issuer id. */
_Static_assert(DL_EC_URI_MAX >= sizeof(EC_URI_PREFIX) - 1 + (size_t)3 * EC_NAME_MAX_BYTES +
                                        sizeof("?secret=") - 1 + (DL_EC_SECRET_BASE32_SIZE - 1) +
                                        sizeof("&issuer_id=4294967295") - 1 + sizeof(EC_URI_FIXED_PARAMS) -
                                        1 + 1,
               "DL_EC_URI_MAX holds every URI dl_ec_uri_format() can produce");

static const char base32_alphabet[32] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t dl_ec_window(int64_t usec) {
        int64_t w = usec / DL_EC_WINDOW_USEC;

        /* C division truncates towards zero; windows are floor(). */
        if (usec % DL_EC_WINDOW_USEC < 0)
                w--;
        return w;
}

int64_t dl_ec_window_start(int64_t window) {
        int64_t start;

        if (__builtin_mul_overflow(window, DL_EC_WINDOW_USEC, &start))
                return window < 0 ? INT64_MIN : INT64_MAX;
        return start;
}

int64_t dl_ec_valid_until(int64_t window) {
        if (window > INT64_MAX - 2)
                return INT64_MAX;
        return dl_ec_window_start(window + 2);
}

int dl_ec_code(const uint8_t secret[DL_EC_SECRET_SIZE], uint32_t issuer, int64_t window, unsigned slot,
               char out[DL_EC_DIGITS + 1]) {
        _cleanup_(dl_hmac_key_freep) struct dl_hmac_key *key = NULL;
        uint8_t tag = EC_MESSAGE_TAG, be_issuer[4], be_window[8], slot_byte;
        uint8_t mac[DL_MAC_SIZE];
        uint32_t bin;
        unsigned offset;
        int r;

        if (!secret || !out || window < 0 || slot >= DL_EC_SLOTS)
                return -EINVAL;

        for (size_t i = 0; i < sizeof(be_issuer); i++)
                be_issuer[i] = (uint8_t)(issuer >> (8 * (sizeof(be_issuer) - 1 - i)));
        for (size_t i = 0; i < sizeof(be_window); i++)
                be_window[i] = (uint8_t)((uint64_t)window >> (8 * (sizeof(be_window) - 1 - i)));
        slot_byte = (uint8_t)slot;

        const struct dl_hmac_part parts[] = {
                { &tag, sizeof(tag) },
                { be_issuer, sizeof(be_issuer) },
                { be_window, sizeof(be_window) },
                { &slot_byte, sizeof(slot_byte) },
        };

        r = dl_hmac_key_new(secret, &key);
        if (r < 0)
                return r;
        r = dl_hmac(key, parts, ELEMENTSOF(parts), mac);
        if (r < 0) {
                explicit_bzero(mac, sizeof(mac));
                return r;
        }

        /* RFC 4226 dynamic truncation, on the 32-byte MAC: the offset comes
         * from the low nibble of the last byte, so off + 3 <= 18. */
        offset = mac[DL_MAC_SIZE - 1] & 0x0f;
        bin = (uint32_t)(mac[offset] & 0x7f) << 24 | (uint32_t)mac[offset + 1] << 16 |
              (uint32_t)mac[offset + 2] << 8 | (uint32_t)mac[offset + 3];
        explicit_bzero(mac, sizeof(mac));

        bin %= 100000000u;
        for (size_t i = DL_EC_DIGITS; i > 0; i--) {
                out[i - 1] = (char)('0' + bin % 10);
                bin /= 10;
        }
        out[DL_EC_DIGITS] = '\0';
        return 0;
}

static void add_window(int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS], size_t *n, int64_t window) {
        if (window < 0 || *n >= DL_EC_MAX_CANDIDATE_WINDOWS)
                return;
        out[(*n)++] = window;
}

size_t dl_ec_candidate_windows(int64_t now, int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS]) {
        int64_t w = dl_ec_window(now);
        /* µs since the start of the current window, 0 .. window - 1 (floor
         * modulo; no arithmetic on window starts, which could overflow at
         * the ends of int64). */
        int64_t into = now % DL_EC_WINDOW_USEC;
        size_t n = 0;

        if (into < 0)
                into += DL_EC_WINDOW_USEC;

        /* w + 1 and w - 2 cannot overflow: |w| <= INT64_MAX / window + 1. */
        if (into >= DL_EC_WINDOW_USEC - DL_EC_TOLERANCE_USEC)
                add_window(out, &n, w + 1);
        add_window(out, &n, w);
        add_window(out, &n, w - 1);
        if (into < DL_EC_TOLERANCE_USEC)
                add_window(out, &n, w - 2);
        return n;
}

int64_t dl_ec_oldest_candidate(int64_t now) {
        int64_t windows[DL_EC_MAX_CANDIDATE_WINDOWS];
        size_t n = dl_ec_candidate_windows(now, windows);

        return n > 0 ? windows[n - 1] : -1;
}

int64_t dl_ec_quota_since(int64_t now) {
        return now < INT64_MIN + DL_EC_QUOTA_USEC ? INT64_MIN : now - DL_EC_QUOTA_USEC;
}

bool dl_ec_quota_counts(int64_t at, int64_t now) {
        return at > dl_ec_quota_since(now);
}

int dl_ec_secret_to_base32(const uint8_t secret[DL_EC_SECRET_SIZE], char out[DL_EC_SECRET_BASE32_SIZE]) {
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t n = 0;

        if (!secret || !out)
                return -EINVAL;

        for (size_t i = 0; i < DL_EC_SECRET_SIZE; i++) {
                acc = (acc << 8 | secret[i]) & 0xfff; /* at most 12 bits are pending */
                bits += 8;
                while (bits >= 5) {
                        bits -= 5;
                        out[n++] = base32_alphabet[(acc >> bits) & 0x1f];
                }
        }
        /* 256 = 51 * 5 + 1: one bit left, padded with four zero bits. */
        if (bits > 0)
                out[n++] = base32_alphabet[(acc << (5 - bits)) & 0x1f];
        out[n] = '\0';
        explicit_bzero(&acc, sizeof(acc));
        return 0;
}

static int base32_value(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a';
        if (c >= '2' && c <= '7')
                return c - '2' + 26;
        return -1;
}

int dl_ec_secret_from_base32(const char *s, uint8_t secret[DL_EC_SECRET_SIZE]) {
        /* 52 characters carry 260 bits: the 256 of the secret, then 4 zero
         * bits.  Correct padding for 32 bytes is "====" (to 56). */
        const size_t want_chars = DL_EC_SECRET_BASE32_SIZE - 1, want_padding = 4;
        uint8_t buf[DL_EC_SECRET_SIZE];
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t chars = 0, bytes = 0, padding = 0;
        int r = -EINVAL;

        if (!s || !secret)
                return -EINVAL;

        for (const char *p = s; *p; p++) {
                int v;

                if (*p == ' ' || *p == '-')
                        continue;
                if (*p == '=') {
                        padding++;
                        continue;
                }
                if (padding > 0) /* data after padding */
                        goto out;
                v = base32_value(*p);
                if (v < 0 || chars >= want_chars)
                        goto out;
                chars++;
                acc = (acc << 5 | (uint32_t)v) & 0xfff;
                bits += 5;
                if (bits >= 8) {
                        bits -= 8;
                        buf[bytes++] = (uint8_t)(acc >> bits);
                        acc &= (1u << bits) - 1;
                }
        }
        if (chars != want_chars || bytes != DL_EC_SECRET_SIZE || (padding != 0 && padding != want_padding))
                goto out;
        /* The 4 bits left over must be zero: one secret, one spelling. */
        if (acc != 0)
                goto out;

        memcpy(secret, buf, DL_EC_SECRET_SIZE);
        r = 0;
out:
        explicit_bzero(buf, sizeof(buf));
        explicit_bzero(&acc, sizeof(acc));
        if (r < 0)
                explicit_bzero(secret, DL_EC_SECRET_SIZE);
        return r;
}

/* ---- the secret URI ---- */

/* 1 to 128 bytes of valid UTF-8 (no NUL), no ASCII control characters. */
static int name_check(const char *name, size_t n) {
        if (n == 0 || n > EC_NAME_MAX_BYTES)
                return -EINVAL;
        if (dl_utf8_length(name, n) < 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
                        return -EINVAL;
        return 0;
}

/* RFC 3986 unreserved: kept as is by the encoder. */
static bool is_unreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_' || c == '~';
}

/* RFC 3986 pchar minus pct-encoded: what a parser accepts unencoded in the
 * name (some URI libraries leave sub-delims, ':' and '@' alone). */
static bool is_pchar(char c) {
        return is_unreserved(c) || (c != '\0' && strchr("!$&'()*+,;=:@", c));
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int dl_ec_uri_format(uint32_t issuer, const char *name, const uint8_t secret[DL_EC_SECRET_SIZE], char *out,
                     size_t size) {
        static const char hex[] = "0123456789ABCDEF";
        char encoded[3 * EC_NAME_MAX_BYTES + 1], b32[DL_EC_SECRET_BASE32_SIZE];
        size_t n, k = 0;
        int r;

        if (!name || !secret || (!out && size > 0))
                return -EINVAL;
        n = strnlen(name, EC_NAME_MAX_BYTES + 1);
        r = name_check(name, n);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)name[i];

                if (is_unreserved((char)c))
                        encoded[k++] = (char)c;
                else {
                        encoded[k++] = '%';
                        encoded[k++] = hex[c >> 4];
                        encoded[k++] = hex[c & 0x0f];
                }
        }
        encoded[k] = '\0';

        r = dl_ec_secret_to_base32(secret, b32);
        if (r < 0)
                return r;
        r = snprintf(out, size, EC_URI_PREFIX "%s?secret=%s&issuer_id=%" PRIu32 EC_URI_FIXED_PARAMS, encoded,
                     b32, issuer);
        explicit_bzero(b32, sizeof(b32));
        if (r < 0 || (size_t)r >= size) {
                if (size > 0)
                        explicit_bzero(out, size);
                return r < 0 ? -EINVAL : -ENAMETOOLONG;
        }
        return 0;
}

/* Percent-decode the name [s, s + n) into out (EC_NAME_MAX_BYTES + 1). */
static int name_decode(const char *s, size_t n, char out[EC_NAME_MAX_BYTES + 1]) {
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (k >= EC_NAME_MAX_BYTES)
                        return -EINVAL;
                if (c == '%') {
                        int hi, lo;

                        if (n - i < 3)
                                return -EINVAL;
                        hi = hex_value(s[i + 1]);
                        lo = hex_value(s[i + 2]);
                        if (hi < 0 || lo < 0)
                                return -EINVAL;
                        out[k++] = (char)(hi << 4 | lo);
                        i += 2;
                } else if (is_pchar(c))
                        out[k++] = c;
                else
                        return -EINVAL;
        }
        out[k] = '\0';
        return name_check(out, k);
}

/* Decimal 0..4294967295: no sign, no leading zeros except "0". */
static int parse_issuer_id(const char *s, size_t n, uint32_t *ret) {
        uint64_t v = 0;

        if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v > UINT32_MAX)
                return -EINVAL;
        *ret = (uint32_t)v;
        return 0;
}

static bool value_is(const char *s, size_t n, const char *want) {
        return n == strlen(want) && memcmp(s, want, n) == 0;
}

enum {
        PARAM_SECRET,
        PARAM_ISSUER_ID,
        PARAM_ALGORITHM,
        PARAM_DIGITS,
        PARAM_PERIOD,
        PARAM_SLOTS,
        _PARAM_MAX,
};

static const char *const param_names[_PARAM_MAX] = {
        [PARAM_SECRET] = "secret", [PARAM_ISSUER_ID] = "issuer_id", [PARAM_ALGORITHM] = "algorithm",
        [PARAM_DIGITS] = "digits", [PARAM_PERIOD] = "period",       [PARAM_SLOTS] = "slots",
};

/* The secret's value: base32 letters (either case) and "====" padding,
 * nothing else (no spaces, dashes or percent-escapes inside a URI). */
static int parse_secret_value(const char *s, size_t n, uint8_t secret[DL_EC_SECRET_SIZE]) {
        char buf[DL_EC_SECRET_BASE32_SIZE + 4];
        int r;

        if (n >= sizeof(buf))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (base32_value(s[i]) < 0 && s[i] != '=')
                        return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        r = dl_ec_secret_from_base32(buf, secret);
        explicit_bzero(buf, sizeof(buf));
        return r;
}

int dl_ec_uri_parse(const char *uri, uint32_t *issuer, uint8_t secret[DL_EC_SECRET_SIZE], char *name_out,
                    size_t name_size) {
        const size_t prefix_len = strlen(EC_URI_PREFIX);
        char name[EC_NAME_MAX_BYTES + 1];
        uint8_t key[DL_EC_SECRET_SIZE];
        uint32_t id = 0;
        unsigned seen = 0;
        const char *p, *q;
        size_t len;
        int r = -EINVAL;

        if (!uri || !issuer || !secret)
                return -EINVAL;
        len = strnlen(uri, DL_EC_URI_MAX);
        if (len >= DL_EC_URI_MAX || strncmp(uri, EC_URI_PREFIX, prefix_len) != 0)
                return -EINVAL;

        p = uri + prefix_len;
        q = strchr(p, '?');
        if (!q || name_decode(p, (size_t)(q - p), name) < 0)
                return -EINVAL;

        for (p = q + 1;;) {
                const char *end = strchrnul(p, '&'), *eq = memchr(p, '=', (size_t)(end - p));
                const char *value;
                size_t key_len, value_len;
                int which = -1;

                if (!eq)
                        goto out;
                key_len = (size_t)(eq - p);
                value = eq + 1;
                value_len = (size_t)(end - value);
                for (int i = 0; i < _PARAM_MAX; i++)
                        if (value_is(p, key_len, param_names[i]))
                                which = i;
                if (which < 0 || (seen & (1u << which)))
                        goto out;
                seen |= 1u << which;

                switch (which) {
                case PARAM_SECRET:
                        if (parse_secret_value(value, value_len, key) < 0)
                                goto out;
                        break;
                case PARAM_ISSUER_ID:
                        if (parse_issuer_id(value, value_len, &id) < 0)
                                goto out;
                        break;
                case PARAM_ALGORITHM:
                        if (!value_is(value, value_len, "SHA256"))
                                goto out;
                        break;
                case PARAM_DIGITS:
                        if (!value_is(value, value_len, "8"))
                                goto out;
                        break;
                case PARAM_PERIOD:
                        if (!value_is(value, value_len, "14400"))
                                goto out;
                        break;
                case PARAM_SLOTS:
                        if (!value_is(value, value_len, "16"))
                                goto out;
                        break;
                default:
                        goto out;
                }

                if (*end == '\0')
                        break;
                p = end + 1;
        }
        if (seen != (1u << _PARAM_MAX) - 1)
                goto out;

        if (name_out) {
                size_t n = strlen(name);

                if (n >= name_size) {
                        r = -ENAMETOOLONG;
                        goto out;
                }
                memcpy(name_out, name, n + 1);
        }
        memcpy(secret, key, DL_EC_SECRET_SIZE);
        *issuer = id;
        r = 0;
out:
        explicit_bzero(key, sizeof(key));
        return r;
}
