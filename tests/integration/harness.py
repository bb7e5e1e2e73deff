# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration test harness for doorlockd.

Each test file builds a Suite, registers cases with @suite.case(...) and
calls suite.run().  The suite starts a private dbus-daemon from
dbus/test-bus.conf.in (the project's policy file included) with its socket
in a world-readable temporary directory, and, for every case, a fresh
doorlockd (--simulate, short timings, its own state directory) that it waits
for through NOTIFY_SOCKET (READY=1).  After the case the daemon is stopped
with SIGTERM and must exit with status 0 within 2 s.

Output is TAP: "1..N", then "ok N - name", "ok N - name # SKIP why" or
"not ok N - name" followed by "# ..." diagnostics.

Waiting never sleeps blindly: wait_for() iterates the GLib main context
(dbus-python's main loop) until a predicate holds, collecting every signal
on the bus into Env.signals.

Environment: DOORLOCKD, LOCKCTL (paths to the binaries), SOURCE_ROOT (the
source tree, for dbus/*.conf* and the XML), DOORLOCKD_TEST_KEEP=1 keeps the
temporary directory, DOORLOCKD_TEST_CASE=SUBSTRING runs only matching
cases (the others are reported as skipped).

Under a wrapper such as valgrind (see tools/ci-valgrind):
DOORLOCKD_WRAPPER="valgrind --error-exitcode=99 ..." runs every doorlockd
the harness starts under that command; LOCKCTL_WRAPPER does the same for
lockctl.  If the wrapper is valgrind and has no --log-file, the harness
gives each process its own log in the case's directory and, once the
process has ended, fails the case if that log shows an error or a definite
leak.  LOCKCTL_WRAPPER_LIMIT=N wraps only the first N lockctl runs of
a case.  DOORLOCKD_TIMEOUT_SCALE=N stretches the harness's waits (start-up,
stop, wait_for, calls) N times; hold() durations are not stretched.  Cases
listed in VALGRIND_SKIPS report "# SKIP valgrind: why" under valgrind.
"""

import copy
import grp
import json
import os
import pwd
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

try:
    import dbus
    import dbus.lowlevel
    import dbus.mainloop.glib
    from gi.repository import GLib
except ImportError as _e:  # pragma: no cover - depends on the machine
    # TAP: a plan of 0 with a reason skips the whole file.
    print(f"1..0 # SKIP needs Debian's python3-dbus and python3-gi ({_e})")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("SOURCE_ROOT") or os.path.abspath(os.path.join(HERE, "..", ".."))
DOORLOCKD = os.environ.get("DOORLOCKD") or os.path.join(SOURCE_ROOT, "build", "daemon", "doorlockd")
LOCKCTL = os.environ.get("LOCKCTL") or os.path.join(SOURCE_ROOT, "build", "cli", "lockctl")
PYTHON = "/usr/bin/python3"

BUS_NAME = "org.doorlockd.Lock1"
LOCK_PATH = "/org/doorlockd/Lock1"
CODE_PREFIX = LOCK_PATH + "/code"
LOCK_IFACE = "org.doorlockd.Lock1"
CODE_IFACE = "org.doorlockd.Code1"
SIM_IFACE = "org.doorlockd.Simulator1"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
OM_IFACE = "org.freedesktop.DBus.ObjectManager"
INTROSPECT_IFACE = "org.freedesktop.DBus.Introspectable"

ERR = "org.doorlockd.Error."
ACCESS_DENIED = "org.freedesktop.DBus.Error.AccessDenied"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"
UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownObject"

# Short timings (see the brief in tests/integration/README.md).
DEFAULT_CONFIG = {
    "Lock": {"AutoRelockSeconds": "1", "MotorTimeoutMilliseconds": "400"},
    "Simulator": {"MotorMilliseconds": "30", "KeyGapMilliseconds": "5"},
    "Keypad": {"EntryTimeoutSeconds": "2"},
    "Lockout": {"Attempts": "3", "FirstSeconds": "2", "MaxSeconds": "8"},
}

# A PIN that passes the default rules (6-10 digits, not weak).
PIN1 = "481529"
PIN2 = "730196"
PIN3 = "915837"
WRONG_PIN = "000001"

OBSERVER = "dl-observer"
ADMIN = "dl-admin"
REMOTE = "dl-remote"          # group doorlock-remote: a network face (the MQTT bridge)
NOBODY = "nobody"


# ---- wrappers (valgrind) and stretched timeouts ----

def timeout_scale():
    """DOORLOCKD_TIMEOUT_SCALE: how many times longer to wait (default 1)."""
    try:
        return max(1.0, float(os.environ.get("DOORLOCKD_TIMEOUT_SCALE") or 1))
    except ValueError:
        return 1.0


def wrapper(var):
    return shlex.split(os.environ.get(var) or "")


def under_valgrind():
    return any(os.path.basename(w[0]) == "valgrind" for w in (wrapper("DOORLOCKD_WRAPPER"),
                                                               wrapper("LOCKCTL_WRAPPER")) if w)


# Cases that cannot work at valgrind's speed (timing measured against the
# wall clock): file name -> {start of the case name: reason}.
VALGRIND_SKIPS = {
    "test_access.py": {
        "lockout that outlives a restart": "the 2 s lockout runs out while the daemon restarts under valgrind",
    },
    "test_emergency.py": {
        "the 17th code of a window is refused": "16 generations must fit in the 3 s left of the window",
    },
}

# Problems found in wrapper logs since the current case started.
wrapper_problems = []

_VG_ERROR = re.compile(r"^==\d+== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|"
                       r"Syscall param|Mismatched free|Source and destination overlap|Argument '|"
                       r"Process terminating with default action|.*definitely lost in)")


def wrap_argv(var, argv, logdir, tag, owner=None):
    """argv under the wrapper in var (if any).  For valgrind without its
    own --log-file, returns the log path it will write (made writable for
    the uid owner), else None."""
    w = wrapper(var)
    if not w:
        return argv, None
    log = None
    if os.path.basename(w[0]) == "valgrind" and not any(a.startswith("--log-file") for a in w):
        log = os.path.join(logdir, f"valgrind-{tag}.log")
        open(log, "w").close()
        if owner is not None:
            os.chmod(log, 0o666)
        w = w[:1] + [f"--log-file={log}"] + w[1:]
    return w + argv, log


def check_wrapper_log(log, what):
    """Record the errors and definite leaks valgrind logged in log."""
    if not log:
        return
    try:
        with open(log) as f:
            text = f.read()
    except OSError as e:
        wrapper_problems.append(f"{what}: cannot read {log}: {e}")
        return
    m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    bad = [line for line in text.split("\n") if _VG_ERROR.match(line)]
    if (m and int(m.group(1)) > 0) or bad:
        wrapper_problems.append(f"{what}: valgrind reports {m.group(1) if m else 'errors (no summary)'}"
                                f" errors; log {log}:\n" + "\n".join(text.split("\n")[-60:]))


class Failure(AssertionError):
    pass


class Skip(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def eq(got, want, what):
    if got != want:
        raise Failure(f"{what}: got {got!r}, want {want!r}")


def now_usec():
    return time.time_ns() // 1000


def unwrap(v):
    """dbus-python values into plain Python values."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, dict):
        return {unwrap(k): unwrap(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return tuple(unwrap(x) for x in v)
    if isinstance(v, (list, dbus.Array)):
        return [unwrap(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    return v


def typed(sig, value):
    """A Python value as a dbus-python value of D-Bus type sig."""
    if sig == "s":
        return dbus.String(value)
    if sig == "o":
        return dbus.ObjectPath(value)
    if sig == "b":
        return dbus.Boolean(value)
    if sig == "y":
        return dbus.Byte(value)
    if sig == "q":
        return dbus.UInt16(value)
    if sig == "u":
        return dbus.UInt32(value)
    if sig == "i":
        return dbus.Int32(value)
    if sig == "t":
        return dbus.UInt64(value)
    if sig == "x":
        return dbus.Int64(value)
    if sig == "a(yqq)":
        return dbus.Array([dbus.Struct((dbus.Byte(d), dbus.UInt16(s), dbus.UInt16(e)), signature="yqq")
                           for d, s, e in value], signature="(yqq)")
    if sig == "as":
        return dbus.Array([dbus.String(x) for x in value], signature="s")
    raise ValueError(f"typed(): no conversion for {sig}")


# The D-Bus types of AddCode's options and the writable Code1 properties.
OPTION_TYPES = {
    "OneTime": "b",
    "ValidFrom": "t",
    "ValidUntil": "t",
    "Schedule": "a(yqq)",
    "MaxUses": "u",
    "Duress": "b",
    "Length": "u",
    "Name": "s",
    "Enabled": "b",
    "AutoRelockSeconds": "u",
}


def options(**opts):
    """AddCode's a{sv}.  A value given as (sig, value) forces the type."""
    d = {}
    for k, v in opts.items():
        if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str):
            sig, val = v
        else:
            sig, val = OPTION_TYPES[k], v
        d[dbus.String(k)] = typed(sig, val)
    return dbus.Dictionary(d, signature="sv")


def dbus_error_name(e):
    return e.get_dbus_name() if isinstance(e, dbus.exceptions.DBusException) else None


# ---- users and groups (roles) ----

def is_root():
    return os.geteuid() == 0


def _group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_role_users():
    """As root: groups doorlock-admin, doorlock and doorlock-remote, users
    dl-observer (in doorlock), dl-admin (in doorlock-admin) and dl-remote
    (in doorlock-remote).  Must run before the daemon starts: it looks the
    groups up at start."""
    if not is_root():
        raise Skip("role tests need root (to create users and switch to them)")
    for g in ("doorlock-admin", "doorlock", "doorlock-remote"):
        if not _group_exists(g):
            subprocess.run(["groupadd", "--system", g], check=True)
    for user, group in ((OBSERVER, "doorlock"), (ADMIN, "doorlock-admin"), (REMOTE, "doorlock-remote")):
        if not _user_exists(user):
            subprocess.run(["useradd", "--system", "--no-create-home", "--user-group",
                            "--shell", "/usr/sbin/nologin", "--groups", group, user], check=True)
        elif user not in grp.getgrnam(group).gr_mem:
            subprocess.run(["usermod", "--append", "--groups", group, user], check=True)
    if not _user_exists(NOBODY):
        raise Skip("there is no user nobody")


def as_user_argv(user):
    """Prefix to run a command as user with its groups."""
    pw = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups"]


# ---- the private bus ----

OPEN_POLICY = """<?xml version="1.0"?>
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
        "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- Tests only: anyone may call doorlockd, so that the daemon's own role
     checks are what is tested, not the bus policy. -->
<busconfig>
        <policy context="default">
                <allow send_destination="org.doorlockd.Lock1"/>
                <allow receive_sender="org.doorlockd.Lock1"/>
        </policy>
</busconfig>
"""


class Bus:
    """A private dbus-daemon from dbus/test-bus.conf.in.  policy: "project"
    includes dbus/org.doorlockd.Lock1.conf; "open" lets anyone call the
    daemon (to test the daemon's own checks)."""

    def __init__(self, workdir, policy="project", user=None):
        self.user = user or pwd.getpwuid(os.getuid()).pw_name
        self.dir = os.path.join(workdir, f"bus-{policy}-{self.user}")
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o755)
        self.socket = os.path.join(self.dir, "socket")
        self.address = None
        self.proc = None
        self.policy = policy
        self.log_path = os.path.join(self.dir, "dbus-daemon.log")

    def start(self):
        with open(os.path.join(SOURCE_ROOT, "dbus", "test-bus.conf.in")) as f:
            template = f.read()
        if self.policy == "project":
            policy_file = os.path.join(SOURCE_ROOT, "dbus", "org.doorlockd.Lock1.conf")
        else:
            policy_file = os.path.join(self.dir, "open-policy.conf")
            with open(policy_file, "w") as f:
                f.write(OPEN_POLICY)
        conf = (template.replace("@SOCKET@", self.socket)
                .replace("@USER@", self.user)
                .replace("@POLICY@", policy_file))
        conf_path = os.path.join(self.dir, "bus.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--config-file=" + conf_path, "--nofork", "--nopidfile", "--nosyslog",
             "--print-address=1"],
            stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        # The address is printed once the bus listens (readline returns ""
        # if it died instead).
        line = self.proc.stdout.readline().decode().strip()
        if not line:
            self.proc.wait()
            raise Failure(f"dbus-daemon did not start: {self.read_log()}")
        self.address = line
        # Other uids must be able to connect.
        os.chmod(self.socket, 0o777)

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()


# ---- the daemon ----

def render_config(cfg):
    out = ["# written by tests/integration/harness.py"]
    for section, keys in cfg.items():
        out.append(f"[{section}]")
        for k, v in keys.items():
            out.append(f"{k}={v}")
        out.append("")
    return "\n".join(out)


def merge_config(overrides):
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    for section, keys in (overrides or {}).items():
        cfg.setdefault(section, {}).update(keys)
    return cfg


class Daemon:
    def __init__(self, bus_address, workdir, config=None, state_dir=None, config_path=None, simulate=True,
                 run_as=None, extra_env=None):
        self.simulate = simulate
        # Variables added to the daemon's environment at every start (e.g.
        # LD_PRELOAD of test_emergency.py's clock shim); may be changed
        # between a stop and the next start.
        self.extra_env = dict(extra_env or {})
        self.run_as = run_as
        self.bus_address = bus_address
        self.workdir = workdir
        self.state_dir = state_dir or os.path.join(workdir, "state")
        self.config_path = config_path or os.path.join(workdir, "doorlockd.conf")
        if config_path is None:
            with open(self.config_path, "w") as f:
                f.write(render_config(merge_config(config)))
        self.log_path = os.path.join(workdir, "doorlockd.log")
        self.proc = None
        self.status = None   # the STATUS= line sent with READY=1
        self.starts = 0
        self.wrapper_log = None

    def argv(self):
        return ((as_user_argv(self.run_as) if self.run_as else [])
                + self.wrapped([DOORLOCKD] + (["--simulate"] if self.simulate else [])
                               + ["--state-dir", self.state_dir, "--config", self.config_path]))

    def wrapped(self, argv):
        argv, self.wrapper_log = wrap_argv("DOORLOCKD_WRAPPER", argv, self.workdir,
                                           f"doorlockd-{os.path.basename(self.state_dir)}-{self.starts}",
                                           owner=self.run_as)
        return argv

    def start(self, timeout=10.0):
        if not os.access(DOORLOCKD, os.X_OK):
            raise Failure(f"no doorlockd binary at {DOORLOCKD} (set DOORLOCKD)")
        self.starts += 1
        timeout *= timeout_scale()
        notify_path = os.path.join(self.workdir, f"notify-{self.starts}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify_path)
        if self.run_as:
            os.chmod(notify_path, 0o777)
            pw = pwd.getpwnam(self.run_as)
            os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
            os.chown(self.state_dir, pw.pw_uid, pw.pw_gid)
        env = dict(os.environ)
        for k in ("WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID"):
            env.pop(k, None)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus_address
        env["NOTIFY_SOCKET"] = notify_path
        env.update(self.extra_env)
        log = open(self.log_path, "a")
        argv = self.argv()
        log.write(f"---- start {self.starts}: {' '.join(argv)}\n")
        log.flush()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        log.close()
        pidfd = os.pidfd_open(self.proc.pid)
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.proc.kill()
                    self.proc.wait()
                    self.ended()
                    raise Failure(f"doorlockd not ready within {timeout} s:\n{self.read_log()}")
                readable, _, _ = select.select([sock, pidfd], [], [], left)
                if sock in readable:
                    msg = sock.recv(4096).decode(errors="replace")
                    lines = msg.split("\n")
                    for line in lines:
                        if line.startswith("STATUS="):
                            self.status = line[len("STATUS="):]
                    if "READY=1" in lines:
                        return
                elif pidfd in readable:
                    rc = self.proc.wait()
                    self.ended()
                    raise Failure(f"doorlockd exited with status {rc} before READY=1:\n{self.read_log()}")
        finally:
            os.close(pidfd)
            sock.close()
            os.unlink(notify_path)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def ended(self):
        """The process has been reaped: check its wrapper's log."""
        check_wrapper_log(self.wrapper_log, f"doorlockd (start {self.starts})")
        self.wrapper_log = None

    def stop(self, sig=signal.SIGTERM, timeout=2.0):
        """Signal the daemon; returns (exit status, seconds it took)."""
        if self.proc is None:
            return None, 0.0
        t0 = time.monotonic()
        timeout *= timeout_scale()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.ended()
            raise Failure(f"doorlockd did not exit within {timeout} s of signal {sig}")
        took = time.monotonic() - t0
        self.proc = None
        self.ended()
        return rc, took

    def stop_clean(self):
        rc, took = self.stop()
        check(rc == 0, f"doorlockd exited with status {rc} after SIGTERM (want 0):\n{self.read_log()}")
        return took

    def kill(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.ended()
        self.proc = None

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""


# ---- signals ----

class Sig:
    __slots__ = ("member", "iface", "path", "sender", "args", "t")

    def __init__(self, member, iface, path, sender, args):
        self.member = member
        self.iface = iface
        self.path = path
        self.sender = sender
        self.args = args
        self.t = time.monotonic()

    def __repr__(self):
        return f"<{self.iface}.{self.member} {self.path} {self.args!r}>"


class Connection:
    """A dbus-python connection to a private bus that records every signal."""

    def __init__(self, address):
        self.conn = dbus.bus.BusConnection(address)
        self.signals = []
        self.conn.add_signal_receiver(self._on_signal, sender_keyword="sender", path_keyword="path",
                                      member_keyword="member", interface_keyword="iface")

    def _on_signal(self, *args, sender=None, path=None, member=None, iface=None):
        self.signals.append(Sig(str(member), str(iface), str(path), str(sender),
                                [unwrap(a) for a in args]))

    def close(self):
        self.conn.close()


def iterate(timeout):
    """Run the main context once, blocking at most timeout seconds."""
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)
    if timeout <= 0:
        return
    fired = []

    def _wake():
        fired.append(True)
        return False

    tid = GLib.timeout_add(max(1, int(timeout * 1000)), _wake)
    ctx.iteration(True)
    if not fired:
        GLib.source_remove(tid)
    while ctx.pending():
        ctx.iteration(False)


# ---- one case's world ----

class Env:
    def __init__(self, suite, workdir, bus, conn):
        self.suite = suite
        self.workdir = workdir
        self.bus = bus
        self._conn = conn
        self.conn = conn.conn
        self.start_index = len(conn.signals)
        self.daemon = None
        self.extra_procs = []
        self.notes = []
        self.lockctl_runs = 0

    # -- signals and waiting --

    @property
    def signals(self):
        return self._conn.signals[self.start_index:]

    def mark(self):
        """A position in the signal list: wait_signal(since=mark)."""
        iterate(0)
        return len(self._conn.signals)

    def note(self, msg):
        self.notes.append(msg)

    def wait_for(self, pred, timeout=5.0, what="condition", poll=0.02):
        timeout *= timeout_scale()
        deadline = time.monotonic() + timeout
        while True:
            iterate(0)
            r = pred()
            if r:
                return r
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"timed out after {timeout} s waiting for {what}")
            iterate(min(left, poll))

    def hold(self, pred, duration, what="condition", poll=0.05):
        """pred() must stay true for duration seconds (used only where the
        test is that something does NOT happen within a time)."""
        end = time.monotonic() + duration
        while True:
            iterate(0)
            if not pred():
                raise Failure(f"{what} stopped holding after "
                              f"{duration - (end - time.monotonic()):.2f} s (of {duration} s)")
            left = end - time.monotonic()
            if left <= 0:
                return
            iterate(min(left, poll))

    def find_signals(self, member, since=None, match=None, iface=None, path=None):
        iterate(0)
        start = self.start_index if since is None else since
        out = []
        for s in self._conn.signals[start:]:
            if s.member != member:
                continue
            if iface and s.iface != iface:
                continue
            if path and s.path != path:
                continue
            if match and not match(s):
                continue
            out.append(s)
        return out

    def wait_signal(self, member, since=None, match=None, iface=None, path=None, timeout=5.0, count=1):
        def have():
            found = self.find_signals(member, since, match, iface, path)
            return found if len(found) >= count else None

        found = self.wait_for(have, timeout, what=f"{count} signal(s) {member}"
                              f"{' on ' + path if path else ''} (seen: {self.signal_summary(since)})")
        return found[0] if count == 1 else found

    def signal_summary(self, since=None):
        start = self.start_index if since is None else since
        sigs = [s for s in self._conn.signals[start:] if s.iface != "org.freedesktop.DBus"]
        return ", ".join(f"{s.member}{tuple(s.args) if s.member != 'LogEntry' else ''}" for s in sigs[-12:])

    def state_changes(self, since=None):
        """Values of State from PropertiesChanged on the lock, in order,
        with their times."""
        out = []
        for s in self.find_signals("PropertiesChanged", since, iface=PROPS_IFACE, path=LOCK_PATH):
            if s.args[0] == LOCK_IFACE and "State" in s.args[1]:
                out.append((s.args[1]["State"], s.t))
        return out

    def wait_state_signal(self, value, since=None, timeout=5.0):
        def have():
            for v, t in self.state_changes(since):
                if v == value:
                    return (v, t)
            return None

        return self.wait_for(have, timeout, what=f"PropertiesChanged State={value} "
                             f"(seen {[v for v, _ in self.state_changes(since)]})")[1]

    # -- calls --

    def call(self, method, *args, sig="", path=LOCK_PATH, iface=LOCK_IFACE, timeout=10.0, conn=None):
        c = conn or self.conn
        r = c.call_blocking(BUS_NAME, path, iface, method, sig, args, timeout=timeout * timeout_scale())
        return unwrap(r)

    def error_of(self, fn, *args, **kw):
        """Run fn; the D-Bus error it raised as (name, message), or None."""
        try:
            fn(*args, **kw)
        except dbus.exceptions.DBusException as e:
            return e.get_dbus_name(), e.get_dbus_message()
        return None

    def expect_error(self, names, fn, *args, **kw):
        if isinstance(names, str):
            names = (names,)
        r = self.error_of(fn, *args, **kw)
        if r is None:
            raise Failure(f"call succeeded, want error {' or '.join(names)}")
        if r[0] not in names:
            raise Failure(f"got error {r[0]} ({r[1]}), want {' or '.join(names)}")
        return r

    def refused(self, names, fn, *args, **kw):
        """fn must fail with one of names and change nothing visible: the
        lock's properties and every code's properties stay the same."""
        before = self.snapshot()
        r = self.expect_error(names, fn, *args, **kw)
        after = self.snapshot()
        if before != after:
            raise Failure(f"refused call ({r[0]}) changed state:\n  before {before}\n  after  {after}")
        check(r[1], f"error {r[0]} has no message")
        return r

    def snapshot(self):
        props = self.get_all()
        props.pop("ClockSynchronized", None)
        return props, self.codes()

    # properties
    def get(self, prop, path=LOCK_PATH, iface=LOCK_IFACE, conn=None):
        return self.call("Get", iface, prop, sig="ss", path=path, iface=PROPS_IFACE, conn=conn)

    def get_all(self, path=LOCK_PATH, iface=LOCK_IFACE, conn=None):
        return self.call("GetAll", iface, sig="s", path=path, iface=PROPS_IFACE, conn=conn)

    def set(self, prop, value, path=LOCK_PATH, iface=LOCK_IFACE, sig=None, conn=None):
        v = typed(sig or OPTION_TYPES[prop], value)
        return self.call("Set", iface, prop, v, sig="ssv", path=path, iface=PROPS_IFACE, conn=conn)

    def wait_prop(self, prop, value, path=LOCK_PATH, iface=LOCK_IFACE, timeout=5.0):
        last = []

        def ok():
            v = self.get(prop, path, iface)
            last[:] = [v]
            return v == value

        self.wait_for(ok, timeout, what=f"{prop} == {value!r} (last {last[0] if last else None!r})")

    def state(self):
        return self.get("State")

    # lock methods
    def lock(self):
        return self.call("Lock")

    def unlock(self):
        return self.call("Unlock")

    def unlock_for(self, seconds):
        return self.call("UnlockFor", seconds, sig="u")

    def set_mode(self, mode):
        return self.call("SetMode", mode, sig="s")

    def reset_lockout(self):
        return self.call("ResetLockout")

    def get_log(self, since=0, limit=0, conn=None):
        return self.call("GetLog", since, limit, sig="tu", conn=conn)

    # codes
    def add_code(self, name, pin="", **opts):
        path, pin_out = self.call("AddCode", name, pin, options(**opts), sig="ssa{sv}")
        return path, pin_out

    def codes(self, conn=None):
        objs = self.call("GetManagedObjects", sig="", iface=OM_IFACE, conn=conn)
        return {p: ifaces[CODE_IFACE] for p, ifaces in objs.items() if CODE_IFACE in ifaces}

    def code_prop(self, path, prop):
        return self.get(prop, path=path, iface=CODE_IFACE)

    def remove_code(self, path):
        return self.call("Remove", path=path, iface=CODE_IFACE)

    # simulator
    def press(self, keys):
        return self.call("PressKeys", keys, sig="s", iface=SIM_IFACE)

    def set_door(self, state):
        return self.call("SetDoor", state, sig="s", iface=SIM_IFACE)

    def set_jammed(self, jammed):
        return self.call("SetJammed", jammed, sig="b", iface=SIM_IFACE)

    def enter(self, pin, timeout=5.0):
        """Type pin + '#' on the simulated keypad; return the AccessGranted
        or AccessDenied signal it produced."""
        m = self.mark()
        self.press(pin + "#")
        return self.wait_for(
            lambda: (self.find_signals("AccessGranted", since=m, iface=LOCK_IFACE)
                     + self.find_signals("AccessDenied", since=m, iface=LOCK_IFACE)),
            timeout, what=f"a decision on keypad entry (seen: {self.signal_summary(m)})")[0]

    def wait_locked(self, timeout=5.0):
        self.wait_prop("State", "locked", timeout=timeout)

    def wait_unlocked(self, timeout=5.0):
        self.wait_prop("State", "unlocked", timeout=timeout)

    # -- the daemon --

    def start_daemon(self, config=None, state_dir=None, config_path=None, simulate=True, run_as=None,
                     extra_env=None):
        self.daemon = Daemon(self.bus.address, self.workdir, config=config, state_dir=state_dir,
                             config_path=config_path, simulate=simulate, run_as=run_as, extra_env=extra_env)
        self.daemon.start()
        self.start_index = self.mark()
        return self.daemon

    def restart_daemon(self):
        self.daemon.stop_clean()
        self.daemon.start()

    # -- other uids and lockctl --

    def client(self, user, ops, conn_address=None):
        """Run tests/integration/client.py as user with ops (a list of
        [path, interface, method, signature, args]); returns a list of
        {"ok": value} or {"error": name, "message": ...}."""
        script = self.suite.client_script()
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
               "DBUS_SYSTEM_BUS_ADDRESS": conn_address or self.bus.address}
        p = subprocess.run(as_user_argv(user) + [PYTHON, script, "call"], input=json.dumps(ops),
                           capture_output=True, text=True, env=env, timeout=30 * timeout_scale())
        if p.returncode != 0:
            raise Failure(f"client as {user} failed ({p.returncode}): {p.stderr.strip()}")
        return json.loads(p.stdout)

    def listener(self, user):
        """Start client.py listen as user: it counts the signals it receives
        until a marker signal arrives.  Returns the Popen after it is ready."""
        script = self.suite.client_script()
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": self.bus.address}
        p = subprocess.Popen(as_user_argv(user) + [PYTHON, script, "listen"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env)
        self.extra_procs.append(p)
        line = p.stdout.readline().strip()
        if line != "READY":
            p.kill()
            raise Failure(f"listener as {user} did not start: {line!r} {p.stderr.read()}")
        return p

    def send_marker(self):
        msg = dbus.lowlevel.SignalMessage("/org/doorlockd/Test", "org.doorlockd.Test", "Marker")
        self.conn.send_message(msg)
        self.conn.flush()

    def lockctl(self, *args, user=None, address=None, input=None, timeout=20):
        if not os.access(LOCKCTL, os.X_OK):
            raise Skip(f"lockctl is not built ({LOCKCTL})")
        env = dict(os.environ)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = address or self.bus.address
        env.pop("NOTIFY_SOCKET", None)
        self.lockctl_runs += 1
        limit = int(os.environ.get("LOCKCTL_WRAPPER_LIMIT") or 0)
        if limit and self.lockctl_runs > limit:
            wrapped, log = [LOCKCTL] + list(args), None
        else:
            wrapped, log = wrap_argv("LOCKCTL_WRAPPER", [LOCKCTL] + list(args), self.workdir,
                                     f"lockctl-{self.lockctl_runs}", owner=user)
        argv = ([] if user is None else as_user_argv(user)) + wrapped
        try:
            return subprocess.run(argv, input=input, capture_output=True, text=True, env=env,
                                  timeout=timeout * timeout_scale())
        finally:
            check_wrapper_log(log, f"lockctl {' '.join(args)[:80]}")

    def need_lockctl(self, *verb):
        """Skip unless lockctl exists and knows `lockctl VERB... --help`."""
        p = self.lockctl(*verb, "--help")
        if p.returncode != 0:
            raise Skip(f"lockctl does not support '{' '.join(verb)}' "
                       f"(--help: status {p.returncode}: {p.stderr.strip()[:120]})")

    # -- end --

    def finish(self):
        if self.daemon is not None and self.daemon.proc is not None:
            self.daemon.stop_clean()
        if wrapper_problems:
            raise Failure("\n".join(wrapper_problems))

    def cleanup(self):
        for p in self.extra_procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        if self.daemon is not None:
            self.daemon.kill()


# ---- the suite ----

class Suite:
    def __init__(self, name):
        self.name = name
        self.cases = []
        self.tmp = None
        self.buses = {}
        self.conns = {}
        self._client = None

    def case(self, name, daemon=True, config=None, bus="project", root=False):
        """Register a case.  fn(env) runs with a fresh daemon (unless
        daemon=False) using config overrides; bus is "project" or "open",
        optionally ":USER" for the user the bus lets own the daemon's name
        (default: the current user); root=True: skipped unless root."""
        def deco(fn):
            self.cases.append(dict(name=name, fn=fn, daemon=daemon, config=config, bus=bus, root=root))
            return fn
        return deco

    def client_script(self):
        if self._client is None:
            self._client = os.path.join(self.tmp, "client.py")
            shutil.copy(os.path.join(HERE, "client.py"), self._client)
            os.chmod(self._client, 0o755)
        return self._client

    def get_bus(self, kind):
        if kind not in self.buses:
            policy, _, user = kind.partition(":")
            b = Bus(self.tmp, policy, user or None)
            b.start()
            self.buses[kind] = b
            self.conns[kind] = Connection(b.address)
        return self.buses[kind], self.conns[kind]

    def run(self):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        only = os.environ.get("DOORLOCKD_TEST_CASE")
        self.tmp = tempfile.mkdtemp(prefix="doorlockd-it-")
        os.chmod(self.tmp, 0o755)
        print(f"1..{len(self.cases)}", flush=True)
        failed = 0
        t_suite = time.monotonic()
        try:
            for i, c in enumerate(self.cases, 1):
                failed += not self._run_case(i, c, only)
        finally:
            for conn in self.conns.values():
                try:
                    conn.close()
                except Exception:
                    pass
            for b in self.buses.values():
                b.stop()
            if os.environ.get("DOORLOCKD_TEST_KEEP"):
                print(f"# kept {self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
        print(f"# {self.name}: {len(self.cases)} cases, {failed} failed, "
              f"{time.monotonic() - t_suite:.1f} s", flush=True)
        # meson reads the verdicts from TAP; a non-zero exit would turn a
        # failed case into an ERROR of the whole file.
        sys.exit(0)

    def _run_case(self, i, c, only):
        name = c["name"]
        if only and only not in name:
            print(f"ok {i} - {name} # SKIP not selected (DOORLOCKD_TEST_CASE={only})", flush=True)
            return True
        if c["root"] and not is_root():
            print(f"ok {i} - {name} # SKIP needs root", flush=True)
            return True
        if under_valgrind():
            skips = VALGRIND_SKIPS.get(os.path.basename(sys.argv[0]), {})
            why = next((r for start, r in skips.items() if name.startswith(start)), None)
            if why:
                print(f"ok {i} - {name} # SKIP valgrind: {why}", flush=True)
                return True
        del wrapper_problems[:]
        workdir = os.path.join(self.tmp, f"case{i}")
        os.makedirs(workdir)
        os.chmod(workdir, 0o755)
        env = None
        t0 = time.monotonic()
        try:
            if c["root"]:
                ensure_role_users()
            bus, conn = self.get_bus(c["bus"])
            env = Env(self, workdir, bus, conn)
            if c["daemon"]:
                env.start_daemon(c["config"])
            c["fn"](env)
            env.finish()
            print(f"ok {i} - {name}", flush=True)
            for n in env.notes:
                print(f"# {n}")
            print(f"#   ({time.monotonic() - t0:.2f} s)", flush=True)
            return True
        except Skip as e:
            print(f"ok {i} - {name} # SKIP {e}", flush=True)
            return True
        except BaseException as e:  # noqa: B902 - report everything
            if isinstance(e, KeyboardInterrupt):
                raise
            print(f"not ok {i} - {name}", flush=True)
            for line in traceback.format_exc().rstrip().split("\n"):
                print(f"# {line}")
            if env is not None:
                for n in env.notes:
                    print(f"# note: {n}")
                print(f"# recent signals: {env.signal_summary()}")
                if env.daemon is not None:
                    tail = env.daemon.read_log().rstrip().split("\n")[-15:]
                    for line in tail:
                        print(f"# doorlockd: {line}")
            sys.stdout.flush()
            return False
        finally:
            if env is not None:
                env.cleanup()
            if wrapper_problems:
                for line in "\n".join(wrapper_problems).split("\n"):
                    print(f"# {line}")
                sys.stdout.flush()
