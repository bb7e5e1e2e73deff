# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests through lockctl: status, code add/list/
remove, lock/unlock, mode, lockout, and lockctl's exit statuses (1 refused
by the daemon, 2 usage, 3 not reachable).  The bus is used to check what
lockctl did.  Every case is skipped when lockctl is not built, or does not
know the command."""

import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ADMIN, LOCKCTL, NOBODY, OBSERVER, PIN1, PIN2, PIN3, WRONG_PIN, Suite, check, eq)

suite = Suite("lockctl")


def ok(p, what):
    check(p.returncode == 0, f"{what}: exit status {p.returncode}, stderr {p.stderr.strip()!r}")
    return p


def names_on_bus(env):
    return sorted(c["Name"] for c in env.codes().values())


def json_codes(out):
    data = json.loads(out)
    if isinstance(data, dict):
        check("codes" in data, f"no 'codes' key in {data}")
        data = data["codes"]
    check(isinstance(data, list), f"code list JSON is not a list: {data}")
    return data


@suite.case("lockctl status: exit 0, shows the state; --json matches the bus")
def _(env):
    env.need_lockctl("status")
    p = ok(env.lockctl("status"), "lockctl status")
    check(re.search(r"\blocked\b", p.stdout), f"status does not say locked: {p.stdout!r}")
    env.add_code("Alice", PIN1)
    p = ok(env.lockctl("status", "--json"), "lockctl status --json")
    data = json.loads(p.stdout)
    props = env.get_all()
    check(data.get("state") == props["State"], f"state in {data}")
    check(data.get("code_count") == props["CodeCount"] == 1, f"code_count in {data}")
    check(data.get("mode") == "normal", f"mode in {data}")


@suite.case("lockctl code add NAME --pin PIN: the code is on the bus and the PIN opens")
def _(env):
    env.need_lockctl("code", "add")
    p = ok(env.lockctl("code", "add", "Alice", "--pin", PIN1), "code add")
    check(PIN1 not in p.stdout, "code add echoed a chosen PIN")
    eq(names_on_bus(env), ["Alice"], "codes on the bus")
    sig = env.enter(PIN1)
    eq((sig.member, sig.args[2] if sig.member == "AccessGranted" else sig.args), ("AccessGranted", "Alice"),
       "entry with the PIN added by lockctl")
    env.wait_unlocked()
    env.lock()


@suite.case("lockctl code add --pin - reads the PIN from standard input")
def _(env):
    env.need_lockctl("code", "add")
    ok(env.lockctl("code", "add", "Bob", "--pin", "-", input=PIN2 + "\n"), "code add --pin -")
    eq(names_on_bus(env), ["Bob"], "codes on the bus")
    eq(env.enter(PIN2).member, "AccessGranted", "entry with the PIN read from stdin")
    env.wait_unlocked()
    env.lock()


@suite.case("lockctl code add without --pin: a random PIN shown once, and it opens")
def _(env):
    env.need_lockctl("code", "add")
    p = ok(env.lockctl("code", "add", "Carol", "--json"), "code add --json (random)")
    data = json.loads(p.stdout)
    pin = data.get("pin", "")
    check(pin.isdigit() and len(pin) == 6, f"random PIN in {data}")
    eq(data.get("name"), "Carol", "name in the JSON")
    sig = env.enter(pin)
    eq(sig.member, "AccessGranted", f"entry with the random PIN ({sig.args})")
    env.wait_unlocked()
    env.lock()
    p = ok(env.lockctl("code", "add", "Dave", "--random=8"), "code add --random=8")
    check(re.search(r"\b\d{8}\b", p.stdout), f"no 8-digit PIN shown: {p.stdout!r}")


@suite.case("lockctl code list --json matches GetManagedObjects")
def _(env):
    env.need_lockctl("code", "list")
    p = ok(env.lockctl("code", "list", "--json"), "code list --json (empty)")
    eq(json_codes(p.stdout), [], "empty list")
    a, _ = env.add_code("Alice", PIN1)
    env.add_code("Guest", PIN2, OneTime=True)
    eq(env.enter(PIN1).member, "AccessGranted", "entry")
    env.wait_unlocked()
    env.lock()
    p = ok(env.lockctl("code", "list", "--json"), "code list --json")
    listed = {c["id"]: c for c in json_codes(p.stdout)}
    bus = {c["Id"]: c for c in env.codes().values()}
    eq(sorted(listed), sorted(bus), "ids")
    for i, c in bus.items():
        got = listed[i]
        eq((got.get("name"), got.get("kind"), got.get("uses"), got.get("active")),
           (c["Name"], c["Kind"], c["Uses"], c["Active"]), f"code {i}")
    p = ok(env.lockctl("code", "list"), "code list")
    check("Alice" in p.stdout and "Guest" in p.stdout, f"table lacks the codes: {p.stdout!r}")


@suite.case("lockctl code remove NAME and ID")
def _(env):
    env.need_lockctl("code", "remove")
    a, _ = env.add_code("Alice", PIN1)
    b, _ = env.add_code("Bob", PIN2)
    ok(env.lockctl("code", "remove", "Alice"), "code remove Alice")
    eq(names_on_bus(env), ["Bob"], "codes after removing Alice")
    ok(env.lockctl("code", "remove", str(env.code_prop(b, "Id"))), "code remove by id")
    eq(names_on_bus(env), [], "codes after removing Bob by id")
    p = env.lockctl("code", "remove", "Nobody")
    check(p.returncode in (1, 2), f"removing a missing code: exit status {p.returncode}")
    check(p.stderr.strip(), "no message for a missing code")


@suite.case("lockctl unlock / lock move the bolt")
def _(env):
    env.need_lockctl("unlock")
    env.need_lockctl("lock")
    m = env.mark()
    ok(env.lockctl("unlock"), "unlock")
    env.wait_unlocked()
    g = env.wait_signal("AccessGranted", since=m)
    eq(g.args, ["dbus", "/", ""], "AccessGranted of lockctl unlock")
    ok(env.lockctl("lock"), "lock")
    env.wait_locked()


@suite.case("lockctl unlock --for 2 holds the door open about 2 s")
def _(env):
    env.need_lockctl("unlock")
    m = env.mark()
    ok(env.lockctl("unlock", "--for", "2"), "unlock --for 2")
    t_unlocked = env.wait_state_signal("unlocked", since=m)
    t_locking = env.wait_state_signal("locking", since=m, timeout=5)
    held = t_locking - t_unlocked
    check(1.8 <= held <= 2.8, f"held {held:.2f} s")
    env.wait_locked()


@suite.case("lockctl mode and lockout reset")
def _(env):
    env.need_lockctl("mode")
    env.need_lockctl("lockout")
    ok(env.lockctl("mode", "privacy"), "mode privacy")
    eq(env.get("Mode"), "privacy", "Mode")
    ok(env.lockctl("mode", "normal"), "mode normal")
    eq(env.get("Mode"), "normal", "Mode")
    env.add_code("Alice", PIN1)
    m = env.mark()
    for _ in range(3):
        env.enter(WRONG_PIN)
    env.wait_signal("Alarm", since=m)
    check(env.get("KeypadLockedUntil") > 0, "not locked out")
    ok(env.lockctl("lockout", "reset"), "lockout reset")
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil")


@suite.case("lockctl exit status 1 when the daemon refuses, with its message; nothing changes")
def _(env):
    env.need_lockctl("code", "add")
    env.add_code("Alice", PIN1)
    before = env.snapshot()
    for args, what in ((("code", "add", "Bob", "--pin", "123456"), "weak PIN"),
                       (("code", "add", "Alice", "--pin", PIN2), "duplicate name"),
                       (("code", "add", "Bob", "--pin", PIN1), "duplicate PIN"),
                       (("code", "add", "1234", "--pin", PIN3), "digits-only name")):
        p = env.lockctl(*args)
        eq(p.returncode, 1, f"{what}: exit status (stderr {p.stderr.strip()!r})")
        check(p.stderr.strip(), f"{what}: no message")
    eq(env.snapshot(), before, "state after the refusals")
    env.set_mode("passage")
    env.wait_unlocked()
    p = env.lockctl("lock")
    eq(p.returncode, 1, f"lock in passage mode: exit status (stderr {p.stderr.strip()!r})")
    check("passage" in p.stderr.lower(), f"message does not mention passage mode: {p.stderr!r}")
    eq(env.state(), "unlocked", "State")
    env.set_mode("normal")


@suite.case("lockctl exit status 3 when the bus address points nowhere", daemon=False)
def _(env):
    nowhere = "unix:path=" + os.path.join(env.workdir, "no-such-socket")
    for args in (("status",), ("lock",), ("code", "list")):
        p = env.lockctl(*args, address=nowhere)
        eq(p.returncode, 3, f"lockctl {' '.join(args)}: exit status (stderr {p.stderr.strip()!r})")
        # The message names the address tried, where it came from, and the
        # likely fixes (a stale variable, the demo's bus).
        err = p.stderr
        for want in (nowhere, "No such file or directory", "DBUS_SYSTEM_BUS_ADDRESS", "build/demo/bus"):
            check(want in err, f"lockctl {' '.join(args)}: {want!r} not in the message {err.strip()!r}")
    # Without the variable: sd-bus's default socket, and "is dbus running".
    # Only where that socket does not exist (no dbus on this machine).
    if not os.path.exists("/run/dbus/system_bus_socket"):
        env_unset = dict(os.environ)
        env_unset.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        p = subprocess.run([LOCKCTL, "status"], capture_output=True, text=True, env=env_unset, timeout=20)
        eq(p.returncode, 3, f"no variable: exit status (stderr {p.stderr.strip()!r})")
        for want in ("unix:path=/run/dbus/system_bus_socket", "Is dbus running",
                     "export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$PWD/build/demo/bus"):
            check(want in p.stderr, f"no variable: {want!r} not in the message {p.stderr.strip()!r}")
    else:
        env.note("the machine's system bus socket exists: the message without the variable is not checked")


@suite.case("lockctl exit status 3 when the bus is there but doorlockd is not", daemon=False)
def _(env):
    for args in (("status",), ("code", "list")):
        p = env.lockctl(*args)
        eq(p.returncode, 3, f"lockctl {' '.join(args)}: exit status (stderr {p.stderr.strip()!r})")
        for want in ("doorlockd is not running on the bus", "org.doorlockd.Lock1", "systemctl status doorlockd"):
            check(want in p.stderr, f"lockctl {' '.join(args)}: {want!r} not in {p.stderr.strip()!r}")


@suite.case("lockctl exit status 2 for usage errors")
def _(env):
    env.need_lockctl("status")
    for args in (("bogus",), ("code", "add"), ("code", "add", "X", "--uses", "abc"),
                 ("unlock", "--for", "soon"), ("mode", "holiday"), ("status", "--no-such-option")):
        p = env.lockctl(*args)
        eq(p.returncode, 2, f"lockctl {' '.join(args)}: exit status (stderr {p.stderr.strip()!r})")
    eq(env.get("CodeCount"), 0, "CodeCount")


@suite.case("lockctl as other users: observer may read, not act; nobody sees status only", root=True)
def _(env):
    env.need_lockctl("status")
    env.add_code("Alice", PIN1)
    p = env.lockctl("lock", user=OBSERVER)
    eq(p.returncode, 1, f"lock as observer (stderr {p.stderr.strip()!r})")
    p = env.lockctl("code", "add", "Eve", "--pin", PIN3, user=OBSERVER)
    eq(p.returncode, 1, f"code add as observer (stderr {p.stderr.strip()!r})")
    p = ok(env.lockctl("code", "list", "--json", user=OBSERVER), "code list as observer")
    eq([c["name"] for c in json_codes(p.stdout)], ["Alice"], "codes listed to the observer")
    ok(env.lockctl("status", user=NOBODY), "status as nobody")
    p = env.lockctl("code", "list", user=NOBODY)
    eq(p.returncode, 1, f"code list as nobody (stderr {p.stderr.strip()!r})")
    ok(env.lockctl("code", "add", "Dana", "--pin", PIN2, user=ADMIN), "code add as dl-admin")
    eq(names_on_bus(env), ["Alice", "Dana"], "codes")
    eq(env.code_prop(env.add_code("Zed", PIN3)[0], "Name"), "Zed", "root still adds")


if __name__ == "__main__":
    suite.run()
