# SPDX-License-Identifier: GPL-2.0-or-later
"""doorlockd integration tests: doorlockd-mqtt, the MQTT bridge (issue 13,
docs/mqtt.md).  Real parts only: mosquitto on a free loopback port, the real
doorlockd --simulate on the private bus, the real build/mqtt/doorlockd-mqtt
run as dl-remote (group doorlock-remote), and a Python MQTT 5 client
(python3-paho-mqtt 1.6.1) playing Home Assistant, subscribed to '#'.

Root only (the bridge runs as another user).  Skips with the reason when
mosquitto, paho or the bridge binary is missing.

Every case ends with: the bridge stops on SIGTERM with status 0 within 2 s,
leaving P/availability "offline" retained; and no PIN the case used appears
in any message the bridge published (every message on '#' the test did not
send itself)."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ACCESS_DENIED, CODE_IFACE, ERR, PIN1, PIN2, PIN3, SOURCE_ROOT, WRONG_PIN, Failure, Skip, Suite,
    check, eq)
from mqtt_fixture import (  # noqa: E402
    BUSY, CLOCK_UNTRUSTED, DISABLED, INVALID_PAYLOAD, NO_SUCH_CODE, PIN_REQUIRED, STALE, UNAVAILABLE,
    UNKNOWN_ACTION, Bridge, Broker, Client, command, make_tls, need_mqtt, new_id, now_usec)

suite = Suite("mqtt")

P = "test/door"
CODE_REFUSED = ERR + "CodeRefused"
LOCKED_OUT = ERR + "LockedOut"
# Every PIN a case may use: none may appear in a message the bridge sent.
ALL_PINS = (PIN1, PIN2, PIN3, WRONG_PIN, "582913", "604417")
CODE_CHANGES = {"Remote": {"CodeChanges": "yes"}}


class World:
    """One case's MQTT side: broker, the HA/spy client on '#', the bridge."""

    def __init__(self, env, bridge_config=None, tls=False, start=True):
        need_mqtt()
        self.env = env
        self.user = self.password = self.ca = None
        t = None
        if tls:
            t = make_tls(env.workdir)
            self.ca = t["ca"]
            self.user, self.password = "door", "s3cret-broker-pw"
        self.broker = Broker(env.workdir, tls=t, users={self.user: self.password,
                                                        "ha": "ha-pw"} if tls else None).start()
        cfg = {"HomeAssistant": {"TopicPrefix": P}, "Broker": {"ClientId": "doorlockd-test"}}
        if tls:
            cfg["Broker"].update({"Host": "localhost", "TLS": "yes", "CAFile": t["ca"], "Username": self.user})
        for s, keys in (bridge_config or {}).items():
            cfg.setdefault(s, {}).update(keys)
        self.ha = self.client("ha")
        self.ha.subscribe("#")
        self.bridge = Bridge(env.workdir, env.bus.address, self.broker, cfg, password=self.password)
        self.reply_topic = "test/replies/ha"
        if start:
            self.start_bridge()

    def client(self, cid):
        if self.ca:
            return Client(self.broker, cid, username="ha", password="ha-pw", ca=self.ca, host="localhost")
        return Client(self.broker, cid)

    def start_bridge(self, wait_online=True):
        m = self.ha.mark()
        self.bridge.start()
        if wait_online:
            self.wait_msg("availability", lambda x: x.text() == "online", since=m, what="availability online")
            self.wait_msg("state", since=m, what="P/state")
        return m

    # -- reading --

    def wait_msg(self, sub, pred=None, since=0, what=None, timeout=10.0, topic=None):
        topic = topic or f"{P}/{sub}"
        return self.env.wait_for(lambda: (self.ha.since(since, topic, pred) or [None])[-1], timeout,
                                 what=f"{what or topic} (bridge log: {self.bridge.read_log()[-600:]!r})")

    def last(self, sub):
        ms = self.ha.since(0, f"{P}/{sub}")
        return ms[-1] if ms else None

    def state(self):
        m = self.last("state")
        return m.json() if m else None

    def wait_state(self, pred, since=0, what="P/state", timeout=10.0):
        return self.wait_msg("state", lambda m: pred(m.json()), since, what, timeout).json()

    def states_since(self, mark):
        return [m.json() for m in self.ha.since(mark, f"{P}/state")]

    # -- commands --

    def send(self, payload, response=True, **kw):
        """Publish payload (a dict is dumped) on P/command; returns the
        correlation data (None without a response topic)."""
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        corr = new_id("corr").encode() if response else None
        self.ha.publish(f"{P}/command", payload, response_topic=self.reply_topic if response else None,
                        correlation=corr, **kw)
        return corr

    def reply_to(self, corr, since=0, timeout=10.0):
        topic = self.reply_topic if corr is not None else f"{P}/reply"
        pred = (lambda m: m.correlation() == corr) if corr is not None else None
        return self.wait_msg(None, pred, since, f"the reply on {topic}", timeout, topic=topic).json()

    def cmd(self, payload, response=True, **kw):
        m = self.ha.mark()
        corr = self.send(payload, response, **kw)
        return self.reply_to(corr, m)

    def ok(self, payload, **kw):
        r = self.cmd(payload, **kw)
        check(r.get("ok") is True, f"command {payload if isinstance(payload, dict) else '…'} refused: {r}")
        return r

    def err(self, payload, name, **kw):
        r = self.cmd(payload, **kw)
        check(r.get("ok") is False and r.get("error") == name, f"want {name}, got {r}")
        check(isinstance(r.get("message"), str) and r["message"], f"error without a message: {r}")
        return r

    def no_reply(self, corr, since, seconds=1.0):
        self.env.hold(lambda: not self.ha.since(since, self.reply_topic, lambda m: m.correlation() == corr)
                      and not self.ha.since(since, f"{P}/reply"), seconds, "no reply")

    # -- the end --

    def published_by_bridge(self):
        sent = set(self.ha.sent)
        return [m for m in self.ha.snapshot() if (m.topic, m.payload) not in sent]

    def check_no_pins(self, extra=()):
        leaks = []
        for m in self.published_by_bridge():
            for pin in ALL_PINS + tuple(extra):
                if pin.encode() in m.payload:
                    leaks.append(f"{m.topic}: {pin} in {m.text()[:200]}")
        check(not leaks, "PINs in the bridge's messages:\n" + "\n".join(leaks[:20]))

    def finish(self, extra_pins=()):
        try:
            if self.bridge.running():
                m = self.ha.mark()
                took = self.bridge.stop_clean()
                check(took < 2.0, f"SIGTERM to exit took {took:.2f} s")
                self.wait_msg("availability", lambda x: x.text() == "offline", since=m,
                              what="availability offline after SIGTERM", timeout=3)
            self.check_no_pins(extra_pins)
        finally:
            self.close()

    def close(self):
        self.bridge.kill()
        self.ha.close()
        self.broker.stop()

    def notes(self):
        self.env.note("bridge log: " + self.bridge.read_log()[-1500:].replace("\n", " | "))
        self.env.note("broker log: " + self.broker.read_log()[-800:].replace("\n", " | "))


def mqtt_case(name, config=None, bridge=None, tls=False, daemon=True, start=True, pins=()):
    """A root case with a World: fn(env, w).  The world is finished (clean
    SIGTERM, PIN check) after fn, and its logs noted on failure."""
    def deco(fn):
        @suite.case(name, root=True, daemon=False)
        def _(env):
            need_mqtt()
            if daemon:
                env.start_daemon(config)
            w = World(env, bridge, tls=tls, start=start)
            ok = False
            try:
                fn(env, w)
                ok = True
            finally:
                if not ok:
                    w.notes()
                    w.close()
            try:
                w.finish(pins)
            except BaseException:
                w.notes()
                raise
        return fn
    return deco


def code_path(code_id):
    return f"/org/doorlockd/Lock1/code/{code_id}"


def log_len(env):
    return len(env.get_log())


def load_required_keys():
    req = {}
    with open(os.path.join(SOURCE_ROOT, "tests", "mqtt", "ha-required-keys.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            platform, key = line.split()[:2]
            req.setdefault(platform, []).append(key)
    return req


def has_key(d, dotted):
    for part in dotted.split("."):
        if not isinstance(d, dict) or part not in d:
            return False
        d = d[part]
    return True


def render(template, **variables):
    import datetime

    import jinja2
    e = jinja2.Environment()
    e.globals["now"] = lambda: datetime.datetime.now(datetime.timezone.utc)
    return e.from_string(template).render(**variables)


# ---- discovery and Home Assistant ----

@mqtt_case("discovery: every config has the keys HA requires (ha-required-keys.txt); the templates "
           "render (jinja2) to commands the bridge accepts, replies on P/reply")
def _(env, w):
    try:
        import jinja2  # noqa: F401
    except ImportError as e:
        raise Skip(f"python3-jinja2 is missing ({e})")
    req = load_required_keys()
    configs = {}
    w.env.wait_for(lambda: len([m for m in w.ha.snapshot() if m.topic.startswith("homeassistant/")
                                and m.topic.endswith("/config")]) >= 8, what="8 discovery configs")
    for m in w.ha.snapshot():
        if m.topic.startswith("homeassistant/") and m.topic.endswith("/config") and m.payload:
            check(m.retain, f"{m.topic} not retained")
            configs[m.topic] = m.json()
    state = w.state()
    problems = []
    ids = set()
    for topic, c in configs.items():
        component = topic.split("/")[1]
        keys = req.get("*", []) + req.get(component, [])
        if component == "lock" and state["door_sensor"]:
            keys += req.get("lock+door", [])
        problems += [f"{topic}: no {k}" for k in keys if not has_key(c, k)]
        ids.add(c.get("unique_id"))
        if "state_topic" in c:
            check(c["state_topic"].startswith(P + "/"), f"{topic}: state_topic {c['state_topic']}")
    check(not problems, "\n".join(problems))
    eq(len(ids), len(configs), "unique_ids distinct")
    for comp in ("lock", "binary_sensor", "event", "sensor"):
        check(any(t.split("/")[1] == comp for t in configs), f"no {comp} entity: {sorted(configs)}")
    # The mode is a sensor: doorlockd refuses SetMode to the remote role and
    # a select carries no PIN for passage, so a select could only be refused.
    check(not any(t.split("/")[1] == "select" for t in configs), f"a select entity: {sorted(configs)}")
    mode = next((c for t, c in configs.items() if t.split("/")[1] == "sensor" and t.split("/")[3] == "mode"), None)
    check(mode is not None, f"no mode sensor: {sorted(configs)}")
    eq(render(mode["value_template"], value_json=state), "normal", "the mode sensor's value_template")
    lock = next(c for t, c in configs.items() if t.split("/")[1] == "lock")
    eq(render(lock["value_template"], value_json=state), "locked", "the lock's value_template")
    # What HA sends (no response topic: replies on P/reply).
    path, _ = env.add_code("Alice", PIN1)
    payload = render(lock["command_template"], value="unlock", code=PIN1)
    check(PIN1 in payload, f"the PIN is not in the rendered command: {payload}")
    m = env.mark()
    r = w.cmd(payload, response=False)
    eq((r.get("ok"), r.get("action")), (True, "unlock"), f"unlock from the template: {r}")
    check(r.get("id", "").startswith("ha-"), f"reply id {r}")
    env.wait_signal("AccessGranted", since=m)
    env.wait_unlocked()
    env.wait_locked()
    r = w.cmd(render(lock["command_template"], value="lock", code=None), response=False)
    eq((r.get("ok"), r.get("action")), (True, "lock"), f"lock from the template: {r}")


@mqtt_case("birth message: 'online' on homeassistant/status republishes discovery and state")
def _(env, w):
    m = w.ha.mark()
    w.ha.publish("homeassistant/status", "online")
    env.wait_for(lambda: [x for x in w.ha.since(m) if x.topic.startswith("homeassistant/")
                          and x.topic.endswith("/config")], what="discovery republished")
    w.wait_msg("state", since=m, what="state republished")
    w.wait_msg("availability", lambda x: x.text() == "online", since=m, what="availability republished")


# ---- the lock's story ----

@mqtt_case("keypad unlock: P/state unlocking/unlocked/locked, P/event/access granted, P/log entries")
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    w.wait_state(lambda s: s["code_count"] == 1, what="code_count 1")
    m = w.ha.mark()
    env.enter(PIN1)
    env.wait_for(lambda: [s["lock"] for s in w.states_since(m)][-1:] == ["locked"]
                 and "unlocked" in [s["lock"] for s in w.states_since(m)], what="unlocked then locked")
    seq = [s["lock"] for s in w.states_since(m)]
    dedup = [x for i, x in enumerate(seq) if i == 0 or seq[i - 1] != x]
    want = ["unlocking", "unlocked", "locking", "locked"]
    check([x for x in dedup if x in want] == want, f"lock states {seq}")
    for s in w.states_since(m):
        check(s["bolt"] in ("locked", "unlocking", "unlocked", "locking"), f"bolt {s}")
    acc = w.wait_msg("event/access", since=m).json()
    eq((acc["event_type"], acc["source"], acc["name"], acc["code_id"]), ("granted", "keypad", "Alice", 1),
       f"access event {acc}")
    check(not w.last("event/access").retain, "access event retained")
    last = w.state()
    eq((last["last_access_name"], last["last_access_source"]), ("Alice", "keypad"), "last access")
    check(last["last_access_at"] and last["last_access_at"].endswith("Z"), f"last_access_at {last}")
    want_log = ("access-granted", "unlock", "unlocked", "lock", "locked")
    env.wait_for(lambda: set(want_log) <= {x.json()["event"] for x in w.ha.since(m, f"{P}/log")},
                 what=f"{want_log} on P/log")
    logs = [x.json() for x in w.ha.since(m, f"{P}/log")]
    g = next(x for x in logs if x["event"] == "access-granted")
    eq((g["source"], g["code_name"], g["code_id"]), ("keypad", "Alice", 1), f"log entry {g}")
    check(not any(x.retain for x in w.ha.since(m, f"{P}/log")), "log entries retained")
    # A wrong keypad entry: a denied event with the reason.
    m = w.ha.mark()
    env.enter(WRONG_PIN)
    acc = w.wait_msg("event/access", since=m).json()
    eq((acc["event_type"], acc["reason"]), ("denied", "unknown-code"), f"denied event {acc}")


@mqtt_case("entries written while the bridge was down fire no event when it comes back: no P/event/access, "
           "no P/log for them; P/state is fresh")
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    w.bridge.stop_clean()
    env.enter(PIN1)
    env.wait_unlocked()
    env.wait_locked()
    env.enter(WRONG_PIN)
    m = w.ha.mark()
    w.start_bridge()
    w.wait_msg("state", lambda x: x.json()["lock"] == "locked", since=m, what="P/state after the restart")
    env.hold(lambda: not w.ha.since(m, f"{P}/event/access") and not w.ha.since(m, f"{P}/log"), 1.5,
             "no access event and no log entry for what happened while the bridge was down")
    eq(env.code_prop(path, "Uses"), 1, "the keypad unlock did happen")
    # Live again: the next entry fires.
    m = w.ha.mark()
    env.enter(PIN1)
    acc = w.wait_msg("event/access", since=m).json()
    eq((acc["event_type"], acc["source"]), ("granted", "keypad"), f"live access event {acc}")
    env.wait_locked()


@mqtt_case("MQTT unlock with a good PIN: reply ok, the simulated bolt moves, access event source mqtt")
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    mm = w.ha.mark()
    r = w.ok(command("unlock", pin=PIN1))
    eq(r.get("action"), "unlock", "reply action")
    g = env.wait_signal("AccessGranted", since=m)
    eq(g.args, ["mqtt", path, "Alice"], "AccessGranted")
    env.wait_state_signal("unlocked", since=m)
    env.wait_locked()
    acc = w.wait_msg("event/access", since=mm).json()
    eq((acc["event_type"], acc["source"], acc["name"]), ("granted", "mqtt", "Alice"), f"access event {acc}")
    eq(env.code_prop(path, "Uses"), 1, "Uses")
    # Lock over MQTT, and PinRequired for an unlock without one.
    w.ok(command("lock"))
    w.err(command("unlock"), PIN_REQUIRED)
    env.hold(lambda: env.state() == "locked", 0.3, "locked")


@mqtt_case("a wrong PIN: CodeRefused, counted on NetworkLockedUntil's counter (LockedOut after 3), "
           "the keypad still opens")
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    before = env.snapshot()
    for pin in (WRONG_PIN, PIN2, PIN3):
        r = w.err(command("unlock", pin=pin), CODE_REFUSED)
        check("reason" not in r and "unknown" not in r["message"], f"the reply tells why: {r}")
    env.wait_for(lambda: env.get("NetworkLockedUntil") > 0, what="NetworkLockedUntil set")
    eq(env.get("KeypadLockedUntil"), 0, "KeypadLockedUntil")
    w.wait_state(lambda s: s["network_locked_out"] and not s["keypad_locked_out"], what="network_locked_out")
    n = log_len(env)
    w.err(command("unlock", pin=PIN1), LOCKED_OUT)
    eq(log_len(env), n, "log entries after LockedOut")
    eq(env.state(), "locked", "State")
    eq(env.snapshot()[1], before[1], "codes")
    sig = env.enter(PIN1)
    eq(sig.member, "AccessGranted", "the keypad still opens")
    env.wait_unlocked()
    env.wait_locked()


# ---- nothing acts late or twice ----

@mqtt_case("a retained command is ignored, live and at the bridge's start; a command queued while the "
           "bridge was offline never arrives", pins=("582913",))
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    mm = w.ha.mark()
    corr = w.send(command("unlock", pin=PIN1), retain=True)
    w.no_reply(corr, mm, 1.0)
    check(not env.find_signals("AccessGranted", since=m), "a retained command opened")
    # Restarted: the retained command is still on the broker.
    w.bridge.stop_clean()
    w.start_bridge()
    env.hold(lambda: env.state() == "locked" and not env.find_signals("AccessGranted", since=m), 1.0,
             "locked, nothing granted")
    w.ha.publish(f"{P}/command", b"", retain=True)     # clear it
    # Queued while the bridge is away: QoS 1 from a persistent sender.
    w.bridge.stop_clean()
    mm = w.ha.mark()
    corr = w.send(command("unlock", pin=PIN1), qos=1)
    w.start_bridge()
    w.no_reply(corr, mm, 1.5)
    check(not env.find_signals("AccessGranted", since=m), "a queued command opened")
    eq(env.code_prop(path, "Uses"), 0, "Uses")
    # The bridge still works.
    w.ok(command("lock"))


@mqtt_case("stale commands change nothing: old time, future time past MaxSkew, no time and no expiry, "
           "expiry above MaxAge; a fresh expiry alone is accepted",
           bridge={"Commands": {"MaxAge": "30", "MaxSkew": "5"}})
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    m = env.mark()
    now = now_usec()
    w.err(command("unlock", time_usec=now - 31_000_000, pin=PIN1), STALE)
    w.err(command("unlock", time_usec=now + 6_000_000 + 2_000_000, pin=PIN1), STALE)
    w.err(command("unlock", time_usec=False, pin=PIN1), STALE)
    w.err(command("unlock", time_usec=False, pin=PIN1), STALE, expiry=31)
    env.hold(lambda: not env.find_signals("AccessGranted", since=m), 0.3, "nothing granted")
    eq(env.code_prop(path, "Uses"), 0, "Uses")
    w.ok(command("unlock", time_usec=False, pin=PIN1), expiry=10)
    env.wait_signal("AccessGranted", since=m)
    env.wait_locked()
    w.ok(command("lock", time_usec=now_usec() - 20_000_000))


@mqtt_case("a repeated id is answered with the first reply and not executed again")
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    c = command("unlock", pin=PIN1)
    r1 = w.ok(c)
    env.wait_unlocked()
    env.wait_locked()
    m = env.mark()
    r2 = w.cmd(c)
    eq(r2, r1, "the repeat's reply")
    c2 = dict(c, pin=PIN2)        # same id, other content: still the stored reply
    eq(w.cmd(c2), r1, "the repeat with another body")
    env.hold(lambda: not env.find_signals("AccessGranted", since=m) and env.state() == "locked", 0.5,
             "nothing granted again")
    eq(env.code_prop(path, "Uses"), 1, "Uses")


@suite.case("clock untrusted: a command with a time is refused (ClockUntrusted), one with an expiry "
            "alone is accepted", daemon=False, root=True)
def _(env):
    need_mqtt()
    from test_emergency import FakeClock
    fc = FakeClock(env, time.time() + 2 * 86400)
    env.add_code("Alice", PIN1)
    d = env.daemon
    d.stop_clean()
    d.extra_env = {}
    d.start()
    env.add_code("Bob", PIN2)      # an operation: ClockTrusted is compared after it
    env.wait_for(lambda: env.get("ClockTrusted") is False, what="ClockTrusted false")
    del fc
    w = World(env)
    ok = False
    try:
        w.wait_state(lambda s: s["clock_trusted"] is False, what="clock_trusted false")
        m = env.mark()
        w.err(command("unlock", pin=PIN1), CLOCK_UNTRUSTED)
        w.err(command("lock"), CLOCK_UNTRUSTED)
        env.hold(lambda: not env.find_signals("AccessGranted", since=m), 0.3, "nothing granted")
        w.ok(command("unlock", time_usec=False, pin=PIN1), expiry=10)
        env.wait_signal("AccessGranted", since=m)
        env.wait_locked()
        ok = True
    finally:
        if not ok:
            w.notes()
            w.close()
    w.finish()


# ---- bad input ----

BAD = [
    # (label, payload, error, id in the reply)
    ("not JSON", b"unlock please", INVALID_PAYLOAD, None),
    ("empty", b"", INVALID_PAYLOAD, None),
    ("a JSON array", b'["lock"]', INVALID_PAYLOAD, None),
    ("truncated", b'{"id":"b1","time":1,"action":"lock"', INVALID_PAYLOAD, None),
    ("trailing bytes", None, INVALID_PAYLOAD, "b2"),
    ("id a number", b'{"id":5,"action":"lock"}', INVALID_PAYLOAD, None),
    ("id with a space", None, INVALID_PAYLOAD, None),
    ("id too long", None, INVALID_PAYLOAD, None),
    ("time a string", None, INVALID_PAYLOAD, "b3"),
    ("time negative", None, INVALID_PAYLOAD, "b4"),
    ("pin a number", None, INVALID_PAYLOAD, "b5"),
    ("pin with letters", None, INVALID_PAYLOAD, "b6"),
    ("unknown action", None, UNKNOWN_ACTION, "b7"),
    ("action a number", None, INVALID_PAYLOAD, "b8"),
    ("unknown key", None, INVALID_PAYLOAD, "b9"),
    ("duplicate key", None, INVALID_PAYLOAD, "b10"),
    ("invalid UTF-8", None, INVALID_PAYLOAD, None),
    ("too deep", None, INVALID_PAYLOAD, "b12"),
    ("mode unknown", None, INVALID_PAYLOAD, "b13"),
    ("code_id a string", None, INVALID_PAYLOAD, "b14"),
    ("schedule wrong type", None, INVALID_PAYLOAD, "b15"),
    ("code_id that does not exist", None, NO_SUCH_CODE, "b16"),
]


# Not a JSON document as a whole: the id need not be read.
STRUCTURAL = ("trailing bytes", "duplicate key", "too deep")


def bad_payload(label):
    t = now_usec()
    j = {
        "trailing bytes": f'{{"id":"b2","time":{t},"action":"lock"}} x',
        "id with a space": f'{{"id":"a b","time":{t},"action":"lock"}}',
        "id too long": json.dumps({"id": "x" * 65, "time": t, "action": "lock"}),
        "time a string": f'{{"id":"b3","time":"{t}","action":"lock"}}',
        "time negative": '{"id":"b4","time":-5,"action":"lock"}',
        "pin a number": f'{{"id":"b5","time":{t},"action":"unlock","pin":481529}}',
        "pin with letters": f'{{"id":"b6","time":{t},"action":"unlock","pin":"48a529"}}',
        "unknown action": f'{{"id":"b7","time":{t},"action":"open_sesame"}}',
        "action a number": f'{{"id":"b8","time":{t},"action":3}}',
        "unknown key": f'{{"id":"b9","time":{t},"action":"lock","force":true}}',
        "duplicate key": f'{{"id":"b10","time":{t},"action":"lock","action":"unlock"}}',
        "too deep": (f'{{"id":"b12","time":{t},"action":"add_code","name":"X","pin":"582913",'
                     '"schedule":[{"days":[[[[1]]]]}]}'),
        "mode unknown": f'{{"id":"b13","time":{t},"action":"mode","mode":"open"}}',
        "code_id a string": f'{{"id":"b14","time":{t},"action":"remove_code","code_id":"1"}}',
        "schedule wrong type": (f'{{"id":"b15","time":{t},"action":"add_code","name":"X","pin":"582913",'
                                '"schedule":"weekdays"}'),
        "code_id that does not exist": f'{{"id":"b16","time":{t},"action":"remove_code","code_id":999}}',
    }.get(label)
    if label == "invalid UTF-8":
        return b'{"id":"b11","time":%d,"action":"add_code","name":"\xff\xfe","pin":"582913"}' % t
    return j.encode() if j is not None else None


@mqtt_case("bad payloads (not JSON, wrong types, unknown action or key, a code_id that does not exist, "
           "…) get an error reply, change nothing, and the bridge stays up",
           config=CODE_CHANGES, bridge={"Commands": {"CodeChanges": "yes"}}, pins=("582913",))
def _(env, w):
    env.add_code("Alice", PIN1)
    before = env.snapshot()
    n = log_len(env)
    problems = []
    for label, payload, name, rid in BAD:
        payload = payload if payload is not None else bad_payload(label)
        try:
            r = w.cmd(payload)
        except Failure as e:
            problems.append(f"{label}: {e}")
            continue
        if r.get("ok") is not False or r.get("error") != name:
            problems.append(f"{label}: want {name}, got {r}")
        elif rid is not None and r.get("id") not in (rid, None if label in STRUCTURAL else rid):
            problems.append(f"{label}: reply id {r.get('id')!r}, want {rid!r}")
        elif "id" not in r:
            problems.append(f"{label}: reply without an id key: {r}")
        if not w.bridge.running():
            problems.append(f"{label}: the bridge died")
            break
    check(not problems, "\n".join(problems))
    eq(env.snapshot(), before, "lock and codes after the bad payloads")
    eq(log_len(env), n, "log entries after the bad payloads")
    w.ok(command("lock"))


@mqtt_case("a 1 MiB message: InvalidPayload with id null, the bridge stays up")
def _(env, w):
    big = b'{"id":"big","time":1,"action":"lock","pad":"' + b"x" * (1 << 20) + b'"}'
    r = w.cmd(big)
    eq((r.get("ok"), r.get("error"), r.get("id", "missing")), (False, INVALID_PAYLOAD, None), f"reply {r}")
    check(w.bridge.running(), "the bridge died")
    w.ok(command("lock"))


@mqtt_case("a flood of 2000 commands stays bounded: Busy replies, the daemon's log barely grows, the "
           "bridge answers afterwards")
def _(env, w):
    env.add_code("Alice", PIN1)
    n = log_len(env)
    m = w.ha.mark()
    t0 = time.monotonic()
    corrs = []
    for i in range(2000):
        c = command("unlock", pin=WRONG_PIN)
        corr = f"flood-{i}".encode()
        corrs.append(corr)
        w.ha.publish(f"{P}/command", json.dumps(c), qos=1, response_topic=w.reply_topic, correlation=corr)
    # Every reply that comes: wait until they stop coming.
    last = [0, time.monotonic()]

    def settled():
        k = len(w.ha.since(m, w.reply_topic))
        if k != last[0]:
            last[:] = [k, time.monotonic()]
        return k >= 2000 or time.monotonic() - last[1] > 2.0

    env.wait_for(settled, timeout=60, what="the flood's replies")
    took = time.monotonic() - t0
    replies = [x.json() for x in w.ha.since(m, w.reply_topic)]
    names = {}
    for r in replies:
        names[r.get("error", "ok")] = names.get(r.get("error", "ok"), 0) + 1
    env.note(f"{len(replies)} replies in {took:.1f} s: {names}")
    check(names.get(BUSY, 0) > 1000, f"Busy replies: {names}")
    check(set(names) <= {BUSY, CODE_REFUSED, LOCKED_OUT}, f"reply kinds: {names}")
    calls = len(replies) - names.get(BUSY, 0)
    check(calls <= 20 + 10 * took + 10, f"{calls} commands reached the daemon in {took:.1f} s (rate 10/s, burst 20)")
    # Only the PINs the daemon looked at are logged (access-denied, and the
    # lockout and its end around them): the lockout bounds them.
    grew = log_len(env) - n
    refused = names.get(CODE_REFUSED, 0)
    env.note(f"the daemon's log grew by {grew} entries; the bridge's log has "
             f"{w.bridge.read_log().count(chr(10))} lines")
    check(refused <= 3 + took / 2 + 2, f"{refused} PINs looked at in {took:.1f} s (Attempts=3, lockout from 2 s)")
    check(grew <= 3 * refused + 4, f"the daemon's log grew by {grew} entries for {refused} refused PINs")
    check(w.bridge.running(), "the bridge died")
    time.sleep(1.0)          # the bucket refills at 10/s
    w.ok(command("lock"))


# ---- codes ----

@mqtt_case("codes over MQTT (CodeChanges on both sides): add, edit, disable, enable, remove; P/codes "
           "republished on every change, never a PIN", config=CODE_CHANGES,
           bridge={"Commands": {"CodeChanges": "yes"}}, pins=("582913", "604417"))
def _(env, w):
    def codes_after(mark, pred, what):
        return w.wait_msg("codes", lambda x: pred(x.json()["codes"]), since=mark, what=what).json()["codes"]

    first = w.last("codes")
    check(first is not None and first.retain and first.json() == {"codes": []}, f"P/codes at start: {first}")
    m = w.ha.mark()
    r = w.ok(command("add_code", name="Anna", pin="582913", max_uses=5,
                     schedule=[{"days": 127, "start": 0, "end": 1440}]))
    cid = r.get("code_id")
    check(isinstance(cid, int) and cid > 0, f"add_code reply {r}")
    codes = codes_after(m, lambda c: len(c) == 1, "P/codes with Anna")
    a = codes[0]
    eq((a["id"], a["name"], a["max_uses"], a["schedule"]), (cid, "Anna", 5, [{"days": 127, "start": 0,
                                                                                "end": 1440}]), "Anna")
    eq(env.code_prop(code_path(cid), "Name", ), "Anna", "Name on the bus")
    sig = env.enter("582913")
    eq(sig.member, "AccessGranted", "Anna's PIN opens")
    env.wait_locked()
    m = w.ha.mark()
    w.ok(command("edit_code", code_id=cid, name="Anna B", max_uses=7))
    codes_after(m, lambda c: c and c[0]["name"] == "Anna B" and c[0]["max_uses"] == 7, "the edit")
    m = w.ha.mark()
    w.ok(command("disable_code", code_id=cid))
    codes_after(m, lambda c: c and c[0]["enabled"] is False, "disabled")
    eq(env.enter("582913").member, "AccessDenied", "a disabled code")
    m = w.ha.mark()
    w.ok(command("enable_code", code_id=cid))
    codes_after(m, lambda c: c and c[0]["enabled"] is True, "enabled")
    # Daemon errors pass through by name.
    w.err(command("add_code", name="Anna B", pin="604417"), ERR + "DuplicateName")
    w.err(command("add_code", name="Weak", pin="111111"), ERR + "WeakPin")
    w.err(command("add_code", name="NoPin"), PIN_REQUIRED)
    m = w.ha.mark()
    w.ok(command("remove_code", code_id=cid))
    codes_after(m, lambda c: c == [], "removed")
    w.err(command("remove_code", code_id=cid), NO_SUCH_CODE)
    eq(env.get("CodeCount"), 0, "CodeCount")
    for x in w.ha.since(0, f"{P}/codes"):
        check(b"pin" not in x.payload.lower() or b'"pin"' not in x.payload, f"a pin key in P/codes: {x}")


@mqtt_case("code changes are refused when the bridge has them off (Disabled)", config=CODE_CHANGES,
           pins=("582913",))
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    before = env.snapshot()
    w.err(command("add_code", name="Anna", pin="582913"), DISABLED)
    w.err(command("remove_code", code_id=1), DISABLED)
    w.err(command("disable_code", code_id=1), DISABLED)
    eq(env.snapshot(), before, "codes")


@mqtt_case("code changes are refused when doorlockd has them off ([Remote] CodeChanges=no: AccessDenied "
           "passes through)", bridge={"Commands": {"CodeChanges": "yes"}}, pins=("582913",))
def _(env, w):
    path, _ = env.add_code("Alice", PIN1)
    before = env.snapshot()
    r = w.err(command("add_code", name="Anna", pin="582913"), ACCESS_DENIED)
    check("CodeChanges" in r["message"], f"the message names CodeChanges: {r}")
    w.err(command("edit_code", code_id=1, name="Mallory"), ACCESS_DENIED)
    w.err(command("remove_code", code_id=1), ACCESS_DENIED)
    eq(env.snapshot(), before, "codes")


# ---- staying up ----

@mqtt_case("broker killed and restarted on its port: the bridge reconnects and republishes")
def _(env, w):
    w.broker.kill()
    time.sleep(0.5)
    check(w.bridge.running(), "the bridge died with the broker")
    w.ha.close()
    w.broker.start()
    w.ha = w.client("ha2")
    w.ha.subscribe("#")
    m = 0
    w.wait_msg("availability", lambda x: x.text() == "online", since=m, what="online again", timeout=15)
    w.wait_msg("state", since=m, what="state again", timeout=15)
    env.wait_for(lambda: [x for x in w.ha.since(m) if x.topic.endswith("/config")], what="discovery again",
                 timeout=15)
    w.ok(command("lock"))
    log = w.bridge.read_log()
    check("lost" in log and log.count("connected to") >= 2, f"the bridge's log: {log[-800:]}")


@mqtt_case("doorlockd killed and restarted: availability offline, Unavailable; then online and a fresh "
           "state")
def _(env, w):
    env.add_code("Alice", PIN1)
    w.wait_state(lambda s: s["code_count"] == 1, what="code_count 1")
    m = w.ha.mark()
    env.daemon.kill()
    w.wait_msg("availability", lambda x: x.text() == "offline", since=m, what="offline")
    w.err(command("lock"), UNAVAILABLE)
    check(w.bridge.running(), "the bridge died with doorlockd")
    # Another state directory: the new daemon has no codes.
    from harness import Daemon
    env.daemon = Daemon(env.bus.address, env.workdir, state_dir=os.path.join(env.workdir, "state2"))
    m = w.ha.mark()
    env.daemon.start()
    w.wait_msg("availability", lambda x: x.text() == "online", since=m, what="online again")
    w.wait_state(lambda s: s["code_count"] == 0 and s["lock"] == "locked", since=m, what="fresh state")
    w.wait_msg("codes", lambda x: x.json() == {"codes": []}, since=m, what="fresh codes")
    w.ok(command("lock"))


@mqtt_case("TLS with password auth: the bridge connects with CAFile= and its credential, commands work",
           tls=True)
def _(env, w):
    env.add_code("Alice", PIN1)
    m = env.mark()
    w.ok(command("unlock", pin=PIN1))
    env.wait_signal("AccessGranted", since=m)
    env.wait_locked()
    log = w.bridge.read_log()
    check(w.password not in log, "the broker password is in the bridge's log")
    for x in w.published_by_bridge():
        check(w.password.encode() not in x.payload, f"the broker password in {x.topic}")


@suite.case("TLS: a wrong broker password keeps the bridge out, up and retrying; never logged",
            root=True, daemon=False)
def _(env):
    need_mqtt()
    env.start_daemon()
    w = World(env, tls=True, start=False)
    try:
        wrong = "Wr0ng-Passw0rd-x"
        with open(os.path.join(w.bridge.creds, "mqtt-password"), "w") as f:
            f.write(wrong + "\n")
        m = w.ha.mark()
        w.bridge.start()
        env.hold(lambda: not w.ha.since(m, f"{P}/availability") and w.bridge.running(), 2.5,
                 "no availability, bridge up")
        w.bridge.stop_clean()
        check(wrong not in w.bridge.read_log(), "the password in the bridge's log")
    except BaseException:
        w.notes()
        raise
    finally:
        w.close()


if __name__ == "__main__":
    suite.run()
