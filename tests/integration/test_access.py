# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: opening the door.  Keypad entry and
auto-relock, UnlockFor, one-time and use-limited codes, lockout, privacy and
passage modes, duress, jam, door sensor, keypad entry assembly, the audit
log (GetLog, LogEntry)."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BUS_NAME, ERR, LOCK_IFACE, LOCK_PATH, PIN1, PIN2, PIN3, WRONG_PIN, Suite, check, eq, now_usec)

suite = Suite("access")


def granted(sig, source, path, name):
    eq(sig.member, "AccessGranted", f"decision ({sig.args})")
    eq(sig.args, [source, path, name], "AccessGranted arguments")


def denied(sig, reason, source="keypad"):
    eq(sig.member, "AccessDenied", f"decision ({sig.args})")
    eq(sig.args, [source, reason], "AccessDenied arguments")


@suite.case("keypad entry unlocks, AccessGranted names the code, and the lock relocks by itself")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    granted(env.enter(PIN1), "keypad", path, "Alice")
    t_unlocked = env.wait_state_signal("unlocked", since=m)
    t_locking = env.wait_state_signal("locking", since=m, timeout=5)
    env.wait_state_signal("locked", since=m, timeout=5)
    eq([v for v, _ in env.state_changes(m)], ["unlocking", "unlocked", "locking", "locked"],
       "State sequence (PropertiesChanged)")
    held = t_locking - t_unlocked
    check(0.8 <= held <= 2.0, f"unlocked for {held:.2f} s, AutoRelockSeconds is 1")
    eq(env.state(), "locked", "State")
    eq(env.code_prop(path, "Uses"), 1, "Uses")
    check(env.code_prop(path, "LastUsed") > 0, "LastUsed set")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "access-granted")
    eq(entry.args[3], "keypad", "LogEntry source")
    eq(entry.args[4].get("code_name"), "Alice", "LogEntry code_name")
    eq(entry.args[4].get("code_id"), env.code_prop(path, "Id"), "LogEntry code_id")
    env.note(f"unlocked for {held:.2f} s before the auto-relock")


@suite.case("a wrong PIN is refused with AccessDenied unknown-code and the bolt stays")
def _(env):
    env.add_code("Alice", PIN1)
    m = env.mark()
    denied(env.enter(WRONG_PIN), "unknown-code")
    eq(env.state(), "locked", "State")
    eq(env.state_changes(m), [], "State changes")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "access-denied")
    eq(entry.args[4].get("reason"), "unknown-code", "LogEntry reason")


@suite.case("Unlock() opens (AccessGranted dbus, code /), relocks after AutoRelockSeconds; "
            "Lock() locks at once")
def _(env):
    m = env.mark()
    env.unlock()
    eq(env.state(), "unlocked", "State when Unlock() returns")
    granted(env.wait_signal("AccessGranted", since=m), "dbus", "/", "")
    env.wait_state_signal("locked", since=m, timeout=4)
    m = env.mark()
    env.unlock()
    env.lock()
    eq(env.state(), "locked", "State when Lock() returns")
    t = [v for v, _ in env.state_changes(m)]
    eq(t, ["unlocking", "unlocked", "locking", "locked"], "State sequence")


@suite.case("UnlockFor(2) stays unlocked about 2 s (past AutoRelockSeconds=1), then relocks")
def _(env):
    m = env.mark()
    env.unlock_for(2)
    eq(env.state(), "unlocked", "State when UnlockFor() returns")
    granted(env.wait_signal("AccessGranted", since=m), "dbus", "/", "")
    t_unlocked = env.wait_state_signal("unlocked", since=m)
    t_locking = env.wait_state_signal("locking", since=m, timeout=5)
    env.wait_locked()
    held = t_locking - t_unlocked
    check(1.8 <= held <= 2.8, f"UnlockFor(2) held the door open {held:.2f} s")
    env.note(f"held {held:.2f} s")
    log = env.get_log()
    check(any(e[2] == "access-granted" and e[3] == "dbus" and "2 s" in e[4].get("details", "") for e in log),
          f"no audit entry for the remote unlock: {log}")


@suite.case("one-time code opens once; second entry AccessDenied used-up; Uses 1, Active false")
def _(env):
    path, _ = env.add_code("Guest", PIN2, OneTime=True)
    eq(env.code_prop(path, "Kind"), "one-time", "Kind")
    eq(env.code_prop(path, "MaxUses"), 1, "MaxUses")
    eq(env.code_prop(path, "Active"), True, "Active before use")
    granted(env.enter(PIN2), "keypad", path, "Guest")
    env.wait_unlocked()
    env.lock()
    m = env.mark()
    denied(env.enter(PIN2), "used-up")
    eq(env.code_prop(path, "Uses"), 1, "Uses")
    eq(env.code_prop(path, "Active"), False, "Active after use")
    eq(env.state(), "locked", "State")
    eq(env.state_changes(m), [], "State changes after the refused entry")


@suite.case("a code with MaxUses 2 opens twice, then used-up")
def _(env):
    path, _ = env.add_code("Cleaner", PIN2, MaxUses=2)
    for i in (1, 2):
        granted(env.enter(PIN2), "keypad", path, "Cleaner")
        env.wait_unlocked()
        env.lock()
        eq(env.code_prop(path, "Uses"), i, "Uses")
    denied(env.enter(PIN2), "used-up")
    eq(env.code_prop(path, "Active"), False, "Active")


@suite.case("lockout: 3 wrong entries -> Alarm lockout, KeypadLockedUntil; right PIN refused; "
            "remote Unlock works; ResetLockout clears it")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    for i in range(3):
        denied(env.enter(WRONG_PIN), "unknown-code")
    alarm = env.wait_signal("Alarm", since=m)
    eq(alarm.args[0], "lockout", "Alarm kind")
    check(alarm.args[1], "Alarm detail is empty")
    until = env.get("KeypadLockedUntil")
    check(until > now_usec(), f"KeypadLockedUntil {until} is not in the future")
    check(until < now_usec() + 3_000_000, f"KeypadLockedUntil {until} is more than FirstSeconds=2 away")
    env.wait_for(lambda: any(s.args[0] == LOCK_IFACE and s.args[1].get("KeypadLockedUntil") == until
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged KeypadLockedUntil")
    # The right PIN is refused while locked out.
    denied(env.enter(PIN1), "locked-out")
    eq(env.state(), "locked", "State")
    eq(env.code_prop(path, "Uses"), 0, "Uses")
    # The owner still opens remotely.
    env.unlock()
    eq(env.state(), "unlocked", "State after Unlock() during lockout")
    env.lock()
    check(env.get("KeypadLockedUntil") > now_usec(), "lockout ended before ResetLockout (test too slow)")
    m = env.mark()
    env.reset_lockout()
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil after ResetLockout")
    env.wait_for(lambda: any(s.args[0] == LOCK_IFACE and s.args[1].get("KeypadLockedUntil") == 0
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged KeypadLockedUntil=0")
    granted(env.enter(PIN1), "keypad", path, "Alice")
    env.wait_unlocked()
    env.lock()
    events = [e[2] for e in env.get_log()]
    check("lockout" in events, f"no lockout audit entry: {events}")


@suite.case("lockout ends by itself after FirstSeconds (1 s) and that is announced",
            config={"Lockout": {"FirstSeconds": "1"}})
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    for i in range(3):
        env.enter(WRONG_PIN)
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    until = env.get("KeypadLockedUntil")
    check(until > 0, "not locked out")
    # Announced when it runs out by itself (no polling: the signal).
    m = env.mark()
    sig = env.wait_signal("PropertiesChanged", since=m, path=LOCK_PATH, timeout=4,
                          match=lambda s: s.args[1].get("KeypadLockedUntil") == 0)
    check(now_usec() >= until, "KeypadLockedUntil went to 0 before the lockout ended")
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil")
    late = (now_usec() - (time.monotonic() - sig.t) * 1e6 - until) / 1e6
    env.note(f"KeypadLockedUntil=0 announced {late * 1000:.0f} ms after the lockout ended")
    granted(env.enter(PIN1), "keypad", path, "Alice")
    env.wait_unlocked()
    env.lock()


@suite.case("a right PIN clears the count of wrong entries (2 wrong, 1 right, 2 wrong: no lockout)")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    for pin in (WRONG_PIN, WRONG_PIN, PIN1):
        env.enter(pin)
    env.wait_unlocked()
    env.lock()
    for pin in (WRONG_PIN, WRONG_PIN):
        denied(env.enter(pin), "unknown-code")
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil")
    eq(env.find_signals("Alarm", since=m), [], "alarms")


def lockout_lengths(env, rounds):
    """Lock the keypad out `rounds` times: Attempts wrong entries the first
    time, then one wrong entry after each lockout ran out (each further
    wrong entry starts a longer lockout).  Returns the lengths in s."""
    lengths = []
    for i in range(rounds):
        m = env.mark()
        for _ in range(3 if i == 0 else 1):
            denied(env.enter(WRONG_PIN), "unknown-code")
        env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
        t0 = now_usec()
        until = env.get("KeypadLockedUntil")
        lengths.append((until - t0) / 1e6)
        if i < rounds - 1:
            env.wait_signal("PropertiesChanged", since=m, path=LOCK_PATH, timeout=4,
                            match=lambda s: s.args[1].get("KeypadLockedUntil") == 0)
    return lengths


@suite.case("after a lockout ran out, the next wrong entry locks again for twice as long",
            config={"Lockout": {"FirstSeconds": "1", "MaxSeconds": "8"}})
def _(env):
    lengths = lockout_lengths(env, 2)
    check(0.5 <= lengths[0] <= 1.1, f"first lockout {lengths[0]:.2f} s, want about 1 s")
    check(1.5 <= lengths[1] <= 2.1, f"second lockout {lengths[1]:.2f} s, want about 2 s")
    env.note(f"lockouts of {lengths[0]:.2f} s and {lengths[1]:.2f} s")


@suite.case("lockouts are capped at MaxSeconds",
            config={"Lockout": {"FirstSeconds": "1", "MaxSeconds": "1"}})
def _(env):
    lengths = lockout_lengths(env, 2)
    check(all(0.5 <= x <= 1.1 for x in lengths), f"lockouts of {lengths} s, want about 1 s each")


@suite.case("lockout that outlives a restart is still announced when it runs out",
            config={"Lockout": {"FirstSeconds": "2"}})
def _(env):
    env.add_code("Alice", PIN1)
    m = env.mark()
    for _ in range(3):
        env.enter(WRONG_PIN)
    env.wait_signal("Alarm", since=m, match=lambda s: s.args[0] == "lockout")
    until = env.get("KeypadLockedUntil")
    env.restart_daemon()
    eq(env.get("KeypadLockedUntil"), until, "KeypadLockedUntil after the restart")
    m = env.mark()
    env.wait_signal("PropertiesChanged", since=m, path=LOCK_PATH, timeout=4,
                    match=lambda s: s.args[1].get("KeypadLockedUntil") == 0)
    check(now_usec() >= until, "announced before the lockout ended")


@suite.case("UnlockFor while already unlocked restarts the relock timer with the new hold",
            config={"Lock": {"AutoRelockSeconds": "3"}})
def _(env):
    env.unlock()
    m = env.mark()
    t0 = time.monotonic()
    env.unlock_for(1)
    t_locking = env.wait_state_signal("locking", since=m, timeout=5)
    held = t_locking - t0
    check(0.8 <= held <= 1.8, f"relocked {held:.2f} s after UnlockFor(1) on an open lock "
                              "(AutoRelockSeconds=3)")
    env.wait_locked()


@suite.case("DoorSensor=no: the relock does not wait for the door", config={"Lock": {"DoorSensor": "no"}})
def _(env):
    env.unlock()
    env.set_door("open")
    m = env.mark()
    env.wait_state_signal("locked", since=m, timeout=3)
    env.set_door("closed")


@suite.case("AntiPeep=yes: the PIN hidden among other digits opens", config={"Keypad": {"AntiPeep": "yes"}})
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    granted(env.enter("93" + PIN1 + "27"), "keypad", path, "Alice")
    env.wait_unlocked()
    env.lock()
    denied(env.enter("93" + PIN1[:-1] + "27"), "unknown-code")


@suite.case("dead codes are removed automatically (RemoveDeadAfterDays=0): InterfacesRemoved, "
            "CodeCount, log",
            config={"Codes": {"RemoveDeadAfterDays": "0"}})
def _(env):
    once, _ = env.add_code("Guest", PIN2, OneTime=True)
    granted(env.enter(PIN2), "keypad", once, "Guest")
    env.wait_unlocked()
    env.lock()
    m = env.mark()
    env.add_code("Alice", PIN1)   # adding checks for dead codes first
    env.wait_signal("InterfacesRemoved", since=m, match=lambda s: s.args[0] == once)
    eq(sorted(c["Name"] for c in env.codes().values()), ["Alice"], "codes")
    eq(env.get("CodeCount"), 1, "CodeCount")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "code-removed")
    eq(entry.args[4].get("code_name"), "Guest", "code-removed code_name")
    eq(entry.args[3], "system", "code-removed source")


@suite.case("privacy mode: keypad codes refused with privacy-mode, admin Unlock works, normal again opens")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    once, _ = env.add_code("Guest", PIN2, OneTime=True)
    m = env.mark()
    env.set_mode("privacy")
    eq(env.get("Mode"), "privacy", "Mode")
    env.wait_for(lambda: any(s.args[1].get("Mode") == "privacy"
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged Mode=privacy")
    denied(env.enter(PIN1), "privacy-mode")
    denied(env.enter(PIN2), "privacy-mode")
    eq(env.code_prop(once, "Uses"), 0, "one-time code Uses after a privacy refusal")
    eq(env.state(), "locked", "State")
    m = env.mark()
    env.unlock()
    eq(env.state(), "unlocked", "State after admin Unlock() in privacy mode")
    granted(env.wait_signal("AccessGranted", since=m), "dbus", "/", "")
    env.lock()
    env.set_mode("normal")
    eq(env.get("Mode"), "normal", "Mode")
    granted(env.enter(PIN1), "keypad", path, "Alice")
    env.wait_unlocked()
    env.lock()


@suite.case("privacy mode: refusals count towards the lockout")
def _(env):
    env.add_code("Alice", PIN1)
    env.set_mode("privacy")
    m = env.mark()
    for _ in range(3):
        denied(env.enter(PIN1), "privacy-mode")
    eq(env.wait_signal("Alarm", since=m).args[0], "lockout", "Alarm kind")
    check(env.get("KeypadLockedUntil") > 0, "KeypadLockedUntil")


@suite.case("duress code in privacy mode: opens and raises Alarm duress")
def _(env):
    path, _ = env.add_code("Threat", PIN3, Duress=True)
    env.add_code("Alice", PIN1)
    env.set_mode("privacy")
    denied(env.enter(PIN1), "privacy-mode")
    m = env.mark()
    granted(env.enter(PIN3), "keypad", path, "Threat")
    eq(env.wait_signal("Alarm", since=m).args[0], "duress", "Alarm kind")
    env.wait_unlocked()
    env.lock()


@suite.case("passage mode: unlocked and stays past the relock time; Lock() ModeForbids; normal relocks")
def _(env):
    m = env.mark()
    env.set_mode("passage")
    eq(env.get("Mode"), "passage", "Mode")
    env.wait_unlocked()
    # AutoRelockSeconds is 1: it must still be open well after that.
    env.hold(lambda: env.state() == "unlocked", 1.3, "State unlocked in passage mode")
    eq([v for v, _ in env.state_changes(m)], ["unlocking", "unlocked"], "State sequence")
    env.refused(ERR + "ModeForbids", env.lock)
    eq(env.state(), "unlocked", "State after the refused Lock()")
    m = env.mark()
    t0 = time.monotonic()
    env.set_mode("normal")
    t_locked = env.wait_state_signal("locked", since=m, timeout=4)
    took = t_locked - t0
    check(0.8 <= took <= 2.5, f"relocked {took:.2f} s after leaving passage (AutoRelockSeconds=1)")
    env.note(f"relocked {took:.2f} s after SetMode normal")


@suite.case("duress code: opens with AccessGranted and raises Alarm duress")
def _(env):
    path, _ = env.add_code("Threat", PIN3, Duress=True)
    eq(env.code_prop(path, "Duress"), True, "Duress")
    m = env.mark()
    granted(env.enter(PIN3), "keypad", path, "Threat")
    alarm = env.wait_signal("Alarm", since=m)
    eq(alarm.args[0], "duress", "Alarm kind")
    env.wait_unlocked()
    env.lock()
    log = env.get_log()
    check(any(e[2] == "access-granted" and e[4].get("code_name") == "Threat" for e in log),
          "no audit entry for the duress grant")
    check(any(e[2] == "alarm" and e[4].get("kind") == "duress" for e in log),
          f"no alarm entry of kind duress in the log: {[(e[2], e[4]) for e in log]}")


@suite.case("jam while unlocking: Unlock() fails Jammed, State jammed, Alarm jammed; recovers")
def _(env):
    env.set_jammed(True)
    m = env.mark()
    t0 = time.monotonic()
    env.expect_error(ERR + "Jammed", env.unlock)
    took = time.monotonic() - t0
    check(0.3 <= took <= 2.0, f"Jammed reply after {took:.2f} s (MotorTimeoutMilliseconds=400)")
    eq(env.state(), "jammed", "State")
    alarm = env.wait_signal("Alarm", since=m)
    eq(alarm.args[0], "jammed", "Alarm kind")
    eq([v for v, _ in env.state_changes(m)], ["unlocking", "jammed"], "State sequence")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "alarm")
    eq(entry.args[3], "system", "alarm LogEntry source")
    eq(entry.args[4].get("kind"), "jammed", "alarm LogEntry kind")
    env.set_jammed(False)
    env.lock()
    eq(env.state(), "locked", "State after un-jamming and Lock()")


@suite.case("jam while locking: Lock() fails Jammed, State jammed, Alarm jammed; recovers")
def _(env):
    env.unlock()
    eq(env.state(), "unlocked", "State")
    env.set_jammed(True)
    m = env.mark()
    env.expect_error(ERR + "Jammed", env.lock)
    eq(env.state(), "jammed", "State")
    eq(env.wait_signal("Alarm", since=m).args[0], "jammed", "Alarm kind")
    env.set_jammed(False)
    env.unlock()
    eq(env.state(), "unlocked", "State after un-jamming and Unlock()")
    env.lock()
    eq(env.state(), "locked", "State")


@suite.case("a Lock() while Unlock() waits for the bolt: Unlock() gets Interrupted, Lock() succeeds",
            config={"Simulator": {"MotorMilliseconds": "150"}, "Lock": {"MotorTimeoutMilliseconds": "1500"}})
def _(env):
    replies = []
    env.conn.call_async(BUS_NAME, LOCK_PATH, LOCK_IFACE, "Unlock", "", (),
                        lambda *a: replies.append(("ok", None)),
                        lambda e: replies.append(("error", e.get_dbus_name())), timeout=10)
    env.wait_prop("State", "unlocking")
    env.lock()
    eq(env.state(), "locked", "State when Lock() returns")
    env.wait_for(lambda: replies, what="the reply to Unlock()")
    eq(replies[0], ("error", ERR + "Interrupted"), "reply to the interrupted Unlock()")
    # And the other way round.
    env.unlock()
    replies.clear()
    env.conn.call_async(BUS_NAME, LOCK_PATH, LOCK_IFACE, "Lock", "", (),
                        lambda *a: replies.append(("ok", None)),
                        lambda e: replies.append(("error", e.get_dbus_name())), timeout=10)
    env.wait_prop("State", "locking")
    env.unlock_for(5)
    eq(env.state(), "unlocked", "State when UnlockFor() returns")
    env.wait_for(lambda: replies, what="the reply to Lock()")
    eq(replies[0], ("error", ERR + "Interrupted"), "reply to the interrupted Lock()")
    env.lock()


@suite.case("door opened while locked: Alarm door-forced, Door open")
def _(env):
    eq(env.get("Door"), "closed", "Door at start")
    m = env.mark()
    env.set_door("open")
    alarm = env.wait_signal("Alarm", since=m)
    eq(alarm.args[0], "door-forced", "Alarm kind")
    eq(env.get("Door"), "open", "Door")
    env.wait_for(lambda: any(s.args[1].get("Door") == "open"
                             for s in env.find_signals("PropertiesChanged", since=m, path=LOCK_PATH)),
                 what="PropertiesChanged Door=open")
    entry = env.wait_signal("LogEntry", since=m, match=lambda s: s.args[2] == "alarm")
    eq(entry.args[4].get("kind"), "door-forced", "alarm LogEntry kind")
    env.set_door("closed")
    eq(env.get("Door"), "closed", "Door")
    eq(env.state(), "locked", "State")


@suite.case("auto-relock waits for the door to close, then locks at once")
def _(env):
    m = env.mark()
    env.unlock()
    env.set_door("open")
    env.hold(lambda: env.state() == "unlocked", 1.3, "State unlocked while the door is open")
    eq(env.find_signals("Alarm", since=m), [], "alarms")
    m2 = env.mark()
    t0 = time.monotonic()
    env.set_door("closed")
    t_locked = env.wait_state_signal("locked", since=m2, timeout=2)
    took = t_locked - t0
    check(took < 0.5, f"locked {took:.2f} s after the door closed")
    env.note(f"locked {took * 1000:.0f} ms after the door closed")


@suite.case("keypad: '*' clears a half-typed entry")
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    granted(env.enter("99*" + PIN1), "keypad", path, "Alice")
    env.wait_unlocked()
    env.lock()


@suite.case("keypad: a half-typed entry is dropped after EntryTimeoutSeconds (1 s)",
            config={"Keypad": {"EntryTimeoutSeconds": "1"}})
def _(env):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    env.press(PIN1[:3])
    env.hold(lambda: not env.find_signals("AccessGranted", since=m)
             and not env.find_signals("AccessDenied", since=m), 1.3, "no decision while typing")
    denied(env.enter(PIN1[3:]), "unknown-code")
    eq(env.code_prop(path, "Uses"), 0, "Uses")
    eq(env.state(), "locked", "State")


@suite.case("GetLog: oldest first, honours limit and since")
def _(env):
    p1, _ = env.add_code("Alice", PIN1)
    env.add_code("Bob", PIN2)
    env.enter(WRONG_PIN)
    env.enter(PIN1)
    env.wait_unlocked()
    env.lock()
    env.set_mode("privacy")
    env.set_mode("normal")
    full = env.get_log(0, 0)
    check(len(full) >= 6, f"only {len(full)} log entries: {full}")
    ids = [e[1] for e in full]
    times = [e[0] for e in full]
    check(ids == sorted(ids) and len(set(ids)) == len(ids), f"ids not increasing: {ids}")
    check(times == sorted(times), f"times not oldest first: {times}")
    for e in full:
        eq(len(e), 5, "entry fields")
        check(isinstance(e[4], dict), "details is a dict")
    eq(env.get_log(0, 2), full[-2:], "GetLog(0, 2): the newest two")
    eq(env.get_log(0, 1), full[-1:], "GetLog(0, 1)")
    eq(env.get_log(0, 1000), full, "GetLog(0, 1000)")
    since = full[3][0]
    eq(env.get_log(since, 0), [e for e in full if e[0] >= since], "GetLog(since, 0)")
    eq(env.get_log(since, 2), [e for e in full if e[0] >= since][-2:], "GetLog(since, 2)")
    eq(env.get_log(full[-1][0] + 1, 0), [], "GetLog(after the last entry)")
    events = [e[2] for e in full]
    for ev in ("code-added", "access-denied", "access-granted", "mode"):
        check(ev in events, f"no '{ev}' entry in {events}")
    g = [e for e in full if e[2] == "access-granted" and e[3] == "keypad"][0]
    eq(g[4].get("code_name"), "Alice", "code_name")
    eq(g[4].get("code_id"), env.code_prop(p1, "Id"), "code_id")
    d = [e for e in full if e[2] == "access-denied"][0]
    eq(d[4].get("reason"), "unknown-code", "reason")


@suite.case("LogEntry signal for every audit entry, same content as GetLog")
def _(env):
    before = env.get_log()
    last_id = before[-1][1] if before else 0
    m = env.mark()
    p, _ = env.add_code("Alice", PIN1)
    env.set("Name", "Alice B.", path=p, iface="org.doorlockd.Code1")
    env.enter(WRONG_PIN)
    env.enter(PIN1)
    env.wait_unlocked()
    env.lock()
    env.set_mode("privacy")
    env.set_mode("normal")
    env.unlock_for(1)
    env.lock()
    env.set("AutoRelockSeconds", 2)
    env.set_door("open")
    env.set_door("closed")
    env.remove_code(p)
    after = env.get_log()
    new = [tuple(e) for e in after if e[1] > last_id]
    check(len(new) >= 10, f"only {len(new)} new entries: {new}")
    sigs = env.wait_for(lambda: (lambda s: s if len(s) >= len(new) else None)(
        env.find_signals("LogEntry", since=m, path=LOCK_PATH)), what=f"{len(new)} LogEntry signals")
    got = [tuple(s.args) for s in sigs]
    eq(got, new, "LogEntry signals vs GetLog")
    env.note(f"{len(new)} entries: {', '.join(e[2] for e in new)}")


if __name__ == "__main__":
    suite.run()
