/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Emergency codes, the math only (docs/emergency-codes.md is the spec a
 * phone implements): pure functions, no I/O, time passed in.
 *
 * Time is cut into 4-hour windows counted from the Unix epoch (UTC):
 * window = floor(unix_seconds / 14400).  Each issuer has 16 slots per
 * window.  The code for (issuer, window, slot) is
 *
 *     mac  = HMAC-SHA256(secret, 0x01 || be32(issuer) || be64(window) || u8(slot))
 *     off  = mac[31] & 0x0f
 *     bin  = (mac[off] & 0x7f) << 24 | mac[off+1] << 16 | mac[off+2] << 8 | mac[off+3]
 *     code = bin mod 10^8, as 8 decimal digits with leading zeros
 *
 * (RFC 4226 dynamic truncation, applied to the 32-byte SHA-256 MAC).  A code
 * is valid from the start of its window to the end of the next window.  The
 * lock accepts the current and the previous window, plus DL_EC_TOLERANCE at
 * either edge for clocks that drift. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DL_EC_SECRET_SIZE 32
#define DL_EC_DIGITS 8
#define DL_EC_WINDOW_SECONDS 14400
#define DL_EC_WINDOW_USEC ((int64_t)DL_EC_WINDOW_SECONDS * 1000000)
#define DL_EC_SLOTS 16
#define DL_EC_TOLERANCE_USEC ((int64_t)5 * 60 * 1000000)
#define DL_EC_MAX_CANDIDATE_WINDOWS 4
/* The lock accepts at most DL_EC_QUOTA codes of one issuer in any
 * DL_EC_QUOTA_USEC (4 hours), counted over the acceptances it stored, not
 * per window: it accepts two or three windows at once. */
#define DL_EC_QUOTA 16
#define DL_EC_QUOTA_USEC DL_EC_WINDOW_USEC
/* Base32 of 32 bytes is 52 characters (no padding). */
#define DL_EC_SECRET_BASE32_SIZE 53
/* The longest URI dl_ec_uri_format() makes, plus NUL: a 128-byte name with
 * every byte percent-encoded and issuer id 4294967295 give 543 characters. */
#define DL_EC_URI_MAX 544

/* The window holding an instant (µs since the epoch): floor(usec / 4 h).
 * Times before 1970 give negative windows, which dl_ec_code() refuses and
 * dl_ec_candidate_windows() never returns. */
int64_t dl_ec_window(int64_t usec);
/* µs; saturates at INT64_MIN/INT64_MAX for windows no int64 time is in. */
int64_t dl_ec_window_start(int64_t window);
/* Until when a code of `window` is accepted (exclusive, µs): the end of the
 * next window (saturating like dl_ec_window_start()). */
int64_t dl_ec_valid_until(int64_t window);

/* The 8-digit code (NUL-terminated, out has DL_EC_DIGITS + 1 bytes).
 * -EINVAL for slot >= 16 or window < 0; -EIO if OpenSSL fails, -ENOMEM. */
int dl_ec_code(const uint8_t secret[DL_EC_SECRET_SIZE], uint32_t issuer, int64_t window, unsigned slot,
               char out[DL_EC_DIGITS + 1]);

/* The windows whose codes the lock accepts at `now`, newest first: the
 * current and the previous one, the next one when now is within the
 * tolerance of the current window's end, and the one before the previous
 * when now is within the tolerance of the current window's start.
 * Negative windows are left out.  Returns how many: 2 to 4 from window 2
 * on; fewer in windows 0 and 1, and 0 or 1 before the epoch. */
size_t dl_ec_candidate_windows(int64_t now, int64_t out[DL_EC_MAX_CANDIDATE_WINDOWS]);
/* The oldest of those windows (-1 if there is none). */
int64_t dl_ec_oldest_candidate(int64_t now);

/* An acceptance at time `at` counts toward its issuer's quota at `now` iff
 * at > dl_ec_quota_since(now) = now - 4 h (saturating).  Acceptances stamped
 * after now count too: after a clock set back and trusted again (NTP), a
 * use "in the future" still happened less than 4 hours ago. */
int64_t dl_ec_quota_since(int64_t now);
bool dl_ec_quota_counts(int64_t at, int64_t now);

/* RFC 4648 base32 (A-Z2-7, no padding) of a secret: 52 characters.  Parsing
 * accepts lower case, the correct padding ("====" at the end) or none, and
 * ignores spaces and dashes anywhere.  -EINVAL otherwise: other characters,
 * not exactly 52 data characters, or non-zero bits in the last character's
 * 4 unused bits.  On failure the secret is zeroed. */
int dl_ec_secret_to_base32(const uint8_t secret[DL_EC_SECRET_SIZE], char out[DL_EC_SECRET_BASE32_SIZE]);
int dl_ec_secret_from_base32(const char *s, uint8_t secret[DL_EC_SECRET_SIZE]);

/* The secret as text a phone can scan from a QR code:
 *   otpauth://doorlockd-emergency/<name, percent-encoded>?secret=<BASE32>
 *       &issuer_id=<id>&algorithm=SHA256&digits=8&period=14400&slots=16
 * The name is 1 to 128 bytes of valid UTF-8 without ASCII control
 * characters (-EINVAL otherwise); bytes other than RFC 3986 unreserved ones
 * are written as %XX.  -ENAMETOOLONG if it does not fit in size
 * (DL_EC_URI_MAX always fits); out is then wiped. */
int dl_ec_uri_format(uint32_t issuer, const char *name, const uint8_t secret[DL_EC_SECRET_SIZE], char *out,
                     size_t size);
/* Parse that URI: scheme and host exactly as above; parameters in any
 * order, each exactly once, all six required, unknown ones refused;
 * algorithm/digits/period/slots must have exactly those values; issuer_id
 * decimal 0..4294967295 without sign or leading zeros.  The name may use
 * %XX (either case) and RFC 3986 pchars; decoded it follows the rules of
 * dl_ec_uri_format().  It is decoded into name_out (name_size bytes, may be
 * NULL; -ENAMETOOLONG if it does not fit).  -EINVAL otherwise.  Nothing is
 * written on failure. */
int dl_ec_uri_parse(const char *uri, uint32_t *issuer, uint8_t secret[DL_EC_SECRET_SIZE], char *name_out,
                    size_t name_size);
