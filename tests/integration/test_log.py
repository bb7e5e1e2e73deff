# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: the log tells the whole story.  Every bolt
operation with its cause (code, remote caller, auto-relock, the end of a
timed unlock), the bolt arriving, the door opening and closing, a lockout
running out, and a flapping door contact summed up instead of flooding the
bounded log."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import PIN1, WRONG_PIN, Suite, check, eq  # noqa: E402

suite = Suite("log")

STORY = ("access-granted", "lock", "unlock", "locked", "unlocked", "door-opened", "door-closed",
         "door-flapping", "lockout-ended", "alarm", "lockout", "access-denied")


def entries(env, since, events=STORY):
    """The LogEntry signals since the mark: (event, source, details dict)."""
    return [(s.args[2], s.args[3], dict(s.args[4])) for s in env.find_signals("LogEntry", since=since)
            if s.args[2] in events]


def wait_entry(env, since, event, cause=None, timeout=5.0):
    def match(s):
        return s.args[2] == event and (cause is None or s.args[4].get("cause") == cause)
    return env.wait_signal("LogEntry", since=since, match=match, timeout=timeout)


def story(env, since):
    return [(e, d.get("cause", "")) for e, _, d in entries(env, since)]


@suite.case("a keypad unlock from '#' to the relock: grant, unlock by the code, unlocked, door opened "
            "and closed, lock by auto-relock, locked")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    code_id = env.code_prop(path, "Id")
    m = env.mark()
    env.enter(PIN1)
    env.wait_unlocked()
    wait_entry(env, m, "unlocked")
    env.set_door("open")
    wait_entry(env, m, "door-opened")
    time.sleep(0.3)
    env.set_door("closed")
    env.wait_locked()
    wait_entry(env, m, "locked")
    eq(story(env, m), [("access-granted", ""), ("unlock", "code"), ("unlocked", "code"), ("door-opened", ""),
                       ("door-closed", ""), ("lock", "auto-relock"), ("locked", "auto-relock")],
       "the story (event, cause)")
    log = entries(env, m)
    for event, source, d in log[1:3]:
        eq(source, "keypad", f"{event} source")
        eq(d.get("code_id"), code_id, f"{event} code_id")
        eq(d.get("code_name"), "Alice", f"{event} code_name")
    check(f"unlocked by code {code_id} (Alice)" in log[1][2]["details"], f"unlock details: {log[1][2]}")
    check(log[3][2]["details"].startswith("door opened"), f"door-opened details: {log[3][2]}")
    # GetLog says the same as the signals, in the same order.
    got = [e[2] for e in env.get_log()][-7:]
    eq(got, [e for e, _ in story(env, m)], "GetLog's last entries")
    p = env.lockctl("log")
    eq(p.returncode, 0, f"lockctl log: {p.stderr}")
    check(f"unlocked by code {code_id} (Alice)" in p.stdout, f"lockctl log shows the code: {p.stdout}")
    check("locked by auto-relock" in p.stdout, f"lockctl log shows the relock: {p.stdout}")
    for line in p.stdout.splitlines()[-8:]:
        env.note("lockctl log: " + line)


@suite.case("Unlock() and Lock() by a D-Bus caller: cause remote with the uid, at start and arrival")
def _(env):
    m = env.mark()
    env.unlock()
    wait_entry(env, m, "unlocked")
    env.lock()
    wait_entry(env, m, "locked")
    eq(story(env, m), [("access-granted", ""), ("unlock", "remote"), ("unlocked", "remote"),
                       ("lock", "remote"), ("locked", "remote")], "the story (event, cause)")
    for event, source, d in entries(env, m)[1:]:
        eq(source, "dbus", f"{event} source")
        check(f"by uid {os.getuid()}" in d["details"], f"{event} names the caller: {d}")
    # Lock() on a locked bolt is still logged, as it always was.
    m = env.mark()
    env.lock()
    entry = wait_entry(env, m, "lock", cause="remote")
    check("was locked" in entry.args[4]["details"], f"details: {entry.args[4]}")


@suite.case("UnlockFor(1) ends with a lock caused by timed-unlock-ended, not auto-relock",
            config={"Lock": {"AutoRelockSeconds": "0"}})
def _(env):
    m = env.mark()
    env.unlock_for(1)
    env.wait_locked(timeout=4)
    wait_entry(env, m, "locked")
    eq(story(env, m), [("access-granted", ""), ("unlock", "remote"), ("unlocked", "remote"),
                       ("lock", "timed-unlock-ended"), ("locked", "timed-unlock-ended")], "the story")
    check("for 1 s" in entries(env, m)[1][2]["details"], f"unlock details: {entries(env, m)[1]}")


@suite.case("passage mode unlocks with cause passage-mode; leaving it relocks by auto-relock")
def _(env):
    m = env.mark()
    env.set_mode("passage")
    env.wait_unlocked()
    wait_entry(env, m, "unlocked")
    env.set_mode("normal")
    env.wait_locked(timeout=4)
    wait_entry(env, m, "locked")
    eq([x for x in story(env, m) if x[0] != "mode"],
       [("unlock", "passage-mode"), ("unlocked", "passage-mode"), ("lock", "auto-relock"),
        ("locked", "auto-relock")], "the story")
    check(f"set by uid {os.getuid()}" in entries(env, m)[0][2]["details"], f"{entries(env, m)[0]}")


@suite.case("a lockout that runs out by itself is logged as lockout-ended",
            config={"Lockout": {"FirstSeconds": "1"}})
def _(env):
    env.add_code("Alice", PIN1)
    m = env.mark()
    for _ in range(3):
        env.enter(WRONG_PIN)
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    entry = wait_entry(env, m, "lockout-ended", timeout=4)
    eq(entry.args[3], "system", "source")
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil")
    # ResetLockout logs its own `lockout` entry, not lockout-ended.
    m = env.mark()
    for _ in range(3):
        env.enter(WRONG_PIN)
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    env.reset_lockout()
    time.sleep(1.5)
    eq([e for e, _, _ in entries(env, m) if e == "lockout-ended"], [], "lockout-ended after a reset")


@suite.case("200 door changes in a second: a few entries and one door-flapping summary; grants stay "
            "in a log of 100 entries", config={"Log": {"MaxEntries": "100"}})
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    env.enter(PIN1)
    env.wait_unlocked()
    env.lock()
    first, last = env.get_log()[0][1], env.get_log()[-1][1]
    m = env.mark()
    t0 = time.monotonic()
    for i in range(200):
        env.set_door("open" if i % 2 == 0 else "closed")
    took = time.monotonic() - t0
    entry = wait_entry(env, m, "door-flapping", timeout=6)
    details = entry.args[4]["details"]
    check(details.split()[0].isdigit() and int(details.split()[0]) >= 190, f"summary counts: {details}")
    check("door closed" in details and "settled" in details, f"summary ends closed: {details}")
    log = [(s.args[2], s.args[4].get("details")) for s in env.find_signals("LogEntry", since=m)]
    check(len(log) <= 8, f"{len(log)} entries for 200 changes: {log}")
    env.note(f"200 changes in {took:.2f} s -> {len(log)} entries: {[e for e, _ in log]}")
    kept = env.get_log()
    check(any(e[2] == "access-granted" and e[4].get("code_name") == "Alice" for e in kept),
          f"the grant was pushed out of the log (kept {kept[0][1]}..{kept[-1][1]}, was {first}..{last})")
    # Settled: the next change is logged one by one again.
    m = env.mark()
    env.set_door("open")
    wait_entry(env, m, "door-opened")
    env.set_door("closed")
    wait_entry(env, m, "door-closed")


if __name__ == "__main__":
    suite.run()
