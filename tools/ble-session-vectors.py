#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# BLE session and transport test vectors (docs/ble-protocol.md, section 6),
# computed independently of the C code (daemon/ble/session.c, frame.c) from
# the spec alone, with nothing but Python's standard library: HKDF from
# hmac/hashlib, ChaCha20-Poly1305 written out from RFC 8439 (checked here
# against the RFC's own section 2.8.2 vector before anything is printed).
#
#   tools/ble-session-vectors.py          the vectors, as in the doc
#   tools/ble-session-vectors.py --c      the same as C initialisers
#
# With python3-cryptography installed it also cross-checks the AEAD
# against that library (optional: nothing needs it).
import hashlib
import hmac
import struct
import sys

# ---- HKDF-SHA256 (RFC 5869) ----


def hkdf(salt, ikm, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


# ---- ChaCha20-Poly1305 (RFC 8439) ----


def _rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def _qr(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF
    s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_block(key, counter, nonce):
    state = list(struct.unpack("<4I", b"expand 32-byte k")) + list(struct.unpack("<8I", key)) + \
        [counter] + list(struct.unpack("<3I", nonce))
    w = state[:]
    for _ in range(10):
        _qr(w, 0, 4, 8, 12)
        _qr(w, 1, 5, 9, 13)
        _qr(w, 2, 6, 10, 14)
        _qr(w, 3, 7, 11, 15)
        _qr(w, 0, 5, 10, 15)
        _qr(w, 1, 6, 11, 12)
        _qr(w, 2, 7, 8, 13)
        _qr(w, 3, 4, 9, 14)
    return struct.pack("<16I", *[(w[i] + state[i]) & 0xFFFFFFFF for i in range(16)])


def chacha20(key, counter, nonce, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        ks = chacha20_block(key, counter + i // 64, nonce)
        out += bytes(a ^ b for a, b in zip(data[i:i + 64], ks))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0FFFFFFC0FFFFFFC0FFFFFFC0FFFFFFF
    s = int.from_bytes(key[16:], "little")
    p = (1 << 130) - 5
    acc = 0
    for i in range(0, len(msg), 16):
        n = int.from_bytes(msg[i:i + 16] + b"\x01", "little")
        acc = (acc + n) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def _pad16(b):
    return b"\x00" * (-len(b) % 16)


def aead_seal(key, nonce, aad, plaintext):
    otk = chacha20_block(key, 0, nonce)[:32]
    ct = chacha20(key, 1, nonce, plaintext)
    mac_data = aad + _pad16(aad) + ct + _pad16(ct) + struct.pack("<QQ", len(aad), len(ct))
    return ct, poly1305(otk, mac_data)


def _self_test():
    # RFC 8439 section 2.8.2
    key = bytes(range(0x80, 0xA0))
    nonce = bytes.fromhex("070000004041424344454647")
    aad = bytes.fromhex("50515253c0c1c2c3c4c5c6c7")
    pt = (b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
          b"sunscreen would be it.")
    ct, tag = aead_seal(key, nonce, aad, pt)
    assert tag.hex() == "1ae10b594f09e26a7e902ecbd0600691", tag.hex()
    assert ct[:16].hex() == "d31a8d34648e60db7b86afbc53ef7ec2"
    # RFC 5869 A.1
    okm = hkdf(bytes.fromhex("000102030405060708090a0b0c"), b"\x0b" * 22,
               bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42)
    assert okm.hex().startswith("3cb25f25faacd57a90434f64d0362f2a"), okm.hex()


# ---- the protocol (docs/ble-protocol.md sections 2 and 4) ----

SALT = b"doorlockd-ble-v1"


def session_keys(ltk, phone_id, session_id, nonce_p, nonce_l):
    info = b"session" + struct.pack(">I", phone_id) + session_id + nonce_p + nonce_l
    okm = hkdf(SALT, ltk, info, 64)
    return okm[:32], okm[32:]


def seal(key, session_id, counter, plaintext):
    header = b"\x20" + session_id + struct.pack(">Q", counter)
    nonce = b"\x00" * 4 + struct.pack(">Q", counter)
    ct, tag = aead_seal(key, nonce, header, plaintext)
    return header + ct + tag


def fragments(link_id, msg, mtu):
    cap = mtu - 3 - 6
    data = struct.pack(">H", len(msg)) + msg
    out = []
    i = 0
    while i < len(data):
        chunk = data[i:i + cap]
        flags = (1 if i == 0 else 0) | (2 if i + cap >= len(data) else 0)
        out.append(struct.pack(">IBB", link_id, flags, len(out)) + chunk)
        i += cap
    return out


# ---- the inputs ----

LTK = bytes(range(0x00, 0x20))
PHONE_ID = 0x00000007
SESSION_ID = bytes.fromhex("a1a2a3a4a5a6a7a8")
NONCE_P = bytes(range(0x10, 0x20))
NONCE_L = bytes(range(0x20, 0x30))
LINK_ID = 0x5EED0001
# 1: phone -> lock, counter 1: STATUS request (op 01, req_seq 0)
PT1 = bytes.fromhex("01" "0000000000000000")
# 2: lock -> phone, counter 1: STATUS reply (op 81, req_seq 1, STATE = 1)
PT2 = bytes.fromhex("81" "0000000000000001" "1b" "0001" "01")
# 3: phone -> lock, counter 2: UNLOCK with challenge c0..cf
PT3 = bytes.fromhex("02" "0000000000000000") + bytes(range(0xC0, 0xD0))


def vectors():
    k_pl, k_lp = session_keys(LTK, PHONE_ID, SESSION_ID, NONCE_P, NONCE_L)
    f1 = seal(k_pl, SESSION_ID, 1, PT1)
    f2 = seal(k_lp, SESSION_ID, 1, PT2)
    f3 = seal(k_pl, SESSION_ID, 2, PT3)
    frags = fragments(LINK_ID, f1, 23)
    return [
        ("ltk", LTK), ("phone_id", struct.pack(">I", PHONE_ID)), ("session_id", SESSION_ID),
        ("nonce_p", NONCE_P), ("nonce_l", NONCE_L),
        ("info", b"session" + struct.pack(">I", PHONE_ID) + SESSION_ID + NONCE_P + NONCE_L),
        ("k_pl", k_pl), ("k_lp", k_lp),
        ("plaintext1", PT1), ("frame1", f1),
        ("plaintext2", PT2), ("frame2", f2),
        ("plaintext3", PT3), ("frame3", f3),
    ] + [("frame1_fragment%d" % i, f) for i, f in enumerate(frags)], (k_pl, k_lp, f1, f2, f3)


def _cross_check(k_pl, f1):
    try:
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    except ImportError:
        return
    nonce = b"\x00" * 4 + f1[9:17]
    assert ChaCha20Poly1305(k_pl).decrypt(nonce, f1[17:], f1[:17]) == PT1


def main():
    _self_test()
    vec, (k_pl, _, f1, _, _) = vectors()
    _cross_check(k_pl, f1)
    if "--c" in sys.argv[1:]:
        for name, value in vec:
            body = ", ".join("0x%02x" % b for b in value)
            print("static const uint8_t V_%s[%d] = { %s };" % (name.upper(), len(value), body))
        return
    w = max(len(n) for n, _ in vec)
    for name, value in vec:
        print("%-*s  %s" % (w, name, value.hex()))


if __name__ == "__main__":
    main()
