# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: the hardware face on the simulator, which
implements the whole backend interface (daemon/hw/hw.h).  A fresh install
with no hardware configured (NoHardware), the exit button, the doorbell,
the tamper switch, cards, rejected input, a bolt between its sensors, an
unfinished drive found at start-up, and the installer's checks (GetHardware,
TestHardware, lockctl hw)."""

import os
import json
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ACCESS_DENIED, ERR, INVALID_ARGS, OBSERVER, PIN1, SIM_IFACE, WRONG_PIN,  # noqa: E402
                     Suite, check, eq)

suite = Suite("hardware")

NO_HW = ERR + "NoHardware"


def sim(env, method, *args, sig=""):
    return env.call(method, *args, sig=sig, iface=SIM_IFACE)


def log_events(env, since_seq=0):
    return [(e[2], e[3], e[4]) for e in env.get_log() if e[1] > since_seq]


def last_seq(env):
    log = env.get_log()
    return log[-1][1] if log else 0


def wait_log(env, event, since_seq, timeout=5.0):
    def have():
        found = [x for x in log_events(env, since_seq) if x[0] == event]
        return found or None
    return env.wait_for(have, timeout, what=f"a log entry {event}")


@suite.case("a fresh install (Backend=gpio, nothing configured): D-Bus served, State unknown, "
            "Hardware none; Lock, Unlock, UnlockFor and passage mode refused with NoHardware naming "
            "the config file; codes and privacy mode still work", daemon=False)
def _(env):
    env.start_daemon(config={"Hardware": {"Backend": "gpio"}}, simulate=False)
    check("no hardware is configured" in (env.daemon.status or ""), f"STATUS={env.daemon.status!r}")
    check("doorlockd.conf" in env.daemon.status, f"STATUS names the config file: {env.daemon.status!r}")
    eq(env.get("Hardware"), "none", "Hardware")
    eq(env.state(), "unknown", "State")
    for what, fn in (("Lock", env.lock), ("Unlock", env.unlock), ("UnlockFor", lambda: env.unlock_for(5)),
                     ("SetMode(passage)", lambda: env.set_mode("passage"))):
        name, msg = env.refused(NO_HW, fn)
        check("doorlockd.conf" in msg and "wiring.md" in msg, f"{what}: message {msg!r}")
    env.add_code("Alice", PIN1)
    env.set_mode("privacy")
    eq(env.get("Mode"), "privacy", "Mode")
    err = env.error_of(sim, env, "PressKeys", "1#", sig="s")
    check(err is not None, "Simulator1 is exported without the simulator")
    info, lines = env.call("GetHardware")
    eq((info["Backend"], info["Keypad"], info["Actuator"]), ("none", "none", "none"), "GetHardware info")
    check("doorlockd.conf" in info["Hint"], f"Hint {info['Hint']!r}")
    eq(lines, [], "no lines")
    env.expect_error(NO_HW, env.call, "TestHardware", "buzzer", sig="s")


@suite.case("lockctl on a fresh install: status and hw status say no hardware is configured and where "
            "to configure it; hw test fails with the daemon's message", daemon=False)
def _(env):
    env.start_daemon(config={"Hardware": {"Backend": "gpio"}}, simulate=False)
    env.need_lockctl("hw", "status")
    p = env.lockctl("status")
    eq(p.returncode, 0, f"lockctl status: {p.stderr}")
    check("none configured" in p.stdout and "doorlockd.conf" in p.stdout and "wiring.md" in p.stdout,
          f"lockctl status output: {p.stdout!r}")
    p = env.lockctl("hw", "status")
    eq(p.returncode, 0, f"lockctl hw status: {p.stderr}")
    check("none" in p.stdout and "doorlockd.conf" in p.stdout, f"lockctl hw status: {p.stdout!r}")
    p = env.lockctl("hw", "test", "lock")
    eq(p.returncode, 1, f"lockctl hw test lock exit status ({p.stdout!r} {p.stderr!r})")
    check("no hardware is configured" in p.stderr, f"message: {p.stderr!r}")
    p = env.lockctl("lock")
    eq(p.returncode, 1, "lockctl lock")
    check("no hardware is configured" in p.stderr, f"lockctl lock message: {p.stderr!r}")


@suite.case("the exit button unlocks with source button, in privacy mode and during a keypad lockout too",
            config={"Lockout": {"Attempts": "3"}})
def _(env):
    env.set_mode("privacy")
    for _ in range(3):
        env.enter(WRONG_PIN)
    check(env.get("KeypadLockedUntil") > 0, "keypad locked out")
    seq = last_seq(env)
    m = env.mark()
    sim(env, "PressExitButton")
    env.wait_unlocked()
    g = env.wait_signal("AccessGranted", since=m)
    eq(g.args[0], "button", "AccessGranted source")
    ev = log_events(env, seq)
    check(any(e == "unlock" and s == "button" and d.get("cause") == "button" for e, s, d in ev),
          f"log: {ev}")
    check(any(e == "access-granted" and s == "button" for e, s, d in ev), f"log: {ev}")


@suite.case("door-forced is raised when the door opens while locked, but not right after the exit "
            "button (logged as opened from inside)", config={"Lock": {"AutoRelockSeconds": "1"}})
def _(env):
    m = env.mark()
    env.set_door("open")
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "door-forced")
    env.set_door("closed")
    sim(env, "PressExitButton")
    env.wait_unlocked()
    env.wait_locked(timeout=5)
    m = env.mark()
    seq = last_seq(env)
    env.set_door("open")
    wait_log(env, "door-opened-from-inside", seq)
    env.hold(lambda: True, 0.3)
    check(not env.find_signals("Alarm", since=m), f"alarm after the exit button: {env.signal_summary(m)}")
    env.set_door("closed")


@suite.case("the door held open: Alarm held-open after DoorHeldOpenSeconds, once; cleared when it closes; "
            "a door closed in time raises nothing", config={"Lock": {"DoorHeldOpenSeconds": "1"}})
def _(env):
    env.unlock()
    env.wait_unlocked()
    m = env.mark()
    env.set_door("open")
    env.hold(lambda: not env.find_signals("Alarm", since=m), 0.7, "no alarm before the time")
    env.set_door("closed")
    env.hold(lambda: not env.find_signals("Alarm", since=m), 0.6, "no alarm for a door closed in time")
    env.unlock()
    env.wait_unlocked()
    m = env.mark()
    seq = last_seq(env)
    env.set_door("open")
    a = env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "held-open", timeout=3)
    check("1 s" in a.args[1], f"detail {a.args[1]!r}")
    env.hold(lambda: len(env.find_signals("Alarm", since=m)) == 1, 1.2, "one held-open alarm")
    env.set_door("closed")
    wait_log(env, "held-open-cleared", seq)


@suite.case("the doorbell: a Doorbell signal and a log entry; the bolt does not move")
def _(env):
    seq = last_seq(env)
    m = env.mark()
    sim(env, "RingDoorbell")
    env.wait_signal("Doorbell", since=m)
    wait_log(env, "doorbell", seq)
    eq(env.state(), "locked", "State")


@suite.case("the tamper switch: Alarm tamper and Tamper true when it opens; tamper-cleared when it "
            "closes; the same report twice changes nothing")
def _(env):
    eq(env.get("Tamper"), False, "Tamper at start")
    seq = last_seq(env)
    m = env.mark()
    sim(env, "SetTamper", True, sig="b")
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "tamper")
    eq(env.get("Tamper"), True, "Tamper")
    sim(env, "SetTamper", True, sig="b")
    sim(env, "SetTamper", False, sig="b")
    wait_log(env, "tamper-cleared", seq)
    eq(env.get("Tamper"), False, "Tamper after")
    eq(len(env.find_signals("Alarm", since=m)), 1, "one alarm")


@suite.case("a card is logged as card-presented with a keyed tag, never its number; the same card gives "
            "the same tag, another a different one, across a restart too; cards do not open")
def _(env):
    number = 0x5A1234  # facility 0x5A, card 0x1234
    seq = last_seq(env)
    sim(env, "PresentCard", 26, number, sig="ut")
    first = wait_log(env, "card-presented", seq)[-1][2]["details"]
    for s in (str(number), f"{number:x}", f"{number:X}", str(0x1234), "4660", "1234"):
        check(s not in first, f"the card number ({s}) shows in {first!r}")
    tag = first.split("tag ")[1].split()[0]
    eq(len(tag), 16, f"tag {tag!r}")
    seq = last_seq(env)
    sim(env, "PresentCard", 26, number, sig="ut")
    sim(env, "PresentCard", 26, number + 1, sig="ut")
    got = [d["details"] for e, s, d in log_events(env, seq) if e == "card-presented"]
    env.wait_for(lambda: len([e for e in log_events(env, seq) if e[0] == "card-presented"]) == 2 or None,
                 5, what="two card entries")
    got = [d["details"] for e, s, d in log_events(env, seq) if e == "card-presented"]
    check(tag in got[0] and tag not in got[1], f"tags: {got}")
    eq(env.state(), "locked", "a card does not open")
    env.restart_daemon()
    seq = last_seq(env)
    sim(env, "PresentCard", 26, number, sig="ut")
    again = wait_log(env, "card-presented", seq)[-1][2]["details"]
    check(tag in again, f"after a restart: {again!r} (tag {tag})")


@suite.case("rejected input is summed up: the first refusal of a minute is logged, the rest counted")
def _(env):
    seq = last_seq(env)
    for _ in range(20):
        sim(env, "RejectInput", "wiegand", "parity", sig="ss")
    wait_log(env, "input-rejected", seq)
    env.hold(lambda: True, 0.3)
    n = len([e for e in log_events(env, seq) if e[0] == "input-rejected"])
    eq(n, 1, "entries for 20 refusals within a minute")


@suite.case("a bolt between its sensors: State unknown, no relock; the next command drives it again",
            config={"Lock": {"AutoRelockSeconds": "1"}})
def _(env):
    env.unlock()
    env.wait_unlocked()
    sim(env, "SetBoltUnknown")
    env.wait_prop("State", "unknown")
    env.hold(lambda: env.state() == "unknown", 1.5, "no relock of a bolt in an unknown position")
    env.lock()
    env.wait_locked()


@suite.case("killed mid-drive: after the restart the bolt is not driven again, alarm drive-interrupted "
            "is logged with where it stands, and the lock works normally again")
def _(env):
    env.set_jammed(True)
    env.conn.call_async("org.doorlockd.Lock1", "/org/doorlockd/Lock1", "org.doorlockd.Lock1", "Unlock", "",
                        (), lambda *a: None, lambda e: None, timeout=10)
    env.wait_prop("State", "unlocking")
    env.daemon.kill()
    env.daemon.start()
    ev = [x for x in log_events(env) if x[0] == "alarm" and "drive-interrupted" in x[2].get("details", "")]
    check(ev, f"no drive-interrupted alarm in the log: {log_events(env)[-5:]}")
    eq(env.state(), "locked", "the bolt is where the sensors say")
    env.hold(lambda: env.state() == "locked", 0.5, "not driven after the restart")
    env.unlock()
    env.wait_unlocked()
    env.restart_daemon()
    later = [x for x in log_events(env) if x[0] == "alarm" and "drive-interrupted" in x[2].get("details", "")]
    eq(len(later), 1, "a clean restart raises no new drive-interrupted")


@suite.case("GetHardware on the simulator: backend, parts and every line's live level; observers may "
            "read it")
def _(env):
    info, lines = env.call("GetHardware")
    eq(info["Backend"], "simulated", "Backend")
    eq(info["Hint"], "", "Hint")
    roles = {r: (out, v) for r, where, out, v in lines}
    eq(roles["bolt-extended"], (False, 1), "bolt-extended while locked")
    eq(roles["motor-unlock"], (True, 0), "motor-unlock idle")
    r = env.client(OBSERVER, [["/org/doorlockd/Lock1", "org.doorlockd.Lock1", "GetHardware", "", []]])
    check("ok" in r[0], f"observer GetHardware: {r}")


@suite.case("TestHardware: admins only, audited as hw-test; an unknown part is InvalidArgs and "
            "changes nothing")
def _(env):
    r = env.client(OBSERVER, [["/org/doorlockd/Lock1", "org.doorlockd.Lock1", "TestHardware", "s",
                               ["buzzer"]]])
    eq(r[0].get("error"), ACCESS_DENIED, f"observer: {r}")
    env.refused(INVALID_ARGS, env.call, "TestHardware", "motor", sig="s")
    seq = last_seq(env)
    env.call("TestHardware", "buzzer", sig="s")
    env.call("TestHardware", "led", sig="s")
    m = env.mark()
    env.call("TestHardware", "unlock", sig="s")
    env.wait_unlocked()
    ev = [d["details"] for e, s, d in log_events(env, seq) if e == "hw-test"]
    eq(len(ev), 3, f"hw-test entries: {ev}")
    check(env.find_signals("AccessGranted", since=m), "unlock test goes the normal way")


@suite.case("a keypad test: for 30 s the keys typed come back as KeyTest to the tester and are not "
            "an entry (no grant, no denial, nothing counted)")
def _(env):
    env.add_code("Alice", PIN1)
    m = env.mark()
    env.call("TestHardware", "keypad", sig="s")
    env.press(PIN1 + "#")
    keys = env.wait_signal("KeyTest", since=m, count=len(PIN1) + 1)
    eq("".join(s.args[0] for s in keys), PIN1 + "#", "keys")
    env.hold(lambda: True, 0.3)
    check(not env.find_signals("AccessGranted", since=m) and not env.find_signals("AccessDenied", since=m),
          f"an entry was decided: {env.signal_summary(m)}")
    eq(env.state(), "locked", "State")


@suite.case("lockctl hw status and hw test on the simulator")
def _(env):
    env.need_lockctl("hw", "status")
    p = env.lockctl("hw", "status")
    eq(p.returncode, 0, f"hw status: {p.stderr}")
    check("simulated" in p.stdout and "bolt-extended" in p.stdout, f"hw status: {p.stdout!r}")
    p = env.lockctl("--json", "hw", "status")
    eq(p.returncode, 0, f"hw status --json: {p.stderr}")
    j = json.loads(p.stdout)
    eq(j["backend"], "simulated", "json backend")
    check(any(x["role"] == "motor-lock" and x["direction"] == "output" for x in j["lines"]), f"json: {j}")
    p = env.lockctl("hw", "test", "buzzer")
    eq(p.returncode, 0, f"hw test buzzer: {p.stderr}")
    p = env.lockctl("hw", "test", "motor")
    eq(p.returncode, 2, "unknown part is a usage error")
    p = env.lockctl("hw", "test", "buzzer", user=OBSERVER)
    eq(p.returncode, 1, f"observer: {p.stdout} {p.stderr}")
    # The keypad test prints each key.
    proc = subprocess.Popen([os.environ.get("LOCKCTL", "lockctl"), "hw", "test", "keypad"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=env.bus.address))
    try:
        line = proc.stdout.readline()
        check("keypad" in line.lower(), f"first line {line!r}")
        env.press("7*")
        got = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
        eq(got, ["key 7", "key *"], "keys printed")
    finally:
        proc.terminate()
        proc.wait(timeout=5)


if __name__ == "__main__":
    suite.run()
