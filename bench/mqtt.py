# SPDX-License-Identifier: GPL-2.0-or-later
"""The figures of doorlockd-mqtt (issue 13, "Figures (bench/)"), printed as
rows of bench.py's markdown table, each next to a floor measured in the
same run.

Called by `bench/run --mqtt` after the build, with Debian's /usr/bin/python3
(python3-paho-mqtt 1.6.1, python3-dbus, python3-gi).  The private bus, the
daemon and its state come from bench.py; mosquitto, the Home Assistant
client and the bridge (run as dl-remote, group doorlock-remote) from
tests/integration/mqtt_fixture.py.  Not root: the rows are skipped with
the reason (the bridge must run as another user).

usage: mqtt.py BUILDDIR [--quick] [--idle-seconds N] [--commands N] [--broker-nodelay] [STATE-PARENT-DIR]
"""

import argparse
import json
import math
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402
from bench import PIN, Bus, Daemon, Row, daemon_state, log, memory, print_table, read_kv, strace_idle  # noqa: E402

INTEGRATION = os.path.join(bench.SOURCE_ROOT, "tests", "integration")
P = "bench/door"                 # the bridge's TopicPrefix
REPLIES = "bench/replies"        # the response topic of our commands
FLOOR = "bench/floor"            # the floor's own topic
LOCK = "org.doorlockd.Lock1"
LOCK_PATH = "/org/doorlockd/Lock1"
MIN_GAP = 0.105                  # between commands: the bridge takes 10 a second (bursts of 20)


def why_not(build):
    """None, or why the MQTT rows cannot run here."""
    if os.geteuid() != 0:
        return ("not root: the bridge runs as dl-remote (group doorlock-remote, the remote role), "
                "which only root can create and switch to")
    try:
        import dbus  # noqa: F401
        import dbus.mainloop.glib  # noqa: F401
        from gi.repository import GLib  # noqa: F401
    except ImportError as e:
        return f"needs python3-dbus and python3-gi ({e})"
    os.environ.setdefault("DOORLOCKD_MQTT", os.path.join(build, "mqtt", "doorlockd-mqtt"))
    sys.path.insert(0, INTEGRATION)
    import mqtt_fixture
    try:
        mqtt_fixture.need_mqtt()
    except mqtt_fixture.Skip as e:
        return str(e)
    if shutil.which("setpriv") is None:
        return "setpriv is missing (util-linux)"
    return None


def pct(xs, p):
    """Nearest-rank percentile of xs (p in 0..100)."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


class Watch:
    """The daemon's State over D-Bus: a match on PropertiesChanged of
    /org/doorlockd/Lock1 on a connection of its own, served by a GLib main
    loop in a thread; every change is kept as (monotonic s, state).  Calls
    (PressKeys, Lock) go through a second, blocking connection."""

    def __init__(self, address):
        import dbus
        import dbus.mainloop.glib
        from gi.repository import GLib
        dbus.mainloop.glib.threads_init()
        self.cond = threading.Condition()
        self.changes = []
        self.sig = dbus.bus.BusConnection(address, mainloop=dbus.mainloop.glib.DBusGMainLoop())
        self.sig.add_signal_receiver(self._changed, signal_name="PropertiesChanged",
                                     dbus_interface="org.freedesktop.DBus.Properties", bus_name=LOCK,
                                     path=LOCK_PATH)
        self.loop = GLib.MainLoop()
        threading.Thread(target=self.loop.run, daemon=True).start()
        self.call = dbus.bus.BusConnection(address)
        obj = self.call.get_object(LOCK, LOCK_PATH)
        self.lock1 = dbus.Interface(obj, LOCK)
        self.sim = dbus.Interface(obj, "org.doorlockd.Simulator1")
        self.props = dbus.Interface(obj, "org.freedesktop.DBus.Properties")

    def _changed(self, iface, changed, invalidated):
        t = time.monotonic()
        if iface == LOCK and "State" in changed:
            with self.cond:
                self.changes.append((t, str(changed["State"])))
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.changes)

    def wait(self, since, states, timeout=5.0):
        """The time of the first change to one of states after mark since."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, s in self.changes[since:]:
                    if s in states:
                        return t
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"bench: State never became {states} (changes: {self.changes[since:]})")
                self.cond.wait(left)

    def state(self):
        return str(self.props.Get(LOCK, "State"))

    def stop(self):
        self.loop.quit()


class Mqtt:
    """The fixture's Client (paho, MQTT 5, its own network thread; every
    message kept with its arrival time, Msg.t = time.monotonic() in
    on_message), plus a condition to wait on instead of polling."""

    def __init__(self, mqtt_fixture, broker, nodelay=True):
        self.cl = mqtt_fixture.Client(broker, "bench-ha")
        self.cond = threading.Condition()
        inner = self.cl.c.on_message

        def on_message(c, u, m):
            inner(c, u, m)
            with self.cond:
                self.cond.notify_all()
        self.cl.c.on_message = on_message
        if nodelay:
            # paho 1.6 leaves Nagle on: a small write that follows another
            # before its ACK waits for the peer's delayed ACK (40 ms on
            # loopback).  Off on our side, so that the floor is one.
            self.cl.c.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for topic in (f"{P}/#", REPLIES, FLOOR):
            self.cl.subscribe(topic)

    def wait(self, since, topic, pred=None, timeout=5.0, what=None):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = self.cl.since(since, topic, pred)
                if got:
                    return got[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"bench: no {what or topic} within {timeout} s")
                self.cond.wait(left)


def state_is(*bolts):
    return lambda m: m.json().get("bolt") in bolts


class Run:
    def __init__(self, a, mqtt_fixture, work, details):
        self.a, self.mf, self.work, self.details = a, mqtt_fixture, work, details
        self.floor = []
        self.last_cmd = 0.0
        self.n_cmd = 0

    # -- the floor: one QoS 1 publish to a topic the same client subscribes --
    def floor_once(self):
        m = self.ha.cl.mark()
        payload = f"floor {len(self.floor)}"
        t0 = time.monotonic()
        self.ha.cl.publish(FLOOR, payload, qos=1)
        got = self.ha.wait(m, FLOOR, lambda x: x.text() == payload, what="floor message")
        self.floor.append(got.t - t0)

    def command(self, action, **fields):
        """Publish one command (paced: the bridge's rate limit); returns
        (publish time, correlation, mark)."""
        wait = self.last_cmd + MIN_GAP - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.n_cmd += 1
        body = self.mf.command(action, id=f"bench-{self.n_cmd}", **fields)
        corr = f"c{self.n_cmd}".encode()
        m = self.ha.cl.mark()
        t0 = time.monotonic()
        self.last_cmd = t0
        self.ha.cl.publish(f"{P}/command", json.dumps(body), qos=1, response_topic=REPLIES, correlation=corr)
        return t0, corr, m

    def reply(self, corr, since):
        r = self.ha.wait(since, REPLIES, lambda x: x.correlation() == corr, what="command reply")
        body = r.json()
        if body.get("ok") is not True:
            raise SystemExit(f"bench: command {body.get('id')} refused: {body}")
        return r

    def relock(self):
        """Lock over D-Bus (as root: admin) and wait for P/state to say so."""
        m, dm = self.ha.cl.mark(), self.dbus.mark()
        if self.dbus.state() != "locked":
            self.dbus.lock1.Lock()
            self.dbus.wait(dm, ("locked",))
        states = self.ha.cl.since(0, f"{P}/state")
        if not states or states[-1].json().get("bolt") != "locked":
            self.ha.wait(m, f"{P}/state", state_is("locked"), what="P/state locked")

    def main(self):
        a, mf = self.a, self.mf
        n = 20 if a.quick else 200
        n_more = a.commands if a.commands is not None else (100 if a.quick else 1000)
        idle = a.idle_seconds if a.idle_seconds is not None else (5 if a.quick else 10)
        rows = []

        state = daemon_state(a.build, self.work, self.details)
        with open(os.path.join(self.work, "doorlockd.conf"), "w") as f:
            # Keys at once (PressKeys is then the '#'), a short bolt travel,
            # no auto-relock during a round (the bench locks itself).
            f.write("[Lock]\nAutoRelockSeconds=600\n[Simulator]\nKeyGapMilliseconds=0\nMotorMilliseconds=10\n")
        import harness
        harness.ensure_role_users()   # before the bus and the daemon: both look the groups up at start
        bus = Bus(self.work)
        os.chmod(bus.dir, 0o755)     # dl-remote connects too
        os.chmod(bus.socket, 0o777)
        d = Daemon(a.build, self.work, state, bus)
        broker = bridge = self.dbus = self.ha = None
        try:
            d.start()
            broker = mf.Broker(self.work)
            if a.broker_nodelay:
                with open(broker.conf, "a") as f:
                    f.write("set_tcp_nodelay true\n")
            broker.start()
            self.dbus = Watch(bus.address)
            self.ha = Mqtt(mf, broker, not a.client_nagle)
            cfg = {"HomeAssistant": {"TopicPrefix": P, "DeviceName": "Bench door"},
                   "Broker": {"ClientId": "doorlockd-bench", "KeepAlive": "60"},
                   # ids live MaxAge + 2 MaxSkew = 4 s: at 10 commands a
                   # second the 256-id cache never fills.
                   "Commands": {"MaxAge": "2", "MaxSkew": "1"}}
            bridge = mf.Bridge(self.work, bus.address, broker, cfg)
            m = self.ha.cl.mark()
            t0 = time.monotonic()
            bridge.start()
            self.ha.wait(m, f"{P}/availability", lambda x: x.text() == "online", what="availability online")
            st = self.ha.wait(m, f"{P}/state", what="P/state")
            codes = self.ha.wait(m, f"{P}/codes", what="P/codes")
            self.details.append(f"bridge: exec to READY=1 and P/state {1000 * (st.t - t0):.1f} ms; "
                                f"P/codes {len(codes.payload)} B "
                                f"(200 codes); {len(self.ha.cl.since(m))} messages at start")
            bpid, dpid = bridge.proc.pid, d.proc.pid
            with open(f"/proc/{bpid}/comm") as f:
                comm = f.read().strip()
            if comm != "doorlockd-mqtt":
                raise SystemExit(f"bench: pid {bpid} is {comm}, not doorlockd-mqtt (a wrapper?)")
            time.sleep(1)
            b_start, d_start = memory(bpid), memory(dpid)
            b_dirty0 = read_kv(f"/proc/{bpid}/smaps_rollup")["Private_Dirty"]

            # ---- idle: context switches, then syscalls (not at once: ptrace stops count as switches) ----
            log(f"idle {idle:g} s (context switches), then {idle:g} s under strace -c, bridge and daemon")
            sw0 = {p: read_kv(f"/proc/{p}/status") for p in (bpid, dpid)}
            pings0 = d.pings
            time.sleep(idle)
            sw1 = {p: read_kv(f"/proc/{p}/status") for p in (bpid, dpid)}
            pings_sw = d.pings - pings0
            calls = {}
            if shutil.which("strace"):
                p0 = d.pings
                ts = [threading.Thread(target=lambda p=p: calls.__setitem__(
                    p, strace_idle(p, idle, os.path.join(self.work, f"strace-{p}.txt")))) for p in (bpid, dpid)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                pings_strace = d.pings - p0
            else:
                self.details.append("strace is not installed: no syscall rows")

            # ---- 1: keypad '#' to P/state ----
            log(f"keypad unlock to P/state ({n} rounds) and the floor")
            self.relock()
            press, bridge_part, press_dbus = [], [], []
            for i in range(n + 2):
                self.floor_once()
                m, dm = self.ha.cl.mark(), self.dbus.mark()
                t0 = time.monotonic()
                self.dbus.sim.PressKeys(PIN + "#")
                got = self.ha.wait(m, f"{P}/state", state_is("unlocking", "unlocked"), what="P/state unlocking")
                td = self.dbus.wait(dm, ("unlocking", "unlocked"))
                if i >= 2:   # two warm-up rounds
                    press.append(got.t - t0)
                    press_dbus.append(td - t0)
                    bridge_part.append(got.t - td)
                self.dbus.wait(dm, ("unlocked",))
                self.relock()

            # ---- 2: MQTT unlock to the bolt moving and to the reply ----
            log(f"MQTT unlock to State unlocking and to the reply ({n} rounds)")
            to_bolt, to_reply = [], []
            for i in range(n + 2):
                self.floor_once()
                dm = self.dbus.mark()
                t0, corr, m = self.command("unlock", pin=PIN)
                td = self.dbus.wait(dm, ("unlocking", "unlocked"))
                r = self.reply(corr, m)
                if i >= 2:
                    to_bolt.append(td - t0)
                    to_reply.append(r.t - t0)
                self.dbus.wait(dm, ("unlocked",))
                self.relock()

            # ---- 3: memory after many commands ----
            log(f"{n_more} more commands (unlock with the PIN, lock, in turn; at most 10 a second)")
            first = self.n_cmd
            for i in range(n_more):
                dm = self.dbus.mark()
                t0, corr, m = self.command("lock" if i % 2 else "unlock", **({} if i % 2 else {"pin": PIN}))
                self.reply(corr, m)
                if not i % 2:
                    self.dbus.wait(dm, ("unlocked",))
            sent = self.n_cmd
            self.relock()
            time.sleep(0.5)
            b_after, d_after = memory(bpid), memory(dpid)
            b_dirty1 = read_kv(f"/proc/{bpid}/smaps_rollup")["Private_Dirty"]
            if bridge.proc.poll() is not None:
                raise SystemExit(f"bench: the bridge exited: {bridge.read_log()[-2000:]}")
            took = bridge.stop_clean()
            self.details.append(f"bridge: stopped cleanly on SIGTERM in {1000 * took:.0f} ms after {sent} commands "
                                f"({sent - first} for the memory rows)")
        except BaseException:
            log(f"failed; doorlockd said: {d.output.decode(errors='replace')[-2000:]}")
            if bridge is not None:
                log(f"doorlockd-mqtt said: {bridge.read_log()[-2000:]}")
            raise
        finally:
            if bridge is not None:
                bridge.kill()
            if self.ha is not None:
                self.ha.cl.close()
            if self.dbus is not None:
                self.dbus.stop()
            if broker is not None:
                broker.stop()
            d.stop()
            bus.stop()

        us = 1e6
        fl = "one QoS 1 publish round trip, same client (paho)"
        fmed, f95 = statistics.median(self.floor) * us, pct(self.floor, 95) * us
        nf = len(self.floor)

        def pair(item, what, xs):
            rows.append(Row(item, f"{what}, median of {len(xs)}", statistics.median(xs) * us, "us",
                            f"{fl}, median of {nf}", fmed))
            rows.append(Row(item, f"{what}, p95", pct(xs, 95) * us, "us", f"{fl}, p95", f95))

        pair("M1", "keypad `PressKeys(PIN#)` to P/state `unlocking` (paho)", press)
        pair("M1", "of it: State `unlocking` on D-Bus to P/state (the bridge's share)", bridge_part)
        pair("M2", "MQTT unlock command to State `unlocking` (D-Bus signal)", to_bolt)
        pair("M2", "MQTT unlock command to its reply", to_reply)
        self.details.append(f"keypad PressKeys to State unlocking on D-Bus (the daemon alone): median "
                            f"{statistics.median(press_dbus) * us:.2f} us, p95 {pct(press_dbus, 95) * us:.2f} us")
        rows.append(Row("M3", "doorlockd-mqtt private (USS) after start, 200 codes", b_start[2], "KiB",
                        "doorlockd private, same time", d_start[2]))
        rows.append(Row("M3", f"doorlockd-mqtt private (USS) after {sent} commands", b_after[2], "KiB",
                        "doorlockd private, same time", d_after[2]))
        self.details.append(f"doorlockd-mqtt RSS/PSS/USS KiB: after start {b_start[0]}/{b_start[1]}/{b_start[2]}, "
                            f"after {sent} commands {b_after[0]}/{b_after[1]}/{b_after[2]}; Private_Dirty "
                            f"{b_dirty0} -> {b_dirty1} KiB")
        vb = sw1[bpid]["voluntary_ctxt_switches"] - sw0[bpid]["voluntary_ctxt_switches"]
        vd = sw1[dpid]["voluntary_ctxt_switches"] - sw0[dpid]["voluntary_ctxt_switches"]
        ib = sw1[bpid]["nonvoluntary_ctxt_switches"] - sw0[bpid]["nonvoluntary_ctxt_switches"]
        rows.append(Row("M4", f"doorlockd-mqtt voluntary context switches, idle {idle:g} s (KeepAlive=60)", vb,
                        "count", "doorlockd's, same window", vd))
        rows.append(Row("M4", f"doorlockd-mqtt involuntary context switches, idle {idle:g} s", ib, "count"))
        if calls:
            tb, td_ = sum(calls[bpid].values()), sum(calls[dpid].values())
            rows.append(Row("M4", f"doorlockd-mqtt syscalls, idle {idle:g} s (strace -c -f)", tb, "count",
                            "doorlockd's, same window", td_))
            for who, p in (("doorlockd-mqtt", bpid), ("doorlockd", dpid)):
                self.details.append(f"{who} syscalls while idle {idle:g} s under strace: "
                                    + (", ".join(f"{k} {v}" for k, v in sorted(calls[p].items(), key=lambda x: -x[1]))
                                       or "none"))
            self.details.append(f"doorlockd's WATCHDOG=1 pings: {pings_sw} in the switch window, "
                                f"{pings_strace} in the strace window (WATCHDOG_USEC=30 s); "
                                "the bridge runs without a watchdog here")
        return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--idle-seconds", type=float, default=None)
    ap.add_argument("--commands", type=int, default=None, help="commands before the second memory row")
    ap.add_argument("--broker-nodelay", action="store_true",
                    help="mosquitto with set_tcp_nodelay true (Nagle off on the broker's side)")
    ap.add_argument("--client-nagle", action="store_true",
                    help="leave Nagle on in the bench's paho client (paho's default; Home Assistant's client)")
    ap.add_argument("state_dir", nargs="?")
    a = ap.parse_args()
    why = why_not(a.build)
    if why:
        print(f"MQTT rows skipped: {why}")
        return
    import mqtt_fixture
    work = tempfile.mkdtemp(prefix="doorlockd-bench-mqtt.", dir=a.state_dir or "/var/tmp")
    os.chmod(work, 0o755)   # the bridge (dl-remote) reads its config and the bus socket below it
    details = []
    t0 = time.monotonic()
    try:
        rows = Run(a, mqtt_fixture, work, details).main()
        print_table(rows)
        print()
        for line in details:
            print(line)
        print(f"MQTT figures: {time.monotonic() - t0:.0f} s")
    finally:
        if a.state_dir is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


if __name__ == "__main__":
    main()
