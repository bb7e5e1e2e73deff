# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: hostile D-Bus callers.

Every method and writable property the daemon exports (the contract
dbus/org.doorlockd.Lock1.xml together with the live introspection of
/org/doorlockd/Lock1 and of a code object, so methods added later are
covered without editing this file) is called with wrong argument types,
wrong argument counts, huge strings, odd UTF-8, out-of-range times, bad
schedules, unknown and mistyped options, non-existent object paths and bad
file descriptors, from an admin, an observer and an unprivileged caller, on
the project's bus policy and on an open one (so that the daemon's own
checks are what is hit).

The corpus is built so that every call must be refused: each call carries
the set of error names that are a correct answer from an admin; other
callers may also get AccessDenied (and, without a role, UnknownObject on
code objects).  The only calls allowed to succeed are read-only ones
(GetLog, ListEmergencyIssuers, Get), and they are counted apart.  A method
that is not modelled below gets generic hostile values and must refuse
them.

Checks: every call is answered with its expected error (never a timeout or
NoReply), Peer.Ping answers after every batch, the daemon is still running,
its log has no crash or sanitizer report, and a dump of everything but the
audit log (GetManagedObjects, the lock's properties, the emergency issuers)
is the same before and after.

The calls are made by this file run as `test_hostile.py --caller` (as the
caller's user, with setpriv), reading its parameters as JSON on stdin and
printing a JSON summary.  Needs root (users); skipped otherwise."""

import collections
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ADMIN, BUS_NAME, CODE_IFACE, INTROSPECT_IFACE, LOCK_IFACE, LOCK_PATH, NOBODY, OBSERVER,
    OM_IFACE, PIN1, PIN2, PIN3, PROPS_IFACE, PYTHON, REMOTE, SIM_IFACE, SOURCE_ROOT, Failure, Suite,
    as_user_argv, check, eq, options, timeout_scale, unwrap)

import dbus  # noqa: E402  (harness has checked that it exists)
import dbus.types  # noqa: E402

suite = Suite("hostile")

E = "org.freedesktop.DBus.Error."
DL = "org.doorlockd.Error."
INVALID_ARGS = E + "InvalidArgs"
ACCESS_DENIED = E + "AccessDenied"
UNKNOWN_OBJECT = E + "UnknownObject"
UNKNOWN_METHOD = E + "UnknownMethod"
UNKNOWN_IFACE = E + "UnknownInterface"
UNKNOWN_PROP = E + "UnknownProperty"
READ_ONLY = E + "PropertyReadOnly"
NOT_THERE = {UNKNOWN_OBJECT, UNKNOWN_METHOD, UNKNOWN_IFACE}
OK = "ok"
PEER_IFACE = "org.freedesktop.DBus.Peer"
# Answers that mean the daemon did not answer properly.
NOT_AN_ANSWER = {E + "NoReply", E + "Timeout", E + "TimedOut", E + "Disconnected", E + "ServiceUnknown",
                 E + "NameHasNoOwner"}

MiB = 1 << 20
HUGE = "A" * MiB
HUGE_DIGITS = "7" * MiB
T63 = 1 << 63
U64MAX = (1 << 64) - 1
U32MAX = (1 << 32) - 1
I64MAX = T63 - 1
DAY = 86400 * 1000000
FRESH_PIN = "582046"          # valid, not weak, not used by any code
FRESH_NAME = "Eve"

# Names the code-name rules refuse (InvalidName).
BAD_NAMES = ["", " ", " Eve", "Eve ", "123456", "E" * 33, "\u00e9" * 33, "\U0001f4a5" * 33, "\u202eEve",
             "E\u200bve", "\ufeffEve", "Eve\x01", "Eve\x7f", "Eve\n", "\tEve", "Eve\u0085", "\u2066Eve",
             "E\u200fve", HUGE]
# PINs refused with the given error.
BAD_PINS = [("12345", "InvalidPin"), ("12345678901", "InvalidPin"), ("48152a", "InvalidPin"),
            (" 582046", "InvalidPin"), ("582046 ", "InvalidPin"), ("\u0665\u0668\u0662\u0660\u0664\u0666",
                                                                     "InvalidPin"),
            ("\uff15\uff18\uff12\uff10\uff14\uff16", "InvalidPin"), ("-58204", "InvalidPin"),
            ("+582046", "InvalidPin"), ("5820.4", "InvalidPin"), ("'; DROP TABLE codes;--", "InvalidPin"),
            ("%s%s%s%n%n", "InvalidPin"), (HUGE_DIGITS, "InvalidPin"), (HUGE, "InvalidPin"),
            ("111111", "WeakPin"), ("123456", "WeakPin"), ("987654", "WeakPin"),
            (PIN1, "DuplicatePin"), (PIN2, "DuplicatePin")]
# Strings for arguments that take a keyword (mode, door state, keys, option keys).
ODD_STRINGS = ["", " ", "\n", "\u202e", "\u200b", "\ufeff", "\x01", "\x7f", "\u00e9" * 40, "\U0001f4a5",
               "%s%n%x", "../../etc/passwd", "'; DROP TABLE codes;--", "\u2028", "\ufffd", HUGE]
VALID_WINDOW = (0x7F, 0, 1440)
BAD_SCHEDULES = [
    [(0, 480, 1080)], [(0x80, 480, 1080)], [(0xFF, 480, 1080)], [(1, 1440, 1441)], [(1, 0, 0)],
    [(1, 0, 1441)], [(1, 600, 600)], [(1, 65535, 65535)], [(1, 65535, 10)], [(1, 10, 65535)],
    # end before start crosses midnight and is valid: only with a bad window.
    [(1, 600, 300), (0, 1, 2)], [(1, 600, 300), (1, 1439, 1439)],
    [VALID_WINDOW] * 17, [VALID_WINDOW] * 1000, [(1, 0, 0)] * 1000,
]


# ---- values of any D-Bus type ----

class Fds:
    """File descriptors that are neither a readable backup nor writable:
    /dev/null and / read-only, and the two ends of pipes whose other end is
    closed."""

    def __init__(self):
        self.fds = []

    def values(self):
        if not self.fds:
            self.fds.append(os.open("/dev/null", os.O_RDONLY))
            self.fds.append(os.open("/", os.O_RDONLY | os.O_DIRECTORY))
            r, w = os.pipe()
            os.close(w)
            self.fds.append(r)
            r, w = os.pipe()
            os.close(r)
            self.fds.append(w)
        return [dbus.types.UnixFd(fd) for fd in self.fds]


FDS = Fds()


def sample(sig):
    """One value of D-Bus type sig (for the wrong-type and wrong-count calls)."""
    simple = {
        "s": lambda: dbus.String("x"), "o": lambda: dbus.ObjectPath("/x"), "g": lambda: dbus.Signature("s"),
        "b": lambda: dbus.Boolean(True), "y": lambda: dbus.Byte(7), "n": lambda: dbus.Int16(-1),
        "q": lambda: dbus.UInt16(1), "i": lambda: dbus.Int32(-1), "u": lambda: dbus.UInt32(1),
        "x": lambda: dbus.Int64(-1), "t": lambda: dbus.UInt64(1), "d": lambda: dbus.Double(-1.5),
        "h": lambda: FDS.values()[0], "v": lambda: dbus.String("x"),
        "as": lambda: dbus.Array(["x"], signature="s"), "ay": lambda: dbus.ByteArray(b"x"),
        "a{sv}": lambda: dbus.Dictionary({"x": dbus.String("y")}, signature="sv"),
        "a{ss}": lambda: dbus.Dictionary({"x": "y"}, signature="ss"),
        "a(yqq)": lambda: dbus.Array([dbus.Struct((dbus.Byte(1), dbus.UInt16(0), dbus.UInt16(1)))],
                                     signature="(yqq)"),
        "(ss)": lambda: dbus.Struct(("a", "b"), signature="ss"),
        "ax": lambda: dbus.Array([dbus.Int64(-1)], signature="x"),
    }
    return simple[sig]()


POOL = ["s", "o", "g", "b", "y", "n", "q", "i", "u", "x", "t", "d", "h", "v", "as", "ay", "a{sv}", "a{ss}",
        "a(yqq)", "(ss)", "ax"]


def split_signature(sig):
    out, i = [], 0
    while i < len(sig):
        j = i
        while sig[j] == "a":
            j += 1
        if sig[j] in "({":
            depth, k = 0, j
            while True:
                if sig[k] in "({":
                    depth += 1
                elif sig[k] in ")}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            j = k
        out.append(sig[i:j + 1])
        i = j + 1
    return out


def sched(windows):
    return dbus.Array([dbus.Struct((dbus.Byte(d), dbus.UInt16(s), dbus.UInt16(e))) for d, s, e in windows],
                      signature="(yqq)")


def hostile_values(sig):
    """Generic hostile values of a type, for methods not modelled below."""
    if sig == "s":
        return [dbus.String(s) for s in ODD_STRINGS + ["x", "0", "-1"]]
    if sig == "o":
        return [dbus.ObjectPath(p) for p in ("/", "/org/doorlockd/Lock1/code/999999", "/" + "a" * 65536)]
    if sig in ("u", "q", "y"):
        cls = {"u": dbus.UInt32, "q": dbus.UInt16, "y": dbus.Byte}[sig]
        top = {"u": U32MAX, "q": 65535, "y": 255}[sig]
        return [cls(0), cls(top), cls(top // 2 + 1)]
    if sig == "t":
        return [dbus.UInt64(v) for v in (T63, U64MAX)]
    if sig in ("i", "x", "n"):
        cls = {"i": dbus.Int32, "x": dbus.Int64, "n": dbus.Int16}[sig]
        bits = {"i": 31, "x": 63, "n": 15}[sig]
        return [cls(-1), cls(-(1 << bits)), cls((1 << bits) - 1)]
    if sig == "h":
        return FDS.values()
    if sig == "a{sv}":
        return [dbus.Dictionary({k: dbus.String("x")}, signature="sv") for k in ("Foo", "", HUGE)]
    if sig == "as":
        return [dbus.Array([HUGE], signature="s"), dbus.Array(["x"] * 10000, signature="s")]
    if sig == "ay":
        return [dbus.ByteArray(b"\xff" * MiB), dbus.ByteArray(b"")]
    if sig == "b":
        return []           # both values are valid: only wrong types
    return [sample(sig)]


# ---- the corpus ----

class Call:
    __slots__ = ("label", "path", "iface", "method", "sig", "args", "want", "admin", "others")

    def __init__(self, label, path, iface, method, sig, args, want, admin=True, others=True):
        self.label = label
        self.path = path
        self.iface = iface
        self.method = method
        self.sig = sig
        self.args = args
        self.want = set(want)
        self.admin = admin      # made by the admin caller
        self.others = others    # made by the observer and the unprivileged caller


def wrong_shape_calls(path, iface, method, in_sig, batch):
    """Wrong counts and wrong types: sd-bus checks the signature first."""
    label = f"{iface}.{method}({in_sig})"
    want = {INVALID_ARGS}
    args = split_signature(in_sig)
    out = []
    if args:
        out.append(Call(f"{label} no arguments", path, iface, method, "", [], want))
        for n in range(1, len(args)):
            out.append(Call(f"{label} only {n} argument(s)", path, iface, method, "".join(args[:n]),
                            [sample(a) for a in args[:n]], want))
    for extra in ("s", "u", "h", "a{sv}", "v"):
        sig = in_sig + extra
        out.append(Call(f"{label} extra {extra}", path, iface, method, sig,
                        [sample(a) if a in POOL else None for a in args] + [sample(extra)], want))
    for i, a in enumerate(args):
        for wrong in POOL:
            if wrong == a:
                continue
            sig_parts = list(args)
            sig_parts[i] = wrong
            vals = [sample(x) if x in POOL else None for x in sig_parts]
            out.append(Call(f"{label} argument {i} as {wrong}", path, iface, method, "".join(sig_parts),
                            vals, want))
    # Arguments whose sample is not in the pool (structs of other shapes):
    # fill them from hostile_values, which has one for any type we export.
    for c in out:
        if any(v is None for v in c.args):
            parts = split_signature(c.sig)
            c.args = [v if v is not None else (hostile_values(parts[k]) or [sample("s")])[0]
                      for k, v in enumerate(c.args)]
    batch.extend(out)


def lock_call(method, sig, args, want, label=None, **kw):
    return Call(label or f"{method}", LOCK_PATH, LOCK_IFACE, method, sig, list(args), want, **kw)


def addcode(name, pin, opts, want, label):
    return lock_call("AddCode", "ssa{sv}", [dbus.String(name), dbus.String(pin),
                                            dbus.Dictionary(opts, signature="sv")], want, "AddCode " + label)


def short(s):
    s = repr(s)
    return s if len(s) <= 40 else s[:30] + f"...({len(s)} chars)"


def addcode_calls(p):
    """AddCode: exactly one thing wrong in each call."""
    out = []
    for n in BAD_NAMES:
        out.append(addcode(n, FRESH_PIN, {}, {DL + "InvalidName"}, f"name {short(n)}"))
    for n in p["names"]:
        out.append(addcode(n, FRESH_PIN, {}, {DL + "DuplicateName"}, f"duplicate name {n}"))
    for pin, err in BAD_PINS:
        out.append(addcode(FRESH_NAME, pin, {}, {DL + err}, f"pin {short(pin)}"))
    # Injection-looking names with a bad PIN: whichever is checked first.
    for n in ("%s%n%x", "'; DROP TABLE codes;--", "../../etc/passwd", "Robert'); --"):
        out.append(addcode(n, "12ab", {}, {DL + "InvalidPin", DL + "InvalidName"}, f"name {n!r} pin 12ab"))
    ia = {INVALID_ARGS}
    for k in ("Foo", "oneTime", "ONETIME", "", "OneTime ", "\u202eOneTime", "Name", "Enabled",
              "AutoRelockSeconds", HUGE):
        out.append(addcode(FRESH_NAME, FRESH_PIN, {k: dbus.Boolean(True)}, ia, f"unknown option {short(k)}"))
    typed_opts = {"OneTime": "b", "ValidFrom": "t", "ValidUntil": "t", "Schedule": "a(yqq)", "MaxUses": "u",
                  "Duress": "b", "Length": "u"}
    for opt, right in typed_opts.items():
        for wrong in POOL:
            if wrong in (right, "v"):
                continue
            out.append(addcode(FRESH_NAME, FRESH_PIN, {opt: sample(wrong)}, ia, f"option {opt} as {wrong}"))
        # A variant inside the variant.
        out.append(addcode(FRESH_NAME, FRESH_PIN, {opt: dbus.String("x", variant_level=1)}, ia,
                           f"option {opt} as v"))
    now = p["now"]
    t = dbus.UInt64
    for label, o in [
        ("ValidFrom 2^63", {"ValidFrom": t(T63)}), ("ValidFrom 2^64-1", {"ValidFrom": t(U64MAX)}),
        ("ValidUntil 2^63", {"ValidUntil": t(T63)}), ("ValidUntil 2^64-1", {"ValidUntil": t(U64MAX)}),
        ("ValidFrom > ValidUntil", {"ValidFrom": t(now + 10 * DAY), "ValidUntil": t(now + DAY)}),
        ("ValidFrom = ValidUntil", {"ValidFrom": t(now + DAY), "ValidUntil": t(now + DAY)}),
        ("ValidFrom=INT64_MAX=ValidUntil", {"ValidFrom": t(I64MAX), "ValidUntil": t(I64MAX)}),
        ("ValidFrom INT64_MAX ValidUntil 1", {"ValidFrom": t(I64MAX), "ValidUntil": t(1)}),
        ("ValidFrom now ValidUntil 1", {"ValidFrom": t(now), "ValidUntil": t(1)}),
        ("MaxUses 1000001", {"MaxUses": dbus.UInt32(1000001)}), ("MaxUses 2^32-1", {"MaxUses": dbus.UInt32(U32MAX)}),
        ("OneTime MaxUses 2", {"OneTime": dbus.Boolean(True), "MaxUses": dbus.UInt32(2)}),
        # (OneTime with MaxUses 0 is accepted: the store reads 0 as "not
        # given", i.e. 1, for a one-time code.)
        ("OneTime MaxUses 1000001", {"OneTime": dbus.Boolean(True), "MaxUses": dbus.UInt32(1000001)}),
        ("Length with a PIN", {"Length": dbus.UInt32(6)}),
    ]:
        out.append(addcode(FRESH_NAME, FRESH_PIN, o, ia, label))
    # (Length 0 is accepted: it means the default length.)
    for n in (1, 5, 11, 65536, U32MAX):
        out.append(addcode(FRESH_NAME, "", {"Length": dbus.UInt32(n)}, ia, f"random PIN Length {n}"))
    for s in BAD_SCHEDULES:
        out.append(addcode(FRESH_NAME, FRESH_PIN, {"Schedule": sched(s)}, {DL + "InvalidSchedule"},
                           f"schedule {short(s)}"))
    for label, v in [("a(uuu)", dbus.Array([dbus.Struct((dbus.UInt32(1), dbus.UInt32(0), dbus.UInt32(1)))],
                                           signature="(uuu)")),
                     ("a(yq)", dbus.Array([dbus.Struct((dbus.Byte(1), dbus.UInt16(0)))], signature="(yq)")),
                     ("a(yqqq)", dbus.Array([dbus.Struct((dbus.Byte(1), dbus.UInt16(0), dbus.UInt16(1),
                                                          dbus.UInt16(2)))], signature="(yqqq)"))]:
        out.append(addcode(FRESH_NAME, FRESH_PIN, {"Schedule": v}, ia, f"schedule as {label}"))
    return out


# SubmitPin's PIN: anything but 1-64 ASCII digits is refused before it is
# counted or looked at.
SUBMIT_BAD_PINS = ODD_STRINGS + [
    "48152a", " " + PIN1, PIN1 + " ", "+" + PIN1, "-48152", "4815.29", PIN1 + "#", "*" + PIN1,
    "\u0665\u0668\u0662\u0660\u0664\u0666", "\uff15\uff18\uff12\uff10\uff14\uff16", "'; DROP TABLE codes;--",
    "%s%s%s%n%n", PIN1 + "\n", "7" * 65, "7" * 100000, HUGE_DIGITS]
SUBMIT_BAD_ACTIONS = ODD_STRINGS + ["Unlock", "UNLOCK", "unlock ", " unlock", "unlock\n", "unlock\x01",
                                    "passage\u200b", "Passage", "lock", "normal", "privacy", "open", "unlocked"]


def submit_pin_calls():
    """SubmitPin: a bad PIN with a good action, a real PIN (Alice's, which
    would open) with a bad action, and both bad.  Every one is InvalidArgs
    and changes nothing: nothing is verified, counted or opened."""
    ia = {INVALID_ARGS}
    out = []
    for pin in SUBMIT_BAD_PINS:
        for action in ("unlock", "passage"):
            out.append(lock_call("SubmitPin", "ss", [dbus.String(pin), dbus.String(action)], ia,
                                 f"SubmitPin({short(pin)}, {action})"))
    for action in SUBMIT_BAD_ACTIONS:
        out.append(lock_call("SubmitPin", "ss", [dbus.String(PIN1), dbus.String(action)], ia,
                             f"SubmitPin(PIN1, {short(action)})"))
    for pin, action in ((HUGE, HUGE), (HUGE_DIGITS, HUGE), ("", ""), ("x", "x")):
        out.append(lock_call("SubmitPin", "ss", [dbus.String(pin), dbus.String(action)], ia,
                             f"SubmitPin({short(pin)}, {short(action)})"))
    return out


def set_call(path, iface, prop, value, want, label):
    return Call(f"Set {iface.split('.')[-1]}.{prop} {label}", path, PROPS_IFACE, "Set", "ssv",
                [dbus.String(iface), dbus.String(prop), value], want)


def property_calls(p, lock_props, code_props):
    """Properties.Set with wrong types and out-of-range values, read-only
    and unknown properties."""
    out = []
    ia = {INVALID_ARGS}

    def wrong_types(path, iface, prop, right):
        for wrong in POOL:
            if wrong in (right, "v"):
                continue
            out.append(set_call(path, iface, prop, sample(wrong), ia, f"as {wrong}"))

    for prop, (sig, access) in lock_props.items():
        if access == "read":
            out.append(set_call(LOCK_PATH, LOCK_IFACE, prop, sample(sig) if sig in POOL else dbus.String("x"),
                                {READ_ONLY, INVALID_ARGS}, "read-only"))
            continue
        wrong_types(LOCK_PATH, LOCK_IFACE, prop, sig)
    for v in (3601, 86400, 1 << 31, U32MAX):
        out.append(set_call(LOCK_PATH, LOCK_IFACE, "AutoRelockSeconds", dbus.UInt32(v), ia, str(v)))
    for prop in ("Foo", "state", "Id", "Name"):   # Id and Name are Code1's, not Lock1's
        out.append(set_call(LOCK_PATH, LOCK_IFACE, prop, dbus.UInt32(1), {UNKNOWN_PROP}, "unknown"))
    for iface in ("org.doorlockd.Lock2", "", CODE_IFACE, SIM_IFACE):
        out.append(set_call(LOCK_PATH, iface, "AutoRelockSeconds", dbus.UInt32(5),
                            {UNKNOWN_PROP, UNKNOWN_IFACE, INVALID_ARGS}, f"on interface {iface!r}"))

    alice, bob, carol = p["paths"]
    for path in (alice, bob):
        for prop, (sig, access) in code_props.items():
            if access == "read":
                out.append(set_call(path, CODE_IFACE, prop, sample(sig) if sig in POOL else dbus.String("x"),
                                    {READ_ONLY, INVALID_ARGS}, "read-only"))
                continue
            wrong_types(path, CODE_IFACE, prop, sig)
        for prop in ("Foo", "PIN", "Pin", "AutoRelockSeconds"):
            out.append(set_call(path, CODE_IFACE, prop, dbus.String("x"), {UNKNOWN_PROP}, "unknown"))
    for n in BAD_NAMES:
        out.append(set_call(alice, CODE_IFACE, "Name", dbus.String(n), {DL + "InvalidName"}, short(n)))
    out.append(set_call(alice, CODE_IFACE, "Name", dbus.String(p["names"][1]), {DL + "DuplicateName"},
                        "duplicate"))
    out.append(set_call(bob, CODE_IFACE, "Name", dbus.String(p["names"][0]), {DL + "DuplicateName"},
                        "duplicate"))
    vf, vu = p["alice_vf"], p["alice_vu"]
    t = dbus.UInt64
    for label, path, prop, v in [
        ("2^63", alice, "ValidFrom", T63), ("2^64-1", alice, "ValidFrom", U64MAX),
        ("= ValidUntil", alice, "ValidFrom", vu), ("> ValidUntil", alice, "ValidFrom", vu + 1),
        ("INT64_MAX > ValidUntil", alice, "ValidFrom", I64MAX),
        ("2^63", alice, "ValidUntil", T63), ("2^64-1", alice, "ValidUntil", U64MAX),
        ("= ValidFrom", alice, "ValidUntil", vf), ("1 < ValidFrom", alice, "ValidUntil", 1),
        ("2^63", carol, "ValidFrom", T63), ("2^64-1", carol, "ValidUntil", U64MAX),
    ]:
        out.append(set_call(path, CODE_IFACE, prop, t(v), ia, label))
    for s in BAD_SCHEDULES:
        out.append(set_call(alice, CODE_IFACE, "Schedule", sched(s), {DL + "InvalidSchedule"}, short(s)))
    for path, v in ((alice, 1000001), (alice, U32MAX), (bob, 2), (bob, 1000001)):
        out.append(set_call(path, CODE_IFACE, "MaxUses", dbus.UInt32(v), ia, str(v)))
    return out


def lock_method_calls(p, name, in_sig):
    """Well-typed calls with hostile values for the methods we know.  None
    for a method we do not model (generic values then)."""
    ia = {INVALID_ARGS}
    if name in ("Lock", "Unlock", "ResetLockout", "ResetClock", "GenerateEmergencyCode") and in_sig == "":
        # Each would succeed for an admin: only the others call them.
        return [lock_call(name, "", [], set(), f"{name}() as non-admin", admin=False)]
    if name in ("ListEmergencyIssuers", "GetHardware") and in_sig == "":
        return [lock_call(name, "", [], {OK}, f"{name}() (read-only)")]
    if name == "TestHardware" and in_sig == "s":
        parts = ODD_STRINGS + ["LOCK", "Unlock", "lock ", "buzzer\n", "motor", "door", "keypad;"]
        return [lock_call(name, "s", [dbus.String(m)], ia, f"TestHardware({short(m)})") for m in parts]
    if name == "UnlockFor" and in_sig == "u":
        return [lock_call(name, "u", [dbus.UInt32(v)], ia, f"UnlockFor({v})") for v in (0, 86401, 1 << 31, U32MAX)]
    if name == "SetMode" and in_sig == "s":
        modes = ODD_STRINGS + ["NORMAL", "Normal", "normal ", "normal\n", "passage\x01", "privacy\u200b",
                               "emergency", "locked", "open"]
        return [lock_call(name, "s", [dbus.String(m)], ia, f"SetMode({short(m)})") for m in modes]
    if name == "AddCode" and in_sig == "ssa{sv}":
        return addcode_calls(p)
    if name == "SubmitPin" and in_sig == "ss":
        return submit_pin_calls()
    if name == "GetLog" and in_sig == "tu":
        # Read-only: succeeds for admins and observers, whatever the range.
        return [lock_call(name, "tu", [dbus.UInt64(s), dbus.UInt32(n)], {OK}, f"GetLog({s}, {n}) (read-only)")
                for s, n in ((U64MAX, U32MAX), (0, U32MAX), (T63, 0), (I64MAX, 1), (0, 100001))]
    if name == "AddEmergencyIssuer" and in_sig == "s":
        out = [lock_call(name, "s", [dbus.String(n)], {DL + "InvalidName"}, f"AddEmergencyIssuer({short(n)})")
               for n in BAD_NAMES]
        out.append(lock_call(name, "s", [dbus.String(p["issuer"])], {DL + "DuplicateName"},
                             "AddEmergencyIssuer(duplicate)"))
        return out
    if name == "RemoveEmergencyIssuer" and in_sig == "u":
        out = [lock_call(name, "u", [dbus.UInt32(0)], {DL + "ModeForbids"}, "RemoveEmergencyIssuer(0)")]
        out += [lock_call(name, "u", [dbus.UInt32(v)], {DL + "NotFound"}, f"RemoveEmergencyIssuer({v})")
                for v in (999, 65536, 1 << 31, U32MAX)]
        return out
    return None


def sim_calls(name, in_sig):
    ia = {INVALID_ARGS}
    if name == "PressKeys" and in_sig == "s":
        keys = [k for k in ODD_STRINGS if k != HUGE] + ["a", "1a", "#x", "\uff11", "1 2", "12\n#", "-1#"]
        out = [Call(f"PressKeys({short(k)})", LOCK_PATH, SIM_IFACE, name, "s", [dbus.String(k)], ia)
               for k in keys]
        # Valid keys but more than the queue holds: refused as a whole.
        for k in ("*" * 257, "*" * MiB, "1" * 100000):
            out.append(Call(f"PressKeys({short(k)})", LOCK_PATH, SIM_IFACE, name, "s", [dbus.String(k)],
                            {E + "LimitsExceeded"}))
        out.append(Call("PressKeys(1 MiB of A)", LOCK_PATH, SIM_IFACE, name, "s", [dbus.String(HUGE)], ia))
        return out
    if name == "SetDoor" and in_sig == "s":
        states = ODD_STRINGS + ["OPEN", "Closed", "opened", "open\n", " closed", "ajar"]
        return [Call(f"SetDoor({short(s)})", LOCK_PATH, SIM_IFACE, name, "s", [dbus.String(s)], ia)
                for s in states]
    if name in ("SetJammed", "SetTamper") and in_sig == "b":
        return [Call(f"{name}(true) as non-admin", LOCK_PATH, SIM_IFACE, name, "b", [dbus.Boolean(True)],
                     set(), admin=False)]
    if name in ("PressExitButton", "RingDoorbell", "SetBoltUnknown") and in_sig == "":
        return [Call(f"{name}() as non-admin", LOCK_PATH, SIM_IFACE, name, "", [], set(), admin=False)]
    if name == "PresentCard" and in_sig == "ut":
        cards = [(0, 0), (25, 0), (27, 1), (33, 5), (35, 0), (U32MAX, 0), (26, 1 << 24), (34, 1 << 32),
                 (26, U64MAX), (34, U64MAX)]
        return [Call(f"PresentCard({b}, {d})", LOCK_PATH, SIM_IFACE, name, "ut",
                     [dbus.UInt32(b), dbus.UInt64(d)], ia) for b, d in cards]
    if name == "RejectInput" and in_sig == "ss":
        pairs = [(w, "parity") for w in ODD_STRINGS + ["WIEGAND", "card", "wiegand "]]
        pairs += [("wiegand", r) for r in ODD_STRINGS + ["Parity", "parity\n", "x" * 25, "a b"]]
        return [Call(f"RejectInput({short(w)}, {short(r)})", LOCK_PATH, SIM_IFACE, name, "ss",
                     [dbus.String(w), dbus.String(r)], ia) for w, r in pairs]
    return None


def generic_calls(path, iface, name, in_sig):
    """A method this file does not know: each argument in turn gets every
    hostile value of its type, the others a plain sample.  Must be refused."""
    parts = split_signature(in_sig)
    out = []
    if not parts:
        # Cannot make a no-argument call fail for an admin: others only.
        out.append(Call(f"{iface}.{name}() as non-admin", path, iface, name, "", [], set(), admin=False))
        return out
    for i, a in enumerate(parts):
        for v in hostile_values(a):
            vals = [sample(x) if x in POOL else (hostile_values(x) or [None])[0] for x in parts]
            vals[i] = v
            out.append(Call(f"{iface}.{name} argument {i} ({a}) hostile {short(v)}", path, iface, name, in_sig,
                            vals, {"any-error"}))
    return out


def path_calls(p):
    """Object paths that are not there, or not canonical."""
    alice = p["paths"][0]
    bad = [LOCK_PATH + "/code/0", LOCK_PATH + "/code/999999", LOCK_PATH + "/code/4294967297",
           LOCK_PATH + "/code/9223372036854775807", LOCK_PATH + "/code/99999999999999999999",
           LOCK_PATH + "/code/0" + alice.rsplit("/", 1)[1], alice + "x", alice + "/1", LOCK_PATH + "/code/abc",
           LOCK_PATH + "/code", LOCK_PATH + "/codes", LOCK_PATH + "/Code/1", LOCK_PATH + "/x", "/org/doorlockd",
           "/org/doorlockd/Lock2", "/", "/" + "a" * 1000]
    out = []
    for path in bad:
        out.append(Call(f"{path[:60]} Code1.Remove()", path, CODE_IFACE, "Remove", "", [], NOT_THERE))
        out.append(Call(f"{path[:60]} Lock1.Unlock()", path, LOCK_IFACE, "Unlock", "", [], NOT_THERE))
        out.append(Call(f"{path[:60]} Lock1.AddCode", path, LOCK_IFACE, "AddCode", "ssa{sv}",
                        ["Zed", FRESH_PIN, dbus.Dictionary({}, signature="sv")], NOT_THERE))
        out.append(Call(f"{path[:60]} Simulator1.SetJammed", path, SIM_IFACE, "SetJammed", "b", [True],
                        NOT_THERE))
        out.append(Call(f"{path[:60]} Set Code1.Name", path, PROPS_IFACE, "Set", "ssv",
                        [CODE_IFACE, "Name", dbus.String("Zed")],
                        NOT_THERE | {UNKNOWN_PROP}))
        out.append(Call(f"{path[:60]} Set Lock1.AutoRelockSeconds", path, PROPS_IFACE, "Set", "ssv",
                        [LOCK_IFACE, "AutoRelockSeconds", dbus.UInt32(7)], NOT_THERE | {UNKNOWN_PROP}))
    # Unknown members and interfaces on the real objects.
    for path, iface, member in [(LOCK_PATH, LOCK_IFACE, "Foo"), (LOCK_PATH, LOCK_IFACE, "lock"),
                                (LOCK_PATH, LOCK_IFACE, "unlock"), (LOCK_PATH, "org.doorlockd.Lock2", "Unlock"),
                                (LOCK_PATH, "org.doorlockd", "Unlock"), (LOCK_PATH, SIM_IFACE, "Unlock"),
                                (LOCK_PATH, CODE_IFACE, "Remove"), (alice, CODE_IFACE, "Foo"),
                                (alice, LOCK_IFACE, "Unlock"), (alice, SIM_IFACE, "SetJammed"),
                                (LOCK_PATH, PROPS_IFACE, "Foo"), (LOCK_PATH, OM_IFACE, "Foo"),
                                (LOCK_PATH, "a" * 200 + ".b", "Unlock"), (LOCK_PATH, LOCK_IFACE, "U" * 255)]:
        out.append(Call(f"{path[:50]} {iface[:40]}.{member[:20]}()", path, iface, member, "", [], NOT_THERE))
    return out


def no_interface_calls(p):
    """Messages without an interface field (legal D-Bus).  The bus policy
    must not let them through for the others; sd-bus (252) answers
    UnknownObject/UnknownMethod, or dispatches by member name, so only wrong
    arguments from the admin."""
    out = []
    for member in ("Unlock", "ResetClock", "GenerateEmergencyCode"):
        out.append(Call(f"{member}() without interface", LOCK_PATH, None, member, "", [], NOT_THERE, admin=False))
    out.append(Call("Remove() without interface", p["paths"][0], None, "Remove", "", [], NOT_THERE, admin=False))
    out.append(Call("SetMode(passage) without interface", LOCK_PATH, None, "SetMode", "s",
                    [dbus.String("passage")], NOT_THERE, admin=False))
    out.append(Call("SetJammed(true) without interface", LOCK_PATH, None, "SetJammed", "b",
                    [dbus.Boolean(True)], NOT_THERE, admin=False))
    out.append(Call("AddCode(wrong types) without interface", LOCK_PATH, None, "AddCode", "uu",
                    [dbus.UInt32(1), dbus.UInt32(2)], {INVALID_ARGS} | NOT_THERE))
    out.append(Call("SetMode(bad) without interface", LOCK_PATH, None, "SetMode", "s", [dbus.String("x")],
                    {INVALID_ARGS} | NOT_THERE))
    return out


def build_corpus(p):
    """Batches of calls: (name, [Call])."""
    batches = []
    lock_props = {k: tuple(v) for k, v in p["lock_props"].items()}
    code_props = {k: tuple(v) for k, v in p["code_props"].items()}
    for m in p["methods"]:
        path = p["paths"][0] if m["iface"] == CODE_IFACE else LOCK_PATH
        batch = []
        wrong_shape_calls(path, m["iface"], m["name"], m["sig"], batch)
        if m["iface"] == LOCK_IFACE:
            special = lock_method_calls(p, m["name"], m["sig"])
        elif m["iface"] == SIM_IFACE:
            special = sim_calls(m["name"], m["sig"])
        elif m["iface"] == CODE_IFACE and m["name"] == "Remove" and m["sig"] == "":
            # On every code: others only (an admin's would remove it).
            special = [Call(f"Remove() {path} as non-admin", path, CODE_IFACE, "Remove", "", [], set(),
                            admin=False) for path in p["paths"]]
        else:
            special = None
        batch += special if special is not None else generic_calls(path, m["iface"], m["name"], m["sig"])
        batches.append((f"{m['iface'].split('.')[-1]}.{m['name']}", batch))
    # The standard interfaces: wrong shapes.
    std = []
    for iface, member, sig in [(PROPS_IFACE, "Get", "ss"), (PROPS_IFACE, "GetAll", "s"),
                               (PROPS_IFACE, "Set", "ssv"), (PEER_IFACE, "Ping", ""),
                               (PEER_IFACE, "GetMachineId", ""), (INTROSPECT_IFACE, "Introspect", ""),
                               (OM_IFACE, "GetManagedObjects", "")]:
        for c_path, c_iface, c_prop in ((LOCK_PATH, LOCK_IFACE, "AutoRelockSeconds"),
                                        (p["paths"][0], CODE_IFACE, "MaxUses")):
            if iface == OM_IFACE and c_path != LOCK_PATH:
                continue
            b = []
            wrong_shape_calls(c_path, iface, member, sig, b)
            for c in b:
                # Real interface and property names in the leading strings,
                # so that the signature check is what refuses.
                for k, real in enumerate((c_iface, c_prop)):
                    if k < len(c.args) and c.sig[k:k + 1] == "s" and split_signature(c.sig)[k] == "s":
                        c.args[k] = dbus.String(real)
                if member == "Set":
                    # sd-bus: a value that is not a variant.
                    c.want |= {E + "InvalidSignature"}
                if iface == PEER_IFACE or member in ("Get", "GetAll"):
                    # Read-only; sd-bus ignores extra arguments of Peer methods.
                    c.want |= {OK}
            std += b
    batches.append(("standard interfaces", std))
    batches.append(("Properties.Set", property_calls(p, lock_props, code_props)))
    gets = []
    for prop in ("Foo", "", "PIN", "Pin", "Secret", HUGE):
        for path, iface in ((LOCK_PATH, LOCK_IFACE), (p["paths"][0], CODE_IFACE)):
            gets.append(Call(f"Get {iface}.{short(prop)}", path, PROPS_IFACE, "Get", "ss", [iface, prop],
                             {UNKNOWN_PROP, INVALID_ARGS}))
    for iface in ("org.doorlockd.Lock2", HUGE, "x"):
        gets.append(Call(f"GetAll {short(iface)}", LOCK_PATH, PROPS_IFACE, "GetAll", "s", [iface],
                         {UNKNOWN_IFACE, INVALID_ARGS, OK}))
    batches.append(("Properties.Get", gets))
    batches.append(("object paths and members", path_calls(p)))
    batches.append(("no interface field", no_interface_calls(p)))
    return batches


def allowed(call, role):
    """The answers that are correct for this caller."""
    want = set(call.want)
    if role == "remote" and call.iface == LOCK_IFACE and call.method == "Lock" and call.sig == "":
        want.add(OK)            # the remote role may lock (it is locked already: nothing changes)
    if role != "admin":
        want.add(ACCESS_DENIED)
        if role == "none":
            want |= {UNKNOWN_OBJECT, UNKNOWN_METHOD, UNKNOWN_IFACE}
            want.discard(OK) if call.method in ("GetLog", "GetHardware") else None
    return want


def run_caller(p):
    """The calls, as this process's user; returns the summary."""
    conn = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    role = p["role"]
    timeout = p["timeout"]
    by_name = collections.Counter()
    ok_by_batch = collections.Counter()
    early = []      # a non-admin refused for its input before its role
    bad = []
    ping_fail = []
    calls = 0
    for batch_name, batch in build_corpus(p):
        for c in batch:
            if (role == "admin" and not c.admin) or (role != "admin" and not c.others):
                continue
            calls += 1
            try:
                conn.call_blocking(BUS_NAME, c.path, c.iface, c.method, c.sig, c.args, timeout=timeout)
                got = OK
            except dbus.exceptions.DBusException as e:
                got = e.get_dbus_name() or "(no name)"
            except (TypeError, ValueError, OverflowError) as e:
                got = f"unsendable: {type(e).__name__}: {e}"[:200]
            by_name[got] += 1
            if got == OK:
                ok_by_batch[batch_name] += 1
            if role != "admin" and got.startswith(DL):
                early.append(f"{c.label[:60]}: {got[len(DL):]}")
            want = allowed(c, role)
            good = (got in want or ("any-error" in want and got != OK and got not in NOT_AN_ANSWER
                                    and (got.startswith(E) or got.startswith(DL))))
            if got in NOT_AN_ANSWER or got.startswith("unsendable"):
                good = False
            if not good:
                bad.append([batch_name, c.label[:160], got, sorted(want)])
        try:
            conn.call_blocking(BUS_NAME, LOCK_PATH, PEER_IFACE, "Ping", "", [], timeout=timeout)
        except dbus.exceptions.DBusException as e:
            ping_fail.append([batch_name, e.get_dbus_name()])
    conn.close()
    return {"calls": calls, "by_name": dict(by_name), "bad": bad, "ping_fail": ping_fail,
            "ok_by_batch": dict(ok_by_batch), "early": early}


# ---- the test side ----

CRASH_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "Segmentation fault", "core dumped",
                 "Assertion", "Aborted", "stack smashing", "double free", "malloc():", "free():")


def introspect(env, path):
    xml = env.call("Introspect", path=path, iface=INTROSPECT_IFACE)
    return ET.fromstring(xml)


def contract():
    return ET.parse(os.path.join(SOURCE_ROOT, "dbus", "org.doorlockd.Lock1.xml")).getroot()


def methods_and_props(env, code_path):
    """Methods (in-signature) and properties of our interfaces: the live
    objects' introspection, plus anything the contract lists."""
    methods = {}
    props = {LOCK_IFACE: {}, CODE_IFACE: {}}
    live = [introspect(env, LOCK_PATH), introspect(env, code_path)]
    live_methods = {(i.get("name"), m.get("name")) for r in live for i in r.findall("interface")
                    for m in i.findall("method")}
    for i in contract().findall("interface"):
        for m in i.findall("method"):
            if (i.get("name"), m.get("name")) not in live_methods:
                env.note(f"{i.get('name')}.{m.get('name')} is in the contract but not exported: not attacked "
                         "(test_lifecycle.py compares the two)")
    for root in live:
        for iface in root.findall("interface"):
            name = iface.get("name")
            if not name.startswith("org.doorlockd."):
                continue
            for m in iface.findall("method"):
                sig = "".join(a.get("type") for a in m.findall("arg") if a.get("direction", "in") == "in")
                methods.setdefault((name, m.get("name")), sig)
            for pr in iface.findall("property"):
                props.setdefault(name, {}).setdefault(pr.get("name"), (pr.get("type"), pr.get("access")))
    return [{"iface": i, "name": n, "sig": s} for (i, n), s in sorted(methods.items())], props


def dump(env):
    """Everything but the audit log."""
    props = env.get_all()
    props.pop("ClockSynchronized", None)
    objs = env.call("GetManagedObjects", iface=OM_IFACE)
    issuers = env.call("ListEmergencyIssuers")
    return {"lock": props, "objects": objs, "issuers": issuers}


def seed(env):
    """Three codes and one emergency issuer to attack."""
    now = time.time_ns() // 1000
    vf, vu = now - DAY, now + 365 * DAY
    alice, _ = env.add_code("Alice", PIN1, ValidFrom=vf, ValidUntil=vu, Schedule=[VALID_WINDOW], MaxUses=100)
    bob, _ = env.add_code("Bob", PIN2, OneTime=True)
    carol, _ = env.add_code("Carol", PIN3)
    env.call("AddEmergencyIssuer", "Phone", sig="s")
    return {"now": now, "paths": [alice, bob, carol], "names": ["Alice", "Bob", "Carol"], "issuer": "Phone",
            "alice_vf": vf, "alice_vu": vu}


def network_entries(env):
    """Decisions on PINs from the network (SubmitPin): a hostile call must
    never make one."""
    return [e for e in env.get_log() if e[3] == "mqtt" and e[2] in ("access-granted", "access-denied", "lockout")]


def caller_files(env):
    d = os.path.join(env.suite.tmp, "hostile")
    if not os.path.isdir(d):
        os.makedirs(d)
        os.chmod(d, 0o755)
        for f in ("test_hostile.py", "harness.py"):
            shutil.copy(os.path.join(os.path.dirname(os.path.abspath(__file__)), f), d)
            os.chmod(os.path.join(d, f), 0o644)
    return os.path.join(d, "test_hostile.py")


def attack(env, params, role, user, totals):
    """Run the corpus as user (None: this process's uid, root) and check."""
    p = dict(params, role=role)
    env_vars = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": env.bus.address,
                "PYTHONDONTWRITEBYTECODE": "1"}
    argv = ([] if user is None else as_user_argv(user)) + [PYTHON, caller_files(env), "--caller"]
    before = dump(env)
    entries_before = network_entries(env)
    r = subprocess.run(argv, input=json.dumps(p), capture_output=True, text=True, env=env_vars,
                       timeout=600 * timeout_scale())
    if r.returncode != 0:
        raise Failure(f"caller as {user or 'root'} failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
    s = json.loads(r.stdout)
    who = f"{role} ({user or 'root'})"
    check(env.daemon.running(), f"doorlockd died during the calls of {who}:\n{env.daemon.read_log()[-3000:]}")
    env.call("Ping", iface=PEER_IFACE)
    check(not s["ping_fail"], f"Ping failed after batches: {s['ping_fail']}")
    if s["bad"]:
        lines = "\n".join(f"  [{b[0]}] {b[1]}: got {b[2]}, want {' or '.join(b[3]) or '(AccessDenied)'}"
                          for b in s["bad"][:int(os.environ.get("HOSTILE_SHOW", "40"))])
        raise Failure(f"{len(s['bad'])} of {s['calls']} calls of {who} got a wrong answer:\n{lines}")
    after = dump(env)
    new = network_entries(env)[len(entries_before):]
    if new:
        raise Failure(f"calls of {who} reached the network's PIN path (decided or counted): {new[:5]}")
    if before != after:
        diff = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        raise Failure(f"calls of {who} changed state: {str(diff)[:3000]}")
    log = env.daemon.read_log()
    for marker in CRASH_MARKERS:
        check(marker not in log, f"doorlockd's log has {marker!r}:\n{log[-3000:]}")
    names = ", ".join(f"{n.replace(E, '').replace(DL, 'dl.')} {c}" for n, c in sorted(s["by_name"].items()))
    env.note(f"{who} on the {params['policy']} policy: {s['calls']} calls, all answered as expected: {names}")
    if s["early"]:
        env.note(f"  refused for the input before the role check: {'; '.join(s['early'][:12])}")
    if s["ok_by_batch"]:
        env.note("  read-only calls that succeeded (allowed): "
                 + ", ".join(f"{b} {n}" for b, n in sorted(s["ok_by_batch"].items())))
    totals.update(s["by_name"])
    return s


def prepare(env, policy):
    code_seed = seed(env)
    methods, props = methods_and_props(env, code_seed["paths"][0])
    names = {(m["iface"], m["name"]) for m in methods}
    for m in ("AddCode", "SetMode", "UnlockFor", "GetLog", "SubmitPin"):
        check((LOCK_IFACE, m) in names, f"{m} missing from the introspection")
    params = dict(code_seed, policy=policy, methods=methods,
                  lock_props={k: list(v) for k, v in props[LOCK_IFACE].items()},
                  code_props={k: list(v) for k, v in props[CODE_IFACE].items()},
                  timeout=10 * timeout_scale())
    return params


def report(env, totals, t0):
    total = sum(totals.values())
    env.note(f"total {total} calls in {time.monotonic() - t0:.1f} s; by answer: "
             + ", ".join(f"{n} {c}" for n, c in totals.most_common()))


@suite.case("project policy: admin (dl-admin), observer, remote (dl-remote) and nobody send every method "
            "and property hostile input; each call refused, daemon up, state unchanged", root=True,
            bus="project")
def _(env):
    t0 = time.monotonic()
    params = prepare(env, "project")
    totals = collections.Counter()
    attack(env, params, "admin", ADMIN, totals)
    attack(env, params, "observer", OBSERVER, totals)
    attack(env, params, "remote", REMOTE, totals)
    attack(env, params, "none", NOBODY, totals)
    report(env, totals, t0)


@suite.case("open policy (the daemon's own checks): root as admin, observer, remote and nobody send every "
            "method and property hostile input; each call refused, daemon up, state unchanged",
            root=True, bus="open")
def _(env):
    t0 = time.monotonic()
    params = prepare(env, "open")
    totals = collections.Counter()
    attack(env, params, "admin", None, totals)
    attack(env, params, "observer", OBSERVER, totals)
    attack(env, params, "remote", REMOTE, totals)
    attack(env, params, "none", NOBODY, totals)
    report(env, totals, t0)


if __name__ == "__main__":
    if sys.argv[1:] == ["--caller"]:
        json.dump(run_caller(json.load(sys.stdin)), sys.stdout)
        sys.stdout.write("\n")
        sys.exit(0)
    suite.run()
