# SPDX-License-Identifier: GPL-2.0-or-later
"""A D-Bus client the integration tests run as other users (setpriv).

  client.py call     reads a JSON list of calls on stdin, each
                     [path, interface, method, signature, args], and prints
                     a JSON list of {"ok": result} or {"error": name,
                     "message": text}.  Arguments of type v are written
                     [signature, value]; a{sv} as {key: [signature, value]};
                     h as a file name, opened read-only.
  client.py listen   subscribes to every signal, prints READY, and counts
                     the signals it receives until the signal
                     org.doorlockd.Test.Marker arrives (or 15 s pass); then
                     prints {"count": N, "signals": [...]} (signals of the
                     bus driver and the marker are not counted).

The bus is $DBUS_SYSTEM_BUS_ADDRESS.  Self-contained: it is copied to a
directory every user can read.
"""

import json
import os
import sys

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

BUS_NAME = "org.doorlockd.Lock1"


def split_signature(sig):
    """'ssa{sv}' -> ['s', 's', 'a{sv}']"""
    out, i = [], 0
    while i < len(sig):
        j = i
        while sig[j] == "a":
            j += 1
        if sig[j] in "({":
            depth, k = 0, j
            while True:
                if sig[k] in "({":
                    depth += 1
                elif sig[k] in ")}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            j = k
        out.append(sig[i:j + 1])
        i = j + 1
    return out


def typed(sig, value):
    basic = {"s": dbus.String, "o": dbus.ObjectPath, "b": dbus.Boolean, "y": dbus.Byte,
             "q": dbus.UInt16, "u": dbus.UInt32, "i": dbus.Int32, "t": dbus.UInt64, "x": dbus.Int64}
    if sig in basic:
        return basic[sig](value)
    if sig == "h":
        return dbus.types.UnixFd(os.open(value, os.O_RDONLY))
    if sig == "v":
        inner, val = value
        return typed(inner, val)
    if sig == "a{sv}":
        return dbus.Dictionary({dbus.String(k): typed(s, v) for k, (s, v) in value.items()}, signature="sv")
    if sig == "a(yqq)":
        return dbus.Array([dbus.Struct((dbus.Byte(d), dbus.UInt16(s), dbus.UInt16(e)), signature="yqq")
                           for d, s, e in value], signature="(yqq)")
    raise ValueError(f"no conversion for {sig}")


def unwrap(v):
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature, str)):
        return str(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, dict):
        return {str(unwrap(k)): unwrap(x) for k, x in v.items()}
    if isinstance(v, (tuple, list)):
        return [unwrap(x) for x in v]
    return repr(v)


def do_calls():
    ops = json.load(sys.stdin)
    conn = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    results = []
    for path, iface, method, sig, args in ops:
        try:
            targs = [typed(s, a) for s, a in zip(split_signature(sig), args)]
            r = conn.call_blocking(BUS_NAME, path, iface, method, sig, targs, timeout=10)
            results.append({"ok": unwrap(r)})
        except dbus.exceptions.DBusException as e:
            results.append({"error": e.get_dbus_name(), "message": e.get_dbus_message()})
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


def do_listen():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    conn = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    loop = GLib.MainLoop()
    seen = []

    def on_signal(*args, sender=None, path=None, member=None, iface=None):
        if iface == "org.doorlockd.Test" and member == "Marker":
            loop.quit()
            return
        if sender == "org.freedesktop.DBus" or iface == "org.freedesktop.DBus":
            return
        seen.append(f"{iface}.{member} {path}")

    # Blocking AddMatch: once READY is printed, the subscription is in place.
    conn.add_signal_receiver(on_signal, sender_keyword="sender", path_keyword="path",
                             member_keyword="member", interface_keyword="iface")
    print("READY", flush=True)
    GLib.timeout_add(15000, loop.quit)
    loop.run()
    json.dump({"count": len(seen), "signals": seen}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["call"]:
        do_calls()
    elif sys.argv[1:] == ["listen"]:
        do_listen()
    else:
        sys.exit("usage: client.py call|listen")
