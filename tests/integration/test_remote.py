# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: the remote role (group doorlock-remote), the
one a network face such as the MQTT bridge runs with.  Clients run as
dl-remote (setpriv); needs root (to create the user and switch to it).

What it may: read like an observer, Lock(), SubmitPin() (a PIN verified on
the keypad's path, source mqtt, counted by the network's own wrong-code
counter), Unlock()/UnlockFor() only with [Remote] UnlockWithoutPin=yes,
code changes only with [Remote] CodeChanges=yes (never a generated PIN).
What it never may: backup, restore, emergency issuers and codes, resets,
settings, modes, hardware tests, the simulator.  Most cases run on the
project's bus policy; the "daemon's own checks" cases on an open one."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ACCESS_DENIED, CODE_IFACE, ERR, INVALID_ARGS, LOCK_IFACE, LOCK_PATH, OBSERVER, OM_IFACE, PIN1, PIN2,
    PIN3, PROPS_IFACE, REMOTE, SIM_IFACE, WRONG_PIN, Suite, check, eq, now_usec)

suite = Suite("remote")

CODE_REFUSED = ERR + "CodeRefused"
LOCKED_OUT = ERR + "LockedOut"


def op(method, sig="", args=(), path=LOCK_PATH, iface=LOCK_IFACE):
    return [path, iface, method, sig, list(args)]


def op_get(prop, path=LOCK_PATH, iface=LOCK_IFACE):
    return op("Get", "ss", [iface, prop], path, PROPS_IFACE)


def op_set(prop, sig, value, path=LOCK_PATH, iface=LOCK_IFACE):
    return op("Set", "ssv", [iface, prop, [sig, value]], path, PROPS_IFACE)


def submit(pin, action="unlock"):
    return op("SubmitPin", "ss", [pin, action])


def one(env, o, user=REMOTE):
    return env.client(user, [o])[0]


def err_of(r):
    return r.get("error"), r.get("message", "")


def log_since(env, seq):
    return [e for e in env.get_log() if e[1] > seq]


def last_seq(env):
    log = env.get_log(0, 1)
    return log[-1][1] if log else 0


def expect_refused(env, results, labels, names, needle=None):
    problems = []
    for label, r in zip(labels, results):
        if "error" not in r:
            problems.append(f"{label}: succeeded ({r['ok']!r})")
        elif r["error"] not in names:
            problems.append(f"{label}: {r['error']} ({r['message']}), want {' or '.join(names)}")
        elif not r["message"]:
            problems.append(f"{label}: {r['error']} without a message")
        elif needle and needle not in r["message"]:
            problems.append(f"{label}: message {r['message']!r} does not name {needle!r}")
    check(not problems, "\n".join(problems))


def never_ops(code_path):
    """What the network never may, whatever [Remote] says."""
    return [
        ("Backup", op("Backup", "hs", ["/dev/null", "a long passphrase"])),
        ("Restore", op("Restore", "hsa{sv}", ["/dev/null", "a long passphrase", {}])),
        ("AddEmergencyIssuer", op("AddEmergencyIssuer", "s", ["Phone"])),
        ("RemoveEmergencyIssuer", op("RemoveEmergencyIssuer", "u", [0])),
        ("GenerateEmergencyCode", op("GenerateEmergencyCode")),
        ("ListEmergencyIssuers", op("ListEmergencyIssuers")),
        ("ResetClock", op("ResetClock")),
        ("ResetLockout", op("ResetLockout")),
        ("SetMode passage", op("SetMode", "s", ["passage"])),
        ("SetMode privacy", op("SetMode", "s", ["privacy"])),
        ("Set AutoRelockSeconds", op_set("AutoRelockSeconds", "u", 3)),
        ("TestHardware buzzer", op("TestHardware", "s", ["buzzer"])),
        ("TestHardware unlock", op("TestHardware", "s", ["unlock"])),
        ("PressKeys", op("PressKeys", "s", [PIN1 + "#"], iface=SIM_IFACE)),
        ("SetDoor", op("SetDoor", "s", ["open"], iface=SIM_IFACE)),
    ]


def code_ops(code_path):
    return [
        ("AddCode", op("AddCode", "ssa{sv}", ["Eve", PIN3, {}])),
        ("Set Code1.Name", op_set("Name", "s", "Mallory", code_path, CODE_IFACE)),
        ("Set Code1.Enabled", op_set("Enabled", "b", False, code_path, CODE_IFACE)),
        ("Set Code1.MaxUses", op_set("MaxUses", "u", 1, code_path, CODE_IFACE)),
        ("Code1.Remove", op("Remove", path=code_path, iface=CODE_IFACE)),
    ]


def check_never(env, names):
    path, _ = env.add_code("Alice", PIN1)
    before = env.snapshot()
    seq = last_seq(env)
    ops = never_ops(path)
    r = env.client(REMOTE, [o for _, o in ops])
    expect_refused(env, r, [label for label, _ in ops], names)
    env.hold(lambda: env.state() == "locked", 0.2, "State locked")
    eq(env.snapshot(), before, "state after the refused calls")
    eq(env.get("Mode"), "normal", "Mode")
    new = [e for e in log_since(env, seq) if e[2] not in ("access-denied",)]
    check(not new, f"refused calls logged something: {new}")
    return r


@suite.case("remote reads like an observer: properties, GetLog, GetHardware, GetManagedObjects, Code1",
            root=True)
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    r = env.client(REMOTE, [
        op("GetManagedObjects", iface=OM_IFACE),
        op("GetLog", "tu", [0, 0]),
        op("GetHardware"),
        op_get("Name", path, CODE_IFACE),
        op("GetAll", "s", [CODE_IFACE], path, PROPS_IFACE),
        op("GetAll", "s", [LOCK_IFACE], LOCK_PATH, PROPS_IFACE),
        op_get("NetworkLockedUntil"),
    ])
    errors = [x for x in r if "error" in x]
    check(not errors, f"remote reads refused: {errors}")
    check(path in r[0]["ok"], f"GetManagedObjects as remote: {r[0]}")
    eq(len(r[1]["ok"]), len(env.get_log()), "GetLog entries as remote vs root")
    eq(r[3]["ok"], "Alice", "Code1 Name as remote")
    eq(r[6]["ok"], 0, "NetworkLockedUntil")
    check("NetworkLockedUntil" in r[5]["ok"] and "KeypadLockedUntil" in r[5]["ok"], f"GetAll: {r[5]}")


@suite.case("remote receives the signals, like an observer", root=True)
def _(env):
    listener = env.listener(REMOTE)
    env.add_code("Alice", PIN1)
    env.enter(PIN1)
    env.wait_unlocked()
    env.lock()
    env.send_marker()
    out, err = listener.communicate(timeout=20)
    check(listener.returncode == 0, f"listener failed: {err}")
    got = __import__("json").loads(out)
    members = {s.split()[0].rsplit(".", 1)[1] for s in got["signals"]}
    want = {"AccessGranted", "LogEntry", "PropertiesChanged", "InterfacesAdded"}
    check(want <= members, f"remote missed {sorted(want - members)} (got {sorted(members)})")


@suite.case("remote may Lock (audited with source mqtt); Unlock and UnlockFor refused by default, "
            "naming [Remote] UnlockWithoutPin", root=True)
def _(env):
    env.add_code("Alice", PIN1)
    env.unlock()
    env.wait_unlocked()
    seq = last_seq(env)
    r = one(env, op("Lock"))
    check("ok" in r, f"Lock as remote: {r}")
    env.wait_locked()
    locks = [e for e in log_since(env, seq) if e[2] == "lock"]
    check(locks and locks[0][3] == "mqtt" and locks[0][4].get("cause") == "remote", f"lock entry: {locks}")
    before = env.snapshot()
    r = env.client(REMOTE, [op("Unlock"), op("UnlockFor", "u", [5])])
    expect_refused(env, r, ["Unlock", "UnlockFor"], (ACCESS_DENIED,), "UnlockWithoutPin")
    env.hold(lambda: env.state() == "locked", 0.2, "State locked")
    eq(env.snapshot(), before, "state after the refused Unlock")


@suite.case("[Remote] UnlockWithoutPin=yes: remote Unlock and UnlockFor open, AccessGranted source mqtt",
            root=True, config={"Remote": {"UnlockWithoutPin": "yes"}})
def _(env):
    m = env.mark()
    r = one(env, op("Unlock"))
    check("ok" in r, f"Unlock as remote: {r}")
    g = env.wait_signal("AccessGranted", since=m)
    eq(g.args, ["mqtt", "/", ""], "AccessGranted")
    env.wait_locked()
    r = one(env, op("UnlockFor", "u", [1]))
    check("ok" in r, f"UnlockFor as remote: {r}")
    grants = [e for e in env.get_log() if e[2] == "access-granted"]
    check(len(grants) == 2 and all(e[3] == "mqtt" for e in grants), f"access-granted entries: {grants}")
    env.wait_locked()


@suite.case("SubmitPin with a good PIN: the bolt moves, reply (code, name), AccessGranted and the log "
            "say mqtt", root=True)
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    seq = last_seq(env)
    r = one(env, submit(PIN1))
    eq(r.get("ok"), [path, "Alice"], f"SubmitPin reply ({r})")
    g = env.wait_signal("AccessGranted", since=m)
    eq(g.args, ["mqtt", path, "Alice"], "AccessGranted")
    env.wait_unlocked()
    env.wait_locked()
    new = log_since(env, seq)
    granted = [e for e in new if e[2] == "access-granted"]
    check(granted and granted[0][3] == "mqtt" and granted[0][4].get("code_name") == "Alice",
          f"access-granted entry: {granted}")
    unlocks = [e for e in new if e[2] == "unlock"]
    check(unlocks and unlocks[0][4].get("cause") == "code", f"unlock entry: {unlocks}")
    eq(env.code_prop(path, "Uses"), 1, "Uses")
    # No PIN anywhere in the log.
    check(not [e for e in env.get_log() if PIN1 in repr(e)], "the PIN is in the log")
    # An observer may not; an admin may (the network's path: source mqtt).
    r = env.client(OBSERVER, [submit(PIN1)])[0]
    eq(r.get("error"), ACCESS_DENIED, f"SubmitPin as observer ({r})")
    m = env.mark()
    eq(list(env.call("SubmitPin", PIN1, "unlock", sig="ss")), [path, "Alice"], "SubmitPin as root")
    eq(env.wait_signal("AccessGranted", since=m).args, ["mqtt", path, "Alice"], "AccessGranted (root)")
    env.wait_unlocked()
    env.wait_locked()


@suite.case("wrong PINs count on the network counter: LockedOut after Attempts, NetworkLockedUntil; "
            "the keypad still opens; ResetLockout clears it", root=True)
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    r = env.client(REMOTE, [submit(WRONG_PIN), submit(PIN2), submit("999999")])   # Attempts=3
    for x in r:
        eq(err_of(x), (CODE_REFUSED, "The PIN was not accepted"), "wrong PIN refused")
    denied = env.find_signals("AccessDenied", since=m)
    check(len(denied) == 3 and all(s.args == ["mqtt", "unknown-code"] for s in denied), f"AccessDenied {denied}")
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout" and "network" in s.args[1])
    until = env.get("NetworkLockedUntil")
    check(until > now_usec(), f"NetworkLockedUntil {until} is not in the future")
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil")
    env.wait_for(lambda: any(s.args[0] == LOCK_IFACE and s.args[1].get("NetworkLockedUntil") == until
                             for s in env.find_signals("PropertiesChanged", since=m)),
                 what="PropertiesChanged NetworkLockedUntil")
    lockouts = [e for e in env.get_log() if e[2] == "lockout"]
    check(lockouts and lockouts[-1][3] == "mqtt" and "network entries locked" in lockouts[-1][4]["details"],
          f"lockout entry: {lockouts}")

    # Locked out: the right PIN is not even looked at; nothing is logged.
    seq = last_seq(env)
    r = one(env, submit(PIN1))
    eq(r.get("error"), LOCKED_OUT, f"SubmitPin while locked out ({r})")
    check("until" in r["message"] and "UTC" in r["message"], f"LockedOut message: {r['message']}")
    eq(env.state(), "locked", "State")
    eq(log_since(env, seq), [], "log entries of a locked-out SubmitPin")

    # The keypad is not affected.
    g = env.enter(PIN1)
    eq(g.member, "AccessGranted", f"keypad entry during the network lockout ({g})")
    eq(g.args[0], "keypad", "source")
    env.wait_unlocked()
    env.wait_locked()

    # ResetLockout (admin) clears it.
    env.reset_lockout()
    eq(env.get("NetworkLockedUntil"), 0, "NetworkLockedUntil after ResetLockout")
    check(any(e[2] == "lockout" and "network lockout ended" in e[4]["details"] for e in env.get_log()),
          "no 'network lockout ended' entry")
    r = one(env, submit(PIN1))
    eq(r.get("ok"), [path, "Alice"], f"SubmitPin after ResetLockout ({r})")
    env.wait_unlocked()
    env.wait_locked()


@suite.case("a keypad lockout does not block SubmitPin; the network lockout runs out by itself", root=True)
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    for _ in range(3):
        env.enter(WRONG_PIN)
    check(env.get("KeypadLockedUntil") > now_usec(), "keypad not locked out")
    r = one(env, submit(PIN1))
    eq(r.get("ok"), [path, "Alice"], f"SubmitPin during the keypad lockout ({r})")
    env.wait_unlocked()
    env.wait_locked()
    eq(env.get("NetworkLockedUntil"), 0, "NetworkLockedUntil")
    env.client(REMOTE, [submit(WRONG_PIN)] * 3)
    until = env.get("NetworkLockedUntil")
    check(until > now_usec(), "network not locked out")
    # FirstSeconds=2: it ends by itself, announced and logged.
    env.wait_prop("NetworkLockedUntil", 0, timeout=5)
    env.wait_for(lambda: any(e[2] == "lockout-ended" and "network" in e[4]["details"] for e in env.get_log()),
                 what="lockout-ended entry for the network")
    r = one(env, submit(PIN1))
    check("ok" in r, f"SubmitPin after the lockout ran out: {r}")
    env.wait_unlocked()
    env.wait_locked()


@suite.case("privacy mode refuses SubmitPin; a one-time code works once; passage via SubmitPin", root=True)
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    guest, _ = env.add_code("Guest", PIN2, OneTime=True)
    env.set_mode("privacy")
    m = env.mark()
    r = one(env, submit(PIN1))
    eq(err_of(r), (CODE_REFUSED, "The PIN was not accepted"), "SubmitPin in privacy mode")
    env.wait_signal("AccessDenied", since=m, match=lambda s: s.args == ["mqtt", "privacy-mode"])
    eq(env.state(), "locked", "State")
    env.set_mode("normal")

    r = one(env, submit(PIN2))
    eq(r.get("ok"), [guest, "Guest"], f"one-time code, first use ({r})")
    env.wait_unlocked()
    env.wait_locked()
    m = env.mark()
    r = one(env, submit(PIN2))
    eq(r.get("error"), CODE_REFUSED, f"one-time code, second use ({r})")
    env.wait_signal("AccessDenied", since=m, match=lambda s: s.args == ["mqtt", "used-up"])

    seq = last_seq(env)
    r = one(env, submit(PIN1, "passage"))
    eq(r.get("ok"), [path, "Alice"], f"SubmitPin passage ({r})")
    env.wait_prop("Mode", "passage")
    env.wait_unlocked()
    env.hold(lambda: env.state() == "unlocked", 1.5, "passage stays unlocked past the relock time")
    modes = [e for e in log_since(env, seq) if e[2] == "mode"]
    check(modes and modes[0][3] == "mqtt" and modes[0][4]["details"] == "mode normal -> passage by code 1 (Alice)",
          f"mode entry: {modes}")
    # Leaving passage is the owner's: SetMode stays admin-only.
    r = one(env, op("SetMode", "s", ["normal"]))
    eq(r.get("error"), ACCESS_DENIED, f"SetMode normal as remote ({r})")
    env.set_mode("normal")
    env.wait_locked()


@suite.case("never for remote: Backup, Restore, emergency issuers and codes, ResetClock, ResetLockout, "
            "SetMode, AutoRelockSeconds, TestHardware, Simulator1 (bus policy)", root=True,
            config={"Remote": {"UnlockWithoutPin": "yes", "CodeChanges": "yes"}})
def _(env):
    check_never(env, (ACCESS_DENIED,))


@suite.case("never for remote, the daemon's own checks (bus lets anyone call): refused naming the network",
            root=True, bus="open", config={"Remote": {"UnlockWithoutPin": "yes", "CodeChanges": "yes"}})
def _(env):
    r = check_never(env, (ACCESS_DENIED,))
    lock_iface = [x for x in r[:13]]
    check(all("network" in x["message"] or "administrators" in x["message"].lower() for x in lock_iface),
          f"messages: {[x['message'] for x in lock_iface]}")


@suite.case("code changes refused with [Remote] CodeChanges=no (the default), naming the key", root=True)
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    before = env.snapshot()
    ops = code_ops(path)
    r = env.client(REMOTE, [o for _, o in ops])
    expect_refused(env, r, [label for label, _ in ops], (ACCESS_DENIED,), "CodeChanges")
    eq(env.snapshot(), before, "state after the refused code changes")


@suite.case("code changes refused with CodeChanges=no, the daemon's own checks", root=True, bus="open")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    before = env.snapshot()
    ops = code_ops(path)
    r = env.client(REMOTE, [o for _, o in ops])
    expect_refused(env, r, [label for label, _ in ops], (ACCESS_DENIED,), "[Remote] CodeChanges=yes")
    eq(env.snapshot(), before, "state after the refused code changes")


@suite.case("[Remote] CodeChanges=yes: remote adds (its own PIN), edits, disables and removes codes, "
            "audited as mqtt; an empty pin is refused", root=True, config={"Remote": {"CodeChanges": "yes"}})
def _(env):
    before = env.snapshot()
    r = one(env, op("AddCode", "ssa{sv}", ["Eve", "", {"OneTime": ["b", True]}]))
    eq(r.get("error"), INVALID_ARGS, f"AddCode with an empty pin ({r})")
    check("no generated pins over the network" in r["message"].lower(), f"message: {r['message']}")
    eq(env.snapshot(), before, "state after the refused AddCode")

    r = one(env, op("AddCode", "ssa{sv}", ["Dana", PIN3, {"MaxUses": ["u", 3]}]))
    check("ok" in r, f"AddCode as remote: {r}")
    path, pin = r["ok"]
    eq(pin, "", "reply's pin for a chosen PIN")
    r = env.client(REMOTE, [op_set("Name", "s", "Dana B.", path, CODE_IFACE),
                            op_set("Enabled", "b", False, path, CODE_IFACE),
                            op_set("MaxUses", "u", 5, path, CODE_IFACE)])
    errors = [x for x in r if "error" in x]
    check(not errors, f"code writes as remote: {errors}")
    eq(env.code_prop(path, "Name"), "Dana B.", "Name")
    eq(env.code_prop(path, "Enabled"), False, "Enabled")
    r = one(env, submit(PIN3))
    eq(r.get("error"), CODE_REFUSED, f"a disabled code over the network ({r})")
    r = one(env, op_set("Enabled", "b", True, path, CODE_IFACE))
    check("ok" in r, f"enable: {r}")
    r = one(env, submit(PIN3))
    eq(r.get("ok"), [path, "Dana B."], f"enabled again ({r})")
    env.wait_unlocked()
    env.wait_locked()
    r = one(env, op("Remove", path=path, iface=CODE_IFACE))
    check("ok" in r, f"Remove as remote: {r}")
    eq(env.get("CodeCount"), 0, "CodeCount")
    entries = [e for e in env.get_log() if e[2] in ("code-added", "code-changed", "code-removed")]
    check(entries and all(e[3] == "mqtt" for e in entries), f"code entries: {entries}")
    # Settings stay out of reach with CodeChanges=yes.
    r = one(env, op_set("AutoRelockSeconds", "u", 9))
    eq(r.get("error"), ACCESS_DENIED, f"AutoRelockSeconds as remote ({r})")
    eq(env.get("AutoRelockSeconds"), 1, "AutoRelockSeconds")


@suite.case("SubmitPin without hardware is NoHardware and counts nothing", root=True, daemon=False)
def _(env):
    # The shipped default backend with no lines: no hardware.
    env.start_daemon(simulate=False, config={"Hardware": {"Backend": "gpio"}})
    env.add_code("Alice", PIN1)
    r = one(env, submit(PIN1))
    eq(r.get("error"), ERR + "NoHardware", f"SubmitPin without hardware ({r})")
    r = one(env, submit(WRONG_PIN))
    eq(r.get("error"), ERR + "NoHardware", f"a wrong PIN without hardware ({r})")
    eq(env.get("NetworkLockedUntil"), 0, "nothing counted")
    check(not [e for e in env.get_log() if e[2] == "access-denied"], "a refusal was logged")


if __name__ == "__main__":
    suite.run()
