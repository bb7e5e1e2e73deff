# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: who may do what.  Clients run as other
users (setpriv): dl-observer (group doorlock), dl-admin (group
doorlock-admin) and nobody.  Needs root (to create those users and switch
to them); every case is skipped otherwise.

Most cases run on a bus with the project's policy file.  The "daemon's own
checks" cases run on a bus whose policy lets anyone call doorlockd, so that
what refuses is the daemon itself, not the bus."""

import os
import pwd
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ACCESS_DENIED, ADMIN, CODE_IFACE, CODE_PREFIX, INTROSPECT_IFACE, LOCK_IFACE, LOCK_PATH, NOBODY,
    OBSERVER, OM_IFACE, PIN1, PIN2, PIN3, PROPS_IFACE, SIM_IFACE, UNKNOWN_OBJECT, WRONG_PIN, Suite,
    check, eq)

suite = Suite("roles")

INVISIBLE = (UNKNOWN_OBJECT, "org.freedesktop.DBus.Error.UnknownInterface",
             "org.freedesktop.DBus.Error.UnknownProperty", "org.freedesktop.DBus.Error.UnknownMethod",
             ACCESS_DENIED)


def op(method, sig="", args=(), path=LOCK_PATH, iface=LOCK_IFACE):
    return [path, iface, method, sig, list(args)]


def op_get(prop, path=LOCK_PATH, iface=LOCK_IFACE):
    return op("Get", "ss", [iface, prop], path, PROPS_IFACE)


def op_get_all(path=LOCK_PATH, iface=LOCK_IFACE):
    return op("GetAll", "s", [iface], path, PROPS_IFACE)


def op_set(prop, sig, value, path=LOCK_PATH, iface=LOCK_IFACE):
    return op("Set", "ssv", [iface, prop, [sig, value]], path, PROPS_IFACE)


def change_ops(code_path):
    """Every call that changes something."""
    return [
        ("Lock", op("Lock")),
        ("Unlock", op("Unlock")),
        ("UnlockFor", op("UnlockFor", "u", [1])),
        ("SetMode", op("SetMode", "s", ["privacy"])),
        ("AddCode", op("AddCode", "ssa{sv}", ["Eve", PIN3, {}])),
        ("AddCode random", op("AddCode", "ssa{sv}", ["Eve", "", {"OneTime": ["b", True]}])),
        ("ResetLockout", op("ResetLockout")),
        ("ResetClock", op("ResetClock")),
        ("Set AutoRelockSeconds", op_set("AutoRelockSeconds", "u", 3)),
        ("Set Code1.Name", op_set("Name", "s", "Mallory", code_path, CODE_IFACE)),
        ("Set Code1.Enabled", op_set("Enabled", "b", False, code_path, CODE_IFACE)),
        ("Set Code1.MaxUses", op_set("MaxUses", "u", 1, code_path, CODE_IFACE)),
        ("Code1.Remove", op("Remove", path=code_path, iface=CODE_IFACE)),
        ("PressKeys", op("PressKeys", "s", [PIN1 + "#"], iface=SIM_IFACE)),
        ("SetDoor", op("SetDoor", "s", ["open"], iface=SIM_IFACE)),
        ("SetJammed", op("SetJammed", "b", [True], iface=SIM_IFACE)),
    ]


def uid_of(user):
    return pwd.getpwnam(user).pw_uid


def expect_all_refused(env, user, ops, names=(ACCESS_DENIED,)):
    """Run ops as user; each must fail with one of names; nothing changes."""
    before = env.snapshot()
    m = env.mark()
    results = env.client(user, [o for _, o in ops])
    problems = []
    for (label, _), r in zip(ops, results):
        if "error" not in r:
            problems.append(f"{label}: succeeded ({r['ok']!r})")
        elif r["error"] not in names:
            problems.append(f"{label}: {r['error']} ({r['message']}), want {' or '.join(names)}")
        elif not r["message"]:
            problems.append(f"{label}: {r['error']} without a message")
    # Keys or motion that slipped through would show within a moment.
    env.hold(lambda: env.state() == "locked", 0.2, "State locked")
    after = env.snapshot()
    if before != after:
        problems.append(f"state changed:\n  before {before}\n  after  {after}")
    granted = env.find_signals("AccessGranted", since=m)
    if granted:
        problems.append(f"AccessGranted after refused calls: {granted}")
    check(not problems, f"as {user}:\n" + "\n".join(problems))
    messages = sorted({r["message"].split(";")[0][:70] for r in results})
    env.note(f"{user} refused with: " + " | ".join(messages))
    return results


def seed(env):
    """A code, a use and a log to read."""
    path, _ = env.add_code("Alice", PIN1)
    eq(env.enter(PIN1).member, "AccessGranted", "seed entry")
    env.wait_unlocked()
    env.lock()
    env.enter(WRONG_PIN)
    return path


def introspect_children(xml_text):
    return [n.get("name") for n in ET.fromstring(xml_text).findall("node")]


@suite.case("observer (group doorlock) reads everything: GetManagedObjects, GetLog, Code1, Lock1", root=True)
def _(env):
    path = seed(env)
    r = env.client(OBSERVER, [
        op("GetManagedObjects", iface=OM_IFACE),
        op("GetLog", "tu", [0, 0]),
        op_get("Name", path, CODE_IFACE),
        op_get_all(path, CODE_IFACE),
        op_get_all(),
        op_get("State"),
        op("Introspect", path=CODE_PREFIX, iface=INTROSPECT_IFACE),
    ])
    errors = [x for x in r if "error" in x]
    check(not errors, f"observer refused: {errors}")
    objs = r[0]["ok"]
    check(path in objs and objs[path][CODE_IFACE]["Name"] == "Alice",
          f"GetManagedObjects as observer: {objs}")
    eq(len(r[1]["ok"]), len(env.get_log()), "GetLog entries as observer vs root")
    eq(r[2]["ok"], "Alice", "Code1 Name as observer")
    eq(r[3]["ok"]["Uses"], 1, "Code1 Uses as observer")
    eq(r[4]["ok"]["CodeCount"], 1, "CodeCount as observer")
    check(path.rsplit("/", 1)[1] in introspect_children(r[6]["ok"]), "codes not listed in Introspect")


@suite.case("observer: every change is refused with AccessDenied and changes nothing", root=True)
def _(env):
    path = seed(env)
    expect_all_refused(env, OBSERVER, change_ops(path))


@suite.case("admin (group doorlock-admin, not root): every change works and is audited with its uid",
            root=True)
def _(env):
    path = seed(env)
    m = env.mark()
    ops = [
        ("AddCode", op("AddCode", "ssa{sv}", ["Dana", PIN3, {"MaxUses": ["u", 3]}])),
        ("AddCode random", op("AddCode", "ssa{sv}", ["Eve", "", {"OneTime": ["b", True]}])),
        ("Set Code1.Name", op_set("Name", "s", "Alice B.", path, CODE_IFACE)),
        ("Set Code1.MaxUses", op_set("MaxUses", "u", 10, path, CODE_IFACE)),
        ("Set AutoRelockSeconds", op_set("AutoRelockSeconds", "u", 2)),
        ("SetMode privacy", op("SetMode", "s", ["privacy"])),
        ("SetMode normal", op("SetMode", "s", ["normal"])),
        ("Unlock", op("Unlock")),
        ("Lock", op("Lock")),
        ("UnlockFor", op("UnlockFor", "u", [1])),
        ("Lock", op("Lock")),
        ("ResetLockout", op("ResetLockout")),
        ("ResetClock", op("ResetClock")),
        ("SetDoor closed", op("SetDoor", "s", ["closed"], iface=SIM_IFACE)),
        ("SetJammed false", op("SetJammed", "b", [False], iface=SIM_IFACE)),
        ("GetManagedObjects", op("GetManagedObjects", iface=OM_IFACE)),
        ("GetLog", op("GetLog", "tu", [0, 5])),
        ("PressKeys", op("PressKeys", "s", [PIN1 + "#"], iface=SIM_IFACE)),
    ]
    r = env.client(ADMIN, [o for _, o in ops])
    problems = [f"{label}: {x['error']} ({x['message']})" for (label, _), x in zip(ops, r) if "error" in x]
    check(not problems, "admin refused:\n" + "\n".join(problems))
    g = env.wait_signal("AccessGranted", since=m, match=lambda s: s.args[0] == "keypad")
    eq(g.args, ["keypad", path, "Alice B."], "AccessGranted from the admin's key presses")
    env.wait_unlocked()
    env.lock()
    eq(env.get("AutoRelockSeconds"), 2, "AutoRelockSeconds")
    eq(env.code_prop(path, "MaxUses"), 10, "MaxUses")
    names = sorted(c["Name"] for c in env.codes().values())
    eq(names, ["Alice B.", "Dana", "Eve"], "codes")
    check(len(r[1]["ok"][1]) == 6 and r[1]["ok"][1].isdigit(), f"random PIN for the admin: {r[1]['ok']}")
    # Remove, as the admin.
    r2 = env.client(ADMIN, [op("Remove", path=r[0]["ok"][0], iface=CODE_IFACE)])
    check("ok" in r2[0], f"admin Remove refused: {r2}")
    eq(env.get("CodeCount"), 2, "CodeCount after the admin's Remove")
    uid = uid_of(ADMIN)
    added = [e for e in env.get_log() if e[2] == "code-added" and e[4].get("code_name") == "Dana"]
    check(added and f"uid {uid}" in added[0][4].get("details", ""),
          f"code-added entry does not name uid {uid}: {added}")


@suite.case("plain user (nobody): Lock1 properties and introspection only; no codes, no log", root=True)
def _(env):
    path = seed(env)
    r = env.client(NOBODY, [
        op_get("State"),
        op_get_all(),
        op("Introspect", path=LOCK_PATH, iface=INTROSPECT_IFACE),
        op("Ping", path=LOCK_PATH, iface="org.freedesktop.DBus.Peer"),
        op("GetManagedObjects", iface=OM_IFACE),
        op("GetLog", "tu", [0, 0]),
        op_get("Name", path, CODE_IFACE),
        op_get_all(path, CODE_IFACE),
        op("Introspect", path=CODE_PREFIX, iface=INTROSPECT_IFACE),
        op("Introspect", path=path, iface=INTROSPECT_IFACE),
    ])
    problems = []
    for i, label in enumerate(["Get State", "GetAll Lock1", "Introspect", "Ping"]):
        if "error" in r[i]:
            problems.append(f"{label} refused: {r[i]}")
    if "ok" in r[0] and r[0]["ok"] != "locked":
        problems.append(f"State as nobody: {r[0]}")
    if "ok" in r[1] and r[1]["ok"].get("CodeCount") != 1:
        problems.append(f"GetAll as nobody: {r[1]}")
    for i, label in ((4, "GetManagedObjects"), (5, "GetLog")):
        if r[i].get("error") != ACCESS_DENIED:
            problems.append(f"{label} as nobody: {r[i]}, want {ACCESS_DENIED}")
    for i, label in ((6, "Get Code1.Name"), (7, "GetAll Code1")):
        if r[i].get("error") not in INVISIBLE:
            problems.append(f"{label} as nobody: {r[i]}, want an error")
    if "ok" in r[8] and introspect_children(r[8]["ok"]):
        problems.append(f"Introspect {CODE_PREFIX} as nobody lists codes: {introspect_children(r[8]['ok'])}")
    if "ok" in r[9] and CODE_IFACE in r[9]["ok"]:
        problems.append(f"Introspect {path} as nobody shows {CODE_IFACE}")
    check(not problems, "\n".join(problems))
    env.note(f"Get Code1.Name as nobody: {r[6].get('error')}")
    expect_all_refused(env, NOBODY, change_ops(path), names=(ACCESS_DENIED,))


@suite.case("signals reach the observer but not a plain user (nobody)", root=True)
def _(env):
    obs = env.listener(OBSERVER)
    nob = env.listener(NOBODY)
    m = env.mark()
    path, _ = env.add_code("Alice", PIN1)
    env.enter(WRONG_PIN)
    env.enter(PIN1)
    env.wait_unlocked()
    env.lock()
    env.set_door("open")
    env.wait_signal("Alarm", since=m)
    env.set_door("closed")
    env.set_mode("privacy")
    env.set_mode("normal")
    env.remove_code(path)
    env.wait_signal("InterfacesRemoved", since=m)
    ours = [s for s in env._conn.signals[m:] if s.path.startswith(LOCK_PATH)]
    env.send_marker()
    results = {}
    for user, p in ((OBSERVER, obs), (NOBODY, nob)):
        out, err = p.communicate(timeout=20)
        check(p.returncode == 0, f"listener as {user} failed: {err}")
        results[user] = __import__("json").loads(out)
    members = {s.split()[0].rsplit(".", 1)[1] for s in results[OBSERVER]["signals"]}
    want = {"AccessGranted", "AccessDenied", "Alarm", "LogEntry", "PropertiesChanged", "InterfacesAdded",
            "InterfacesRemoved"}
    check(want <= members, f"observer missed {sorted(want - members)} (got {sorted(members)})")
    eq(results[OBSERVER]["count"], len(ours), "signals the observer got vs root")
    eq(results[NOBODY]["count"], 0, f"signals nobody got ({results[NOBODY]['signals'][:5]})")
    env.note(f"observer got {results[OBSERVER]['count']} signals, nobody 0")


@suite.case("daemon's own checks (bus lets anyone call): observer refused every change, reads work",
            root=True, bus="open")
def _(env):
    path = seed(env)
    expect_all_refused(env, OBSERVER, change_ops(path))
    r = env.client(OBSERVER, [op("GetManagedObjects", iface=OM_IFACE), op("GetLog", "tu", [0, 0]),
                              op_get("Name", path, CODE_IFACE)])
    errors = [x for x in r if "error" in x]
    check(not errors, f"observer reads refused by the daemon: {errors}")


@suite.case("daemon's own checks (bus lets anyone call): nobody refused changes, codes and log",
            root=True, bus="open")
def _(env):
    path = seed(env)
    expect_all_refused(env, NOBODY, change_ops(path), names=(ACCESS_DENIED,) + INVISIBLE)
    r = env.client(NOBODY, [op("GetManagedObjects", iface=OM_IFACE), op("GetLog", "tu", [0, 0]),
                            op_get("Name", path, CODE_IFACE), op_get("State"),
                            op("Introspect", path=CODE_PREFIX, iface=INTROSPECT_IFACE)])
    eq(r[0].get("error"), ACCESS_DENIED, f"GetManagedObjects as nobody ({r[0]})")
    eq(r[1].get("error"), ACCESS_DENIED, f"GetLog as nobody ({r[1]})")
    check(r[2].get("error") in INVISIBLE, f"Code1 Name as nobody: {r[2]}")
    eq(r[3].get("ok"), "locked", f"State as nobody ({r[3]})")
    check("ok" not in r[4] or not introspect_children(r[4]["ok"]), f"codes listed to nobody: {r[4]}")


@suite.case("daemon's own checks (bus lets anyone call): admin may change", root=True, bus="open")
def _(env):
    path = seed(env)
    r = env.client(ADMIN, [op_set("Name", "s", "Alice B.", path, CODE_IFACE), op("Unlock"), op("Lock"),
                           op("AddCode", "ssa{sv}", ["Dana", PIN2, {}])])
    errors = [x for x in r if "error" in x]
    check(not errors, f"admin refused: {errors}")
    eq(env.code_prop(path, "Name"), "Alice B.", "Name")
    eq(env.get("CodeCount"), 2, "CodeCount")


@suite.case("doorlockd running as an unprivileged user (nobody): that uid is admin, so is root; "
            "the observer is still an observer", root=True, bus="project:" + NOBODY, daemon=False)
def _(env):
    env.start_daemon(run_as=NOBODY)
    eq(env.state(), "locked", "State")
    path, _ = env.add_code("Alice", PIN1)          # root: admin
    r = env.client(NOBODY, [op("AddCode", "ssa{sv}", ["Dana", PIN2, {}]), op("Unlock"), op("Lock"),
                            op("GetManagedObjects", iface=OM_IFACE),
                            op("PressKeys", "s", [PIN1 + "#"], iface=SIM_IFACE)])
    errors = [x for x in r if "error" in x]
    check(not errors, f"the daemon's own uid was refused: {errors}")
    check(len(r[3]["ok"]) == 2, f"GetManagedObjects as the daemon's uid: {r[3]}")
    env.wait_signal("AccessGranted", match=lambda s: s.args[0] == "keypad")
    env.wait_unlocked()
    env.lock()
    r = env.client(OBSERVER, [op("Lock"), op("GetLog", "tu", [0, 0])])
    eq(r[0].get("error"), ACCESS_DENIED, f"Lock as observer ({r[0]})")
    check("ok" in r[1], f"GetLog as observer: {r[1]}")
    entry = [e for e in env.get_log() if e[2] == "code-added" and e[4].get("code_name") == "Dana"]
    check(entry and f"uid {uid_of(NOBODY)}" in entry[0][4].get("details", ""), f"code-added entry {entry}")
    st = os.stat(os.path.join(env.daemon.state_dir))
    eq(st.st_uid, uid_of(NOBODY), "owner of the state directory")


if __name__ == "__main__":
    suite.run()
