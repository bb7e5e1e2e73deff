# SPDX-License-Identifier: GPL-2.0-or-later
"""Run every benchmark of issue 6 and print one markdown table.

Called by bench/run after the build.  Items 1-3 (store and lock service,
in-process) come from bench-verify as tab-separated rows; items 3-7 run the
real doorlockd --simulate on a private dbus-daemon, started here.  Only the
standard library: the D-Bus round trips are timed by bench-dbus (sd-bus).

usage: bench.py BUILDDIR [--quick] [--idle-seconds N] [--keep] [STATE-DIR]
"""

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)
PIN = "104729"  # code 0 of bench-verify --fill
WATCHDOG_USEC = 30_000_000  # as a unit with WatchdogSec=30s would set


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Row:
    def __init__(self, item, what, value, unit, floor_name="", floor=None, goal=""):
        self.item, self.what, self.value, self.unit = item, what, value, unit
        self.floor_name, self.floor, self.goal = floor_name, floor, goal


def fmt(value, unit):
    if value is None:
        return "n/a"
    if unit in ("pages", "count", "B"):
        return f"{value:.2f} {unit}" if value != int(value) else f"{int(value)} {unit}"
    return f"{value:.2f} {unit}"


def print_table(rows):
    print("| # | measure | value | floor | floor value | ratio | goal |")
    print("|---|---|---:|---|---:|---:|---|")
    for r in rows:
        ratio = ""
        if r.floor not in (None, 0) and r.value is not None:
            ratio = f"{r.value / r.floor:.2f}x"
        floor = fmt(r.floor, r.unit) if r.floor is not None else ""
        print(f"| {r.item} | {r.what} | {fmt(r.value, r.unit)} | {r.floor_name} | {floor} | {ratio} | {r.goal} |")


# ---- the private bus and the daemon ----

class Bus:
    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "bus")
        os.makedirs(self.dir)
        self.socket = os.path.join(self.dir, "socket")
        user = pwd.getpwuid(os.getuid()).pw_name
        with open(os.path.join(SOURCE_ROOT, "dbus", "test-bus.conf.in")) as f:
            conf = (f.read().replace("@SOCKET@", self.socket).replace("@USER@", user)
                    .replace("@POLICY@", os.path.join(SOURCE_ROOT, "dbus", "org.doorlockd.Lock1.conf")))
        self.conf = os.path.join(self.dir, "bus.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--config-file=" + self.conf, "--nofork", "--nopidfile", "--nosyslog",
             "--print-address=1"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "log"), "w"))
        self.address = self.proc.stdout.readline().decode().strip()
        if not self.address:
            raise SystemExit("bench: dbus-daemon did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)


class Daemon:
    """doorlockd --simulate on the bus, with NOTIFY_SOCKET and WATCHDOG_USEC
    as systemd would set them.  Times exec to READY=1 and counts WATCHDOG=1
    datagrams."""

    def __init__(self, build, workdir, state, bus):
        self.argv = [os.path.join(build, "daemon", "doorlockd"), "--simulate", "--state-dir", state,
                     "--config", os.path.join(workdir, "doorlockd.conf")]
        self.notify_path = os.path.join(workdir, "notify")
        self.bus = bus
        self.proc = None
        self.pings = 0
        self.output = b""

    def start(self, watchdog=True):
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self.sock.bind(self.notify_path)
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        env.pop("WATCHDOG_PID", None)
        if watchdog:
            env["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
        t0 = time.monotonic_ns()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env)
        self.sock.settimeout(10)
        while True:
            try:
                msg = self.sock.recv(4096)
            except socket.timeout:
                self.stop()
                raise SystemExit(f"bench: doorlockd did not report READY=1: {self.output.decode()}")
            if b"READY=1" in msg.split(b"\n"):
                break
        ready_ms = (time.monotonic_ns() - t0) / 1e6
        # Drain the daemon's output (a pipe, not a file on disk, so that it
        # does not count in write_bytes) and the notifications.
        threading.Thread(target=self._drain, daemon=True).start()
        self.sock.settimeout(None)
        threading.Thread(target=self._notify, daemon=True).start()
        return ready_ms

    def _drain(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            self.output += chunk

    def _notify(self):
        while True:
            try:
                msg = self.sock.recv(4096)
            except OSError:
                return
            if not msg:
                return
            if b"WATCHDOG=1" in msg.split(b"\n"):
                self.pings += 1

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            self.sock.close()
        except OSError:
            pass


def read_kv(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.partition(":")
            v = v.strip().split()
            if v:
                try:
                    out[k.strip()] = int(v[0])
                except ValueError:
                    pass
    return out


def memory(pid):
    m = read_kv(f"/proc/{pid}/smaps_rollup")
    return m["Rss"], m["Pss"], m["Private_Clean"] + m["Private_Dirty"]


def median_cmd(argv, runs, env):
    """Median wall time (ms) of a whole command, by hyperfine if installed
    (no shell, -N) or by our own fork/exec loop."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", "5", "--runs", str(runs),
                            "--export-json", out.name, " ".join(argv)],
                           env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            res = json.load(open(out.name))["results"][0]
            return res["median"] * 1000, "hyperfine -N"
    times = []
    for i in range(runs + 5):
        t0 = time.monotonic_ns()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        if i >= 5:
            times.append((time.monotonic_ns() - t0) / 1e6)
    return statistics.median(times), "fork/exec loop"


def strace_idle(pid, seconds, out_path):
    """strace -c -f -p PID for `seconds`; returns {syscall: calls}."""
    proc = subprocess.Popen(["strace", "-c", "-f", "-o", out_path, "-p", str(pid)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    proc.send_signal(signal.SIGINT)
    proc.wait(10)
    calls = {}
    with open(out_path) as f:
        for line in f:
            parts = line.split()
            # % time, seconds, usecs/call, calls, [errors], syscall
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                try:
                    calls[parts[-1]] = int(parts[3])
                except ValueError:
                    pass
    return calls


def daemon_state(build, work, details):
    """A copy, in work/state, of the state the real daemon runs on: 200
    codes and a full audit log.  Built once (10,000 durable appends take a
    while on a real disk) and kept in the build directory; rebuilt when
    bench-verify (and so the store code) is newer.  Appends a line about it
    to details; returns the path."""
    verify = os.path.join(build, "bench", "bench-verify")
    cache = os.path.join(build, "bench", "state-200-codes-full-log")
    if not os.path.isdir(cache) or os.path.getmtime(cache) < os.path.getmtime(verify):
        log("filling a state directory once: 200 codes, full audit log (about a minute)")
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(cache + ".new", mode=0o700, exist_ok=True)
        fill = subprocess.run([verify, "--fill", cache + ".new"], check=True, stdout=subprocess.PIPE,
                              text=True).stdout.strip()
        with open(os.path.join(cache + ".new", "FILLED"), "w") as f:
            f.write(fill.replace(cache + ".new", "it") + "\n")
        os.rename(cache + ".new", cache)
    with open(os.path.join(cache, "FILLED")) as f:
        details.append("state for the daemon: " + f.read().strip())
    state = os.path.join(work, "state")
    shutil.copytree(cache, state)
    os.chmod(state, 0o700)
    return state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--idle-seconds", type=float, default=None)
    ap.add_argument("state_dir", nargs="?")
    a = ap.parse_args()
    idle = a.idle_seconds if a.idle_seconds is not None else (5 if a.quick else 60)
    n_starts = 5 if a.quick else 15
    n_calls = 500 if a.quick else 5000
    n_cmd = 20 if a.quick else 200
    n_unlocks = 10 if a.quick else 100

    work = tempfile.mkdtemp(prefix="doorlockd-bench.", dir=a.state_dir or "/var/tmp")
    rows, details = [], []
    try:
        # ---- 1-3: store and lock service, in-process ----
        log("decision, keypad path and pages (bench-verify)")
        vdir = os.path.join(work, "verify")
        os.makedirs(vdir)
        out = subprocess.run([os.path.join(a.build, "bench", "bench-verify")] + (["--quick"] if a.quick else [])
                             + [vdir], check=True, stdout=subprocess.PIPE, text=True).stdout
        pages = {}
        for line in out.splitlines():
            f = line.split("\t")
            if f[0] == "info":
                details.append("bench-verify: " + f[1])
            elif f[0] == "row":
                rows.append(Row(int(f[1]), f[2], float(f[3]), f[4], f[5], float(f[6]), f[7]))
            elif f[0] == "pages":
                pages.setdefault(f[1], []).append((f[2], float(f[3])))

        # ---- the real daemon ----
        state = daemon_state(a.build, work, details)
        with open(os.path.join(work, "doorlockd.conf"), "w") as f:
            f.write("[Simulator]\nKeyGapMilliseconds=1\n")
        bus = Bus(work)
        d = Daemon(a.build, work, state, bus)
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        try:
            # 7: exec to READY=1, against exec of doorlockd --version
            log(f"start to READY=1 ({n_starts} starts)")
            ready = []
            for _ in range(n_starts):
                ready.append(d.start())
                d.stop()
            floor_exec = []
            for _ in range(n_starts):
                t0 = time.monotonic_ns()
                subprocess.run([d.argv[0], "--version"], check=True, stdout=subprocess.DEVNULL)
                floor_exec.append((time.monotonic_ns() - t0) / 1e6)
            ready_ms = statistics.median(ready)
            d.start()
            pid = d.proc.pid
            # 6: memory right after start
            time.sleep(0.2)
            rss, pss, uss = memory(pid)
            brss, bpss, buss = memory(bus.proc.pid)
            # 5: idle
            log(f"idle {idle:g} s (wake-ups), then {idle:g} s under strace -c")
            pings0 = d.pings
            v0 = read_kv(f"/proc/{pid}/status")["voluntary_ctxt_switches"]
            nv0 = read_kv(f"/proc/{pid}/status")["nonvoluntary_ctxt_switches"]
            time.sleep(idle)
            v1 = read_kv(f"/proc/{pid}/status")["voluntary_ctxt_switches"]
            nv1 = read_kv(f"/proc/{pid}/status")["nonvoluntary_ctxt_switches"]
            pings_idle = d.pings - pings0
            calls = {}
            pings_strace = 0
            if shutil.which("strace"):
                p0 = d.pings
                calls = strace_idle(pid, idle, os.path.join(work, "strace.txt"))
                pings_strace = d.pings - p0
            # 4: D-Bus round trips and whole commands
            log(f"D-Bus round trips ({n_calls} calls) and lockctl/busctl ({n_cmd} runs)")
            out = subprocess.run([os.path.join(a.build, "bench", "bench-dbus"), bus.address, "calls",
                                  str(n_calls)], check=True, stdout=subprocess.PIPE, text=True).stdout
            for line in out.splitlines():
                f = line.split("\t")
                if f[0] == "row":
                    rows.append(Row(int(f[1]), f[2], float(f[3]), f[4], f[5], float(f[6]), f[7]))
            busctl, how = median_cmd(["busctl", "get-property", "org.doorlockd.Lock1", "/org/doorlockd/Lock1",
                                      "org.doorlockd.Lock1", "State"], n_cmd, env)
            lockctl, _ = median_cmd([os.path.join(a.build, "cli", "lockctl"), "status"], n_cmd, env)
            rows.append(Row(4, f"`lockctl status`, whole command ({how}, {n_cmd} runs)", lockctl, "ms",
                            "`busctl get-property ... State`", busctl, "<= 1.2x"))
            # 3: bytes written per unlock by the daemon process
            log(f"bytes written per unlock ({n_unlocks} keypad unlocks through Simulator1)")
            bd = [os.path.join(a.build, "bench", "bench-dbus"), bus.address, "unlocks"]
            subprocess.run(bd + ["2", PIN], check=True, stdout=subprocess.DEVNULL)
            io0 = read_kv(f"/proc/{pid}/io")
            subprocess.run(bd + [str(n_unlocks), PIN], check=True, stdout=subprocess.DEVNULL)
            io1 = read_kv(f"/proc/{pid}/io")
            wb = (io1["write_bytes"] - io0["write_bytes"]) / n_unlocks
            wc = (io1["wchar"] - io0["wchar"]) / n_unlocks
            sw = (io1["syscw"] - io0["syscw"]) / n_unlocks
            rows.append(Row(3, f"write_bytes per keypad unlock, real daemon ({n_unlocks} unlocks)", wb, "B",
                            "one page", 4096, ""))
            rows.append(Row(3, "wchar per keypad unlock (bytes passed to write calls)", wc, "B", "one page",
                            4096, ""))
            details.append(f"write calls (syscw) per keypad unlock: {sw:.2f}")
        except BaseException:
            log(f"failed; doorlockd said: {d.output.decode(errors='replace')}")
            raise
        finally:
            d.stop()
            bus.stop()
        if d.proc.returncode not in (0, None):
            details.append(f"doorlockd exited with {d.proc.returncode}: {d.output.decode(errors='replace')}")

        rows.append(Row(5, f"voluntary context switches of doorlockd, idle {idle:g} s", v1 - v0, "count",
                        "WATCHDOG=1 pings in that time", pings_idle, "= pings"))
        rows.append(Row(5, f"involuntary context switches, idle {idle:g} s", nv1 - nv0, "count", "", None, "0"))
        if calls:
            total = sum(calls.values())
            rows.append(Row(5, f"syscalls of doorlockd, idle {idle:g} s (strace -c -f)", total, "count",
                            "WATCHDOG=1 pings in that time", pings_strace, ""))
            details.append(f"syscalls while idle {idle:g} s under strace, {pings_strace} watchdog pings: "
                           + ", ".join(f"{k} {v}" for k, v in sorted(calls.items(), key=lambda x: -x[1])))
        rows.append(Row(6, "doorlockd RSS after start, 200 codes, 10,000 log entries", rss, "KiB",
                        "dbus-daemon RSS", brss, ""))
        rows.append(Row(6, "doorlockd PSS", pss, "KiB", "dbus-daemon PSS", bpss, ""))
        rows.append(Row(6, "doorlockd private (USS = Private_Clean + Private_Dirty)", uss, "KiB",
                        "dbus-daemon private", buss, "< 2048 KiB"))
        rows.append(Row(7, f"exec to READY=1, 200 codes, 10,000 log entries (median of {n_starts})", ready_ms,
                        "ms", "exec of `doorlockd --version`", statistics.median(floor_exec), "< 50 ms"))

        rows.sort(key=lambda r: r.item)
        print_table(rows)
        for kind, items in pages.items():
            print(f"\nPages per {kind} unlock, by table and index: "
                  + ", ".join(f"{n} {v:.2f}" for n, v in items))
        print()
        for line in details:
            print(line)
    finally:
        if a.state_dir is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


if __name__ == "__main__":
    main()
