# SPDX-License-Identifier: GPL-2.0-or-later
"""The MQTT side of doorlockd-mqtt's integration tests (test_mqtt.py,
test_mqtt_gateways.py): a real mosquitto on a free loopback port (plain, or
TLS with a CA made by openssl and password auth), a Python MQTT 5 client
(Debian's python3-paho-mqtt 1.6.1) that plays Home Assistant and records
every message it receives, and the real build/mqtt/doorlockd-mqtt run as
the remote role's user (dl-remote, group doorlock-remote) against the
harness's private bus.

need_mqtt() raises Skip, with the reason, when mosquitto, paho or the
bridge binary is missing (root is the case's root=True).

Environment: DOORLOCKD_MQTT (the bridge binary; tests/meson.build sets it),
DOORLOCKD_MQTT_WRAPPER (like DOORLOCKD_WRAPPER, e.g. valgrind)."""

import json
import os
import pwd
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

from harness import (  # noqa: F401
    REMOTE, SOURCE_ROOT, Failure, Skip, as_user_argv, check, render_config, timeout_scale, wrap_argv,
    check_wrapper_log)

try:
    import paho.mqtt.client as paho
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    _paho_error = None
except ImportError as _e:  # pragma: no cover - depends on the machine
    paho = None
    _paho_error = str(_e)

DOORLOCKD_MQTT = os.environ.get("DOORLOCKD_MQTT") or os.path.join(SOURCE_ROOT, "build", "mqtt", "doorlockd-mqtt")
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK)
                                          else None)

MQTT_ERR = "org.doorlockd.Mqtt.Error."
INVALID_PAYLOAD = MQTT_ERR + "InvalidPayload"
UNKNOWN_ACTION = MQTT_ERR + "UnknownAction"
DISABLED = MQTT_ERR + "Disabled"
INSECURE = MQTT_ERR + "Insecure"
STALE = MQTT_ERR + "Stale"
CLOCK_UNTRUSTED = MQTT_ERR + "ClockUntrusted"
PIN_REQUIRED = MQTT_ERR + "PinRequired"
BUSY = MQTT_ERR + "Busy"
PREFIX_CONFLICT = MQTT_ERR + "PrefixConflict"
UNAVAILABLE = MQTT_ERR + "Unavailable"
NO_SUCH_CODE = MQTT_ERR + "NoSuchCode"

# What every test bridge gets: fast reconnects, a short keep-alive.
BRIDGE_DEFAULTS = {
    "Broker": {"Host": "127.0.0.1", "KeepAlive": "5", "ReconnectMin": "1", "ReconnectMax": "2"},
    "HomeAssistant": {"DeviceName": "Test door"},
    "Commands": {},
}


def need_mqtt():
    if MOSQUITTO is None:
        raise Skip("mosquitto is not installed (apt install mosquitto)")
    if paho is None:
        raise Skip(f"python3-paho-mqtt is missing ({_paho_error})")
    if not hasattr(paho, "MQTTv5"):
        raise Skip("this paho-mqtt has no MQTT 5")
    if not os.access(DOORLOCKD_MQTT, os.X_OK):
        raise Skip(f"doorlockd-mqtt is not built ({DOORLOCKD_MQTT}; set DOORLOCKD_MQTT)")


def now_usec():
    return time.time_ns() // 1000


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def port_open(host, port):
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


# ---- TLS material ----

def make_tls(workdir):
    """A CA, and a server certificate for localhost and 127.0.0.1 signed by
    it (openssl).  Returns {"ca": …, "cert": …, "key": …} (paths, world-readable
    but the key, which only the broker reads)."""
    d = os.path.join(workdir, "tls")
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    p = {k: os.path.join(d, f) for k, f in (("ca", "ca.crt"), ("ca_key", "ca.key"), ("cert", "server.crt"),
                                            ("key", "server.key"), ("csr", "server.csr"),
                                            ("ext", "server.ext"))}

    def run(*argv):
        r = subprocess.run(["openssl"] + list(argv), capture_output=True, text=True)
        if r.returncode != 0:
            raise Failure(f"openssl {' '.join(argv[:2])}: {r.stderr.strip()[:400]}")

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=doorlockd test CA",
        "-keyout", p["ca_key"], "-out", p["ca"])
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", p["key"], "-out", p["csr"])
    with open(p["ext"], "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", p["csr"], "-CA", p["ca"], "-CAkey", p["ca_key"], "-CAcreateserial", "-days", "2",
        "-extfile", p["ext"], "-out", p["cert"])
    for k in ("ca", "cert"):
        os.chmod(p[k], 0o644)
    return p


# ---- the broker ----

class Broker:
    """mosquitto on 127.0.0.1:port (a free one), persistence off.  tls: the
    dict of make_tls() (the listener is then TLS only); users: {name:
    password} (anonymous logins refused then)."""

    def __init__(self, workdir, tls=None, users=None, port=None, name="mosquitto"):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.port = port or free_port()
        self.tls = tls
        self.users = users or {}
        self.proc = None
        self.log_path = os.path.join(self.dir, "mosquitto.log")
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        lines = [
            "# written by tests/integration/mqtt_fixture.py",
            "user root",
            "persistence false",
            f"log_dest file {self.log_path}",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "connection_messages true",
            "per_listener_settings false",
            f"listener {self.port} 127.0.0.1",
        ]
        if tls:
            lines += [f"cafile {tls['ca']}", f"certfile {tls['cert']}", f"keyfile {tls['key']}",
                      "tls_version tlsv1.2"]
        if self.users:
            pw = os.path.join(self.dir, "passwd")
            open(pw, "w").close()
            for u, secret in self.users.items():
                r = subprocess.run(["mosquitto_passwd", "-b", pw, u, secret], capture_output=True, text=True)
                if r.returncode != 0:
                    raise Failure(f"mosquitto_passwd: {r.stderr.strip()}")
            lines += [f"password_file {pw}", "allow_anonymous false"]
        else:
            lines += ["allow_anonymous true"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=10.0):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log_path + ".stderr", "a"))
        deadline = time.monotonic() + timeout * timeout_scale()
        while not port_open("127.0.0.1", self.port):
            if self.proc.poll() is not None:
                raise Failure(f"mosquitto exited with {self.proc.returncode}: {self.read_log()[-2000:]}")
            if time.monotonic() > deadline:
                raise Failure(f"mosquitto does not listen on {self.port}: {self.read_log()[-2000:]}")
            time.sleep(0.02)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def read_log(self):
        out = ""
        for p in (self.log_path, self.log_path + ".stderr"):
            try:
                with open(p) as f:
                    out += f.read()
            except OSError:
                pass
        return out


# ---- a client: Home Assistant, or the spy on '#' ----

class Msg:
    __slots__ = ("topic", "payload", "retain", "qos", "props", "t")

    def __init__(self, m):
        self.topic = m.topic
        self.payload = bytes(m.payload)
        self.retain = bool(m.retain)
        self.qos = m.qos
        self.props = m.properties
        self.t = time.monotonic()

    def text(self):
        return self.payload.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.payload)

    def correlation(self):
        return getattr(self.props, "CorrelationData", None) if self.props is not None else None

    def __repr__(self):
        return f"<{self.topic}{' (retained)' if self.retain else ''}: {self.text()[:200]}>"


class Client:
    """A paho MQTT 5 client on its own network thread, recording every
    message it receives (self.messages, under self.lock) and every message it
    publishes (self.sent: (topic, payload bytes))."""

    def __init__(self, broker, client_id, username=None, password=None, ca=None, host="127.0.0.1"):
        self.c = paho.Client(client_id=client_id, protocol=paho.MQTTv5)
        if username:
            self.c.username_pw_set(username, password)
        if ca:
            self.c.tls_set(ca_certs=ca)
        self.lock = threading.Lock()
        self.messages = []
        self.sent = []
        self.connected = threading.Event()
        self.c.on_message = self._on_message
        self.c.on_connect = lambda c, u, f, rc, p=None: self.connected.set() if rc == 0 else None
        self.c.connect(host, broker.port, keepalive=30, clean_start=True)
        self.c.loop_start()
        if not self.connected.wait(10 * timeout_scale()):
            self.close()
            raise Failure(f"MQTT client {client_id} could not connect to port {broker.port}")

    def _on_message(self, c, u, m):
        with self.lock:
            self.messages.append(Msg(m))

    def subscribe(self, topic, qos=1):
        done = threading.Event()
        self.c.on_subscribe = lambda *a: done.set()
        # Retain as published: a retained message forwarded live keeps its
        # flag, so the tests see what the bridge retained.
        from paho.mqtt.subscribeoptions import SubscribeOptions
        r, _ = self.c.subscribe(topic, options=SubscribeOptions(qos=qos, retainAsPublished=True))
        check(r == 0, f"subscribe {topic}: {r}")
        check(done.wait(5 * timeout_scale()), f"no SUBACK for {topic}")

    def publish(self, topic, payload, qos=1, retain=False, response_topic=None, correlation=None, expiry=None):
        props = None
        if response_topic is not None or correlation is not None or expiry is not None:
            props = Properties(PacketTypes.PUBLISH)
            if response_topic is not None:
                props.ResponseTopic = response_topic
            if correlation is not None:
                props.CorrelationData = correlation
            if expiry is not None:
                props.MessageExpiryInterval = expiry
        if isinstance(payload, str):
            payload = payload.encode()
        info = self.c.publish(topic, payload, qos=qos, retain=retain, properties=props)
        with self.lock:
            self.sent.append((topic, payload))
        if qos > 0:
            info.wait_for_publish(10 * timeout_scale())
        return info

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def mark(self):
        with self.lock:
            return len(self.messages)

    def since(self, mark, topic=None, pred=None):
        with self.lock:
            out = self.messages[mark:]
        return [m for m in out if (topic is None or m.topic == topic) and (pred is None or pred(m))]

    def close(self):
        try:
            self.c.disconnect()
        except Exception:
            pass
        self.c.loop_stop()


# ---- the bridge ----

class Bridge:
    """build/mqtt/doorlockd-mqtt with a config written from sections (over
    BRIDGE_DEFAULTS, Port= set to the broker's), on bus_address, as
    run_as (dl-remote).  password: written to a credentials directory
    (CREDENTIALS_DIRECTORY, file mqtt-password, 0600 owned by run_as)."""

    def __init__(self, workdir, bus_address, broker, config=None, run_as=REMOTE, password=None, name="bridge"):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        self.name = name
        self.bus_address = bus_address
        self.run_as = run_as
        self.broker = broker
        cfg = {s: dict(k) for s, k in BRIDGE_DEFAULTS.items()}
        cfg["Broker"]["Port"] = str(broker.port)
        for s, keys in (config or {}).items():
            cfg.setdefault(s, {}).update(keys)
        self.config = cfg
        self.conf = os.path.join(self.dir, "mqtt.conf")
        self.creds = None
        # Workaround (/work/bugs-for-bridge.md): the bridge refuses to start
        # without the credential file even when Username= is empty, and
        # refuses a password without Username=; an anonymous mosquitto
        # takes any user.
        if password is None and os.environ.get("DOORLOCKD_MQTT_NO_PASSWORD_FILE") != "1":
            password = "unused"
            if not cfg["Broker"].get("Username"):
                cfg["Broker"]["Username"] = "anonymous-test"
        if password is not None:
            self.creds = os.path.join(self.dir, "credentials")
            os.makedirs(self.creds, exist_ok=True)
            path = os.path.join(self.creds, cfg["Broker"].get("PasswordCredential", "mqtt-password"))
            with open(path, "w") as f:
                f.write(password + "\n")
            os.chmod(path, 0o600)
            os.chmod(self.creds, 0o700)
            if run_as:
                pw = pwd.getpwnam(run_as)
                os.chown(self.creds, pw.pw_uid, pw.pw_gid)
                os.chown(path, pw.pw_uid, pw.pw_gid)
        with open(self.conf, "w") as f:
            f.write(render_config(cfg))
        os.chmod(self.conf, 0o644)
        self.log_path = os.path.join(self.dir, "doorlockd-mqtt.log")
        self.proc = None
        self.starts = 0
        self.wrapper_log = None

    @property
    def prefix(self):
        return self.config["HomeAssistant"].get("TopicPrefix")

    def argv(self):
        argv, self.wrapper_log = wrap_argv("DOORLOCKD_MQTT_WRAPPER", [DOORLOCKD_MQTT, "--config", self.conf],
                                           self.dir, f"{self.name}-{self.starts}", owner=self.run_as)
        return (as_user_argv(self.run_as) if self.run_as else []) + argv

    def start(self, timeout=10.0):
        self.starts += 1
        timeout *= timeout_scale()
        notify_path = os.path.join(self.dir, f"notify-{self.starts}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify_path)
        os.chmod(notify_path, 0o777)
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": self.bus_address,
               "NOTIFY_SOCKET": notify_path}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if os.environ.get(k):
                env[k] = os.environ[k]
        if self.creds:
            env["CREDENTIALS_DIRECTORY"] = self.creds
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
                    self.kill()
                    raise Failure(f"doorlockd-mqtt not ready within {timeout} s:\n{self.read_log()[-3000:]}")
                readable, _, _ = select.select([sock, pidfd], [], [], left)
                if sock in readable:
                    if "READY=1" in sock.recv(4096).decode(errors="replace").split("\n"):
                        return self
                elif pidfd in readable:
                    rc = self.proc.wait()
                    self.proc = None
                    raise Failure(f"doorlockd-mqtt exited with {rc} before READY=1:\n{self.read_log()[-3000:]}")
        finally:
            os.close(pidfd)
            sock.close()
            os.unlink(notify_path)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=2.0):
        """Signal it; returns (status, seconds)."""
        if self.proc is None:
            return None, 0.0
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout * timeout_scale())
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure(f"doorlockd-mqtt did not exit within {timeout} s of signal {sig}")
        self.proc = None
        check_wrapper_log(self.wrapper_log, f"doorlockd-mqtt {self.name} (start {self.starts})")
        return rc, time.monotonic() - t0

    def stop_clean(self):
        rc, took = self.stop()
        check(rc == 0, f"doorlockd-mqtt exited with {rc} after SIGTERM (want 0):\n{self.read_log()[-3000:]}")
        return took

    def kill(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        self.proc = None

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""


# ---- commands ----

_ids = [0]


def new_id(tag="t"):
    _ids[0] += 1
    return f"{tag}-{os.getpid()}-{_ids[0]}"


def command(action, id=None, time_usec=True, **fields):
    """A command dict: id, time (now unless time_usec is False or a
    number), action, then fields."""
    d = {"id": id or new_id(action)}
    if time_usec is True:
        d["time"] = now_usec()
    elif time_usec is not False and time_usec is not None:
        d["time"] = time_usec
    d["action"] = action
    d.update(fields)
    return d
