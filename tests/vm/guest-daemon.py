#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest script of the VM tier: the real doorlockd with its libgpiod backend
against gpio-sim, this script playing the door (doormodel.py), lockctl
asking the daemon over a private D-Bus system bus.  Prints TAP, with the
bench figures as "# bench:" comments.

    tests/vm/run tests/vm/guest-daemon.py BUILDDIR/daemon/doorlockd BUILDDIR/cli/lockctl

One gpio-sim chip "dl-door" with the door's lines by name (doormodel.NAMES),
one dbus-daemon (as root in the guest: a config that allows everything),
and three doorlockd runs on the chip:

  1. a 4x3 matrix keypad (settle 10 ms, debounce 50 ms) and an H-bridge
     motor with both bolt switches, door contact, exit button, doorbell,
     tamper, buzzer, LED: a typed PIN unlocks and the auto-relock locks
     again, idle wake-ups, a jam, door-forced and the exit button, the
     keypad-to-motor bench, the lockout;
  2. a Wiegand keypad (slow timing) and a fail-secure strike: 8-bit and
     4-bit key bursts, a parity error, a wrong length, a card; idle
     wake-ups with the reader thread; a second doorlockd wanting a line in
     use stops at start-up;
  3. a wrong chip name stops start-up.

Environment: DL_VM_BENCH_N (runs per bench figure, default 8),
DL_VM_IDLE_S (idle window, default 10 s).
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doormodel  # noqa: E402
import gpiosim  # noqa: E402

BENCH_N = int(os.environ.get("DL_VM_BENCH_N") or 8)
IDLE_S = float(os.environ.get("DL_VM_IDLE_S") or 10)
# Wake-ups allowed in an idle window: none is expected (no watchdog
# without systemd, no timer armed while idle); see tests/vm/README.md.
IDLE_MAX = 0

PIN = "4815"
ONE_TIME_PINS = ["2749", "3851", "5926", "6173", "8394", "9517", "1638", "4062", "7285", "3907",
                 "2583", "6947", "7159", "8426", "9063", "5371", "1842", "3695", "4728", "6281"]
WRONG_PINS = ["1", "3", "5", "7", "9"]  # short entries count as wrong ones too
KEY_HOLD_S, KEY_GAP_S = 0.17, 0.08
# The matrix's own delay before a key counts: two scans of 3 columns,
# SettleMicroseconds each, DebounceMilliseconds apart.
SETTLE_MS, DEBOUNCE_MS = 10, 50
MATRIX_DELAY_MS = 2 * 3 * SETTLE_MS + DEBOUNCE_MS

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""

COMMON = """[Codes]
MinPinLength=4
[Keypad]
EntryTimeoutSeconds=5
[Lock]
AutoRelockSeconds=1
Door=DOOR
InputDebounceMilliseconds=20
[Gpio]
Chip=%(chip)s
"""

MATRIX_MOTOR = COMMON + """[Keypad]
Type=matrix
Rows=ROW0 ROW1 ROW2 ROW3
Columns=COL0 COL1 COL2
SettleMicroseconds=%(settle)d
DebounceMilliseconds=%(debounce)d
[Lock]
Actuator=motor
MotorUnlock=MOTOR_UNLOCK
MotorLock=MOTOR_LOCK
BoltRetracted=BOLT_RETRACTED
BoltExtended=BOLT_EXTENDED
MotorTimeoutMilliseconds=400
ExitButton=EXIT
Doorbell=BELL
Tamper=TAMPER
Buzzer=BUZZER
Led=LED
"""

WIEGAND_STRIKE = COMMON + """[Keypad]
Type=wiegand
WiegandD0=WD0
WiegandD1=WD1
WiegandTiming=slow
WiegandKeys=both
[Lock]
Actuator=strike
Strike=STRIKE
StrikeType=fail-secure
"""

MATRIX_ROLES = ["motor-unlock", "motor-lock", "buzzer", "led", "keypad-column-0", "keypad-column-1",
                "keypad-column-2", "keypad-row-0", "keypad-row-1", "keypad-row-2", "keypad-row-3",
                "bolt-retracted", "bolt-extended", "door", "exit-button", "doorbell", "tamper"]
ROLE_LINE = {"motor-unlock": "MOTOR_UNLOCK", "motor-lock": "MOTOR_LOCK", "buzzer": "BUZZER", "led": "LED",
             "bolt-retracted": "BOLT_RETRACTED", "bolt-extended": "BOLT_EXTENDED", "door": "DOOR",
             "exit-button": "EXIT", "doorbell": "BELL", "tamper": "TAMPER", "strike": "STRIKE",
             "wiegand-d0": "WD0", "wiegand-d1": "WD1"}
for _i in range(3):
    ROLE_LINE["keypad-column-%d" % _i] = "COL%d" % _i
for _i in range(4):
    ROLE_LINE["keypad-row-%d" % _i] = "ROW%d" % _i


# This script's threads run SCHED_FIFO (main()); what it starts runs as
# usual (chrt execs the program: the pid is the program's).
NORMAL = ["chrt", "--other", "0"]


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


# ---- TAP ----

class Tap:
    def __init__(self, plan):
        self.plan = plan
        self.n = 0
        self.failed = 0
        print("1..%d" % plan, flush=True)

    def comment(self, msg):
        for line in str(msg).splitlines() or [""]:
            print("# " + line, flush=True)

    def case(self, name, fn, *args):
        self.n += 1
        t = time.monotonic()
        try:
            fn(*args)
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (self.n, name, e), flush=True)
            return False
        except Failure as e:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            self.comment(e)
            return False
        except Exception:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name), flush=True)
            self.comment(traceback.format_exc())
            return False
        print("ok %d - %s (%.1f s)" % (self.n, name, time.monotonic() - t), flush=True)
        return True


# ---- the bus, the daemon, lockctl ----

class Env:
    def __init__(self, doorlockd, lockctl, hw, chip):
        self.doorlockd = doorlockd
        self.lockctl_path = lockctl
        self.hw = hw
        self.chip = chip
        self.dir = tempfile.mkdtemp(prefix="dl-vm-daemon.")
        self.bus_path = os.path.join(self.dir, "bus")
        self.bus = None
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + self.bus_path, TZ="UTC")
        self.daemon = None
        self.daemon_err = None
        self.retries = 0
        self.idle = None

    def start_bus(self):
        conf = os.path.join(self.dir, "bus.conf")
        with open(conf, "w") as f:
            f.write(BUS_CONF % self.bus_path)
        self.bus = subprocess.Popen(NORMAL + ["dbus-daemon", "--nofork", "--nopidfile", "--config-file=" + conf],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while not os.path.exists(self.bus_path):
            check(self.bus.poll() is None, "dbus-daemon exited with %s" % self.bus.returncode)
            check(time.monotonic() < end, "dbus-daemon did not make its socket")
            time.sleep(0.02)

    def write_conf(self, name, template, **kw):
        args = dict(chip=self.chip.label, settle=SETTLE_MS * 1000, debounce=DEBOUNCE_MS)
        args.update(kw)
        path = os.path.join(self.dir, name + ".conf")
        with open(path, "w") as f:
            f.write(template % args)
        return path

    def spawn(self, name, conf):
        """Start a doorlockd; returns (process, notify socket, stderr path)."""
        notify = os.path.join(self.dir, name + ".notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        err = os.path.join(self.dir, name + ".err")
        env = dict(self.env, NOTIFY_SOCKET=notify)
        env.pop("WATCHDOG_USEC", None)
        with open(err, "w") as ef:
            p = subprocess.Popen(NORMAL + [self.doorlockd, "--config", conf, "--state-dir",
                                  os.path.join(self.dir, name + ".state")],
                                 env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=ef)
        return p, sock, err

    def start_daemon(self, name, conf):
        p, sock, err = self.spawn(name, conf)
        self.daemon, self.daemon_err = p, err
        end = time.monotonic() + 20
        sock.settimeout(0.1)
        ready = False
        try:
            while time.monotonic() < end and not ready:
                if p.poll() is not None:
                    break
                try:
                    msg = sock.recv(4096).decode(errors="replace")
                except socket.timeout:
                    continue
                ready = "READY=1" in msg.split("\n")
        finally:
            sock.close()
        if not ready:
            rc = p.poll()
            if rc is None:
                p.kill()
                p.wait()
            self.daemon = None
            raise Failure("doorlockd did not become ready (exit status %s): %s" % (rc, self.stderr()))
        # A request with a bias set the pulls: the door's levels again.
        self.hw.reapply()
        time.sleep(0.2)

    def stderr(self):
        try:
            with open(self.daemon_err) as f:
                return f.read().strip()
        except (OSError, TypeError):
            return ""

    def stop_daemon(self):
        p = self.daemon
        self.daemon = None
        if p is None:
            return None
        p.send_signal(signal.SIGTERM)
        try:
            return p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return "killed"

    def need_daemon(self):
        if self.daemon is None or self.daemon.poll() is not None:
            raise Skip("doorlockd is not running")

    def lockctl(self, *args, stdin=None, check_rc=True, timeout=15):
        r = subprocess.run(NORMAL + [self.lockctl_path] + list(args), input=stdin, capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        if check_rc and r.returncode != 0:
            raise Failure("lockctl %s: exit status %d: %s%s" % (" ".join(args), r.returncode, r.stdout,
                                                                 r.stderr))
        return r

    def status(self):
        return json.loads(self.lockctl("--json", "status").stdout)

    def log(self, since=0):
        out = self.lockctl("--json", "log", "-n", "200").stdout
        entries = [json.loads(line) for line in out.splitlines() if line.strip()]
        return [e for e in entries if e.get("id", 0) > since]

    def last_id(self):
        entries = self.log()
        return entries[-1]["id"] if entries else 0

    def wait_state(self, state, timeout=5.0):
        end = time.monotonic() + timeout
        st = None
        while time.monotonic() < end:
            st = self.status()
            if st["state"] == state:
                return st
            time.sleep(0.05)
        raise Failure("the lock did not get %s within %.1f s: %s" % (state, timeout, st))

    def close(self):
        self.stop_daemon()
        if self.bus:
            self.bus.terminate()
            self.bus.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


def events(entries, event, **match):
    return [e for e in entries if e.get("event") == event and all(e.get(k) == v for k, v in match.items())]


def show(entries):
    return "\n".join(json.dumps(e) for e in entries)


def type_keys(hw, keys, hold=KEY_HOLD_S, gap=KEY_GAP_S):
    for k in keys:
        hw.press(k, hold)
        time.sleep(hold + gap)


def matrix_send(env, keys):
    type_keys(env.hw, keys)


def wiegand_sender(bits):
    def send(env, keys):
        for k in keys:
            env.hw.wiegand(doormodel.wiegand_key_bits(k, bits))
            time.sleep(0.2)  # the slow profile's frame gap is 150 ms
    return send


def enter(env, tap, send, keys, line, watch=None, timeout=2.0, attempts=3):
    """Send keys (send(env, keys)) until `line` goes active, at most
    `attempts` times; the time it was seen, or None.  A retry is the
    harness's fault, not the daemon's: the script plays the keypad in
    software, and a host that stalls the VM for longer than the keypad's
    settle time (or the Wiegand profile's bit gap) makes it lose a key
    (logged as "unclear", "timing" or a wrong entry).  Retries are counted
    and shown."""
    for attempt in range(attempts):
        mark = env.last_id()
        w = {line: 1}
        w.update(watch or {})
        env.hw.arm(w)
        send(env, keys)
        seen = wait_seen(env.hw, line, timeout)
        if seen is not None:
            return seen
        env.retries += 1
        tap.comment("harness: %r not taken (attempt %d), retrying; log: %s" %
                    (keys, attempt + 1, "; ".join(e.get("details", "") for e in env.log(mark))))
        send(env, "*")  # clears a half-typed entry
        time.sleep(0.3)
    return None


def wait_seen(hw, name, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if name in hw.seen:
            return hw.seen[name]
        time.sleep(0.005)
    return hw.seen.get(name)


def wait_level(chip, name, level, timeout):
    """Poll (1 ms) until the line is at level; the time, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if chip.value(name) == level:
            return time.monotonic()
        time.sleep(0.001)
    return None


def wait_locked_idle(env, timeout=4.0):
    """The bolt extended and the motor off, as the model sees it."""
    chip = env.chip
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if (chip.pull("BOLT_EXTENDED") == 1 and chip.value("MOTOR_UNLOCK") == 0 and
                chip.value("MOTOR_LOCK") == 0):
            return True
        time.sleep(0.005)
    return False


def ctx_switches(pid):
    """(voluntary, involuntary, threads) over all of the process's threads."""
    vol = invol = n = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        vol += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        invol += int(line.split()[1])
            n += 1
        except FileNotFoundError:
            pass
    return vol, invol, n


def stats_ms(values):
    v = sorted(x * 1000 for x in values)
    return v[0], statistics.median(v), v[-1]


# ---- run 1: matrix keypad, motor ----

def case_start_matrix(env):
    env.start_daemon("matrix", env.write_conf("matrix", MATRIX_MOTOR))
    err = env.stderr()
    check("gpio hardware" in err, "doorlockd did not say it runs the gpio backend: " + err)
    st = env.status()
    check(st["hardware"] == "gpio", "hardware: %s" % st)
    check(st["state"] == "locked", "the lock is not locked at start (bolt extended): %s" % st)
    env.lockctl("code", "add", "alice", "--pin", "-", stdin=PIN + "\n")
    for i, pin in enumerate(ONE_TIME_PINS[:BENCH_N]):
        env.lockctl("code", "add", "guest%d" % i, "--one-time", "--pin", "-", stdin=pin + "\n")


def hw_status_lines(env):
    return {ln["role"]: ln for ln in json.loads(env.lockctl("--json", "hw", "status").stdout)["lines"]}


def check_live_levels(env, lines):
    bad = []
    for role, ln in lines.items():
        name = ROLE_LINE.get(role)
        if name is None:
            bad.append("unexpected role %s" % role)
            continue
        want = env.chip.value(name)
        if ln["value"] != want:
            bad.append("%s: %s, gpio-sim says %d" % (role, ln["value"], want))
        if ("dl-door" not in ln["where"] and env.chip.chip_name not in ln["where"]) or name not in ln["where"]:
            bad.append("%s is at %r" % (role, ln["where"]))
    check(not bad, "; ".join(bad))


def case_hw_status(env):
    env.need_daemon()
    lines = hw_status_lines(env)
    check(sorted(lines) == sorted(MATRIX_ROLES), "roles: %s" % sorted(lines))
    check_live_levels(env, lines)
    check(lines["bolt-extended"]["value"] == 1 and lines["keypad-row-0"]["value"] == 1,
          "at rest: %s" % lines)
    check(lines["motor-unlock"]["direction"] == "output" and lines["door"]["direction"] == "input",
          "directions: %s" % lines)
    # Live: the doorbell pressed shows 1 while held.
    env.hw.pull("BELL", 1)
    time.sleep(0.1)
    lines = hw_status_lines(env)
    env.hw.pull("BELL", 0)
    check(lines["doorbell"]["value"] == 1, "the doorbell held reads %s" % lines["doorbell"])


def case_pin_unlocks(env, tap):
    env.need_daemon()
    hw, chip = env.hw, env.chip
    mark = env.last_id()
    with hw.lock:
        hw.reset_stats()
    on = enter(env, tap, matrix_send, PIN + "#", "MOTOR_UNLOCK", {"BOLT_RETRACTED": 1})
    check(on is not None, "the motor-unlock line never went active; log: " + show(env.log(mark)))
    check(chip.value("MOTOR_LOCK") == 0, "both motor lines on")
    off = wait_level(chip, "MOTOR_UNLOCK", 0, 2.0)
    check(off is not None, "the motor did not stop")
    retracted = hw.seen.get("BOLT_RETRACTED")
    check(retracted is not None and chip.pull("BOLT_RETRACTED") == 1, "the bolt is not retracted")
    st = env.wait_state("unlocked", 2.0)
    # Stopped by the switch, not by the 400 ms timeout: that would have
    # been a second try (and a jam), not "unlocked" after one drive.
    with hw.lock:
        drives = hw.drives
    check(drives == 1, "%d drives for one unlock" % drives)
    log = env.log(mark)
    check(events(log, "access-granted", source="keypad", code_name="alice"), "no access-granted: " + show(log))
    tap.comment("motor on %.0f ms, off %.0f ms after the retracted switch closed; state %s" %
                ((off - on) * 1000, (off - retracted) * 1000, st["state"]))


def case_relock(env, tap):
    env.need_daemon()
    hw, chip = env.hw, env.chip
    mark = env.last_id()
    on = wait_level(chip, "MOTOR_LOCK", 1, 3.0)
    check(on is not None, "the auto-relock never drove the motor-lock line")
    off = wait_level(chip, "MOTOR_LOCK", 0, 2.0)
    check(off is not None, "the motor did not stop after relocking")
    check(chip.pull("BOLT_EXTENDED") == 1, "the bolt is not extended")
    env.wait_state("locked", 2.0)
    log = env.log(mark)
    check(events(log, "locked", cause="auto-relock"), "no locked by auto-relock: " + show(log))
    with hw.lock:
        both, drives, gap = hw.both, hw.drives, hw.gap
    check(both == 0, "both motor lines seen on %d times" % both)
    check(drives == 2, "%d drives (one unlock, one lock expected)" % drives)
    tap.comment("relock: motor-lock on for %.0f ms; %d drives, never both on, %.0f ms off between them" %
                ((off - on) * 1000, drives, (gap or 0) * 1000))


def quiesce(pid, timeout=4.0):
    """Wait until the process has not switched for 0.5 s (the buzzer/LED
    pattern of the last event, 2 s at most, has ended)."""
    end = time.monotonic() + timeout
    last = ctx_switches(pid)[:2]
    while time.monotonic() < end:
        time.sleep(0.5)
        now = ctx_switches(pid)[:2]
        if now == last:
            return
        last = now


def idle_begin(env):
    env.need_daemon()
    pid = env.daemon.pid
    quiesce(pid)
    env.idle = (pid, time.monotonic(), ctx_switches(pid))


def idle_wakeups(env, tap, what, begin=True):
    """The daemon's context switches over IDLE_S.  begin=False: the window
    began at idle_begin(), and what ran since then did not touch the
    daemon (other doorlockd start-ups that fail before the bus)."""
    if begin:
        idle_begin(env)
    elif env.idle is None:
        raise Skip("the idle window did not begin")
    pid, t0, (v0, i0, n) = env.idle
    env.idle = None
    env.need_daemon()
    time.sleep(max(t0 + IDLE_S - time.monotonic(), 0))
    v1, i1, n1 = ctx_switches(pid)
    total = (v1 - v0) + (i1 - i0)
    tap.comment("bench: idle wake-ups, %s: %d voluntary + %d involuntary context switches in %.0f s, "
                "%d thread(s)" % (what, v1 - v0, i1 - i0, IDLE_S, max(n, n1)))
    check(total <= IDLE_MAX, "%d context switches while idle (at most %d)" % (total, IDLE_MAX))


def case_jam(env, tap):
    env.need_daemon()
    hw, chip = env.hw, env.chip
    env.wait_state("locked", 3.0)
    mark = env.last_id()
    with hw.lock:
        hw.reset_stats()
    hw.jammed = True
    try:
        t = time.monotonic()
        r = env.lockctl("unlock", check_rc=False, timeout=20)
        st = env.wait_state("jammed", 5.0)
        took = time.monotonic() - t
        time.sleep(0.05)
        check(chip.value("MOTOR_UNLOCK") == 0 and chip.value("MOTOR_LOCK") == 0,
              "the motor is not stopped after the jam")
        with hw.lock:
            drives, both = hw.drives, hw.both
        check(drives == 2, "%d drives: the first try and one retry expected" % drives)
        check(both == 0, "both motor lines on")
        log = env.log(mark)
        check(events(log, "alarm", kind="jammed"), "no alarm jammed in the log: " + show(log))
        tap.comment("jammed after %.1f s, %d tries, lockctl unlock: exit %d %s" %
                    (took, drives, r.returncode, (r.stdout + r.stderr).strip()))
    finally:
        hw.jammed = False
    # Freed, the bolt (still extended) locks at once.
    env.lockctl("lock", timeout=20)
    env.wait_state("locked", 3.0)


def case_door_forced(env):
    env.need_daemon()
    env.wait_state("locked", 3.0)
    mark = env.last_id()
    env.hw.pull("DOOR", 1)
    time.sleep(0.4)
    env.hw.pull("DOOR", 0)
    time.sleep(0.3)
    log = env.log(mark)
    check(events(log, "alarm", kind="door-forced"), "no alarm door-forced: " + show(log))


def case_exit_button(env, tap):
    env.need_daemon()
    hw, chip = env.hw, env.chip
    env.wait_state("locked", 3.0)
    mark = env.last_id()
    hw.arm({"MOTOR_UNLOCK": 1})
    hw.pull("EXIT", 1)
    time.sleep(0.1)
    hw.pull("EXIT", 0)
    # The door opens right away, the bolt still moving.
    time.sleep(0.05)
    hw.pull("DOOR", 1)
    check(wait_seen(hw, "MOTOR_UNLOCK", 2.0) is not None, "the exit button did not drive the motor")
    env.wait_state("unlocked", 2.0)
    time.sleep(0.3)
    hw.pull("DOOR", 0)
    log = env.log(mark)
    check(events(log, "access-granted", source="button"), "no access-granted by the button: " + show(log))
    check(not events(log, "alarm", kind="door-forced"), "door-forced after the exit button: " + show(log))
    tap.comment("log: " + ", ".join("%s/%s" % (e["event"], e["source"]) for e in log))
    env.wait_state("locked", 4.0)


def bench_run(env, tap, pin, locking):
    """One '#' to motor: returns (latency, floor, lockctl lock process) in
    s.  The digits are typed while the previous run's `lockctl lock`
    (locking) drives the bolt back; '#' comes once it is locked."""
    hw, chip = env.hw, env.chip
    hw.arm({"BUZZER": 1})  # a chirp per key taken
    type_keys(hw, pin)
    chirps = hw.count.get("BUZZER", 0)
    if locking is not None:
        check(locking.wait(10) == 0, "lockctl lock failed: %s" % (locking.stderr.read(),))
    check(wait_locked_idle(env), "the lock is not locked and idle before the run")
    check(chip.value("COL1") == 0, "the matrix is not idle before '#'")
    time.sleep(0.02)
    hw.arm({"COL1": 1, "MOTOR_UNLOCK": 1})
    hw.press("#", KEY_HOLD_S)
    on = wait_seen(hw, "MOTOR_UNLOCK", 1.5)
    t0 = hw.row_low_at
    col = hw.seen.get("COL1")
    if on is None or t0 is None or col is None:
        # A key lost to a stall of the harness (see enter()): again.
        tap.comment("harness: no motor after '#' (row edge %s, column %s, motor %s; %d key chirps for %d "
                    "digits), run again; log: %s" %
                    (t0, col, on, chirps, len(pin), "; ".join(e.get("details", "") for e in env.log()[-3:])))
        env.retries += 1
        type_keys(hw, "*")
        env.lockctl("lock", timeout=10)
        return None
    # Back to locked without waiting for the auto-relock.
    check(wait_level(chip, "MOTOR_UNLOCK", 0, 2.0) is not None, "the motor did not stop")
    check(chip.pull("BOLT_RETRACTED") == 1, "the bolt is not retracted")
    time.sleep(max(t0 + KEY_HOLD_S + 0.06 - time.monotonic(), 0))  # '#' released
    locking = subprocess.Popen(NORMAL + [env.lockctl_path, "lock"], env=env.env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    return on - t0, col - t0, locking


def harness_floor(env, n):
    """A pull on an unrequested line seen in its value by the same loop."""
    hw = env.hw
    out = []
    for _ in range(n):
        hw.arm({"BUSY": 1})
        t0 = time.monotonic()
        hw.pull("BUSY", 1)
        seen = wait_seen(hw, "BUSY", 1.0)
        hw.pull("BUSY", 0)
        if seen is not None:
            out.append(max(seen - t0, 0))
        time.sleep(0.01)
    hw.arm({})
    return out


def case_bench(env, tap, kind):
    env.need_daemon()
    hw = env.hw
    hw.poll_s = 0.0005
    try:
        lat, floor = [], []
        s0, t0 = hw.samples, time.monotonic()
        locking = None
        failed = 0
        while len(lat) < BENCH_N and failed < 3:
            pin = PIN if kind == "normal" else ONE_TIME_PINS[len(lat)]
            res = bench_run(env, tap, pin, locking)
            if res is None:
                failed += 1
                locking = None
                continue
            a, f, locking = res
            lat.append(a)
            floor.append(f)
        if locking is not None:
            check(locking.wait(10) == 0, "lockctl lock failed")
        period = (time.monotonic() - t0) / max(hw.samples - s0, 1)
        h = harness_floor(env, BENCH_N)
        check(len(lat) == BENCH_N, "%d of %d runs" % (len(lat), BENCH_N))
        lo, med, hi = stats_ms(lat)
        flo, fmed, fhi = stats_ms(floor)
        tap.comment("bench: keypad-to-motor %s: min %.1f median %.1f max %.1f ms (floor %.1f ms; "
                    "floor min %.1f max %.1f; N=%d)" % (kind, lo, med, hi, fmed, flo, fhi, BENCH_N))
        tap.comment("bench:   of which the matrix's configured scan and debounce: %d ms (2 scans x 3 "
                    "columns x %d ms settle + %d ms debounce); the rest: median %.1f ms" %
                    (MATRIX_DELAY_MS, SETTLE_MS, DEBOUNCE_MS, med - MATRIX_DELAY_MS))
        if h:
            hlo, hmed, hhi = stats_ms(h)
            tap.comment("bench:   harness alone (pull written, seen in sysfs by the same loop): min %.2f "
                        "median %.2f max %.2f ms; loop period %.2f ms" % (hlo, hmed, hhi, period * 1000))
        env.wait_state("locked", 3.0)
        if kind == "one-time":
            log = env.log()
            used = [e for e in events(log, "access-granted", source="keypad")
                    if str(e.get("code_name", "")).startswith("guest")]
            check(len(used) >= BENCH_N and all(e.get("details") == "one-time code" for e in used),
                  "one-time grants: " + show(used))
    finally:
        hw.poll_s = doormodel.POLL_S


def case_lockout(env, tap):
    env.need_daemon()
    hw = env.hw
    env.wait_state("locked", 3.0)
    mark = env.last_id()
    # Wrong entries until the lockout (a key lost to the harness may
    # merge two entries: the log says which ones counted).
    st = None
    i = 0
    for pin in WRONG_PINS:
        type_keys(hw, pin + "#")
        i += 1
    for _ in range(5):
        time.sleep(0.15)
        st = env.status()
        if st["keypad_locked_until"] > 0 or i >= 10:
            break
        type_keys(hw, WRONG_PINS[0] + "#")
        i += 1
    log = env.log(mark)
    check(st["keypad_locked_until"] > 0, "no lockout after %d wrong entries: %s; log %s" %
          (i + 1, st, show(log)))
    wrong = events(log, "access-denied", source="keypad", reason="unknown-code")
    check(wrong and "5 consecutive" in wrong[-1].get("details", "") and
          not any("5 consecutive" in e.get("details", "") for e in wrong[:-1]),
          "the lockout did not start at the fifth wrong entry: " + show(log))
    hw.arm({"MOTOR_UNLOCK": 1})
    type_keys(hw, PIN + "#")
    time.sleep(0.6)
    check("MOTOR_UNLOCK" not in hw.seen, "the correct PIN drove the motor during the lockout")
    check(env.status()["state"] == "locked", "not locked")
    log = env.log(mark)
    denied = events(log, "access-denied", source="keypad")
    check(denied and denied[-1].get("reason") == "locked-out",
          "the right PIN was not refused as locked-out: %s" % show(log))
    env.lockctl("lockout", "reset")
    check(env.status()["keypad_locked_until"] == 0, "lockout reset did not end it")
    tap.comment("locked out after %d entries typed, until %d; the right PIN refused: %s" %
                (i, st["keypad_locked_until"], denied[-1].get("reason")))


# ---- run 2: Wiegand keypad, strike ----

def case_start_wiegand(env):
    rc = env.stop_daemon()
    check(rc == 0, "the first doorlockd exited with %s on SIGTERM: %s" % (rc, env.stderr()))
    check(env.chip.value("MOTOR_UNLOCK") == 0 and env.chip.value("MOTOR_LOCK") == 0, "motor lines on")
    env.start_daemon("wiegand", env.write_conf("wiegand", WIEGAND_STRIKE))
    st = env.status()
    check(st["hardware"] == "gpio" and st["state"] == "locked", "status: %s" % st)
    check(env.chip.value("STRIKE") == 0, "the fail-secure strike is energised at start")
    env.lockctl("code", "add", "alice", "--pin", "-", stdin=PIN + "\n")


def wiegand_unlock(env, tap, bits):
    env.need_daemon()
    hw, chip = env.hw, env.chip
    env.wait_state("locked", 3.0)
    mark = env.last_id()
    seen = enter(env, tap, wiegand_sender(bits), PIN + "#", "STRIKE", timeout=1.5)
    check(seen is not None, "the strike did not open; log: " + show(env.log(mark)))
    env.wait_state("unlocked", 2.0)
    log = env.log(mark)
    check(events(log, "access-granted", source="keypad", code_name="alice"), "no grant: " + show(log))
    closed = wait_level(chip, "STRIKE", 0, 3.0)
    check(closed is not None, "the strike stayed open")
    env.wait_state("locked", 2.0)
    tap.comment("%d-bit bursts: strike open for %.0f ms (auto-relock 1 s)" % (bits, (closed - seen) * 1000))


def case_wiegand_rejected(env, tap):
    env.need_daemon()
    hw = env.hw
    mark = env.last_id()
    hw.arm({"STRIKE": 1})
    card = doormodel.wiegand_card_bits(17, 4242)
    bad = ("1" if card[0] == "0" else "0") + card[1:]  # the even parity bit flipped
    hw.wiegand(bad)
    time.sleep(0.3)
    hw.wiegand("0101101")  # 7 bits: no such frame
    time.sleep(0.3)
    log = env.log(mark)
    rej = events(log, "input-rejected")
    check(rej and "parity" in rej[0].get("details", ""), "no input-rejected (parity): " + show(log))
    check("STRIKE" not in hw.seen, "a rejected frame opened the strike")
    check(not events(log, "access-granted") and not events(log, "access-denied"),
          "a rejected frame made an entry: " + show(log))
    tap.comment("logged: %s (the 7-bit frame is counted into the next minute's summary)" %
                rej[0].get("details"))


def case_card(env):
    env.need_daemon()
    hw = env.hw
    mark = env.last_id()
    hw.arm({"STRIKE": 1})
    facility, number = 123, 45678
    hw.wiegand(doormodel.wiegand_card_bits(facility, number))
    time.sleep(0.4)
    log = env.log(mark)
    cards = events(log, "card-presented")
    check(len(cards) == 1 and "26-bit" in cards[0].get("details", ""), "no card-presented: " + show(log))
    data = (facility << 16) | number
    text = json.dumps(cards)
    for leak in (str(number), str(data), "%x" % data, "%X" % data, "%x" % number):
        check(leak not in text, "the card number (%s) is in the log: %s" % (leak, text))
    check("STRIKE" not in hw.seen, "a card opened the strike")


def case_hw_status_wiegand(env):
    env.need_daemon()
    lines = hw_status_lines(env)
    want = ["strike", "wiegand-d0", "wiegand-d1", "door"]
    check(sorted(lines) == sorted(want), "roles: %s" % sorted(lines))
    check_live_levels(env, lines)
    check(lines["wiegand-d0"]["value"] == 1 and lines["strike"]["value"] == 0, "levels: %s" % lines)


def case_line_in_use(env):
    env.need_daemon()
    conf = env.write_conf("busy", COMMON + "[Lock]\nActuator=strike\nStrike=STRIKE\n")
    p, sock, err = env.spawn("busy", conf)
    sock.close()
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise Failure("a doorlockd wanting a line in use did not stop")
    with open(err) as f:
        msg = f.read().strip()
    check(rc == 1, "exit status %s: %s" % (rc, msg))
    check("[Lock] Strike=STRIKE" in msg and "in use" in msg, "the message: " + msg)
    check(env.chip.value("STRIKE") == 0 and env.daemon.poll() is None, "the running daemon was disturbed")
    env.comment_msg = msg


def case_stop_wiegand(env):
    rc = env.stop_daemon()
    check(rc == 0, "doorlockd exited with %s on SIGTERM: %s" % (rc, env.stderr()))
    check(env.chip.value("STRIKE") == 0, "the strike is not back at its safe level")


def case_wrong_chip(env):
    conf = env.write_conf("nochip", MATRIX_MOTOR, chip="no-such-chip")
    p, sock, err = env.spawn("nochip", conf)
    sock.close()
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise Failure("a doorlockd with a wrong chip did not stop")
    with open(err) as f:
        msg = f.read().strip()
    check(rc == 1, "exit status %s: %s" % (rc, msg))
    check("[Lock] MotorUnlock=" in msg and "no-such-chip" in msg, "the message: " + msg)
    env.comment_msg = msg


def main():
    if len(sys.argv) != 3:
        print("Bail out! usage: guest-daemon.py DOORLOCKD LOCKCTL", flush=True)
        sys.exit(1)
    doorlockd, lockctl = sys.argv[1], sys.argv[2]
    for prog in (doorlockd, lockctl):
        if not os.access(prog, os.X_OK):
            print("Bail out! %s is not built (ninja -C BUILDDIR)" % prog, flush=True)
            sys.exit(1)
    try:
        dev = gpiosim.Device("dl-vm-daemon", [gpiosim.Bank("dl-door", 24, doormodel.NAMES)]).enable()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        print("Bail out! cannot make the gpio-sim chip: %s" % e, flush=True)
        sys.exit(1)
    chip = dev.chips[0]
    doormodel.at_rest(chip)
    chip.set_pull("BUSY", 0)
    # The model answers the keypad's column changes within its settle
    # time: its thread runs SCHED_FIFO, and hands the GIL on sooner.  The
    # main thread too (lower): holding the GIL, it must not be preempted
    # by the daemon or lockctl while the model waits for it.
    sys.setswitchinterval(0.0005)
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(5))
    except OSError as e:
        print("# cannot run SCHED_FIFO (%s): keys may be lost under load" % e, flush=True)
    hw = doormodel.Hardware(chip).start(rt_priority=10)
    env = Env(doorlockd, lockctl, hw, chip)
    tap = Tap(21)
    tap.comment("gpio-sim %s: dl-door = %s; bench N=%d, idle window %.0f s" %
                (dev.dev_name, chip.chip_name, BENCH_N, IDLE_S))
    t_start = time.monotonic()
    try:
        try:
            env.start_bus()
        except Failure as e:
            print("Bail out! %s" % e, flush=True)
            sys.exit(1)

        def with_msg(fn):
            def run(e):
                e.comment_msg = None
                fn(e)
                if e.comment_msg:
                    tap.comment(e.comment_msg)
            return run

        tap.case("doorlockd starts with the gpio backend (matrix keypad, motor) and READY=1",
                 case_start_matrix, env)
        tap.case("lockctl hw status lists the 17 configured lines with live levels", case_hw_status, env)
        tap.case("a typed PIN drives the motor until the retracted switch closes: unlocked",
                 case_pin_unlocks, env, tap)
        tap.case("the auto-relock drives the bolt back out: locked", case_relock, env, tap)
        tap.case("idle, matrix and motor: no wake-ups in %.0f s" % IDLE_S, idle_wakeups, env, tap,
                 "matrix keypad + motor")
        tap.case("a jammed bolt: one retry, motor stopped, state jammed, alarm jammed", case_jam, env, tap)
        tap.case("the door opened while locked: alarm door-forced", case_door_forced, env)
        tap.case("the exit button unlocks; the door opened right after is not door-forced",
                 case_exit_button, env, tap)
        tap.case("bench: keypad '#' to motor, normal code (N=%d)" % BENCH_N, case_bench, env, tap, "normal")
        tap.case("bench: keypad '#' to motor, one-time code (N=%d)" % BENCH_N, case_bench, env, tap,
                 "one-time")
        tap.case("five wrong PINs lock the keypad out; the right PIN then drives nothing", case_lockout,
                 env, tap)
        tap.case("doorlockd stops on SIGTERM, then starts with a Wiegand keypad and a strike",
                 case_start_wiegand, env)
        tap.case("a parity error and a wrong length are rejected and open nothing", case_wiegand_rejected,
                 env, tap)
        tap.case("8-bit Wiegand key bursts of the PIN and '#' open the strike", wiegand_unlock, env, tap, 8)
        tap.case("4-bit Wiegand key bursts of the PIN and '#' open the strike", wiegand_unlock, env, tap, 4)
        tap.case("a 26-bit card is logged as card-presented without its number", case_card, env)
        tap.case("lockctl hw status: the Wiegand lines and the strike, live", case_hw_status_wiegand, env)
        try:
            idle_begin(env)
        except Skip:
            pass
        tap.case("a second doorlockd wanting a line in use exits 1 naming the key",
                 with_msg(case_line_in_use), env)
        tap.case("a wrong chip name stops start-up with exit 1 naming the key", with_msg(case_wrong_chip), env)
        tap.case("idle, Wiegand reader thread and strike: no wake-ups in %.0f s" % IDLE_S, idle_wakeups,
                 env, tap, "Wiegand keypad (reader thread) + strike", False)
        tap.case("doorlockd stops on SIGTERM with the strike at its safe level", case_stop_wiegand, env)
    finally:
        if env.daemon is not None:
            tap.comment("doorlockd's stderr:\n" + env.stderr())
        env.close()
        hw.join(2)
        dev.close()
    tap.comment("guest-daemon: %d cases in %.1f s; %d entries repeated (keys lost by the harness); the "
                "door model's longest time between two samples: %.1f ms" %
                (tap.n, time.monotonic() - t_start, env.retries, hw.max_period * 1000))
    sys.exit(1 if tap.failed or tap.n != tap.plan else 0)


if __name__ == "__main__":
    main()
