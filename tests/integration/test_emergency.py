# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: emergency codes (docs/emergency-codes.md).

Every code is also computed here, independently of the C code, with the
reference generator in tools/ec-vectors.py (Python's hmac and hashlib): the
gateway's codes from its key file state/emergency/0.key, another issuer's
from the secret in the URI AddEmergencyIssuer returns.

Generation and its quota, single use (also across a restart and a SIGKILL
right after the door opened), the audit log (issuer, window and slot, never
the digits), issuers (URI, key files, removal, ids never reused), the
windows the lock accepts and the 5-minute tolerance at window edges, the
wrong-code lockout, privacy mode, a PIN that equals an emergency code, and
lockctl emergency (online, issuer add, --offline for many random times and
slots).  Window edges, the refill of the quota and a clock set back are
tested on the daemon's clock shifted by a small LD_PRELOAD library (see
FakeClock).  Cases on the real clock that depend on where the current
4-hour window stands skip (or skip a part, with a note) when an edge is too
close to tell."""

import base64
import calendar
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ERR, LOCK_IFACE, LOCK_PATH, PIN1, SOURCE_ROOT, Failure, Skip, Suite, check, eq, now_usec, timeout_scale)

suite = Suite("emergency")


def _load_reference():
    path = os.path.join(SOURCE_ROOT, "tools", "ec-vectors.py")
    spec = importlib.util.spec_from_file_location("ec_vectors", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


EC = _load_reference()
WINDOW = EC.WINDOW_SECONDS          # 14400
TOLERANCE = 5 * 60                  # DL_EC_TOLERANCE_USEC, in s
# How close (s) to an edge a check must not be, so that the lock's clock at
# the moment it decides and ours agree on which side of the edge it is.
MARGIN = 10
# Config for cases that make several refused entries on purpose.
MANY_ATTEMPTS = {"Lockout": {"Attempts": "50"}}


# ---- the reference side ----

def code_of(secret, issuer, window, slot):
    return EC.emergency_code(secret, issuer, window, slot)


def window_now():
    return int(time.time()) // WINDOW


def into_window():
    """Seconds since the start of the current window."""
    return time.time() % WINDOW


def to_window_end():
    return WINDOW - into_window()


def valid_until_usec(window):
    return EC.valid_until(window) * 1_000_000


def need_time_in_window(seconds):
    """Skip when the current window ends within `seconds` (a case that
    counts on one window throughout)."""
    left = to_window_end()
    if left < seconds:
        raise Skip(f"the 4-hour window ends in {left:.0f} s; this case needs {seconds} s of one window")


def gateway_secret(env):
    """Issuer 0's secret, from the daemon's key file (32 raw bytes, 0600)."""
    path = os.path.join(env.daemon.state_dir, "emergency", "0.key")
    st = os.stat(path)
    eq(stat.S_IMODE(st.st_mode) & 0o077, 0, f"mode of {path} has group/other bits")
    with open(path, "rb") as f:
        key = f.read()
    eq(len(key), 32, f"size of {path}")
    return key


def key_path(env, issuer):
    return os.path.join(env.daemon.state_dir, "emergency", f"{issuer}.key")


URI_PREFIX = "otpauth://doorlockd-emergency/"
UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def expected_name_encoding(name):
    return "".join(ch if ch in UNRESERVED else "".join(f"%{b:02X}" for b in ch.encode())
                   for ch in name)


def parse_uri(uri):
    """The secret URI as the spec writes it (strictly what the lock writes):
    returns (issuer_id, name, secret bytes, raw name part)."""
    check(uri.startswith(URI_PREFIX), f"URI does not start with {URI_PREFIX}: {uri!r}")
    rest = uri[len(URI_PREFIX):]
    check(rest.count("?") == 1, f"URI has not exactly one '?': {uri!r}")
    raw_name, query = rest.split("?")
    check(raw_name and "/" not in raw_name and "#" not in query, f"bad URI shape: {uri!r}")
    check(re.fullmatch(r"([A-Za-z0-9._~-]|%[0-9A-F]{2})+", raw_name),
          f"name part {raw_name!r}: only unreserved characters and upper-case %XX are written")
    params = [p.split("=", 1) for p in query.split("&")]
    check(all(len(p) == 2 for p in params), f"a parameter without '=': {query!r}")
    keys = [k for k, _ in params]
    eq(sorted(keys), sorted(["secret", "issuer_id", "algorithm", "digits", "period", "slots"]),
       "URI parameters (each exactly once)")
    p = dict(params)
    eq((p["algorithm"], p["digits"], p["period"], p["slots"]), ("SHA256", "8", "14400", "16"),
       "URI algorithm/digits/period/slots")
    check(re.fullmatch(r"0|[1-9][0-9]{0,9}", p["issuer_id"]) and int(p["issuer_id"]) <= 0xFFFFFFFF,
          f"issuer_id {p['issuer_id']!r}")
    check(re.fullmatch(r"[A-Z2-7]{51}[AQ]", p["secret"]),
          f"secret {p['secret']!r}: 52 upper-case base32 characters, no padding, last A or Q")
    secret = EC.secret_from_base32(p["secret"])
    eq(base64.b32encode(secret).decode().rstrip("="), p["secret"], "secret round trip")
    name = urllib.parse.unquote(raw_name, errors="strict")
    return int(p["issuer_id"]), name, secret, raw_name


def wrong_codes(secrets, n, rng=None):
    """n 8-digit entries that are no live code of any of the given
    (secret, issuer) pairs in any window the lock could check now."""
    rng = rng or random.Random(4)
    w = window_now()
    live = {code_of(s, i, win, sl) for s, i in secrets for win in range(w - 3, w + 3) if win >= 0
            for sl in range(16)}
    out = []
    while len(out) < n:
        c = "%08d" % rng.randrange(10**8)
        if c not in live and c not in out:
            out.append(c)
    return out


# ---- the daemon side ----

def generate(env):
    code, until = env.call("GenerateEmergencyCode")
    check(isinstance(code, str) and re.fullmatch(r"[0-9]{8}", code), f"code {code!r} is not 8 digits")
    return code, until


def add_issuer(env, name):
    iid, uri = env.call("AddEmergencyIssuer", name, sig="s")
    got_id, got_name, secret, _ = parse_uri(uri)
    eq(got_id, iid, "issuer_id in the URI")
    eq(got_name, name, "name in the URI")
    return iid, uri, secret


def issuers(env):
    return [tuple(x) for x in env.call("ListEmergencyIssuers")]


def granted_ec(sig, name, source="keypad"):
    eq(sig.member, "AccessGranted", f"decision ({sig.args})")
    eq(sig.args, [source, "/", f"emergency code ({name})"], "AccessGranted arguments")


def granted(sig, path, name, source="keypad"):
    eq(sig.member, "AccessGranted", f"decision ({sig.args})")
    eq(sig.args, [source, path, name], "AccessGranted arguments")


def denied(sig, reason, source="keypad"):
    eq(sig.member, "AccessDenied", f"decision ({sig.args})")
    eq(sig.args, [source, reason], "AccessDenied arguments")


def relock(env):
    env.wait_unlocked()
    env.lock()


def opens(env, code, name):
    granted_ec(env.enter(code), name)
    relock(env)


def log_since(env, last_id):
    return [e for e in env.get_log() if e[1] > last_id]


def last_log_id(env):
    log = env.get_log()
    return log[-1][1] if log else 0


def ec_details(e):
    return e[4].get("details", "")


def assert_secret_text_absent(env, needles, what):
    """None of the strings appears in the audit log (any field), in the
    daemon's stderr, or in any file of its state directory except the key
    files (as ASCII)."""
    for e in env.get_log():
        for v in [e[2], e[3]] + list(e[4].values()):
            for n in needles:
                check(not (isinstance(v, str) and n in v),
                      f"{what} {n} appears in the audit log: {e}")
    log = env.daemon.read_log()
    for n in needles:
        check(n not in log, f"{what} {n} appears in doorlockd's output")
    keydir = os.path.join(env.daemon.state_dir, "emergency")
    for root, _, files in os.walk(env.daemon.state_dir):
        if root == keydir:
            continue
        for fn in files:
            with open(os.path.join(root, fn), "rb") as f:
                data = f.read()
            for n in needles:
                check(n.encode() not in data, f"{what} {n} appears in {os.path.join(root, fn)}")


# ---- the reference generator against the spec ----

@suite.case("tools/ec-vectors.py gives every test vector of docs/emergency-codes.md "
            "(the Python the other cases trust)", daemon=False)
def _(env):
    with open(os.path.join(SOURCE_ROOT, "docs", "emergency-codes.md")) as f:
        doc = f.read()
    secrets = {"A": bytes(range(32)), "B": hashlib.sha256(b"doorlockd test").digest()}
    rows = re.findall(r"^\| (\d+) \| ([AB]) \| (\d+) \| (\d+) \| ([0-9: -]+) \| (\d+) \| `(\d{8})` \| "
                      r"([0-9: -]+) \|$", doc, re.M)
    check(len(rows) >= 10, f"only {len(rows)} test vectors found in the spec")
    for n, sec, issuer, window, start, slot, code, until in rows:
        issuer, window, slot = int(issuer), int(window), int(slot)
        eq(code_of(secrets[sec], issuer, window, slot), code, f"vector {n}")
        eq(time.strftime("%Y-%m-%d %H:%M", time.gmtime(window * WINDOW)), start.strip(),
           f"vector {n} window start")
        eq(time.strftime("%Y-%m-%d %H:%M", time.gmtime(EC.valid_until(window))), until.strip(),
           f"vector {n} valid until")
    eq(EC.window_of(calendar.timegm((2026, 11, 25, 12, 0, 0))), 124695, "window of 2026-11-25 12:00 UTC")
    # The base32 vectors: the spec's table is what the reference parser
    # gives (a mistyped last character, ...DYPR, is refused, not read as
    # ...DYPQ the way base64.b32decode alone would).
    b32rows = re.findall(r"^\| `([A-Za-z2-7=-]+)` \| (secret [AB]|refused) \|$", doc, re.M)
    eq([(t, None if r == "refused" else r[-1]) for t, r in b32rows], EC.BASE32_CASES, "base32 vectors")
    check(any(t.endswith("DYPR") for t, _ in b32rows), "no vector with a non-zero unused bit")
    eq(base64.b32decode("AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPR===="), secrets["A"],
       "b32decode ignores the unused bits (why the reference checks them)")
    env.note(f"{len(rows)} vectors, {len(b32rows)} base32 vectors")


# ---- GenerateEmergencyCode, single use, audit ----

@suite.case("GenerateEmergencyCode: 8 digits = HMAC of the gateway's key, valid until the end of the "
            "next window, EmergencyCodesLeft 16 -> 15; opens once on the keypad, then used-up; "
            "the log has issuer/window/slot and never the digits")
def _(env):
    need_time_in_window(10)
    eq(env.get("EmergencyCodesLeft"), 16, "EmergencyCodesLeft at first")
    gw = gateway_secret(env)
    eq(issuers(env)[0][:2], (0, "gateway"), "issuer 0")
    last = last_log_id(env)
    m = env.mark()
    w = window_now()
    code, until = generate(env)
    eq(until, valid_until_usec(w), "valid_until (µs): the end of the next window")
    eq(code, code_of(gw, 0, w, 0), "the code (issuer 0, this window, slot 0) computed in Python")
    eq(env.get("EmergencyCodesLeft"), 15, "EmergencyCodesLeft after one")
    env.wait_for(lambda: any(s.args[0] == LOCK_IFACE and s.args[1].get("EmergencyCodesLeft") == 15
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged EmergencyCodesLeft=15")

    sig = env.enter(code)
    granted_ec(sig, "gateway")
    relock(env)
    denied(env.enter(code), "used-up")
    eq(env.state(), "locked", "State after the used code")
    eq(env.get("EmergencyCodesLeft"), 15, "EmergencyCodesLeft after using the code (unchanged)")

    new = log_since(env, last)
    where = f"issuer 0 window {w} slot 0"
    gen = [e for e in new if e[2] == "emergency-generated"]
    eq(len(gen), 1, f"emergency-generated entries in {new}")
    check(ec_details(gen[0]).startswith(where), f"generation entry: {gen[0]}")
    ok = [e for e in new if e[2] == "access-granted"]
    eq(len(ok), 1, f"access-granted entries in {new}")
    eq(ok[0][3], "keypad", "source of the grant")
    check(f"issuer 0 (gateway) window {w} slot 0" in ec_details(ok[0]), f"grant entry: {ok[0]}")
    no = [e for e in new if e[2] == "access-denied"]
    eq(len(no), 1, f"access-denied entries in {new}")
    eq(no[0][4].get("reason"), "used-up", "reason in the log")
    check(f"issuer 0 (gateway) window {w} slot 0" in ec_details(no[0]), f"denial entry: {no[0]}")
    assert_secret_text_absent(env, [code], "the code")


@suite.case("a used code stays used across a restart; an unused one still opens after it")
def _(env):
    need_time_in_window(10)
    gw = gateway_secret(env)
    w = window_now()
    used, _ = generate(env)
    spare, _ = generate(env)
    eq(spare, code_of(gw, 0, w, 1), "second code: slot 1")
    opens(env, used, "gateway")
    env.restart_daemon()
    eq(env.get("EmergencyCodesLeft"), 14, "EmergencyCodesLeft after the restart")
    denied(env.enter(used), "used-up")
    opens(env, spare, "gateway")
    denied(env.enter(spare), "used-up")


@suite.case("SIGKILL the moment AccessGranted arrives: after a restart the code is used-up")
def _(env):
    code, _ = generate(env)
    d = env.daemon
    killed = []

    def on_granted(*args):
        if not killed and d.proc is not None:
            os.kill(d.proc.pid, signal.SIGKILL)
            killed.append(time.monotonic())

    match = env.conn.add_signal_receiver(on_granted, signal_name="AccessGranted", dbus_interface=LOCK_IFACE,
                                         path=LOCK_PATH)
    try:
        sig = env.enter(code)
    finally:
        match.remove()
    granted_ec(sig, "gateway")
    check(killed, "the daemon was not killed")
    rc = d.proc.wait(5)
    eq(rc, -signal.SIGKILL, "exit status of the killed daemon")
    d.proc = None
    d.start()
    denied(env.enter(code), "used-up")
    log = env.get_log()
    check(any(e[2] == "access-granted" and "issuer 0 (gateway)" in ec_details(e) for e in log),
          "the grant is not in the audit log after the SIGKILL")


@suite.case("the 17th GenerateEmergencyCode in a window: EmergencyQuota, and nothing changes")
def _(env):
    need_time_in_window(20)
    gw = gateway_secret(env)
    w = window_now()
    codes = []
    for i in range(16):
        code, until = generate(env)
        eq(code, code_of(gw, 0, w, i), f"code {i + 1} (slot {i})")
        eq(until, valid_until_usec(w), f"valid_until of code {i + 1}")
        eq(env.get("EmergencyCodesLeft"), 15 - i, f"EmergencyCodesLeft after {i + 1}")
        codes.append(code)
    eq(len(set(codes)), 16, "16 different codes")
    last = last_log_id(env)
    name, msg = env.refused(ERR + "EmergencyQuota", generate, env)
    # Unused, they count until the lock stops accepting window w.
    free_at = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime((w + 2) * WINDOW + TOLERANCE))
    check(free_at in msg, f"the error does not say when the next code can be generated ({free_at}): {msg!r}")
    ref = [e for e in log_since(env, last) if e[2] == "emergency-refused"]
    eq(len(ref), 1, f"emergency-refused entries: {ref}")
    eq(ref[0][4].get("reason"), "emergency-quota", f"reason of {ref[0]}")
    eq(env.get("EmergencyCodesLeft"), 0, "EmergencyCodesLeft")
    eq([e for e in log_since(env, last) if e[2] == "emergency-generated"], [],
       "a generation logged for the refused call")
    # The 16 codes handed out still work (the last and the first).
    opens(env, codes[15], "gateway")
    opens(env, codes[0], "gateway")
    env.refused(ERR + "EmergencyQuota", generate, env)
    env.note("the next window: see the cases on a shifted clock")


# ---- issuers ----

@suite.case("AddEmergencyIssuer: id and otpauth URI; its codes, computed in Python, open once per "
            "(window, slot); ListEmergencyIssuers", config=MANY_ATTEMPTS)
def _(env):
    need_time_in_window(10)
    t0 = now_usec()
    eq([x[:2] for x in issuers(env)], [(0, "gateway")], "ListEmergencyIssuers at first")
    created0 = issuers(env)[0][2]
    check(0 < created0 <= now_usec(), f"created of issuer 0: {created0}")
    name = "Alice's phone & Küche"
    last = last_log_id(env)
    iid, uri, secret = add_issuer(env, name)
    check(iid >= 1, f"new issuer id {iid}")
    eq(parse_uri(uri)[3], expected_name_encoding(name), "percent-encoded name in the URI")
    kp = key_path(env, iid)
    st = os.stat(kp)
    eq(stat.S_IMODE(st.st_mode), 0o600, f"mode of {kp}")
    with open(kp, "rb") as f:
        eq(f.read(), secret, f"{kp} holds the secret of the URI")
    check(secret != gateway_secret(env), "the new issuer has the gateway's secret")
    lst = issuers(env)
    eq([x[:2] for x in lst], [(0, "gateway"), (iid, name)], "ListEmergencyIssuers")
    check(t0 <= lst[1][2] <= now_usec(), f"created {lst[1][2]} not within the call")

    w = window_now()
    opens(env, code_of(secret, iid, w, 3), name)
    denied(env.enter(code_of(secret, iid, w, 3)), "used-up")
    opens(env, code_of(secret, iid, w, 4), name)
    # The MAC covers the issuer id: the same secret under another id is no code.
    other = code_of(secret, iid + 1, w, 5)
    if other not in {code_of(secret, iid, x, s) for x in (w - 1, w) for s in range(16)}:
        denied(env.enter(other), "unknown-code")
    # The gateway's codes are separate: generating does not touch this issuer.
    gcode, _ = generate(env)
    opens(env, gcode, "gateway")

    new = log_since(env, last)
    added = [e for e in new if e[2] == "issuer-added"]
    eq(len(added), 1, f"issuer-added entries in {new}")
    check(f"issuer {iid}" in ec_details(added[0]), f"issuer-added entry: {added[0]}")
    uses = [ec_details(e) for e in new if e[2] == "access-granted"]
    check(any(f"issuer {iid} ({name}) window {w} slot 3" in d for d in uses), f"grants: {uses}")
    check(any(f"issuer {iid} ({name}) window {w} slot 4" in d for d in uses), f"grants: {uses}")
    b32 = base64.b32encode(secret).decode().rstrip("=")
    assert_secret_text_absent(env, [b32, code_of(secret, iid, w, 3), code_of(secret, iid, w, 4), gcode],
                              "secret or code")

    # Refused adds change nothing.
    before = issuers(env)
    env.refused(ERR + "DuplicateName", env.call, "AddEmergencyIssuer", name, sig="s")
    env.refused(ERR + "InvalidName", env.call, "AddEmergencyIssuer", "", sig="s")
    env.refused(ERR + "InvalidName", env.call, "AddEmergencyIssuer", "x" * 40, sig="s")
    eq(issuers(env), before, "issuers after refused adds")


@suite.case("RemoveEmergencyIssuer: its codes are refused (unknown-code), its key file is gone; "
            "ids are never reused, not even after a restart; a new issuer gets a new secret; "
            "issuer 0 cannot be removed (ModeForbids)", config=MANY_ATTEMPTS)
def _(env):
    need_time_in_window(10)
    w = window_now()
    id_a, _, sec_a = add_issuer(env, "Alice")
    id_b, _, sec_b = add_issuer(env, "Bob")
    check(id_b > id_a, f"ids {id_a}, {id_b}")
    code_a = code_of(sec_a, id_a, w, 0)
    prev_a = code_of(sec_a, id_a, w - 1, 7)
    last = last_log_id(env)
    env.call("RemoveEmergencyIssuer", id_a, sig="u")
    check(not os.path.exists(key_path(env, id_a)), f"{key_path(env, id_a)} still exists")
    check(os.path.exists(key_path(env, id_b)), f"{key_path(env, id_b)} is gone")
    eq([x[:2] for x in issuers(env)], [(0, "gateway"), (id_b, "Bob")], "issuers after the removal")
    denied(env.enter(code_a), "unknown-code")
    denied(env.enter(prev_a), "unknown-code")
    opens(env, code_of(sec_b, id_b, w, 0), "Bob")
    removed = [e for e in log_since(env, last) if e[2] == "issuer-removed"]
    eq(len(removed), 1, "issuer-removed entries")
    check(f"issuer {id_a} 'Alice'" in ec_details(removed[0]), f"issuer-removed entry: {removed[0]}")

    # A new issuer, even with the old name, never gets the old id or secret.
    id_c, _, sec_c = add_issuer(env, "Alice")
    check(id_c > id_b, f"new issuer got id {id_c} (had {id_a} and {id_b})")
    check(sec_c not in (sec_a, sec_b), "new issuer got an old secret")
    denied(env.enter(code_a), "unknown-code")
    # Remove the newest and restart: the next id is still a new one.
    env.call("RemoveEmergencyIssuer", id_c, sig="u")
    env.restart_daemon()
    id_d, _, sec_d = add_issuer(env, "Carol")
    check(id_d > id_c, f"after removing {id_c} and a restart the new issuer got id {id_d}")
    check(sec_d not in (sec_a, sec_b, sec_c), "new issuer got an old secret")
    opens(env, code_of(sec_d, id_d, w, 0), "Carol")
    eq(sorted(os.listdir(os.path.join(env.daemon.state_dir, "emergency"))),
       sorted(f"{i}.key" for i in (0, id_b, id_d)), "key files")

    before = issuers(env)
    env.refused(ERR + "ModeForbids", env.call, "RemoveEmergencyIssuer", 0, sig="u")
    env.refused((ERR + "NotFound",), env.call, "RemoveEmergencyIssuer", id_a, sig="u")
    env.refused((ERR + "NotFound",), env.call, "RemoveEmergencyIssuer", 4294967295, sig="u")
    eq(issuers(env), before, "issuers after refused removals")
    check(os.path.exists(key_path(env, 0)), "the gateway's key file is gone")
    code, _ = generate(env)
    opens(env, code, "gateway")


@suite.case("IssuerLimit: 64 issuers besides the gateway, the 65th is refused and changes nothing; "
            "an entry is still decided quickly with 65 issuers", config=MANY_ATTEMPTS)
def _(env):
    need_time_in_window(30)
    added = [add_issuer(env, f"Issuer {i}") for i in range(64)]
    eq(len(issuers(env)), 65, "issuers")
    before = issuers(env)
    env.refused(ERR + "IssuerLimit", env.call, "AddEmergencyIssuer", "One too many", sig="s")
    eq(issuers(env), before, "issuers after the refused add")
    eq(len(os.listdir(os.path.join(env.daemon.state_dir, "emergency"))), 65, "key files")
    iid, _, sec = added[-1]
    w = window_now()
    t0 = time.monotonic()
    denied(env.enter(wrong_codes([(s, i) for i, _, s in added], 1)[0]), "unknown-code")
    t_wrong = time.monotonic() - t0
    t0 = time.monotonic()
    opens(env, code_of(sec, iid, w, 9), "Issuer 63")
    env.note(f"with 65 issuers: a wrong 8-digit entry decided {t_wrong * 1000:.0f} ms after PressKeys "
             f"(9 keys, 5 ms apart); a right one opened and relocked in {(time.monotonic() - t0) * 1000:.0f} ms")
    env.call("RemoveEmergencyIssuer", added[0][0], sig="u")
    add_issuer(env, "One more")


# ---- windows and tolerance ----

@suite.case("windows: a code of the previous window opens; of window-2 only within 5 min after "
            "the window start; of window+1 only within 5 min before its end; never window+2 or "
            "window-3", config=MANY_ATTEMPTS)
def _(env):
    iid, _, sec = add_issuer(env, "Phone")
    w = window_now()
    s = into_window()
    env.note(f"{s:.0f} s into window {w} ({to_window_end():.0f} s to its end)")
    if s < MARGIN or to_window_end() < MARGIN:
        raise Skip(f"within {MARGIN} s of a window edge ({s:.0f} s into it)")

    opens(env, code_of(sec, iid, w, 0), "Phone")
    opens(env, code_of(sec, iid, w - 1, 0), "Phone")
    denied(env.enter(code_of(sec, iid, w - 1, 0)), "used-up")
    opens(env, code_of(sec, iid, w - 1, 15), "Phone")

    def expect(window, slot, accepted, why):
        code = code_of(sec, iid, window, slot)
        sig = env.enter(code)
        if accepted:
            granted_ec(sig, "Phone")
            relock(env)
        else:
            denied(sig, "unknown-code")
        env.note(f"window {window - w:+d}: {'opens' if accepted else 'refused'} ({why})")

    # window - 2: accepted only in the first 5 minutes of this window.
    s = into_window()
    if s < TOLERANCE - MARGIN:
        expect(w - 2, 1, True, "within the tolerance after the window start")
        expect(w - 3, 1, False, "even within the tolerance")
    elif s > TOLERANCE + MARGIN:
        expect(w - 2, 1, False, "outside the tolerance")
    else:
        env.note(f"window-2 not checked: {s:.0f} s into the window, at the tolerance's edge")
    # window + 1: accepted only in the last 5 minutes of this window.
    left = to_window_end()
    if left < TOLERANCE - MARGIN:
        expect(w + 1, 2, True, "within the tolerance before the window end")
    elif left > TOLERANCE + MARGIN:
        expect(w + 1, 2, False, "outside the tolerance")
    else:
        env.note(f"window+1 not checked: {left:.0f} s to the window end, at the tolerance's edge")
    expect(w + 2, 3, False, "never")
    expect(w - 3, 3, False, "never")


# ---- the daemon on a shifted clock ----
#
# The system clock cannot be changed here, but the daemon's can: a tiny
# LD_PRELOAD library, compiled from CLOCK_SHIM below with the C compiler the
# project builds with, adds DOORLOCKD_TEST_CLOCK_OFFSET_USEC to what
# clock_gettime(CLOCK_REALTIME*), gettimeofday() and time() return.  The
# monotonic clock (relock, keypad and simulator timers) is left alone, and so
# are timers: a CLOCK_REALTIME timer of the daemon (the EmergencyCodesLeft
# refill, a lockout's end) is armed in the shifted time but the kernel wakes
# the daemon for it by the real one; sd-event still dispatches it at any other
# wake-up after its shifted time.  The offsets used here are never negative,
# so such a timer can only be late, never fire in a loop.  (libfaketime
# does not do: it shifts sd-event's CLOCK_MONOTONIC timerfds too, and the
# daemon exits with EINVAL.)  A case that moves the clock restarts the daemon
# with a new offset.  Without a C compiler these cases are skipped.

CLOCK_SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long offset_usec(void) {
        static int done;
        static long long off;
        if (!done) {
                const char *s = getenv("DOORLOCKD_TEST_CLOCK_OFFSET_USEC");
                off = s ? strtoll(s, NULL, 10) : 0;
                done = 1;
        }
        return off;
}

static void shift(struct timespec *ts) {
        long long ns = (long long)ts->tv_nsec + (offset_usec() % 1000000) * 1000;
        ts->tv_sec += offset_usec() / 1000000 + ns / 1000000000;
        ns %= 1000000000;
        if (ns < 0) {
                ns += 1000000000;
                ts->tv_sec--;
        }
        ts->tv_nsec = ns;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
        static int (*real)(clockid_t, struct timespec *);
        int r;

        if (!real)
                real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
        r = real(id, ts);
        if (r == 0 && ts && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
                shift(ts);
        return r;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
        struct timespec ts;

        (void)tz;
        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -1;
        if (tv) {
                tv->tv_sec = ts.tv_sec;
                tv->tv_usec = ts.tv_nsec / 1000;
        }
        return 0;
}

time_t time(time_t *t) {
        struct timespec ts;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return (time_t)-1;
        if (t)
                *t = ts.tv_sec;
        return ts.tv_sec;
}
"""

_shim = {}


def clock_shim(env):
    """The shim's path (built once per run), or Skip."""
    if "path" not in _shim:
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            _shim["path"] = None
            _shim["why"] = "no C compiler (cc) to build the clock shim"
        else:
            d = env.suite.tmp
            src, so = os.path.join(d, "clock-shim.c"), os.path.join(d, "clock-shim.so")
            with open(src, "w") as f:
                f.write(CLOCK_SHIM)
            p = subprocess.run(cc.split() + ["-shared", "-fPIC", "-O2", "-o", so, src, "-ldl"],
                               capture_output=True, text=True)
            _shim["path"] = so if p.returncode == 0 else None
            _shim["why"] = f"{cc} could not build the clock shim: {p.stderr.strip()[:300]}"
    if _shim["path"] is None:
        raise Skip(_shim["why"])
    return _shim["path"]


class FakeClock:
    """The daemon with its CLOCK_REALTIME at `target` (unix seconds, >= now)."""

    def __init__(self, env, target, config=None):
        self.env = env
        self.shim = clock_shim(env)
        self.offset = 0
        env.start_daemon(config, extra_env=self._vars(target))
        self._verify()

    def _vars(self, target):
        offset = int(round((target - time.time()) * 1e6))
        check(offset > -1_000_000, "FakeClock: a negative offset would make CLOCK_REALTIME timers fire in a loop")
        self.offset = max(0, offset)    # "now" is a moment ago by now
        asan = os.environ.get("ASAN_OPTIONS", "")
        return {"LD_PRELOAD": self.shim, "DOORLOCKD_TEST_CLOCK_OFFSET_USEC": str(self.offset),
                # a sanitizer build wants its runtime first
                "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}

    def now(self):
        return time.time() + self.offset / 1e6

    def window(self):
        return int(self.now()) // WINDOW

    def move_to(self, target):
        """Restart the daemon with its clock at target (unix seconds)."""
        d = self.env.daemon
        d.stop_clean()
        d.extra_env.update(self._vars(target))
        d.start()

    def _verify(self):
        # Issuer 0 is created at the first start, at the daemon's "now".
        created = issuers(self.env)[0][2] / 1e6
        if abs(created - self.now()) > 5:
            raise Failure(f"the clock shim did not shift the daemon's clock: issuer 0 created at "
                          f"{created:.0f}, want about {self.now():.0f} (offset {self.offset} µs)")


def expect_entry(env, code, name, reason=None):
    sig = env.enter(code)
    if reason is None:
        granted_ec(sig, name)
        relock(env)
    else:
        denied(sig, reason)


@suite.case("tolerance at window edges, both ways (the daemon's clock shifted): window+1 "
            "refused 5 min + 20 s before the end, accepted 5 min - 20 s before it; window-2 accepted "
            "5 min - 20 s after a window start, refused 5 min + 20 s after it",
            daemon=False, config=MANY_ATTEMPTS)
def _(env):
    W = window_now() + 1                 # a window of the future: the clock only moves forward
    end = (W + 1) * WINDOW
    fc = FakeClock(env, end - TOLERANCE - 20, MANY_ATTEMPTS)
    eq(fc.window(), W, "the daemon's window")
    iid, _, sec = add_issuer(env, "Phone")
    gw = gateway_secret(env)
    # 5 min + 20 s before the end: the current and the previous window only.
    expect_entry(env, code_of(sec, iid, W + 1, 0), "Phone", "unknown-code")
    expect_entry(env, code_of(sec, iid, W - 1, 0), "Phone")
    expect_entry(env, code_of(sec, iid, W, 0), "Phone")
    code, until = generate(env)
    eq((code, until), (code_of(gw, 0, W, 0), valid_until_usec(W)), "GenerateEmergencyCode on the shifted clock")
    # 5 min - 20 s before the end: also the next window (a phone clock ahead).
    fc.move_to(end - TOLERANCE + 20)
    expect_entry(env, code_of(sec, iid, W + 1, 0), "Phone")
    expect_entry(env, code_of(sec, iid, W + 1, 0), "Phone", "used-up")
    expect_entry(env, code_of(sec, iid, W + 2, 0), "Phone", "unknown-code")
    expect_entry(env, code_of(sec, iid, W - 2, 0), "Phone", "unknown-code")
    # 5 min - 20 s after the next window's start: W+1 is current, W-1 is
    # "window - 2" and still accepted (an entry just late).
    fc.move_to(end + TOLERANCE - 20)
    eq(fc.window(), W + 1, "the daemon's window")
    expect_entry(env, code_of(sec, iid, W - 1, 1), "Phone")
    expect_entry(env, code_of(sec, iid, W - 1, 0), "Phone", "used-up")
    expect_entry(env, code_of(sec, iid, W - 2, 1), "Phone", "unknown-code")
    expect_entry(env, code_of(sec, iid, W + 1, 0), "Phone", "used-up")
    expect_entry(env, code, "gateway")   # window W: the previous one now
    # 5 min + 20 s after it: W-1 is out.
    fc.move_to(end + TOLERANCE + 20)
    expect_entry(env, code_of(sec, iid, W - 1, 2), "Phone", "unknown-code")
    expect_entry(env, code_of(sec, iid, W, 1), "Phone")
    expect_entry(env, code_of(sec, iid, W + 1, 1), "Phone")


@suite.case("the gateway's quota is over any 4 hours: 16 codes 3 s before a window end leave "
            "EmergencyCodesLeft 0 in the next window, GenerateEmergencyCode EmergencyQuota; a use frees one "
            "4 h later, the unused ones when the lock stops accepting them (the daemon's clock shifted)",
            daemon=False)
def _(env):
    W = window_now() + 1
    end = (W + 1) * WINDOW
    # 3 s, or more where every call is slower (valgrind): 16 generations
    # must fit before the window ends.
    lead = 3 * timeout_scale()
    fc = FakeClock(env, end - lead)
    gw = gateway_secret(env)
    codes = [generate(env)[0] for _ in range(16)]
    eq(codes, [code_of(gw, 0, W, i) for i in range(16)], "16 codes of the window")
    if fc.now() > end - 1:
        raise Failure(f"16 generations took too long: the window ended before the 17th ({fc.now() - end:+.1f} s)")
    env.refused(ERR + "EmergencyQuota", generate, env)
    eq(env.get("EmergencyCodesLeft"), 0, "EmergencyCodesLeft")
    # The next window: a new window's slots, but not a new quota.
    env.wait_for(lambda: fc.now() > end + 0.2, timeout=lead + 3, what="the window end")
    eq(env.get("EmergencyCodesLeft"), 0, "EmergencyCodesLeft in the next window (16 unused codes still valid)")
    env.refused(ERR + "EmergencyQuota", generate, env)
    used_at = fc.now()
    opens(env, codes[15], "gateway")     # the previous window's codes still work
    eq(env.get("EmergencyCodesLeft"), 0, "EmergencyCodesLeft after using one")
    # 4 h after the use (the unused 15 are accepted until end + 4 h + 5 min):
    # one back.
    fc.move_to(used_at + WINDOW + 2)
    eq(env.get("EmergencyCodesLeft"), 1, "EmergencyCodesLeft 4 h after the use")
    # The lock no longer accepts window W: all back, and slot 0 of the
    # current window.
    fc.move_to(end + WINDOW + TOLERANCE + 2)
    eq(env.get("EmergencyCodesLeft"), 16, "EmergencyCodesLeft once window W is no longer accepted")
    code, until = generate(env)
    eq((code, until), (code_of(gw, 0, W + 2, 0), valid_until_usec(W + 2)), "1st code of window W + 2")
    eq(env.get("EmergencyCodesLeft"), 15, "EmergencyCodesLeft")
    opens(env, code, "gateway")


@suite.case("a phone's codes: 16 of the previous window, then one of the current window within "
            "minutes is refused emergency-quota (counted toward the lockout, logged, slot not used) "
            "and opens 4 h after the first use (the daemon's clock shifted)", daemon=False,
            config=MANY_ATTEMPTS)
def _(env):
    W = window_now() + 1
    fc = FakeClock(env, W * WINDOW + 60, MANY_ATTEMPTS)    # 1 min into window W
    iid, _, sec = add_issuer(env, "Phone")
    first = fc.now()
    for slot in range(16):
        expect_entry(env, code_of(sec, iid, W - 1, slot), "Phone")
    last = last_log_id(env)
    m = env.mark()
    expect_entry(env, code_of(sec, iid, W, 0), "Phone", "emergency-quota")
    expect_entry(env, code_of(sec, iid, W, 1), "Phone", "emergency-quota")
    den = [e for e in log_since(env, last) if e[2] == "access-denied"]
    eq([e[4].get("reason") for e in den], ["emergency-quota"] * 2, f"access-denied entries: {den}")
    check(f"issuer {iid} (Phone) window {W} slot 0" in ec_details(den[0]), f"refusal entry: {den[0]}")
    check("2 consecutive wrong entries" in ec_details(den[1]), f"the refusals do not count: {den[1]}")
    eq(env.find_signals("AccessGranted", since=m), [], "AccessGranted past the quota")
    # After a restart, the same.
    env.daemon.stop_clean()
    env.daemon.start()
    expect_entry(env, code_of(sec, iid, W, 0), "Phone", "emergency-quota")
    # 4 h after the first use: the slot refused before opens.
    fc.move_to(first + WINDOW + 5)
    expect_entry(env, code_of(sec, iid, W, 0), "Phone")


@suite.case("clock set back (the daemon's clock shifted): a code that expired while the clock was ahead is refused "
            "clock-untrusted, GenerateEmergencyCode ClockUntrusted; after ResetClock it opens",
            daemon=False, config=MANY_ATTEMPTS)
def _(env):
    need_time_in_window(30)
    fc = FakeClock(env, time.time(), MANY_ATTEMPTS)
    if env.get("ClockSynchronized"):
        raise Skip("the kernel reports the clock synchronised (NTP): a step back is then taken as a "
                   "correction, not as tampering")
    iid, _, sec = add_issuer(env, "Phone")
    w = window_now()
    code, _ = generate(env)
    phone = code_of(sec, iid, w, 0)
    # 9 hours ahead: both codes have expired.
    fc.move_to(time.time() + 9 * 3600)
    eq(env.get("ClockTrusted"), True, "ClockTrusted after a jump forward")
    expect_entry(env, code, "gateway", "unknown-code")
    # Back to the real time: the clock went back past the high-water mark.
    fc.move_to(time.time())
    eq(env.get("ClockTrusted"), False, "ClockTrusted after the clock went back")
    expect_entry(env, code, "gateway", "clock-untrusted")
    expect_entry(env, phone, "Phone", "clock-untrusted")
    env.refused(ERR + "ClockUntrusted", generate, env)
    den = [e for e in env.get_log() if e[2] == "access-denied" and "clock-untrusted" in ec_details(e)]
    check(den and f"issuer {iid} (Phone) window {w} slot 0" in ec_details(den[-1]),
          f"clock-untrusted refusal not logged with issuer/window/slot: {den}")
    env.call("ResetClock")
    eq(env.get("ClockTrusted"), True, "ClockTrusted after ResetClock")
    opens(env, code, "gateway")
    opens(env, phone, "Phone")


# ---- lockout, privacy mode, PINs ----

@suite.case("three wrong 8-digit entries -> Alarm lockout; a valid emergency code is then refused "
            "locked-out without being used; after ResetLockout it opens")
def _(env):
    gw = gateway_secret(env)
    code, _ = generate(env)
    m = env.mark()
    for c in wrong_codes([(gw, 0)], 3):
        denied(env.enter(c), "unknown-code")
    alarm = env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    check(alarm.args[1], "Alarm detail is empty")
    check(env.get("KeypadLockedUntil") > now_usec(), "KeypadLockedUntil is not in the future")
    denied(env.enter(code), "locked-out")
    eq(env.state(), "locked", "State during the lockout")
    env.reset_lockout()
    opens(env, code, "gateway")


@suite.case("a used emergency code counts as a wrong entry; an accepted one clears the count")
def _(env):
    gw = gateway_secret(env)
    c1, _ = generate(env)
    c2, _ = generate(env)
    bad = wrong_codes([(gw, 0)], 4)
    m = env.mark()
    denied(env.enter(bad[0]), "unknown-code")
    denied(env.enter(bad[1]), "unknown-code")
    opens(env, c1, "gateway")              # clears the two
    denied(env.enter(bad[2]), "unknown-code")
    denied(env.enter(c1), "used-up")
    eq(env.get("KeypadLockedUntil"), 0, "locked out after 2 wrong entries since the grant")
    eq(env.find_signals("Alarm", since=m), [], "alarms")
    denied(env.enter(bad[3]), "unknown-code")
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    denied(env.enter(c2), "locked-out")
    den = [e for e in env.get_log() if e[2] == "access-denied" and "used-up" in ec_details(e)]
    check(den and "2 consecutive wrong entries" in ec_details(den[-1]),
          f"the used-up refusal is not counted in the log: {den}")


@suite.case("privacy mode: a normal code is refused privacy-mode, emergency codes open "
            "(gateway and another issuer)")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    iid, _, sec = add_issuer(env, "Phone")
    code, _ = generate(env)
    env.set_mode("privacy")
    denied(env.enter(PIN1), "privacy-mode")
    opens(env, code, "gateway")
    eq(env.get("Mode"), "privacy", "Mode after the emergency code")
    opens(env, code_of(sec, iid, window_now(), 0), "Phone")
    eq(env.code_prop(path, "Uses"), 0, "Uses of the normal code")
    denied(env.enter(code), "used-up")


@suite.case("a stored PIN equal to a live emergency code is checked as a PIN first; the emergency "
            "slot stays unused (in privacy mode the same digits open as the emergency code)")
def _(env):
    need_time_in_window(10)
    iid, _, sec = add_issuer(env, "Phone")
    w = window_now()
    path = None
    tried = []
    for slot in range(16):
        digits = code_of(sec, iid, w, slot)
        err = env.error_of(env.add_code, "Neighbour", digits)
        if err is None:
            path = [p for p, c in env.codes().items() if c["Name"] == "Neighbour"][0]
            break
        tried.append((slot, err[0]))
    if path is None:
        raise Skip(f"no slot's code was accepted as a PIN: {tried}")
    env.note(f"slot {slot} as a PIN" + (f" (refused before: {tried})" if tried else ""))
    last = last_log_id(env)
    for n in (1, 2):
        granted(env.enter(digits), path, "Neighbour")
        relock(env)
        eq(env.code_prop(path, "Uses"), n, "Uses of the PIN")
    new = log_since(env, last)
    check(not any("emergency code" in ec_details(e) for e in new), f"an emergency use was logged: {new}")
    # Privacy mode refuses the PIN, so the digits are checked as an emergency
    # code: they open once, then the emergency code's refusal (used-up) is
    # what is reported (docs/emergency-codes.md: "only an exactly 8-digit
    # entry that no stored code lets in is checked as an emergency code").
    env.set_mode("privacy")
    opens(env, digits, "Phone")
    denied(env.enter(digits), "used-up")
    env.set_mode("normal")
    granted(env.enter(digits), path, "Neighbour")
    relock(env)
    # Without the PIN the slot is used now.
    env.remove_code(path)
    denied(env.enter(digits), "used-up")


# ---- lockctl ----

def lockctl_ok(p, what):
    check(p.returncode == 0, f"{what}: exit status {p.returncode}, stderr {p.stderr.strip()!r}")
    return p


def need_lockctl_emergency(env):
    env.need_lockctl("emergency")


def offline(env, secret_file, when=None, slot=None):
    """lockctl emergency --offline ... --json; returns the parsed JSON."""
    args = ["emergency", "--offline", "--secret-file", secret_file, "--json"]
    if when is not None:
        args += ["--time", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))]
    if slot is not None:
        args += ["--slot", str(slot)]
    p = lockctl_ok(env.lockctl(*args), " ".join(args))
    return json.loads(p.stdout)


def write_uri_file(env, name, uri):
    path = os.path.join(env.workdir, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(uri + "\n")
    return path


@suite.case("lockctl emergency prints a code (the Python one) that opens; --json; "
            "EmergencyCodesLeft counts both")
def _(env):
    need_lockctl_emergency(env)
    need_time_in_window(10)
    gw = gateway_secret(env)
    w = window_now()
    p = lockctl_ok(env.lockctl("emergency"), "lockctl emergency")
    code = p.stdout.split("\n")[0].strip()
    eq(code, code_of(gw, 0, w, 0), "first line of lockctl emergency")
    check(re.search(r"^ *Codes left: 15\b", p.stdout, re.M),
          f"lockctl emergency does not show 15 codes left: {p.stdout!r}")
    check(re.search(r"^ *Valid until: \S", p.stdout, re.M), f"lockctl emergency shows no expiry: {p.stdout!r}")
    opens(env, code, "gateway")
    p = lockctl_ok(env.lockctl("emergency", "--json"), "lockctl emergency --json")
    j = json.loads(p.stdout)
    eq(j.get("code"), code_of(gw, 0, w, 1), "code (--json)")
    eq(j.get("valid_until"), valid_until_usec(w), "valid_until (--json)")
    eq(j.get("left"), 14, "left (--json)")
    opens(env, j["code"], "gateway")
    eq(env.get("EmergencyCodesLeft"), 14, "EmergencyCodesLeft")


@suite.case("lockctl emergency issuer add NAME --output FILE writes the URI, mode 0600, and prints no "
            "secret; issuer list; issuer remove")
def _(env):
    need_lockctl_emergency(env)
    out = os.path.join(env.workdir, "phone.uri")
    p = lockctl_ok(env.lockctl("emergency", "issuer", "add", "Phone", "--output", out), "issuer add --output")
    eq(stat.S_IMODE(os.stat(out).st_mode), 0o600, f"mode of {out}")
    with open(out) as f:
        uri = f.read().strip()
    iid, name, secret, _ = parse_uri(uri)
    eq(name, "Phone", "name in the file's URI")
    b32 = base64.b32encode(secret).decode().rstrip("=")
    check(b32 not in p.stdout and b32 not in p.stderr, "lockctl printed the secret despite --output")
    eq([x[:2] for x in issuers(env)], [(0, "gateway"), (iid, "Phone")], "issuers on the bus")
    p = lockctl_ok(env.lockctl("emergency", "issuer", "list", "--json"), "issuer list --json")
    eq([(x["id"], x["name"]) for x in json.loads(p.stdout)["issuers"]], [(0, "gateway"), (iid, "Phone")],
       "issuer list --json")
    p = env.lockctl("emergency", "issuer", "add", "Other", "--output", out)
    check(p.returncode != 0, "issuer add --output over an existing file succeeded")
    with open(out) as f:
        eq(f.read().strip(), uri, "the existing file after a refused add")
    opens(env, code_of(secret, iid, window_now(), 0), "Phone")
    lockctl_ok(env.lockctl("emergency", "issuer", "remove", str(iid)), "issuer remove")
    check(not os.path.exists(key_path(env, iid)), "key file left after issuer remove")
    denied(env.enter(code_of(secret, iid, window_now(), 1)), "unknown-code")
    p = env.lockctl("emergency", "issuer", "remove", "0")
    eq(p.returncode, 1, f"issuer remove 0: exit status (stderr {p.stderr.strip()!r})")


@suite.case("lockctl --offline, Python and the daemon agree: 16 random (window, slot) codes the lock "
            "accepts, 140 random times and slots, the spec's vectors", config=MANY_ATTEMPTS)
def _(env):
    need_lockctl_emergency(env)
    need_time_in_window(20)
    seed = int(os.environ.get("DOORLOCKD_TEST_SEED") or random.randrange(1, 1 << 30))
    rng = random.Random(seed)
    env.note(f"seed {seed} (DOORLOCKD_TEST_SEED={seed} repeats it)")
    out = os.path.join(env.workdir, "phone.uri")
    lockctl_ok(env.lockctl("emergency", "issuer", "add", "Phone", "--output", out), "issuer add --output")
    with open(out) as f:
        iid, _, secret, _ = parse_uri(f.read().strip())

    # 20 distinct (window, slot) in the windows the lock accepts now, each at
    # a random time inside its window: lockctl's code opens the door.
    w = window_now()
    now = int(time.time())
    # 16: the most the lock accepts of one issuer in any 4 hours.
    pairs = rng.sample([(x, s) for x in (w - 1, w) for s in range(16)], 16)
    for win, slot in pairs:
        when = rng.randrange(win * WINDOW, min((win + 1) * WINDOW, now + 1))
        j = offline(env, out, when, slot)
        want = code_of(secret, iid, win, slot)
        eq((j["code"], j["issuer_id"], j["window"], j["slot"], j["valid_until"]),
           (want, iid, win, slot, valid_until_usec(win)), f"lockctl --offline at {when} slot {slot}")
        granted_ec(env.enter(j["code"]), "Phone")
    relock(env)
    # Each of them once only.
    win, slot = pairs[0]
    denied(env.enter(code_of(secret, iid, win, slot)), "used-up")

    # Without --slot: slot 0; without --time: now.
    j = offline(env, out)
    eq((j["code"], j["slot"], j["window"]), (code_of(secret, iid, window_now(), 0), 0, window_now()),
       "lockctl --offline without --time and --slot")

    # Many random times (1970 .. 2199, plus window edges) and slots.
    times = [rng.randrange(0, 7258118400) for _ in range(100)]
    for _ in range(20):
        x = rng.randrange(0, 500000)
        times += [x * WINDOW, x * WINDOW + WINDOW - 1]
    for when in times:
        slot = rng.randrange(16)
        j = offline(env, out, when, slot)
        win = when // WINDOW
        eq((j["code"], j["window"], j["valid_until"]),
           (code_of(secret, iid, win, slot), win, valid_until_usec(win)),
           f"lockctl --offline at {when} ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(when))}) slot {slot}")

    # The spec's vectors through lockctl, from URIs written here.
    secrets = {"A": bytes(range(32)), "B": hashlib.sha256(b"doorlockd test").digest()}
    vectors = [("A", 0, 0, 0, "87146082"), ("A", 0, 1, 1, "09694982"), ("A", 1, 123456, 15, "77336626"),
               ("A", 4294967295, 124695, 0, "20640638"), ("B", 0, 124695, 0, "48331781"),
               ("B", 4294967295, 1, 1, "93502477"), ("A", 1, 124695, 15, "06023697")]
    files = {}
    for n, (sec, issuer, win, slot, code) in enumerate(vectors):
        key = (sec, issuer)
        if key not in files:
            b32 = base64.b32encode(secrets[sec]).decode().rstrip("=")
            uri = (f"otpauth://doorlockd-emergency/v{n}?secret={b32}&issuer_id={issuer}"
                   f"&algorithm=SHA256&digits=8&period=14400&slots=16")
            files[key] = write_uri_file(env, f"vector{n}.uri", uri)
        for when in (win * WINDOW, win * WINDOW + WINDOW - 1):
            j = offline(env, files[key], when, slot)
            eq(j["code"], code, f"vector {vectors[n]} via lockctl at {when}")
    env.note(f"{len(times)} random times compared")


if __name__ == "__main__":
    suite.run()
