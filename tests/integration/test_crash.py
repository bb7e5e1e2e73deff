# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration test: the SIGKILL harness (issue 6).

One daemon state lives through every kill.  Each cycle, with doorlockd up:

- the keypad (Simulator1.PressKeys) gets a fresh one-time code, a fresh
  emergency code (of an issuer added over the bus, computed here with
  tools/ec-vectors.py) and a plain code, one after the other;
- three client processes (this file run with --worker) add, rename and
  remove codes over D-Bus at the same time, each printing which calls it
  tried and which returned success;
- the audit log is bounded at 100 entries ([Log] MaxEntries=100), so every
  few decisions prune it;

and after a random delay doorlockd gets SIGKILL.  Then, with the daemon
down, a copy of its state directory is checked (PRAGMA integrity_check with
Python's sqlite3, and the audit chain with tests/verify-state, which uses the
store's own dl_store_audit_verify()), the daemon is restarted (READY=1 must
come within DOORLOCKD_CRASH_START_LIMIT s, default 2) and checked over the
bus: every single-use code reported granted (AccessGranted seen) is refused
when entered again, every AddCode that returned success is there, with the
name of the last rename that returned success, and every Remove that
returned success stays gone.  Then the codes are cleared for the next cycle.

DOORLOCKD_CRASH_KILLS sets the number of kills (default 200; the long mode
is 10000), DOORLOCKD_CRASH_SEED the seed (default 1).  Violations are printed
with their cycle; the counts are printed as TAP diagnostics."""

import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- the worker: a D-Bus client changing codes until the daemon dies ----

GONE_ERRORS = ("org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.ServiceUnknown",
               "org.freedesktop.DBus.Error.NameHasNoOwner", "org.freedesktop.DBus.Error.Disconnected",
               "org.freedesktop.DBus.Error.Timeout")


def worker_main(address, wid, seed):
    import dbus
    bus = dbus.bus.BusConnection(address)
    rng = random.Random(seed)
    counter = 0

    def out(**kw):
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()

    def call(path, iface, method, sig, args):
        return bus.call_blocking("org.doorlockd.Lock1", path, iface, method, sig, args, timeout=20)

    for line in sys.stdin:
        if line.strip() != "go":
            break
        mine = {}    # path -> name, codes this worker added in this cycle
        while True:
            counter += 1
            r = rng.random()
            try:
                if len(mine) < 3 or (r < 0.45 and len(mine) < 12):
                    name = f"w{wid}-{counter}"
                    out(t="add", name=name)
                    path, _ = call("/org/doorlockd/Lock1", "org.doorlockd.Lock1", "AddCode", "ssa{sv}",
                                   (name, "", dbus.Dictionary({}, signature="sv")))
                    mine[str(path)] = name
                    out(ok="add", path=str(path), name=name)
                elif r < 0.75:
                    path = rng.choice(sorted(mine))
                    name = f"w{wid}-{counter}-renamed"
                    out(t="rename", path=path, name=name)
                    call(path, "org.freedesktop.DBus.Properties", "Set", "ssv",
                         ("org.doorlockd.Code1", "Name", dbus.String(name, variant_level=1)))
                    mine[path] = name
                    out(ok="rename", path=path, name=name)
                else:
                    path = rng.choice(sorted(mine))
                    out(t="remove", path=path)
                    call(path, "org.doorlockd.Code1", "Remove", "", ())
                    del mine[path]
                    out(ok="remove", path=path)
            except dbus.exceptions.DBusException as e:
                if e.get_dbus_name() in GONE_ERRORS:
                    break
                out(err=e.get_dbus_name(), message=e.get_dbus_message())
                time.sleep(0.01)
        out(done=True)
    return 0


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--worker":
    sys.exit(worker_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))

# ---- the harness ----

sys.path.insert(0, HERE)
from harness import (  # noqa: E402
    BUS_NAME, DOORLOCKD, LOCK_IFACE, PIN1, PYTHON, SOURCE_ROOT, Failure, Suite, iterate)

import importlib.util  # noqa: E402

KILLS = int(os.environ.get("DOORLOCKD_CRASH_KILLS") or 200)
SEED = int(os.environ.get("DOORLOCKD_CRASH_SEED") or 1)
START_LIMIT = float(os.environ.get("DOORLOCKD_CRASH_START_LIMIT") or 2.0)
WORKERS = 3
VERIFY_STATE = os.environ.get("VERIFY_STATE") or os.path.join(os.path.dirname(DOORLOCKD), "..", "tests",
                                                                "verify-state")

CONFIG = {
    "Log": {"MaxEntries": "100"},
    # The checks enter used codes on purpose; each cycle ends with ResetLockout.
    "Lockout": {"Attempts": "50"},
}


def _load_reference():
    spec = importlib.util.spec_from_file_location("ec_vectors", os.path.join(SOURCE_ROOT, "tools", "ec-vectors.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


EC = _load_reference()

suite = Suite("crash")


class Worker:
    def __init__(self, address, wid, seed):
        self.wid = wid
        self.p = subprocess.Popen([PYTHON, os.path.abspath(__file__), "--worker", address, str(wid), str(seed)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""

    def go(self):
        self.p.stdin.write(b"go\n")
        self.p.stdin.flush()

    def collect(self, timeout=30.0):
        """The records of one cycle, up to its "done"."""
        recs = []
        deadline = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while True:
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                rec = json.loads(line)
                if rec.get("done"):
                    return recs
                recs.append(rec)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"worker {self.wid} did not finish its cycle within {timeout} s")
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise Failure(f"worker {self.wid} exited (status {self.p.wait()})")
                self.buf += chunk

    def stop(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class Run:
    def __init__(self, env):
        self.env = env
        self.rng = random.Random(SEED)
        self.violations = {"single-use": 0, "changes": 0, "integrity": 0, "audit": 0, "start": 0}
        self.kills = 0
        self.max_start = 0.0
        self.starts = []
        self.granted_single = []      # (entry, what, cycle)
        self.gone = set()             # code paths removed with success (never to come back)
        self.issuers = []             # [id, name, secret, used set of (window, slot)]
        self.counts = {"one-time granted": 0, "emergency granted": 0, "adds ok": 0, "renames ok": 0,
                       "removes ok": 0, "unknown outcome": 0, "prunes seen": 0, "rechecks": 0,
                       "name loss not seen": 0, "PIN given again": 0}
        self.cycle = 0
        self.resident = None
        self.copy_dir = os.path.join(env.workdir, "copy")

    def violation(self, kind, msg):
        self.violations[kind] += 1
        print(f"# VIOLATION ({kind}, kill {self.cycle}, DOORLOCKD_CRASH_SEED={SEED}): {msg}", flush=True)

    # -- emergency codes --

    def add_issuer(self):
        env = self.env
        if len(self.issuers) >= 60:
            old = self.issuers.pop(0)
            env.call("RemoveEmergencyIssuer", old[0], sig="u")
        name = f"phone{len(self.issuers)}-{self.cycle}"
        iid, uri = env.call("AddEmergencyIssuer", name, sig="s")
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(uri).query)
        secret = EC.secret_from_base32(q["secret"][0])
        self.issuers.append([iid, name, secret, set()])

    def next_emergency_code(self):
        """An unused code of the current window (or the one before, which the
        lock always accepts) and its issuer's name.  At most 16 per issuer:
        the lock accepts no more of one issuer in any 4 hours."""
        w = int(time.time()) // EC.WINDOW_SECONDS
        for iss in self.issuers:
            if len(iss[3]) >= 16:
                continue
            for win in (w, w - 1):
                for slot in range(16):
                    if (win, slot) not in iss[3]:
                        iss[3].add((win, slot))
                        return EC.emergency_code(iss[2], iss[0], win, slot), iss[1], f"{iss[0]}/{win}/{slot}"
        self.add_issuer()
        return self.next_emergency_code()

    # -- one cycle --

    def cycle_once(self, workers):
        env = self.env
        d = env.daemon
        self.cycle += 1
        otp_path, otp_pin = env.add_code(f"otp-{self.cycle}", "", OneTime=True)
        ec_code, ec_issuer, ec_what = self.next_emergency_code()

        m = env.mark()
        for w in workers:
            w.go()
        env.press(f"{otp_pin}#{ec_code}#{PIN1}#")
        delay = self.rng.uniform(0.0, 0.35)
        end = time.monotonic() + delay
        while time.monotonic() < end:
            iterate(min(0.01, max(0.0, end - time.monotonic())))
        os.kill(d.proc.pid, signal.SIGKILL)
        rc = d.proc.wait(10)
        d.proc = None
        if rc != -signal.SIGKILL:
            raise Failure(f"doorlockd exited with {rc} before the SIGKILL")
        self.kills += 1

        # What the daemon said before it died: the bus forwards everything
        # the daemon sent before it announces that the name has no owner.
        try:
            env.wait_signal("NameOwnerChanged", since=m, timeout=10,
                            match=lambda s: s.args[0] == BUS_NAME and s.args[2] == "")
        except Failure:
            self.counts["name loss not seen"] += 1
        granted = env.find_signals("AccessGranted", since=m, iface=LOCK_IFACE)
        otp_granted = any(s.args[1] == otp_path for s in granted)
        ec_granted = any(s.args[2] == f"emergency code ({ec_issuer})" for s in granted)
        self.counts["prunes seen"] += len(env.find_signals("LogEntry", since=m, match=lambda s: s.args[2] == "log"))
        if otp_granted:
            self.counts["one-time granted"] += 1
            self.granted_single.append((otp_pin, f"one-time code {otp_path}", self.cycle, otp_path))
        if ec_granted:
            self.counts["emergency granted"] += 1
            self.granted_single.append((ec_code, f"emergency code {ec_what}", self.cycle, "/"))

        # What the clients were told.
        present = {}      # path -> set of acceptable names
        removed = set()
        for w in workers:
            tried = {}
            for rec in w.collect():
                if "t" in rec:
                    tried = rec
                elif "err" in rec:
                    tried = {}
                elif "ok" in rec:
                    tried = {}
                    if rec["ok"] == "add":
                        present[rec["path"]] = {rec["name"]}
                        self.counts["adds ok"] += 1
                    elif rec["ok"] == "rename":
                        present[rec["path"]] = {rec["name"]}
                        self.counts["renames ok"] += 1
                    elif rec["ok"] == "remove":
                        present.pop(rec["path"], None)
                        removed.add(rec["path"])
                        self.counts["removes ok"] += 1
            # The call in flight when the daemon died: either outcome.
            if tried:
                self.counts["unknown outcome"] += 1
                if tried["t"] == "rename" and tried["path"] in present:
                    present[tried["path"]].add(tried["name"])
                elif tried["t"] == "remove":
                    present.pop(tried["path"], None)

        # The state on disk, with the daemon down (on a copy: checking opens it).
        shutil.rmtree(self.copy_dir, ignore_errors=True)
        shutil.copytree(d.state_dir, self.copy_dir)
        db = sqlite3.connect(os.path.join(self.copy_dir, "doorlockd.db"))
        try:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            res = [r[0] for r in db.execute("PRAGMA integrity_check")]
        except sqlite3.Error as e:
            res = [f"sqlite3 error: {e}"]
        finally:
            db.close()
        if res != ["ok"]:
            self.violation("integrity", f"PRAGMA integrity_check: {res[:5]}")
        p = subprocess.run([VERIFY_STATE, self.copy_dir], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            self.violation("audit", f"verify-state: {p.stdout.strip()} {p.stderr.strip()}")

        # Restart within the normal time.
        t0 = time.monotonic()
        try:
            d.start(timeout=30)
        except Failure as e:
            self.violation("start", f"doorlockd does not start after the kill: {e}")
            raise
        took = time.monotonic() - t0
        self.starts.append(took)
        self.max_start = max(self.max_start, took)
        if took > START_LIMIT:
            self.violation("start", f"READY=1 after {took:.2f} s (limit {START_LIMIT} s)")

        # Acknowledged changes.
        codes = env.codes()
        present[self.resident] = {"Resident"}
        for path, names in present.items():
            if path not in codes:
                self.violation("changes", f"{path} (AddCode returned success) is missing")
            elif codes[path]["Name"] not in names:
                self.violation("changes", f"{path} is named {codes[path]['Name']!r}, want one of {sorted(names)}")
        self.gone |= removed
        for path in self.gone & set(codes):
            self.violation("changes", f"{path} (Remove returned success) is back")

        # Single-use codes granted before a kill never open again: this
        # cycle's, and two earlier ones.
        recheck = [g for g in self.granted_single if g[2] == self.cycle]
        older = [g for g in self.granted_single if g[2] != self.cycle]
        recheck += self.rng.sample(older, min(2, len(older)))
        for entry, what, cyc, path in recheck:
            self.counts["rechecks"] += 1
            sig = env.enter(entry, timeout=10)
            if sig.member == "AccessDenied":
                continue
            if sig.args[1] == path:
                self.violation("single-use", f"{what}, granted before kill {cyc}, opens again ({sig.args})")
            else:
                # A removed one-time code's PIN, generated again for a
                # worker's code: that code opened, not the used one.
                self.counts["PIN given again"] += 1

        # Clear the table for the next cycle (ids are never reused, so the
        # removed paths join the set that must stay gone).
        for path in env.codes():
            if path == self.resident:
                continue
            try:
                env.remove_code(path)
                self.gone.add(path)
            except Exception as e:  # noqa: BLE001 - reported as a failure below
                raise Failure(f"cleanup: Remove {path}: {e}")
        env.reset_lockout()

    def report(self):
        v = sum(self.violations.values())
        starts = sorted(self.starts)
        med = starts[len(starts) // 2] if starts else 0.0
        self.env.note(f"kills: {self.kills}, violations: {v} ({', '.join(f'{k} {n}' for k, n in self.violations.items())})")
        self.env.note(f"restart to READY=1: max {self.max_start:.3f} s, median {med:.3f} s (limit {START_LIMIT} s)")
        self.env.note(", ".join(f"{k}: {n}" for k, n in self.counts.items()))
        return v


@suite.case(f"{KILLS} SIGKILLs amid keypad one-time and emergency codes, 3 clients changing codes and log "
            "pruning: single-use codes stay used, acknowledged changes stay, integrity_check and audit chain ok, "
            f"restart within {START_LIMIT:g} s; 0 violations", daemon=False)
def _(env):
    if not os.access(VERIFY_STATE, os.X_OK):
        raise Failure(f"no verify-state helper at {VERIFY_STATE} (set VERIFY_STATE)")
    env.start_daemon(CONFIG)
    run = Run(env)
    run.resident, _ = env.add_code("Resident", PIN1)
    run.add_issuer()
    workers = [Worker(env.bus.address, i, SEED * 100 + i) for i in range(WORKERS)]
    env.extra_procs.extend(w.p for w in workers)
    t0 = time.monotonic()
    try:
        for i in range(KILLS):
            run.cycle_once(workers)
            if (i + 1) % 50 == 0:
                print(f"# ... {i + 1} kills, {sum(run.violations.values())} violations, "
                      f"{time.monotonic() - t0:.0f} s", flush=True)
    finally:
        for w in workers:
            w.stop()
        v = run.report()
    env.note(f"{KILLS} kills in {time.monotonic() - t0:.1f} s")
    if v:
        raise Failure(f"{v} violations in {run.kills} kills (see the VIOLATION lines)")


if __name__ == "__main__":
    suite.run()
