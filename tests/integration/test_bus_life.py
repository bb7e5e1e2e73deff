# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd and its bus connection (issue 10): losing the connection ends
the daemon with exit status 1 (so that systemd's Restart=on-failure starts
it again) instead of leaving it running off the bus and feeding the
watchdog; and no call that every local user may send (Peer, Introspect,
Properties reads) takes it off the bus, also on a machine without a
machine id.

The machine-id cases run doorlockd alone in a new mount namespace
(`unshare --mount`), so the rest of the machine, the bus daemon and the
test clients keep /etc/machine-id:

- empty: /dev/null bind-mounted on /etc/machine-id.  sd_id128_get_machine()
  (libsystemd 252) then fails with -ENOMEDIUM ("No medium found"), as for a
  file holding "uninitialized" (what a fresh image ships);
- missing: a tmpfs on /etc holding symlinks to every other entry of the
  real /etc (mounted elsewhere).  sd_id128_get_machine() then fails with
  -ENOENT, as in a bare `debootstrap --variant=minbase` root.

Before the fix, sd-bus's builtin Peer.GetMachineId returned that errno from
sd_bus_process(), and sd-event's io handler closed the connection: one call
from `nobody` took the lock off the bus.  These cases need root (unshare,
mount, and running clients as other users); without the permission to
unshare they report SKIP with the reason."""

import os
import shlex
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    BUS_NAME, INTROSPECT_IFACE, LOCK_IFACE, LOCK_PATH, NOBODY, OBSERVER, PROPS_IFACE, Bus, Daemon, Failure,
    Skip, Suite, check, eq, timeout_scale)

import dbus  # noqa: E402

suite = Suite("bus-life")

PEER_IFACE = "org.freedesktop.DBus.Peer"
FAILED = "org.freedesktop.DBus.Error.Failed"

# Odd but allowed calls for a caller without a role: the policy lets
# everyone send Get/GetAll, Introspect and Peer.  Each entry is
# [path, interface, method, signature, args] for client.py.
ODD_CALLS = (
    [[LOCK_PATH, PEER_IFACE, "Ping", "", []],
     [LOCK_PATH, PEER_IFACE, "GetMachineId", "", []],
     [LOCK_PATH, PEER_IFACE, "GetMachineId", "s", ["extra"]],
     [LOCK_PATH, PEER_IFACE, "NoSuchPeerMethod", "", []],
     [LOCK_PATH, PEER_IFACE, "Ping", "u", [7]],
     ["/", PEER_IFACE, "GetMachineId", "", []],
     ["/no/such/object", PEER_IFACE, "GetMachineId", "", []],
     [LOCK_PATH + "/code/999999", PEER_IFACE, "Ping", "", []],
     [LOCK_PATH, INTROSPECT_IFACE, "Introspect", "", []],
     ["/", INTROSPECT_IFACE, "Introspect", "", []],
     ["/org", INTROSPECT_IFACE, "Introspect", "", []],
     [LOCK_PATH + "/code", INTROSPECT_IFACE, "Introspect", "", []],
     [LOCK_PATH + "/code/1", INTROSPECT_IFACE, "Introspect", "", []],
     [LOCK_PATH, INTROSPECT_IFACE, "Introspect", "s", ["x" * 4096]],
     [LOCK_PATH, PROPS_IFACE, "GetAll", "s", [LOCK_IFACE]],
     [LOCK_PATH, PROPS_IFACE, "GetAll", "s", [""]],
     [LOCK_PATH, PROPS_IFACE, "GetAll", "s", ["org.freedesktop.DBus.Peer"]],
     [LOCK_PATH, PROPS_IFACE, "Get", "ss", [LOCK_IFACE, "NoSuchProperty"]],
     [LOCK_PATH, PROPS_IFACE, "Get", "ss", ["no.such.Interface", "State"]],
     [LOCK_PATH, PROPS_IFACE, "Get", "ss", [LOCK_IFACE, "State"]]]
    * 10)


def ping(env, timeout=5.0):
    """Peer.Ping from the harness's connection; raises if it fails."""
    env.conn.call_blocking(BUS_NAME, LOCK_PATH, PEER_IFACE, "Ping", "", [], timeout=timeout)


def check_on_bus(env, what):
    check(env.daemon.running(), f"{what}: doorlockd exited:\n{env.daemon.read_log()}")
    try:
        ping(env)
        state = env.get("State")
    except dbus.exceptions.DBusException as e:
        raise Failure(f"{what}: doorlockd no longer answers on the bus ({e.get_dbus_name()}: "
                      f"{e.get_dbus_message()}); it is still running:\n{env.daemon.read_log()}")
    check(state in ("locked", "unlocked"), f"{what}: State {state!r}")
    owner = env.conn.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                        "NameHasOwner", "s", [BUS_NAME])
    check(bool(owner), f"{what}: nobody owns {BUS_NAME}")


def flood(env, user, what):
    """ODD_CALLS from user; every call gets an answer (or an error reply)."""
    results = env.client(user, ODD_CALLS)
    eq(len(results), len(ODD_CALLS), f"{what}: answers")
    for op, res in zip(ODD_CALLS, results):
        err = res.get("error")
        check(err != "org.freedesktop.DBus.Error.NoReply" and err != "org.freedesktop.DBus.Error.ServiceUnknown"
              and err != "org.freedesktop.DBus.Error.NameHasNoOwner",
              f"{what}: {op[1]}.{op[2]} on {op[0]} got {res}")
    check_on_bus(env, what)
    return results


def machine_id_results(results):
    return [r for op, r in zip(ODD_CALLS, results) if op[2] == "GetMachineId" and op[3] == ""]


class NamespacedDaemon(Daemon):
    """doorlockd in its own mount namespace, without a usable machine id."""

    def __init__(self, *args, machine_id="empty", **kw):
        super().__init__(*args, **kw)
        self.machine_id = machine_id

    def argv(self):
        inner = super().argv()
        if self.machine_id == "empty":
            setup = "mount --bind /dev/null /etc/machine-id"
        else:
            real = os.path.join(self.workdir, "etc-real")
            os.makedirs(real, exist_ok=True)
            q = shlex.quote(real)
            setup = (f"mount --bind /etc {q} && mount -t tmpfs -o mode=0755 tmpfs /etc && "
                     f"for f in {q}/* {q}/.[!.]*; do n=${{f##*/}}; "
                     f"[ -e \"$f\" ] || [ -L \"$f\" ] || continue; "
                     f"[ \"$n\" = machine-id ] || ln -s \"$f\" \"/etc/$n\" || exit 1; done && "
                     f"! [ -e /etc/machine-id ]")
        # unshare and sh exec: the pid the harness watches is doorlockd's.
        return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-ec",
                setup + ' && exec "$@"', "sh"] + inner


def can_unshare():
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c",
                        "mount --bind /dev/null /etc/machine-id"], capture_output=True, text=True)
    return p.returncode == 0, p.stderr.strip()


def start_without_machine_id(env, kind):
    ok, why = can_unshare()
    if not ok:
        raise Skip(f"cannot unshare a mount namespace here: {why}")
    env.daemon = NamespacedDaemon(env.bus.address, env.workdir, machine_id=kind)
    env.daemon.start()
    env.start_index = env.mark()


@suite.case("losing the bus (dbus-daemon killed) ends doorlockd with status 1 within a few seconds",
            daemon=False)
def _(env):
    # A bus of its own: the suite's bus stays up for the other cases.
    bus = Bus(env.workdir, "project")
    bus.start()
    try:
        d = Daemon(bus.address, env.workdir)
        d.start()
        env.daemon = d
        conn = dbus.bus.BusConnection(bus.address)
        conn.call_blocking(BUS_NAME, LOCK_PATH, PEER_IFACE, "Ping", "", [], timeout=5)
        conn.close()
        t0 = time.monotonic()
        bus.proc.send_signal(signal.SIGKILL)
        bus.proc.wait()
        try:
            rc = d.proc.wait(5 * timeout_scale())
        except subprocess.TimeoutExpired:
            raise Failure("doorlockd still runs 5 s after its bus daemon was killed (off the bus, "
                          f"feeding the watchdog):\n{d.read_log()}")
        took = time.monotonic() - t0
        d.proc = None
        d.ended()
        eq(rc, 1, "exit status after the bus went away")
        log = d.read_log()
        check("lost the connection to the system bus" in log, f"no clear log line:\n{log}")
        env.note(f"doorlockd exited with status 1 {took:.2f} s after the bus was killed")
    finally:
        bus.stop()


@suite.case("a plain user's Peer, Introspect and property reads leave doorlockd answering", root=True)
def _(env):
    for user in (NOBODY, OBSERVER):
        results = flood(env, user, f"as {user}")
        try:
            with open("/etc/machine-id") as f:
                want = f.read().strip()
        except FileNotFoundError:
            want = None  # a bare system (tools/ci-bare): an error reply, checked below
        for r in machine_id_results(results):
            if want:
                eq(r.get("ok"), want, f"as {user}: GetMachineId")
            else:
                eq(r.get("error"), FAILED, f"as {user}: GetMachineId without /etc/machine-id")


@suite.case("without /etc/machine-id (empty file): GetMachineId is an error, doorlockd stays on the bus",
            daemon=False, root=True)
def _(env):
    start_without_machine_id(env, "empty")
    results = flood(env, NOBODY, "as nobody, empty /etc/machine-id")
    for r in machine_id_results(results):
        eq(r.get("error"), FAILED, "GetMachineId")
    msg = machine_id_results(results)[0].get("message", "")
    check("machine ID" in msg and "No medium found" in msg, f"GetMachineId message {msg!r}")
    env.note(f"GetMachineId: {msg}")
    flood(env, NOBODY, "a second flood")


@suite.case("without /etc/machine-id (no such file): GetMachineId is an error, doorlockd stays on the bus",
            daemon=False, root=True)
def _(env):
    start_without_machine_id(env, "missing")
    results = flood(env, NOBODY, "as nobody, no /etc/machine-id")
    for r in machine_id_results(results):
        eq(r.get("error"), FAILED, "GetMachineId")
    msg = machine_id_results(results)[0].get("message", "")
    check("No such file or directory" in msg, f"GetMachineId message {msg!r}")
    env.note(f"GetMachineId: {msg}")
    # An admin call still works, and SIGTERM still ends it with 0
    # (env.finish() checks that).
    env.call("Lock")


suite.run()
