#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Emergency-code test vectors, computed independently of the C code
# (daemon/core/emergency-code.c) from the spec in docs/emergency-codes.md,
# with nothing but Python's hmac and hashlib.
#
#   tools/ec-vectors.py            the vectors as a Markdown table
#   tools/ec-vectors.py --c        the same as C initialisers (for tests/)
#   tools/ec-vectors.py --dump     the HMAC message and MAC of the first vector
#   tools/ec-vectors.py --code SECRET_BASE32 ISSUER UNIX_SECONDS SLOT
#                                  one code, as a phone would compute it
import base64
import calendar
import hashlib
import hmac
import struct
import sys

WINDOW_SECONDS = 4 * 3600  # 14400
SLOTS = 16
DIGITS = 8


# ---- the reference generator (docs/emergency-codes.md quotes this part) ----

def window_of(unix_seconds):
    return unix_seconds // WINDOW_SECONDS  # floor division, UTC


def message(issuer, window, slot):
    # 0x01 || be32(issuer) || be64(window) || u8(slot): 14 bytes
    assert 0 <= issuer <= 0xFFFFFFFF and window >= 0 and 0 <= slot < SLOTS
    return struct.pack('>BIQB', 1, issuer, window, slot)


def emergency_code(secret, issuer, window, slot):
    assert len(secret) == 32
    mac = hmac.new(secret, message(issuer, window, slot), hashlib.sha256).digest()
    offset = mac[31] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], 'big') & 0x7FFFFFFF
    return '%08d' % (value % 10**DIGITS)


def valid_until(window):
    # exclusive: the end of the window after the code's own
    return (window + 2) * WINDOW_SECONDS


B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'


def secret_from_base32(text):
    # As the grammar says: 52 characters of A-Z2-7 (any case), optionally
    # "====", and the last character's 4 unused bits zero (A or Q).  Spaces
    # and dashes are ignored (a printout).  base64.b32decode() alone is not
    # enough: it drops the unused bits, so it would read a mistyped "...R"
    # as "...Q" where the lock refuses it.
    text = text.upper().replace(' ', '').replace('-', '')
    if text.endswith('===='):
        text = text[:-4]
    if len(text) != 52 or any(c not in B32_ALPHABET for c in text):
        raise ValueError('a secret is 52 base32 characters')
    if B32_ALPHABET.index(text[-1]) & 0x0F:
        raise ValueError('the last character of a secret is A or Q (4 unused bits, zero)')
    return base64.b32decode(text + '====')

# ---- end of the reference generator ----


SECRET_A = bytes(range(32))
SECRET_B = hashlib.sha256(b'doorlockd test').digest()
W_2026 = window_of(calendar.timegm((2026, 11, 25, 12, 0, 0)))

# (secret name, secret, issuer, window, slot)
CASES = [
    ('A', SECRET_A, 0, 0, 0),
    ('A', SECRET_A, 0, 1, 1),
    ('A', SECRET_A, 1, 123456, 15),
    ('A', SECRET_A, 4294967295, W_2026, 0),
    ('A', SECRET_A, 0, W_2026, 15),
    ('B', SECRET_B, 0, W_2026, 0),
    ('B', SECRET_B, 1, 0, 15),
    ('B', SECRET_B, 4294967295, 1, 1),
    ('B', SECRET_B, 1, W_2026, 1),
    ('B', SECRET_B, 4294967295, 123456, 0),
]


# The secret's text form: (text, secret name it reads as, or None if refused).
BASE32_CASES = [
    ('AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ', 'A'),
    ('aaaq-eaye-auda-ocaj-bifq-ydio-b4ib-ceqt-cqkr-mfyy-denb-wha5-dypq====', 'A'),
    ('AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPR', None),  # unused bit set
    ('AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPB', None),  # unused bits set
    ('AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYP', None),   # 51 characters
    ('AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ==', None),  # wrong padding
]


def base32_result(text):
    try:
        secret = secret_from_base32(text)
    except ValueError:
        return None
    return {SECRET_A: 'A', SECRET_B: 'B'}.get(secret, secret.hex())


def leading_zero_case():
    """The first (window, slot) from W_2026 on whose code for secret A,
    issuer 1 starts with a 0."""
    for window in range(W_2026, W_2026 + 1000):
        for slot in range(SLOTS):
            if emergency_code(SECRET_A, 1, window, slot).startswith('0'):
                return ('A', SECRET_A, 1, window, slot)
    raise SystemExit('no leading zero found')


def all_cases():
    return CASES + [leading_zero_case()]


def b32(secret):
    return base64.b32encode(secret).decode().rstrip('=')


def main():
    args = sys.argv[1:]
    if args and args[0] == '--code':
        if len(args) != 5:
            raise SystemExit(__doc__ or 'usage: see the top of this file')
        secret = secret_from_base32(args[1])
        window = window_of(int(args[3]))
        code = emergency_code(secret, int(args[2]), window, int(args[4]))
        print('%s window %d valid until %d' % (code, window, valid_until(window)))
        return
    cases = all_cases()
    if args == ['--c']:
        for name, secret, issuer, window, slot in cases:
            print('        { SECRET_%s, %du, %d, %d, "%s" },' %
                  (name, issuer, window, slot, emergency_code(secret, issuer, window, slot)))
        return
    if args == ['--dump']:
        name, secret, issuer, window, slot = cases[0]
        msg = message(issuer, window, slot)
        mac = hmac.new(secret, msg, hashlib.sha256).digest()
        print('message:', msg.hex(' '))
        print('mac:    ', mac.hex(' '))
        name, secret, issuer, window, slot = cases[3]
        msg = message(issuer, window, slot)
        mac = hmac.new(secret, msg, hashlib.sha256).digest()
        print('message:', msg.hex(' '))
        print('mac:    ', mac.hex(' '))
        print('offset: ', mac[31] & 0x0F)
        return
    if args:
        raise SystemExit('usage: tools/ec-vectors.py [--c | --dump | --code SECRET ISSUER TIME SLOT]')
    print('Secret A (hex): %s' % SECRET_A.hex())
    print('Secret A (base32): %s' % b32(SECRET_A))
    print('Secret B = SHA-256("doorlockd test") (hex): %s' % SECRET_B.hex())
    print('Secret B (base32): %s' % b32(SECRET_B))
    print()
    print('| Text | Reads as |')
    print('|---|---|')
    for text, _ in BASE32_CASES:
        got = base32_result(text)
        print('| `%s` | %s |' % (text, 'secret ' + got if got else 'refused'))
    print()
    print('| Secret | Issuer | Window | Window starts (UTC) | Slot | Code | Valid until (UTC, exclusive) |')
    print('|---|---|---|---|---|---|---|')
    for name, secret, issuer, window, slot in cases:
        start = window * WINDOW_SECONDS
        print('| %s | %d | %d | %s | %d | `%s` | %s |' % (
            name, issuer, window, fmt_time(start), slot,
            emergency_code(secret, issuer, window, slot), fmt_time(valid_until(window))))


def fmt_time(unix_seconds):
    import time
    return time.strftime('%Y-%m-%d %H:%M', time.gmtime(unix_seconds))


if __name__ == '__main__':
    main()
