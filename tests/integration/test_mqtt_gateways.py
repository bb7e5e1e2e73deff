# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: many doors on one broker (issue 13).  Three
gateways, each a private bus with its own doorlockd --simulate and its own
doorlockd-mqtt (TopicPrefix test/gw1..3, its own ClientId), on one
mosquitto.  Each appears as its own Home Assistant device; a command
reaches only its own door; a second bridge announcing a prefix already in
use (a cloned SD card) is reported: prefix_conflict in P/state and
PrefixConflict replies, and the door does not move.

Root only; skips with the reason without mosquitto, paho or the bridge."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    PIN1, PIN2, PIN3, Bus, Connection, Daemon, Suite, check, eq, options)
from mqtt_fixture import PREFIX_CONFLICT, Bridge, Broker, Client, command, need_mqtt, new_id  # noqa: E402

suite = Suite("mqtt-gateways")

PINS = (PIN1, PIN2, PIN3)


class Door:
    def __init__(self, env, i, broker, prefix=None, bus=None, conn=None, daemon=None, client_id=None):
        self.i = i
        self.dir = os.path.join(env.workdir, f"door{i}")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.own_bus = bus is None
        if bus is None:
            bus = Bus(self.dir)
            bus.start()
            conn = Connection(bus.address)
            daemon = Daemon(bus.address, self.dir)
            daemon.start()
        self.bus, self.conn, self.daemon = bus, conn, daemon
        self.prefix = prefix or f"test/gw{i}"
        self.bridge = Bridge(self.dir, bus.address, broker,
                             {"HomeAssistant": {"TopicPrefix": self.prefix, "DeviceName": f"Door {i}"},
                              "Broker": {"ClientId": client_id or f"doorlockd-gw{i}"}})

    def call(self, env, method, *args, sig="", **kw):
        return env.call(method, *args, sig=sig, conn=self.conn.conn, **kw)

    def get(self, env, prop):
        return env.get(prop, conn=self.conn.conn)

    def granted(self, since=0):
        return [s for s in self.conn.signals[since:] if s.member == "AccessGranted"]

    def close(self):
        self.bridge.kill()
        if self.own_bus:
            self.daemon.kill()
            self.conn.close()
            self.bus.stop()


def last_json(client, topic, since=0):
    ms = client.since(since, topic)
    return ms[-1].json() if ms else None


@suite.case("three gateways on one broker: three devices, a command reaches only its own door; a "
            "duplicated TopicPrefix is reported (prefix_conflict, PrefixConflict) and moves nothing",
            root=True, daemon=False)
def _(env):
    need_mqtt()
    env.start_daemon()
    broker = Broker(env.workdir).start()
    ha = Client(broker, "ha")
    doors = []
    try:
        ha.subscribe("#")
        doors.append(Door(env, 1, broker, bus=env.bus, conn=env._conn, daemon=env.daemon))
        doors += [Door(env, i, broker) for i in (2, 3)]
        for d in doors:
            d.call(env, "AddCode", "Alice", PINS[d.i - 1], options(), sig="ssa{sv}")
            d.bridge.start()
        for d in doors:
            env.wait_for(lambda d=d: (last_json(ha, f"{d.prefix}/state") or {}).get("code_count") == 1,
                         what=f"{d.prefix}/state", timeout=10)
            env.wait_for(lambda d=d: ha.since(0, f"{d.prefix}/availability", lambda m: m.text() == "online"),
                         what=f"{d.prefix} online")
        # Three devices.
        devices = {}
        for m in ha.snapshot():
            if m.topic.startswith("homeassistant/") and m.topic.endswith("/config") and m.payload:
                c = m.json()
                ident = tuple(c["device"]["identifiers"])
                devices.setdefault(ident, set()).add(c["state_topic"].split("/")[1])
        eq(len(devices), 3, f"devices {devices}")
        eq(sorted(x for v in devices.values() for x in v), ["gw1", "gw2", "gw3"], "gateways")
        for ident, gws in devices.items():
            eq(len(gws), 1, f"device {ident} mixes gateways {gws}")
        # A command to door 2 only.
        marks = [len(d.conn.signals) for d in doors]
        m = ha.mark()
        corr = b"to-door-2"
        ha.publish("test/gw2/command", json.dumps(command("unlock", pin=PIN2)), response_topic="test/replies",
                   correlation=corr)
        r = env.wait_for(lambda: ha.since(m, "test/replies", lambda x: x.correlation() == corr),
                         what="door 2's reply")[0].json()
        check(r.get("ok") is True, f"door 2's reply {r}")
        env.wait_for(lambda: doors[1].granted(marks[1]), what="door 2 granted")
        env.wait_for(lambda: doors[1].get(env, "State") == "locked", what="door 2 locked again")
        for d, mk in zip(doors, marks):
            if d.i != 2:
                check(not d.granted(mk), f"door {d.i} was opened by door 2's command")
                eq(d.get(env, "State"), "locked", f"door {d.i} State")
        eq(len(ha.since(m, "test/replies")), 1, "replies")
        # Door 2's PIN sent to door 1: refused there.
        m = ha.mark()
        ha.publish("test/gw1/command", json.dumps(command("unlock", pin=PIN2)), response_topic="test/replies",
                   correlation=b"door2pin-at-1")
        r = env.wait_for(lambda: ha.since(m, "test/replies"), what="door 1's reply")[0].json()
        eq(r.get("error"), "org.doorlockd.Error.CodeRefused", f"door 1's reply {r}")

        # A clone of door 1 (same prefix, its own client id) on door 3's bus.
        clone = Door(env, 4, broker, prefix="test/gw1", bus=doors[2].bus, conn=doors[2].conn,
                     daemon=doors[2].daemon, client_id="doorlockd-clone")
        doors.append(clone)
        m = ha.mark()
        clone.bridge.start()
        env.wait_for(lambda: any(x.json().get("prefix_conflict") is True
                                 for x in ha.since(m, "test/gw1/state")), what="prefix_conflict on test/gw1/state",
                     timeout=10)
        marks = [len(d.conn.signals) for d in doors]
        m = ha.mark()
        ha.publish("test/gw1/command", json.dumps(command("unlock", pin=PIN1, id=new_id("clone"))),
                   response_topic="test/replies", correlation=b"conflict")
        env.wait_for(lambda: ha.since(m, "test/replies"), what="a reply under conflict")
        env.hold(lambda: not doors[0].granted(marks[0]) and not doors[2].granted(marks[2]), 1.0,
                 "no door opened")
        replies = [x.json() for x in ha.since(m, "test/replies")]
        check(replies and all(x.get("error") == PREFIX_CONFLICT for x in replies), f"replies {replies}")
        for d in (doors[0], clone):
            log = d.bridge.read_log()
            check("conflict" in log.lower() or "test/gw1" in log, f"bridge {d.i} does not log the conflict: "
                  f"{log[-600:]}")
        # Doors 2 and 3 are not affected.
        check(all(x.json().get("prefix_conflict") is False for x in ha.since(0, "test/gw2/state")),
              "door 2 reports a conflict")
        for d in doors:
            rc, took = d.bridge.stop()
            eq(rc, 0, f"bridge {d.i} exit status")
        leaks = [f"{x.topic}: {x.text()[:120]}" for x in ha.snapshot()
                 if (x.topic, x.payload) not in set(ha.sent) and any(p.encode() in x.payload for p in PINS)]
        check(not leaks, f"PINs published: {leaks}")
    except BaseException:
        for d in doors:
            env.note(f"bridge {d.i}: " + d.bridge.read_log()[-800:].replace("\n", " | "))
        raise
    finally:
        for d in doors:
            d.close()
        ha.close()
        broker.stop()


if __name__ == "__main__":
    suite.run()
