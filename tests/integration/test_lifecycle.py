# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: the daemon's life.  Clean exit on SIGTERM and
SIGINT, restart keeps everything, the exported introspection matches
dbus/org.doorlockd.Lock1.xml, the config file and the command line."""

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BUS_NAME, CODE_IFACE, DOORLOCKD, ERR, INTROSPECT_IFACE, LOCK_IFACE, LOCK_PATH, PIN1, PIN2,
    SIM_IFACE, SOURCE_ROOT, WRONG_PIN, Daemon, Failure, Suite, check, eq, iterate, now_usec)

suite = Suite("lifecycle")

EMITS = "org.freedesktop.DBus.Property.EmitsChangedSignal"


@suite.case("SIGTERM: exit status 0 within 2 s, with a client connected and a code stored")
def _(env):
    env.add_code("Alice", PIN1)
    env.press("12")  # a half-typed entry and its timer
    env.get_all()
    rc, took = env.daemon.stop(signal.SIGTERM)
    eq(rc, 0, "exit status")
    check(took < 2.0, f"took {took:.2f} s")
    env.note(f"exited in {took * 1000:.0f} ms")


@suite.case("SIGINT: exit status 0 within 2 s")
def _(env):
    rc, took = env.daemon.stop(signal.SIGINT)
    eq(rc, 0, "exit status")
    check(took < 2.0, f"took {took:.2f} s")


@suite.case("SIGTERM while an Unlock() reply is pending (jammed bolt, unlocked auto-relock timer)")
def _(env):
    env.set_jammed(True)
    replies = []
    env.conn.call_async(BUS_NAME, LOCK_PATH, LOCK_IFACE, "Unlock", "", (),
                        lambda *a: replies.append(("ok", a)), lambda e: replies.append(("error", e)),
                        timeout=10)
    env.wait_prop("State", "unlocking")
    rc, took = env.daemon.stop(signal.SIGTERM)
    eq(rc, 0, "exit status")
    check(took < 2.0, f"took {took:.2f} s")
    env.wait_for(lambda: replies, timeout=5, what="an answer to the pending Unlock()")
    env.note(f"pending Unlock() answered: {replies[0][0]} "
             f"{replies[0][1].get_dbus_name() if replies[0][0] == 'error' else ''}")


@suite.case("restart keeps codes, Uses, mode, AutoRelockSeconds, lockout and the log",
            config={"Lockout": {"FirstSeconds": "60", "MaxSeconds": "120"}})
def _(env):
    a, _ = env.add_code("Alice", PIN1, MaxUses=5)
    o, _ = env.add_code("Guest", PIN2, OneTime=True)
    for pin in (PIN1, PIN2):
        eq(env.enter(pin).member, "AccessGranted", f"entry {pin}")
        env.wait_unlocked()
        env.lock()
    m = env.mark()
    for _ in range(3):
        env.enter(WRONG_PIN)
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    until = env.get("KeypadLockedUntil")
    check(until > now_usec() + 30_000_000, f"KeypadLockedUntil {until}")
    env.set("AutoRelockSeconds", 7)
    env.set_mode("privacy")
    env.set("Name", "Alice B.", path=a, iface=CODE_IFACE)
    before = env.snapshot()
    log_before = env.get_log()

    env.restart_daemon()

    after = env.snapshot()
    eq(after, before, "properties and codes across the restart")
    props, codes = after
    eq((props["Mode"], props["AutoRelockSeconds"], props["KeypadLockedUntil"], props["CodeCount"]),
       ("privacy", 7, until, 2), "Mode, AutoRelockSeconds, KeypadLockedUntil, CodeCount")
    eq((codes[a]["Name"], codes[a]["Uses"], codes[a]["MaxUses"]), ("Alice B.", 1, 5), "Alice")
    eq((codes[o]["Uses"], codes[o]["Active"]), (1, False), "one-time code after its use")
    log_after = env.get_log()
    eq(log_after[:len(log_before)], log_before, "the log before the restart")
    sig = env.enter(PIN1)
    eq((sig.member, sig.args), ("AccessDenied", ["keypad", "locked-out"]), "entry after the restart")
    env.reset_lockout()
    sig = env.enter(PIN1)
    eq((sig.member, sig.args), ("AccessDenied", ["keypad", "privacy-mode"]), "entry in privacy mode")


@suite.case("restart in passage mode: unlocked again and Lock() still ModeForbids")
def _(env):
    env.set_mode("passage")
    env.wait_unlocked()
    env.restart_daemon()
    eq(env.get("Mode"), "passage", "Mode")
    env.wait_unlocked()
    env.expect_error(ERR + "ModeForbids", env.lock)
    env.set_mode("normal")
    env.wait_locked(timeout=4)


@suite.case("ResetClock trusts the clock again and is audited")
def _(env):
    m = env.mark()
    env.call("ResetClock")
    eq(env.get("ClockTrusted"), True, "ClockTrusted")
    entry = env.wait_signal("LogEntry", since=m)
    eq(entry.args[2], "clock", "event of ResetClock's log entry")


def parse_introspection(text):
    root = ET.fromstring(text)
    out = {}
    for iface in root.findall("interface"):
        default = "true"
        for an in iface.findall("annotation"):
            if an.get("name") == EMITS:
                default = an.get("value")
        methods, signals, props = {}, {}, {}
        for m in iface.findall("method"):
            methods[m.get("name")] = [(a.get("name"), a.get("type"), a.get("direction") or "in")
                                      for a in m.findall("arg")]
        for s in iface.findall("signal"):
            signals[s.get("name")] = [a.get("type") for a in s.findall("arg")]
        for p in iface.findall("property"):
            emits = default
            for an in p.findall("annotation"):
                if an.get("name") == EMITS:
                    emits = an.get("value")
            props[p.get("name")] = (p.get("type"), p.get("access"), emits)
        out[iface.get("name")] = {"methods": methods, "signals": signals, "properties": props}
    return out, [n.get("name") for n in root.findall("node")]


def diff_iface(name, want, got):
    problems = []
    for kind in ("methods", "signals", "properties"):
        w, g = want[kind], got[kind]
        for k in sorted(set(w) - set(g)):
            problems.append(f"{name}: {kind[:-1]} {k} missing from the daemon")
        for k in sorted(set(g) - set(w)):
            problems.append(f"{name}: {kind[:-1]} {k} exported but not in the XML")
        for k in sorted(set(w) & set(g)):
            if w[k] != g[k]:
                problems.append(f"{name}: {kind[:-1]} {k}: XML {w[k]}, daemon {g[k]}")
    return problems


@suite.case("introspection of the running daemon matches dbus/org.doorlockd.Lock1.xml")
def _(env):
    with open(os.path.join(SOURCE_ROOT, "dbus", "org.doorlockd.Lock1.xml")) as f:
        contract, _ = parse_introspection(f.read())
    eq(sorted(contract), sorted([LOCK_IFACE, CODE_IFACE, SIM_IFACE]), "interfaces in the XML")
    path, _ = env.add_code("Alice", PIN1)
    lock, children = parse_introspection(env.call("Introspect", path=LOCK_PATH, iface=INTROSPECT_IFACE))
    code, _ = parse_introspection(env.call("Introspect", path=path, iface=INTROSPECT_IFACE))
    problems = []
    for iface, exported in ((LOCK_IFACE, lock), (SIM_IFACE, lock), (CODE_IFACE, code)):
        if iface not in exported:
            problems.append(f"{iface} not exported")
            continue
        problems += diff_iface(iface, contract[iface], exported[iface])
    own = lambda d: sorted(i for i in d if i.startswith("org.doorlockd."))  # noqa: E731
    eq(own(lock), [LOCK_IFACE, SIM_IFACE], f"org.doorlockd interfaces at {LOCK_PATH}")
    eq(own(code), [CODE_IFACE], f"org.doorlockd interfaces at {path}")
    check("org.freedesktop.DBus.ObjectManager" in lock, "no ObjectManager at " + LOCK_PATH)
    check("code" in children, f"no child node 'code' under {LOCK_PATH}: {children}")
    check(not problems, "introspection differs from the XML:\n" + "\n".join(problems))


def run_doorlockd(args, timeout=5):
    return subprocess.run([DOORLOCKD] + args, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL,
                          env={k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"})


@suite.case("bad config: exit status 1 and a message naming file, line and key", daemon=False)
def _(env):
    bad = [
        ("[Lock]\nAutoRelockSecond=5\n", 2, "AutoRelockSecond"),
        ("[Lock]\nAutoRelockSeconds=abc\n", 2, "AutoRelockSeconds"),
        ("[Lock]\nAutoRelockSeconds=3601\n", 2, "AutoRelockSeconds"),
        ("# c\n[Lok]\nAutoRelockSeconds=5\n", 2, "Lok"),
        ("[Lock]\nDoorSensor=maybe\n", 2, "DoorSensor"),
        ("[Codes]\nMaxCodes=0\n", 2, "MaxCodes"),
        ("[Lock]\nAutoRelockSeconds=5 # five\n", 2, "AutoRelockSeconds"),
    ]
    problems = []
    for i, (text, line, key) in enumerate(bad):
        path = os.path.join(env.workdir, f"bad{i}.conf")
        with open(path, "w") as f:
            f.write(text)
        p = run_doorlockd(["--simulate", "--state-dir", os.path.join(env.workdir, "state"),
                           "--config", path])
        if p.returncode != 1:
            problems.append(f"{text!r}: exit status {p.returncode}, want 1")
        elif path not in p.stderr or f":{line}" not in p.stderr or key not in p.stderr:
            problems.append(f"{text!r}: message does not name {path}, line {line} and {key}: {p.stderr!r}")
    check(not problems, "\n".join(problems))


@suite.case("a missing config file means all defaults", daemon=False)
def _(env):
    env.start_daemon(config_path=os.path.join(env.workdir, "does-not-exist.conf"))
    eq((env.get("AutoRelockSeconds"), env.get("MaxCodes")), (5, 200), "AutoRelockSeconds, MaxCodes")


@suite.case("without --simulate: Backend=simulated in the file runs the simulator", daemon=False)
def _(env):
    env.start_daemon(config={"Hardware": {"Backend": "simulated"}}, simulate=False)
    eq(env.state(), "locked", "State")
    env.press("1#")  # Simulator1 is there


@suite.case("READY=1 comes with a STATUS= line; --version and --help exit 0; bad option fails")
def _(env):
    check(env.daemon.status, "no STATUS= line with READY=1")
    env.note(f"STATUS={env.daemon.status}")
    p = run_doorlockd(["--version"])
    eq(p.returncode, 0, "--version exit status")
    check(p.stdout.strip(), "--version printed nothing")
    eq(p.stdout.split()[-1], env.get("Version"), "--version vs the Version property")
    p = run_doorlockd(["--help"])
    eq(p.returncode, 0, "--help exit status")
    check("--state-dir" in p.stdout and "--simulate" in p.stdout, f"--help output {p.stdout!r}")
    p = run_doorlockd(["--no-such-option"])
    check(p.returncode != 0, "an unknown option exits 0")


@suite.case("a second doorlockd on the same bus fails to start and leaves the first alone")
def _(env):
    d2 = Daemon(env.bus.address, env.workdir, state_dir=os.path.join(env.workdir, "state2"),
                config_path=env.daemon.config_path)
    try:
        d2.start(timeout=5)
    except Failure:
        pass
    else:
        d2.stop()
        raise Failure("a second doorlockd became ready on a bus name already taken")
    eq(env.state(), "locked", "the first daemon still answers")


@suite.case("idle means asleep: no CPU time used over 1 s while idle")
def _(env):
    pid = env.daemon.proc.pid

    def cpu():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime, clock ticks

    iterate(0.05)
    c0 = cpu()
    t0 = time.monotonic()
    env.hold(lambda: True, 1.0, "idle")
    used = cpu() - c0
    ticks = os.sysconf("SC_CLK_TCK")
    check(used <= 2, f"doorlockd used {used} ticks ({used / ticks:.2f} s) "
                     f"in {time.monotonic() - t0:.1f} s idle")


if __name__ == "__main__":
    suite.run()
