# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: managing codes over D-Bus (AddCode, Code1
properties, GetManagedObjects, Remove) and every error of the contract,
each time checking that a refused call changed nothing."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    CODE_IFACE, CODE_PREFIX, ERR, INVALID_ARGS, LOCK_IFACE, LOCK_PATH, PIN1, PIN2, PIN3,
    PROPS_IFACE, UNKNOWN_OBJECT, Suite, check, eq, now_usec, options)

suite = Suite("codes")

CODE_PROPS = {
    "Id": int, "Name": str, "Kind": str, "Enabled": bool, "ValidFrom": int, "ValidUntil": int,
    "Schedule": list, "MaxUses": int, "Uses": int, "LastUsed": int, "Created": int, "Duress": bool,
    "Active": bool,
}
ALL_DAY = [(0x7F, 0, 1440)]
HOUR = 3600 * 1_000_000


def code_count(env):
    return env.get("CodeCount")


@suite.case("AddCode with a PIN: path, empty PIN back, CodeCount, InterfacesAdded, Code1 properties")
def _(env):
    m = env.mark()
    t0 = now_usec()
    path, pin = env.add_code("Alice", PIN1)
    check(path.startswith(CODE_PREFIX + "/"), f"code path {path}")
    eq(pin, "", "PIN in the reply for a chosen PIN")
    eq(code_count(env), 1, "CodeCount")
    added = env.wait_signal("InterfacesAdded", since=m, match=lambda s: s.args[0] == path)
    check(CODE_IFACE in added.args[1], f"InterfacesAdded lacks {CODE_IFACE}: {added.args[1]}")
    eq(added.args[1][CODE_IFACE].get("Name"), "Alice", "InterfacesAdded Name")
    env.wait_for(lambda: any(s.args[0] == LOCK_IFACE and s.args[1].get("CodeCount") == 1
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged CodeCount=1")
    props = env.get_all(path, CODE_IFACE)
    eq(set(props), set(CODE_PROPS), "Code1 property names")
    for k, t in CODE_PROPS.items():
        check(isinstance(props[k], t), f"{k} is {type(props[k]).__name__}, want {t.__name__}")
    eq(props["Id"], int(path.rsplit("/", 1)[1]), "Id matches the path")
    want = {"Name": "Alice", "Kind": "normal", "Enabled": True, "ValidFrom": 0, "ValidUntil": 0,
            "Schedule": [], "MaxUses": 0, "Uses": 0, "LastUsed": 0, "Duress": False, "Active": True}
    eq({k: props[k] for k in want}, want, "Code1 properties")
    check(t0 - 5_000_000 <= props["Created"] <= now_usec() + 5_000_000, f"Created {props['Created']}")
    eq(added.args[1][CODE_IFACE], props, "InterfacesAdded properties vs GetAll")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "code-added")
    eq(entry.args[4].get("code_name"), "Alice", "LogEntry code_name")
    eq(entry.args[3], "dbus", "LogEntry source")
    check(PIN1 not in str(entry.args), "the PIN appears in the log entry")


@suite.case("AddCode with all options; properties read back")
def _(env):
    vf, vu = now_usec() - HOUR, now_usec() + HOUR
    sched = [(0x1F, 480, 1080), (0x60, 1320, 360)]
    path, _ = env.add_code("Nanny", PIN1, ValidFrom=vf, ValidUntil=vu, Schedule=sched, MaxUses=7)
    p = env.get_all(path, CODE_IFACE)
    eq((p["ValidFrom"], p["ValidUntil"], p["Schedule"], p["MaxUses"]),
       (vf, vu, [tuple(w) for w in sched], 7), "ValidFrom, ValidUntil, Schedule, MaxUses")
    d, _ = env.add_code("Panic", PIN2, Duress=True)
    eq(env.code_prop(d, "Duress"), True, "Duress")
    o, _ = env.add_code("Once", PIN3, OneTime=True)
    eq((env.code_prop(o, "Kind"), env.code_prop(o, "MaxUses")), ("one-time", 1), "one-time Kind, MaxUses")
    eq(code_count(env), 3, "CodeCount")


@suite.case("AddCode with an empty PIN makes up one (6 digits, or Length) and it opens the door")
def _(env):
    p6, pin6 = env.add_code("Bob", "")
    check(pin6.isdigit() and len(pin6) == 6, f"random PIN {pin6!r}")
    p8, pin8 = env.add_code("Carol", "", Length=8)
    check(pin8.isdigit() and len(pin8) == 8, f"random PIN of Length 8: {pin8!r}")
    sig = env.enter(pin8)
    eq((sig.member, sig.args), ("AccessGranted", ["keypad", p8, "Carol"]), "entry with the random PIN")
    env.wait_unlocked()
    env.lock()


@suite.case("edit: set Name, Enabled, ValidFrom, ValidUntil, Schedule, MaxUses; PropertiesChanged; effects",
            config={"Clock": {"TimeZone": "UTC"}, "Lockout": {"Attempts": "10"}})
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    env.set("Name", "Alice B.", path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "Name"), "Alice B.", "Name")
    env.wait_for(lambda: any(s.args[0] == CODE_IFACE and s.args[1].get("Name") == "Alice B."
                             for s in env.find_signals("PropertiesChanged", since=m, path=path)),
                 what="PropertiesChanged Name on the code")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "code-changed")
    eq(entry.args[4].get("code_id"), env.code_prop(path, "Id"), "code-changed code_id")

    env.set("Enabled", False, path=path, iface=CODE_IFACE)
    eq((env.code_prop(path, "Enabled"), env.code_prop(path, "Active")), (False, False), "Enabled, Active")
    sig = env.enter(PIN1)
    eq((sig.member, sig.args), ("AccessDenied", ["keypad", "disabled"]), "entry with a disabled code")
    env.set("Enabled", True, path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "Active"), True, "Active when enabled again")

    vf, vu = now_usec() - HOUR, now_usec() + HOUR
    env.set("ValidFrom", vf, path=path, iface=CODE_IFACE)
    env.set("ValidUntil", vu, path=path, iface=CODE_IFACE)
    eq((env.code_prop(path, "ValidFrom"), env.code_prop(path, "ValidUntil")), (vf, vu), "validity")
    eq(env.code_prop(path, "Active"), True, "Active inside the validity")
    env.set("ValidFrom", vf + 2 * HOUR - HOUR // 2, path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "Active"), False, "Active before ValidFrom")
    sig = env.enter(PIN1)
    eq((sig.member, sig.args), ("AccessDenied", ["keypad", "not-yet-valid"]), "entry before ValidFrom")
    env.set("ValidFrom", 0, path=path, iface=CODE_IFACE)
    env.set("ValidUntil", 0, path=path, iface=CODE_IFACE)

    # A window that cannot contain "now" (UTC, the daemon's zone here).
    t = time.gmtime()
    minute = t.tm_hour * 60 + t.tm_min
    away = [(0x7F, (minute + 60) % 1440, (minute + 120) % 1440 or 1440)]
    env.set("Schedule", away, path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "Schedule"), [tuple(w) for w in away], "Schedule")
    eq(env.code_prop(path, "Active"), False, "Active outside the window")
    sig = env.enter(PIN1)
    eq((sig.member, sig.args), ("AccessDenied", ["keypad", "outside-window"]), "entry outside the window")
    env.set("Schedule", ALL_DAY, path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "Active"), True, "Active inside an all-day window")
    env.set("Schedule", [], path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "Schedule"), [], "Schedule cleared")

    env.set("MaxUses", 5, path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "MaxUses"), 5, "MaxUses")
    sig = env.enter(PIN1)
    eq(sig.member, "AccessGranted", f"entry after the edits ({sig.args})")
    env.wait_unlocked()
    env.lock()
    eq(env.code_prop(path, "Uses"), 1, "Uses")
    env.set("MaxUses", 0, path=path, iface=CODE_IFACE)
    eq(env.code_prop(path, "MaxUses"), 0, "MaxUses back to unlimited")


@suite.case("list: GetManagedObjects has exactly the codes, with every Code1 property")
def _(env):
    eq(env.codes(), {}, "codes at start")
    paths = {}
    for name, pin in (("Alice", PIN1), ("Bob", PIN2), ("Carol", PIN3)):
        paths[name] = env.add_code(name, pin)[0]
    codes = env.codes()
    eq(sorted(codes), sorted(paths.values()), "code paths")
    for name, p in paths.items():
        eq(codes[p]["Name"], name, f"Name of {p}")
        eq(set(codes[p]), set(CODE_PROPS), f"properties of {p}")
        eq(codes[p], env.get_all(p, CODE_IFACE), f"GetManagedObjects vs GetAll for {p}")
    eq(len(set(c["Id"] for c in codes.values())), 3, "distinct ids")
    eq(code_count(env), 3, "CodeCount")


@suite.case("remove: Remove() -> InterfacesRemoved, CodeCount, gone from the list, the PIN no longer opens")
def _(env):
    a, _ = env.add_code("Alice", PIN1)
    b, _ = env.add_code("Bob", PIN2)
    m = env.mark()
    env.remove_code(a)
    rem = env.wait_signal("InterfacesRemoved", since=m, match=lambda s: s.args[0] == a)
    check(CODE_IFACE in rem.args[1], f"InterfacesRemoved interfaces {rem.args[1]}")
    eq(code_count(env), 1, "CodeCount")
    eq(sorted(env.codes()), [b], "codes left")
    env.expect_error(UNKNOWN_OBJECT, env.code_prop, a, "Name")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "code-removed")
    eq(entry.args[4].get("code_name"), "Alice", "code-removed code_name")
    sig = env.enter(PIN1)
    eq((sig.member, sig.args), ("AccessDenied", ["keypad", "unknown-code"]), "entry with a removed code")
    # The PIN is free again.
    env.add_code("Alice again", PIN1)
    eq(code_count(env), 2, "CodeCount")


@suite.case("AddCode errors: DuplicatePin, WeakPin, InvalidPin, InvalidName, DuplicateName, "
            "InvalidSchedule, InvalidArgs; nothing changes")
def _(env):
    env.add_code("Alice", PIN1)
    add = env.add_code
    cases = [
        (ERR + "DuplicatePin", ("Bob", PIN1), {}),
        (ERR + "WeakPin", ("Bob", "123456"), {}),
        (ERR + "WeakPin", ("Bob", "111111"), {}),
        (ERR + "InvalidPin", ("Bob", "12a456"), {}),
        (ERR + "InvalidPin", ("Bob", "12"), {}),
        (ERR + "InvalidPin", ("Bob", "73019648215"), {}),   # 11 digits, MaxPinLength 10
        (ERR + "InvalidName", ("1234", PIN2), {}),
        (ERR + "InvalidName", ("", PIN2), {}),
        (ERR + "InvalidName", ("x" * 33, PIN2), {}),
        (ERR + "InvalidName", ("Bob\tSmith", PIN2), {}),
        (ERR + "DuplicateName", ("Alice", PIN2), {}),
        (ERR + "InvalidSchedule", ("Bob", PIN2), {"Schedule": [(0x7F, 600, 600)]}),
        (ERR + "InvalidSchedule", ("Bob", PIN2), {"Schedule": [(0x7F, 0, 1441)]}),
        (ERR + "InvalidSchedule", ("Bob", PIN2), {"Schedule": [(0, 0, 60)]}),
        (ERR + "InvalidSchedule", ("Bob", PIN2), {"Schedule": [(0x80, 0, 60)]}),
        (ERR + "InvalidSchedule", ("Bob", PIN2), {"Schedule": [(0x7F, 0, 60)] * 17}),
        (INVALID_ARGS, ("Bob", PIN2), {"Colour": ("s", "red")}),
        (INVALID_ARGS, ("Bob", PIN2), {"OneTime": ("s", "yes")}),
        (INVALID_ARGS, ("Bob", PIN2), {"MaxUses": ("s", "3")}),
        (INVALID_ARGS, ("Bob", PIN2), {"Schedule": ("as", ["mon"])}),
        (INVALID_ARGS, ("Bob", PIN2), {"Length": 8}),
        (INVALID_ARGS, ("Bob", ""), {"Length": 3}),
        (INVALID_ARGS, ("Bob", ""), {"Length": 11}),
        (INVALID_ARGS, ("Bob", PIN2), {"ValidFrom": 2 * HOUR, "ValidUntil": HOUR}),
        (INVALID_ARGS, ("Bob", PIN2), {"OneTime": True, "MaxUses": 2}),
        (INVALID_ARGS, ("Bob", PIN2), {"ValidFrom": 1 << 63}),
        (INVALID_ARGS, ("Bob", PIN2), {"MaxUses": 1000001}),
        (ERR + "InvalidName", (" Bob", PIN2), {}),
        (ERR + "InvalidName", ("Bob ", PIN2), {}),
        (ERR + "InvalidName", ("Bob\u200bSmith", PIN2), {}),
    ]
    problems = []
    for name, args, opts in cases:
        try:
            env.refused(name, add, *args, **opts)
        except AssertionError as e:
            problems.append(f"AddCode{args} {opts}: {e}")
    # Wrong argument types through a raw call.
    env.refused(INVALID_ARGS, env.call, "AddCode", "Bob", PIN2, sig="ss")
    env.refused(INVALID_ARGS, env.call, "AddCode", "Bob", 730196, options(), sig="sua{sv}")
    eq(code_count(env), 1, "CodeCount after all refusals")
    eq([c["Name"] for c in env.codes().values()], ["Alice"], "codes after all refusals")
    check(not problems, f"{len(problems)} of {len(cases)} AddCode refusals wrong:\n" + "\n".join(problems))
    env.note(f"{len(cases) + 2} refused AddCode calls")


@suite.case("Code1 Set errors: InvalidName, DuplicateName, InvalidSchedule, InvalidArgs, read-only; "
            "nothing changes")
def _(env):
    a, _ = env.add_code("Alice", PIN1)
    env.add_code("Bob", PIN2)
    env.set("ValidUntil", now_usec() + HOUR, path=a, iface=CODE_IFACE)

    def put(prop, value, sig=None):
        return env.set(prop, value, path=a, iface=CODE_IFACE, sig=sig)

    cases = [
        (ERR + "InvalidName", ("Name", "")),
        (ERR + "InvalidName", ("Name", "1234")),
        (ERR + "InvalidName", ("Name", "y" * 33)),
        (ERR + "DuplicateName", ("Name", "Bob")),
        (ERR + "InvalidSchedule", ("Schedule", [(0x7F, 600, 600)])),
        (ERR + "InvalidSchedule", ("Schedule", [(0, 0, 60)])),
        (INVALID_ARGS, ("ValidFrom", now_usec() + 2 * HOUR)),
        (INVALID_ARGS, ("ValidFrom", 1 << 63)),
        (INVALID_ARGS, ("MaxUses", 1000001)),
        (ERR + "InvalidName", ("Name", "Alice ")),
        (INVALID_ARGS, ("Name", 5, "u")),
        (INVALID_ARGS, ("MaxUses", "5", "s")),
        (INVALID_ARGS, ("Enabled", "no", "s")),
        ("org.freedesktop.DBus.Error.PropertyReadOnly", ("Uses", 9, "u")),
        ("org.freedesktop.DBus.Error.PropertyReadOnly", ("Kind", "one-time", "s")),
        ("org.freedesktop.DBus.Error.PropertyReadOnly", ("Duress", True, "b")),
        ("org.freedesktop.DBus.Error.UnknownProperty", ("Colour", "red", "s")),
    ]
    problems = []
    for name, args in cases:
        try:
            env.refused(name, put, *args)
        except AssertionError as e:
            problems.append(f"Set{args}: {e}")
    eq(env.code_prop(a, "Name"), "Alice", "Name after the refusals")
    once, _ = env.add_code("Once", PIN3, OneTime=True)
    try:
        env.refused(INVALID_ARGS, env.set, "MaxUses", 2, path=once, iface=CODE_IFACE)
    except AssertionError as e:
        problems.append(f"Set MaxUses=2 on a one-time code: {e}")
    check(not problems, f"{len(problems)} of {len(cases)} Set refusals wrong:\n" + "\n".join(problems))


@suite.case("Remove/Get on a code that does not exist")
def _(env):
    env.add_code("Alice", PIN1)
    missing = CODE_PREFIX + "/999"
    names = set()
    names.add(env.refused((ERR + "NotFound", UNKNOWN_OBJECT), env.remove_code, missing)[0])
    names.add(env.refused((ERR + "NotFound", UNKNOWN_OBJECT), env.code_prop, missing, "Name")[0])
    names.add(env.refused((ERR + "NotFound", UNKNOWN_OBJECT), env.set, "Name", "X", path=missing,
                          iface=CODE_IFACE)[0])
    names.add(env.refused((ERR + "NotFound", UNKNOWN_OBJECT), env.remove_code, CODE_PREFIX + "/0")[0])
    names.add(env.refused((ERR + "NotFound", UNKNOWN_OBJECT), env.remove_code, CODE_PREFIX + "/abc")[0])
    # Removed concurrently: the path existed a moment ago.
    b, _ = env.add_code("Bob", PIN2)
    env.remove_code(b)
    names.add(env.refused((ERR + "NotFound", UNKNOWN_OBJECT), env.remove_code, b)[0])
    env.note(f"a missing code answers {sorted(names)}")


@suite.case("CodeLimit: MaxCodes=3 holds 3 codes, the 4th is refused; room again after a removal",
            config={"Codes": {"MaxCodes": "3"}})
def _(env):
    eq(env.get("MaxCodes"), 3, "MaxCodes")
    paths = [env.add_code(n, p)[0] for n, p in (("A-one", PIN1), ("B-two", PIN2), ("C-three", PIN3))]
    eq(code_count(env), 3, "CodeCount")
    env.refused(ERR + "CodeLimit", env.add_code, "D-four", "620418")
    env.refused(ERR + "CodeLimit", env.add_code, "D-four", "")
    eq(code_count(env), 3, "CodeCount after the refusals")
    env.remove_code(paths[0])
    env.add_code("D-four", "620418")
    eq(code_count(env), 3, "CodeCount")


@suite.case("PIN length from the config: MinPinLength=4, MaxPinLength=8",
            config={"Codes": {"MinPinLength": "4", "MaxPinLength": "8"}, "Keypad": {"MaxEntryLength": "16"}})
def _(env):
    p, _ = env.add_code("Short", "4821")
    eq(env.enter("4821").member, "AccessGranted", "entry with a 4-digit PIN")
    env.wait_unlocked()
    env.lock()
    env.refused(ERR + "InvalidPin", env.add_code, "Long", "730196482")
    env.refused(ERR + "InvalidPin", env.add_code, "Tiny", "482")
    _, pin = env.add_code("Random", "")
    check(pin.isdigit() and 6 <= len(pin) <= 8, f"random PIN {pin!r}")
    env.refused(INVALID_ARGS, env.add_code, "Random2", "", Length=9)
    _, pin = env.add_code("Random4", "", Length=4)
    eq(len(pin), 4, "Length=4")


@suite.case("renaming a code to its own name is fine; Set of the same AutoRelockSeconds is fine")
def _(env):
    a, _ = env.add_code("Alice", PIN1)
    env.set("Name", "Alice", path=a, iface=CODE_IFACE)
    eq(env.code_prop(a, "Name"), "Alice", "Name")
    env.set("AutoRelockSeconds", 1)
    eq(env.get("AutoRelockSeconds"), 1, "AutoRelockSeconds")


@suite.case("lock method and property errors: InvalidArgs; nothing changes")
def _(env):
    call = env.call
    cases = [
        (INVALID_ARGS, lambda: call("UnlockFor", "2", sig="s")),
        (INVALID_ARGS, lambda: call("UnlockFor", sig="")),
        (INVALID_ARGS, lambda: env.unlock_for(0)),
        (INVALID_ARGS, lambda: env.unlock_for(86401)),
        (INVALID_ARGS, lambda: call("Lock", 1, sig="u")),
        (INVALID_ARGS, lambda: env.set("AutoRelockSeconds", 3601)),
        (INVALID_ARGS, lambda: env.set("AutoRelockSeconds", "5", sig="s")),
        (INVALID_ARGS, lambda: env.set_mode("holiday")),
        (INVALID_ARGS, lambda: env.set_mode("")),
        (INVALID_ARGS, lambda: call("SetMode", 1, sig="u")),
        (INVALID_ARGS, lambda: call("GetLog", "0", 5, sig="su")),
        (INVALID_ARGS, lambda: env.press("12a4#")),
        (INVALID_ARGS, lambda: env.press("")),
        ("org.freedesktop.DBus.Error.LimitsExceeded", lambda: env.press("1" * 257)),
        (INVALID_ARGS, lambda: env.set_door("ajar")),
        (INVALID_ARGS, lambda: env.set_door("unknown")),
        (INVALID_ARGS, lambda: call("SetJammed", "yes", sig="s", iface="org.doorlockd.Simulator1")),
        ("org.freedesktop.DBus.Error.PropertyReadOnly", lambda: env.set("State", "unlocked", sig="s")),
        ("org.freedesktop.DBus.Error.PropertyReadOnly", lambda: env.set("CodeCount", 0, sig="u")),
        ("org.freedesktop.DBus.Error.UnknownMethod", lambda: call("Open")),
    ]
    problems = []
    for i, (name, fn) in enumerate(cases):
        try:
            env.refused(name, fn)
        except AssertionError as e:
            problems.append(f"case {i}: {e}")
    eq(env.state(), "locked", "State")
    check(not problems, f"{len(problems)} of {len(cases)} refusals wrong:\n" + "\n".join(problems))


@suite.case("AutoRelockSeconds is writable (0..3600), emits PropertiesChanged and is audited")
def _(env):
    m = env.mark()
    env.set("AutoRelockSeconds", 2)
    eq(env.get("AutoRelockSeconds"), 2, "AutoRelockSeconds")
    env.wait_for(lambda: any(s.args[0] == LOCK_IFACE and s.args[1].get("AutoRelockSeconds") == 2
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged AutoRelockSeconds")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "setting")
    check("AutoRelockSeconds=2" in entry.args[4].get("details", ""), f"setting entry {entry.args}")
    env.set("AutoRelockSeconds", 3600)
    eq(env.get("AutoRelockSeconds"), 3600, "AutoRelockSeconds")
    env.set("AutoRelockSeconds", 0)
    eq(env.get("AutoRelockSeconds"), 0, "AutoRelockSeconds")
    # 0 = never relock by itself.
    env.unlock()
    env.hold(lambda: env.state() == "unlocked", 1.3, "unlocked with AutoRelockSeconds=0")
    env.lock()


@suite.case("GetManagedObjects holds the codes only; Lock1 properties are all there with the right types")
def _(env):
    env.add_code("Alice", PIN1)
    objs = env.call("GetManagedObjects", iface="org.freedesktop.DBus.ObjectManager")
    for p in objs:
        check(p.startswith(CODE_PREFIX + "/"), f"unexpected object {p} in GetManagedObjects")
    props = env.get_all()
    types = {"State": str, "Door": str, "Mode": str, "AutoRelockSeconds": int, "KeypadLockedUntil": int,
             "NetworkLockedUntil": int,
             "CodeCount": int, "MaxCodes": int, "ClockTrusted": bool, "ClockSynchronized": bool,
             "Version": str, "EmergencyCodesLeft": int, "Hardware": str, "Tamper": bool}
    eq(set(props), set(types), "Lock1 properties")
    for k, t in types.items():
        check(isinstance(props[k], t), f"{k} is {type(props[k]).__name__}")
    eq((props["State"], props["Door"], props["Mode"]), ("locked", "closed", "normal"), "State, Door, Mode")
    eq((props["AutoRelockSeconds"], props["MaxCodes"], props["CodeCount"]), (1, 200, 1),
       "AutoRelockSeconds, MaxCodes, CodeCount")
    check(props["Version"], "Version is empty")
    # Properties interface sanity for a single Get too.
    eq(env.call("Get", LOCK_IFACE, "Mode", sig="ss", iface=PROPS_IFACE), "normal", "Get Mode")


if __name__ == "__main__":
    suite.run()
