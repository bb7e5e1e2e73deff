#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# BLE protocol test vectors (docs/ble-protocol.md), computed independently of
# the C code in daemon/ble/ from the spec alone, with nothing but Python's
# standard library: P-256 in plain integers, hashlib (SHA-256, scrypt), hmac,
# and ChaCha20-Poly1305 (RFC 8439) written out below.  Slow and not
# constant-time: a reference, never for real keys.
#
# It first checks itself against RFC 9383's Appendix C vector (every value)
# and RFC 8439's AEAD vector, then computes ours.
#
#   tools/ble-vectors.py               the vectors as Markdown (the doc's section 6)
#   tools/ble-vectors.py --c           the same as a C header (tests/ble/ble-vectors.h)
#   tools/ble-vectors.py --check FILE [DOC]
#                                      exit 0 if FILE is exactly what --c prints and
#                                      DOC holds the Markdown block verbatim (the meson
#                                      test ble-vectors-python)
import hashlib
import hmac
import struct
import sys

# ---- P-256 (SEC 2 / FIPS 186-4) ----

P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
A = P - 3
B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b
ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296
GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5
G = (GX, GY)
INFINITY = None


def on_curve(pt):
    x, y = pt
    return 0 <= x < P and 0 <= y < P and (y * y - x * x * x - A * x - B) % P == 0


def point_add(p1, p2):
    if p1 is INFINITY:
        return p2
    if p2 is INFINITY:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2:
        if (y1 + y2) % P == 0:
            return INFINITY
        slope = (3 * x1 * x1 + A) * pow(2 * y1, P - 2, P) % P
    else:
        slope = (y2 - y1) * pow(x2 - x1, P - 2, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return (x3, (slope * (x1 - x3) - y1) % P)


def point_neg(pt):
    return INFINITY if pt is INFINITY else (pt[0], (-pt[1]) % P)


def scalar_mult(k, pt):
    result, addend = INFINITY, pt
    k %= ORDER
    while k:
        if k & 1:
            result = point_add(result, addend)
        addend = point_add(addend, addend)
        k >>= 1
    return result


def encode(pt):
    assert pt is not INFINITY
    return b'\x04' + pt[0].to_bytes(32, 'big') + pt[1].to_bytes(32, 'big')


def decode_strict(data):
    # The lock's rule: exactly 65 bytes, 0x04, coordinates below p, on the
    # curve (cofactor 1: in the group); the identity has no such encoding.
    if len(data) != 65 or data[0] != 4:
        return None
    x, y = int.from_bytes(data[1:33], 'big'), int.from_bytes(data[33:], 'big')
    return (x, y) if on_curve((x, y)) else None


def decompress(data):
    assert len(data) == 33 and data[0] in (2, 3)
    x = int.from_bytes(data[1:], 'big')
    y = pow((x * x * x + A * x + B) % P, (P + 1) // 4, P)
    if y & 1 != data[0] & 1:
        y = P - y
    return (x, y)


# RFC 9383 section 4, P-256
M = decompress(bytes.fromhex('02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f'))
N = decompress(bytes.fromhex('03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49'))

# ---- hashes, HKDF (RFC 5869), HMAC ----


def sha256(data):
    return hashlib.sha256(data).digest()


def mac(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def hkdf(salt, ikm, info, length):
    prk = mac(salt if salt else b'\x00' * 32, ikm)
    out, block, i = b'', b'', 1
    while len(out) < length:
        block = mac(prk, block + info + bytes([i]))
        out += block
        i += 1
    return out[:length]


# ---- ChaCha20-Poly1305 (RFC 8439) ----

def _rotl(v, c):
    return ((v << c) & 0xffffffff) | (v >> (32 - c))


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xffffffff
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xffffffff
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xffffffff
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xffffffff
    s[b] = _rotl(s[b] ^ s[c], 7)


def chacha20_block(key, counter, nonce):
    state = ([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] + list(struct.unpack('<8I', key)) +
             [counter] + list(struct.unpack('<3I', nonce)))
    s = list(state)
    for _ in range(10):
        _quarter(s, 0, 4, 8, 12)
        _quarter(s, 1, 5, 9, 13)
        _quarter(s, 2, 6, 10, 14)
        _quarter(s, 3, 7, 11, 15)
        _quarter(s, 0, 5, 10, 15)
        _quarter(s, 1, 6, 11, 12)
        _quarter(s, 2, 7, 8, 13)
        _quarter(s, 3, 4, 9, 14)
    return struct.pack('<16I', *[(a + b) & 0xffffffff for a, b in zip(s, state)])


def chacha20(key, counter, nonce, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        ks = chacha20_block(key, counter + i // 64, nonce)
        out += bytes(a ^ b for a, b in zip(data[i:i + 64], ks))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], 'little') & 0x0ffffffc0ffffffc0ffffffc0fffffff
    s = int.from_bytes(key[16:], 'little')
    acc, p = 0, (1 << 130) - 5
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b'\x01', 'little')) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, 'little')


def _pad16(b):
    return b'\x00' * (-len(b) % 16)


def aead_seal(key, nonce, aad, plaintext):
    otk = chacha20_block(key, 0, nonce)[:32]
    ct = chacha20(key, 1, nonce, plaintext)
    mac_data = aad + _pad16(aad) + ct + _pad16(ct) + struct.pack('<QQ', len(aad), len(ct))
    return ct + poly1305(otk, mac_data)


# ---- SPAKE2+ (RFC 9383), P256-SHA256-HKDF-SHA256-HMAC-SHA256 ----

def le64(n):
    return struct.pack('<Q', n)


def lv(data):
    return le64(len(data)) + data


def scrypt_input(pw, id_prover=b'', id_verifier=b''):
    # RFC 9383 section 3.2: len(pw) || pw || len(idProver) || idProver || len(idVerifier) || idVerifier
    return lv(pw) + lv(id_prover) + lv(id_verifier)


def w_from_pbkdf(out):
    assert len(out) == 80
    return int.from_bytes(out[:40], 'big') % ORDER, int.from_bytes(out[40:], 'big') % ORDER


SCRYPT_N, SCRYPT_R, SCRYPT_P = 32768, 8, 1


def register(pw, salt):
    out = hashlib.scrypt(scrypt_input(pw), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                         maxmem=64 * 1024 * 1024, dklen=80)
    w0, w1 = w_from_pbkdf(out)
    return out, w0, w1, scalar_mult(w1, G)


def spake2plus(context, id_prover, id_verifier, w0, w1, x, y):
    """Both roles of one run; every value, by the names RFC 9383 uses."""
    L = scalar_mult(w1, G)
    X = point_add(scalar_mult(x, G), scalar_mult(w0, M))
    Y = point_add(scalar_mult(y, G), scalar_mult(w0, N))
    # Verifier: Z = y*(X - w0*M), V = y*L; Prover: Z = x*(Y - w0*N), V = w1*(Y - w0*N)
    zv = scalar_mult(y, point_add(X, point_neg(scalar_mult(w0, M))))
    vv = scalar_mult(y, L)
    t = point_add(Y, point_neg(scalar_mult(w0, N)))
    zp, vp = scalar_mult(x, t), scalar_mult(w1, t)
    assert zv == zp and vv == vp
    share_p, share_v = encode(X), encode(Y)
    tt = (lv(context) + lv(id_prover) + lv(id_verifier) + lv(encode(M)) + lv(encode(N)) + lv(share_p) +
          lv(share_v) + lv(encode(zv)) + lv(encode(vv)) + lv(w0.to_bytes(32, 'big')))
    k_main = sha256(tt)
    kc = hkdf(None, k_main, b'ConfirmationKeys', 64)
    return {
        'w0': w0.to_bytes(32, 'big'), 'w1': w1.to_bytes(32, 'big'), 'L': encode(L),
        'x': x.to_bytes(32, 'big'), 'shareP': share_p, 'y': y.to_bytes(32, 'big'), 'shareV': share_v,
        'Z': encode(zv), 'V': encode(vv), 'TT': tt, 'K_main': k_main,
        'K_confirmP': kc[:32], 'K_confirmV': kc[32:],
        'confirmP': mac(kc[:32], share_v), 'confirmV': mac(kc[32:], share_p),
        'K_shared': hkdf(None, k_main, b'SharedKey', 32),
    }


# RFC 9383 Appendix C, P256-SHA256-HKDF-SHA256-HMAC-SHA256, as printed there.
RFC = {
    'w0': 'bb8e1bbcf3c48f62c08db243652ae55d3e5586053fca77102994f23ad95491b3',
    'w1': '7e945f34d78785b8a3ef44d0df5a1a97d6b3b460409a345ca7830387a74b1dba',
    'L': '04eb7c9db3d9a9eb1f8adab81b5794c1f13ae3e225efbe91ea487425854c7fc00f00bfedcbd09b2400142d40a14f20'
         '64ef31dfaa903b91d1faea7093d835966efd',
    'x': 'd1232c8e8693d02368976c174e2088851b8365d0d79a9eee709c6a05a2fad539',
    'shareP': '04ef3bd051bf78a2234ec0df197f7828060fe9856503579bb1733009042c15c0c1de127727f418b5966afadfdd'
              '95a6e4591d171056b333dab97a79c7193e341727',
    'y': '717a72348a182085109c8d3917d6c43d59b224dc6a7fc4f0483232fa6516d8b3',
    'shareV': '04c0f65da0d11927bdf5d560c69e1d7d939a05b0e88291887d679fcadea75810fb5cc1ca7494db39e82ff2f506'
              '65255d76173e09986ab46742c798a9a68437b048',
    'Z': '04bbfce7dd7f277819c8da21544afb7964705569bdf12fb92aa388059408d50091a0c5f1d3127f56813b5337f9e4e67e'
         '2ca633117a4fbd559946ab474356c41839',
    'V': '0458bf27c6bca011c9ce1930e8984a797a3419797b936629a5a937cf2f11c8b9514b82b993da8a46e664f23db7c01edc'
         '87faa530db01c2ee405230b18997f16b68',
    'K_main': '4c59e1ccf2cfb961aa31bd9434478a1089b56cd11542f53d3576fb6c2a438a29',
    'K_confirmP': '871ae3f7b78445e34438fb284504240239031c39d80ac23eb5ab9be5ad6db58a',
    'K_confirmV': 'ccd53c7c1fa37b64a462b40db8be101cedcf838950162902054e644b400f1680',
    'confirmP': '926cc713504b9b4d76c9162ded04b5493e89109f6d89462cd33adc46fda27527',
    'confirmV': '9747bcc4f8fe9f63defee53ac9b07876d907d55047e6ff2def2e7529089d3e68',
    'K_shared': '0c5f8ccd1413423a54f6c1fb26ff01534a87f893779c6e68666d772bfd91f3e7',
}
RFC_CONTEXT = b'SPAKE2+-P256-SHA256-HKDF-SHA256-HMAC-SHA256 Test Vectors'


def check_rfc_vectors():
    got = spake2plus(RFC_CONTEXT, b'client', b'server', int(RFC['w0'], 16), int(RFC['w1'], 16),
                     int(RFC['x'], 16), int(RFC['y'], 16))
    bad = [k for k, v in RFC.items() if got[k].hex() != v]
    if len(got['TT']) != 570 or sha256(got['TT']).hex() != RFC['K_main']:
        bad.append('TT')
    # RFC 8439 section 2.8.2
    key = bytes(range(0x80, 0xa0))
    nonce = bytes.fromhex('070000004041424344454647')
    aad = bytes.fromhex('50515253c0c1c2c3c4c5c6c7')
    pt = (b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
          b"sunscreen would be it.")
    sealed = aead_seal(key, nonce, aad, pt)
    if sealed[-16:].hex() != '1ae10b594f09e26a7e902ecbd0600691' or \
            sealed[:16].hex() != 'd31a8d34648e60db7b86afbc53ef7ec2':
        bad.append('RFC 8439 AEAD')
    if bad:
        sys.exit('tools/ble-vectors.py: the reference disagrees with the RFCs on ' + ', '.join(bad))


# ---- our protocol (docs/ble-protocol.md section 3) ----

BLE_SALT = b'doorlockd-ble-v1'
CONTEXT_PREFIX = b'doorlockd pairing v1'
ROLE_ADMIN, ROLE_USER = 1, 2


def pairing_context(link_id):
    return CONTEXT_PREFIX + link_id


def pairing_code(random_bytes):
    # 8 digits: big-endian u32 draws, rejected at or above 42 * 10^8 (the
    # largest multiple of 10^8 below 2^32), then mod 10^8.
    for i in range(0, len(random_bytes) - 3, 4):
        v = int.from_bytes(random_bytes[i:i + 4], 'big')
        if v < 4200000000:
            return '%08d' % (v % 100000000), i // 4 + 1
    raise ValueError('ran out of random bytes')


B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'


def base32(data):
    bits = int.from_bytes(data, 'big') << (-len(data) * 8 % 5)
    n = (len(data) * 8 + 4) // 5
    return ''.join(B32[(bits >> (5 * (n - 1 - i))) & 31] for i in range(n))


def ltk_of(k_shared, phone_id):
    return hkdf(BLE_SALT, k_shared, b'ltk' + phone_id, 32)


def session_keys(ltk, phone_id, session_id, nonce_p, nonce_l):
    okm = hkdf(BLE_SALT, ltk, b'session' + phone_id + session_id + nonce_p + nonce_l, 64)
    return okm[:32], okm[32:]


def pair_done(k_shared, link_id, phone_id, confirm_p, confirm_v, role, issuer_id=None, issuer_secret=None):
    ltk = ltk_of(k_shared, phone_id)
    session_id = link_id + link_id
    k_pl, k_lp = session_keys(ltk, phone_id, session_id, confirm_p[:16], confirm_v[:16])
    body = bytes([role]) + (issuer_id + issuer_secret if role == ROLE_ADMIN else b'')
    header = b'\x04' + phone_id
    nonce = b'\x00' * 4 + struct.pack('>Q', 1)
    return ltk, session_id, k_pl, k_lp, header + aead_seal(k_lp, nonce, header, body)


def scalar_of(label):
    return int.from_bytes(sha256(label), 'big') % ORDER


def ours():
    v = {}
    v['ORDER'] = ORDER.to_bytes(32, 'big')
    v['FIELD_PRIME'] = P.to_bytes(32, 'big')
    v['REDUCE_ALL_FF'] = (int.from_bytes(b'\xff' * 40, 'big') % ORDER).to_bytes(32, 'big')
    v['ALL_ZERO_SHARE'] = b'\x04' + bytes(64)
    assert decode_strict(bytes(65)) is None and decode_strict(v['ALL_ZERO_SHARE']) is None
    rfc_w0 = int(RFC['w0'], 16)
    v['W0_M'] = encode(scalar_mult(rfc_w0, M))
    v['W0_N'] = encode(scalar_mult(rfc_w0, N))

    # pairing code and QR secret from scripted random bytes
    code_random = bytes.fromhex('fffffffffa56ea00' '00bc614e')
    code, draws = pairing_code(code_random)
    assert draws == 3
    v['CODE_RANDOM'] = code_random
    v['CODE'] = code
    qr_random = bytes(range(0x10, 0x20))
    v['QR_RANDOM'] = qr_random
    v['QR'] = base32(qr_random)

    salt = bytes(range(16))
    v['SALT'] = salt
    v['CODE_SCRYPT_INPUT'] = scrypt_input(code.encode())
    out, w0, w1, L = register(code.encode(), salt)
    v['CODE_SCRYPT_OUT'] = out
    v['CODE_W0'], v['CODE_W1'], v['CODE_L'] = w0.to_bytes(32, 'big'), w1.to_bytes(32, 'big'), encode(L)
    _, qw0, qw1, _ = register(v['QR'].encode(), salt)
    v['QR_W0'], v['QR_W1'] = qw0.to_bytes(32, 'big'), qw1.to_bytes(32, 'big')

    link_id = bytes.fromhex('1a2b3c4d')
    v['LINK_ID'] = link_id
    ctx = pairing_context(link_id)
    v['CONTEXT'] = ctx
    x, y = scalar_of(b'doorlockd vector x'), scalar_of(b'doorlockd vector y')
    run = spake2plus(ctx, b'', b'', w0, w1, x, y)
    v['X'], v['Y'] = run['x'], run['y']
    for k, name in (('shareP', 'SHARE_P'), ('shareV', 'SHARE_V'), ('Z', 'Z'), ('V', 'V'), ('TT', 'TT'),
                    ('K_main', 'K_MAIN'), ('K_confirmP', 'K_CONFIRM_P'), ('K_confirmV', 'K_CONFIRM_V'),
                    ('confirmP', 'CONFIRM_P'), ('confirmV', 'CONFIRM_V'), ('K_shared', 'K_SHARED')):
        v[name] = run[k]

    # the messages of that run
    v['MSG_PAIR_START'] = b'\x01'
    v['MSG_PAIR_SALT'] = b'\x02' + salt + b'\x01'
    v['MSG_PAIR_SHARE_P'] = b'\x03' + run['shareP']
    v['MSG_PAIR_SHARE_V'] = b'\x02' + run['shareV'] + run['confirmV']
    v['MSG_PAIR_CONFIRM_P'] = b'\x03' + run['confirmP']

    phone_id = bytes.fromhex('00000007')
    v['PHONE_ID'] = phone_id
    issuer_id = bytes.fromhex('00000003')
    issuer_secret = bytes(range(0x20, 0x40))
    v['ISSUER_ID'], v['ISSUER_SECRET'] = issuer_id, issuer_secret
    ltk, session_id, k_pl, k_lp, done = pair_done(run['K_shared'], link_id, phone_id, run['confirmP'],
                                                  run['confirmV'], ROLE_ADMIN, issuer_id, issuer_secret)
    v['LTK'], v['DONE_SESSION_ID'], v['DONE_K_PL'], v['DONE_K_LP'] = ltk, session_id, k_pl, k_lp
    v['MSG_PAIR_DONE_ADMIN'] = done
    *_, done_user = pair_done(run['K_shared'], link_id, phone_id, run['confirmP'], run['confirmV'], ROLE_USER)
    v['MSG_PAIR_DONE_USER'] = done_user
    return v


# ---- output ----

def c_header(v):
    lines = ['/* SPDX-License-Identifier: GPL-2.0-or-later */',
             '/* Generated by tools/ble-vectors.py --c (an independent Python reference);',
             ' * do not edit: the test ble-vectors-python checks this file is exactly what',
             ' * the script prints.  Hex strings, as docs/ble-protocol.md shows them. */',
             '#pragma once', '', '/* clang-format off */']
    for k, val in v.items():
        if isinstance(val, str):
            lines.append('#define VEC_%s "%s"' % (k, val))
            continue
        h = val.hex()
        if len(h) <= 64:
            lines.append('#define VEC_%s "%s"' % (k, h))
        else:
            lines.append('#define VEC_%s \\' % k)
            chunks = [h[i:i + 96] for i in range(0, len(h), 96)]
            for i, c in enumerate(chunks):
                lines.append('        "%s"%s' % (c, ' \\' if i + 1 < len(chunks) else ''))
    lines.append('/* clang-format on */')
    return '\n'.join(lines) + '\n'


def markdown(v):
    out = ['```']
    for k, val in v.items():
        out.append('%-19s %s' % (k, val if isinstance(val, str) else val.hex()))
    out.append('```')
    return '\n'.join(out) + '\n'


def main(argv):
    check_rfc_vectors()
    v = ours()
    if len(argv) == 2 and argv[1] == '--c':
        sys.stdout.write(c_header(v))
    elif len(argv) in (3, 4) and argv[1] == '--check':
        with open(argv[2], encoding='utf-8') as f:
            if f.read() != c_header(v):
                sys.exit('%s differs from tools/ble-vectors.py --c' % argv[2])
        if len(argv) == 4:
            with open(argv[3], encoding='utf-8') as f:
                if markdown(v) not in f.read():
                    sys.exit('%s does not hold the block tools/ble-vectors.py prints' % argv[3])
    elif len(argv) == 1:
        sys.stdout.write(markdown(v))
    else:
        sys.exit('usage: tools/ble-vectors.py [--c | --check FILE [DOC]]')


if __name__ == '__main__':
    main(sys.argv)
