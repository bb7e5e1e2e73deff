#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest script of the VM tier under systemd: the packaged, sandboxed
doorlockd-mqtt.service against a real mosquitto and the packaged doorlockd.

    VM_INIT=systemd tests/vm/run tests/vm/guest-service.py doorlockd_V_amd64.deb \\
        --- tests/vm/guest-mqtt-service.py doorlockd_V_amd64.deb doorlockd-mqtt_V_amd64.deb

Needs systemd as PID 1 (tests/vm/guest-systemd), dbus, and the host's
mosquitto and mosquitto-clients (the guest's root is the host's).  Runs
after guest-service.py in the same boot (the doorlockd .deb is installed
then; it is installed here too when it is not), then checks, as TAP:

  - dpkg -i of doorlockd-mqtt: the unit is installed, disabled and not
    started; the user doorlockd-mqtt exists and is in doorlock-remote,
  - a broker: mosquitto on 127.0.0.1:18830 with a password file (no
    anonymous logins) and :18831 anonymous (the test's own clients);
    doorlockd restarted with Backend=simulated (so Lock() succeeds),
  - mqtt.conf with Username=, Port=18830, TopicPrefix=vmlock and the password
    in /etc/credstore/doorlockd-mqtt.password (0600): systemctl start is
    active (Type=notify: READY=1 reached), runs as doorlockd-mqtt with group
    doorlock-remote, vmlock/availability "online" and vmlock/state retained,
    a lock command (MQTT 5, response topic and correlation data) answered
    ok on the response topic, the journal's "connected to" line at priority
    6 (info, not a literal "<6>"), systemd-analyze security <= 2.5,
  - systemctl stop: inactive with result success, "offline" retained,
  - no credential file and no Username= (Host=localhost, the anonymous
    listener): the unit still starts and goes online (a relative
    LoadCredential= source that is missing is skipped); the control: the
    same unit with an absolute LoadCredential= path that is missing does
    not start.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

PLAN = 20
RESTART_SEC = 5  # the unit's RestartSec=
WORK = "/run/dl-vm-mqtt"
PREFIX = "vmlock"
PASS_PORT = 18830
ANON_PORT = 18831
USER, PASSWORD = "vmbridge", "vm-secret-1"
MQTT_CONF = "/etc/doorlockd/mqtt.conf"
DL_CONF = "/etc/doorlockd/doorlockd.conf"
CRED = "/etc/credstore/doorlockd-mqtt.password"
UNIT = "doorlockd-mqtt"
DROPIN = "/run/systemd/system/doorlockd-mqtt.service.d"
MAX_EXPOSURE = 2.5

n = 0
failed = 0


def tap(good, name, diag=""):
    global n, failed
    n += 1
    failed += 0 if good else 1
    print("%s %d - %s" % ("ok" if good else "not ok", n, name), flush=True)
    if diag and (not good or os.environ.get("VM_VERBOSE") == "1"):
        for line in str(diag).rstrip().splitlines():
            print("#   " + line, flush=True)
    return good


def skip_rest(why):
    global n
    while n < PLAN:
        n += 1
        print("ok %d - # SKIP %s" % (n, why), flush=True)


def run(*cmd, timeout=60):
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, 124, e.stdout or "", "timed out after %ss" % timeout)


def out(p):
    return "exit status %d\n%s%s" % (p.returncode, p.stdout, p.stderr)


def show(unit, *props):
    p = run("systemctl", "show", unit, *["-p" + x for x in props])
    return dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)


def journal(unit, lines=30, *extra):
    return run("journalctl", "-b", "--no-pager", "-o", "cat", "-n", str(lines), "-u", unit, *extra).stdout


def wait_for(fn, timeout):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.2)


def retained(topic, wait=5):
    """The retained message on TOPIC (None: nothing within WAIT s)."""
    p = run("mosquitto_sub", "-h", "127.0.0.1", "-p", str(ANON_PORT), "-t", topic, "-C", "1", "-W", str(wait),
            timeout=wait + 10)
    return p.stdout.rstrip("\n") if p.returncode == 0 else None


def wait_retained(topic, want, timeout):
    seen = []

    def probe():
        v = retained(topic, 3)
        seen.append(v)
        return v == want

    good = wait_for(probe, timeout)
    return good, seen[-1] if seen else None


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def mqtt_conf(**broker):
    lines = ["[Broker]"] + ["%s=%s" % kv for kv in broker.items()]
    lines += ["", "[HomeAssistant]", "TopicPrefix=%s" % PREFIX, ""]
    write(MQTT_CONF, "\n".join(lines))


def start_unit():
    """systemctl start (it returns once READY=1 came: Type=notify)."""
    run("systemctl", "reset-failed", UNIT)
    t = time.monotonic()
    p = run("systemctl", "start", UNIT, timeout=90)
    s = show(UNIT, "ActiveState", "SubState", "Result", "MainPID", "StatusText", "NRestarts")
    return p, s, time.monotonic() - t


def installed_version(pkg):
    p = run("dpkg-query", "-W", "-f", "${Status} ${Version}", pkg)
    parts = p.stdout.split()
    return parts[-1] if p.returncode == 0 and len(parts) == 4 and parts[2] == "installed" else None


def deb_version(deb):
    return run("dpkg-deb", "-f", deb, "Version").stdout.strip()


def main():
    if len(sys.argv) != 3:
        print("Bail out! usage: guest-mqtt-service.py DOORLOCKD.deb DOORLOCKD-MQTT.deb", flush=True)
        return 1
    deb, mqtt_deb = sys.argv[1], sys.argv[2]
    print("1..%d" % PLAN, flush=True)
    if not os.path.exists("/run/systemd/system") or run("systemctl", "is-system-running").returncode == 124:
        print("Bail out! systemd is not PID 1: run with VM_INIT=systemd", flush=True)
        return 1

    # 1: the package (and doorlockd, unless guest-service.py installed it).
    debs = [mqtt_deb]
    if installed_version("doorlockd") != deb_version(deb):
        debs.insert(0, deb)
    t = time.monotonic()
    print("guest-mqtt-service: dpkg -i %s" % " ".join(debs), file=sys.stderr, flush=True)
    try:
        rc = subprocess.run(["dpkg", "-i", *debs], stdout=sys.stderr, stderr=sys.stderr, stdin=subprocess.DEVNULL,
                            timeout=180).returncode
    except subprocess.TimeoutExpired:
        rc = 124
    if not tap(rc == 0, "dpkg -i %s (%.1fs)" % (" ".join(os.path.basename(d) for d in debs), time.monotonic() - t),
               "exit status %d (its output is on standard error)" % rc):
        skip_rest("the package is not installed")
        return 1

    # 2-3: installed disabled, not started; the user and its group.
    s = show(UNIT, "LoadState", "FragmentPath", "UnitFileState", "ActiveState")
    tap(s.get("LoadState") == "loaded" and s.get("FragmentPath") == "/lib/systemd/system/doorlockd-mqtt.service"
        and s.get("UnitFileState") == "disabled" and s.get("ActiveState") == "inactive",
        "doorlockd-mqtt.service is installed, disabled and not started (%s, %s, %s)"
        % (s.get("FragmentPath"), s.get("UnitFileState"), s.get("ActiveState")), s)
    p = run("id", "-nG", "doorlockd-mqtt")
    groups = p.stdout.split()
    tap(p.returncode == 0 and "doorlock-remote" in groups and "doorlockd-mqtt" in groups,
        "user doorlockd-mqtt exists, groups: %s" % " ".join(groups), out(p))

    # 4: the broker.
    if not shutil.which("mosquitto") and not os.path.exists("/usr/sbin/mosquitto"):
        skip_rest("no /usr/sbin/mosquitto in the guest (the host's root): apt-get install mosquitto "
                  "mosquitto-clients on the host")
        return 0
    os.makedirs(WORK, exist_ok=True)
    os.chmod(WORK, 0o700)
    p = run("mosquitto_passwd", "-b", "-c", WORK + "/passwd", USER, PASSWORD)
    os.chmod(WORK + "/passwd", 0o600)
    write(WORK + "/mosquitto.conf", "\n".join([
        "per_listener_settings true", "user root", "persistence false",
        "log_dest file %s/mosquitto.log" % WORK, "log_type all",
        "listener %d 127.0.0.1" % PASS_PORT, "allow_anonymous false", "password_file %s/passwd" % WORK,
        "listener %d" % ANON_PORT, "allow_anonymous true", ""]))
    broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", WORK + "/mosquitto.conf"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=open(WORK + "/mosquitto.err", "w"))
    try:
        return scenario(broker)
    finally:
        run("systemctl", "stop", UNIT, timeout=30)
        broker.terminate()
        try:
            broker.wait(10)
        except subprocess.TimeoutExpired:
            broker.kill()


def broker_log():
    try:
        with open(WORK + "/mosquitto.log") as f:
            return "".join(f.readlines()[-20:])
    except OSError:
        return ""


def scenario(broker):
    def up():
        p = run("mosquitto_pub", "-h", "127.0.0.1", "-p", str(ANON_PORT), "-t", "vm/ping", "-m", "x", timeout=10)
        return p.returncode == 0
    good = wait_for(up, 15)
    if not tap(good and broker.poll() is None,
               "mosquitto on 127.0.0.1:%d (password file) and :%d (anonymous)" % (PASS_PORT, ANON_PORT),
               broker_log()):
        skip_rest("the broker did not start")
        return 1

    # 5: doorlockd with the simulated backend, so that Lock() succeeds.
    write(DL_CONF, "[Hardware]\nBackend=simulated\n", 0o644)
    run("systemctl", "restart", "doorlockd", timeout=60)
    active = wait_for(lambda: run("systemctl", "is-active", "doorlockd").stdout.strip() == "active", 20)
    tap(active, "doorlockd restarted with Backend=simulated: active", journal("doorlockd"))

    # 6-13: with a password.
    mqtt_conf(Host="127.0.0.1", Port=PASS_PORT, Username=USER)
    write(CRED, PASSWORD + "\n", 0o600)
    os.chmod("/etc/credstore", 0o700)
    p, s, took = start_unit()
    good = tap(p.returncode == 0 and s.get("ActiveState") == "active" and s.get("SubState") == "running",
               "systemctl start doorlockd-mqtt: active (running), READY=1 reached (%.1fs; status: %s)"
               % (took, s.get("StatusText")), "%s\n%s\n%s" % (out(p), s, journal(UNIT)))
    pid = s.get("MainPID", "0")
    status = {}
    try:
        with open("/proc/%s/status" % pid) as f:
            status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
    except OSError:
        pass
    import grp
    import pwd
    uid = pwd.getpwnam("doorlockd-mqtt").pw_uid
    remote = grp.getgrnam("doorlock-remote").gr_gid
    tap(status.get("Uid", "").split()[:1] == [str(uid)] and str(remote) in status.get("Groups", "").split(),
        "the bridge (PID %s) runs as doorlockd-mqtt (%d) with doorlock-remote (%d): Uid %s, Groups %s"
        % (pid, uid, remote, status.get("Uid"), status.get("Groups")), status)

    online, seen = wait_retained(PREFIX + "/availability", "online", 30)
    tap(online, "%s/availability is \"online\", retained (logged in with the credential's password; seen: %s)"
        % (PREFIX, seen), "%s\n%s" % (journal(UNIT), broker_log()))
    state = retained(PREFIX + "/state")
    try:
        doc = json.loads(state or "")
    except ValueError:
        doc = None
    tap(isinstance(doc, dict), "%s/state is retained and a JSON object (%s)" % (PREFIX, (state or "")[:120]), state)

    # The lock command: MQTT 5, with a response topic and correlation data;
    # sent again with the same id if no reply came (a repeated id gets the
    # stored reply, nothing runs twice).
    sub = subprocess.Popen(["mosquitto_sub", "-V", "5", "-h", "127.0.0.1", "-p", str(ANON_PORT), "-t", "vm/reply",
                            "-C", "1", "-W", "40", "-F", "%D %p"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    cmd = json.dumps({"id": "vm-lock-1", "action": "lock"})
    t = time.monotonic()
    for _ in range(3):
        run("mosquitto_pub", "-V", "5", "-h", "127.0.0.1", "-p", str(ANON_PORT), "-q", "1", "-t",
            PREFIX + "/command", "-m", cmd, "-D", "publish", "message-expiry-interval", "20",
            "-D", "publish", "response-topic", "vm/reply", "-D", "publish", "correlation-data", "vm-corr-1",
            timeout=15)
        try:
            sub.wait(10)
            break
        except subprocess.TimeoutExpired:
            continue
    if sub.poll() is None:
        sub.kill()
    reply_out, reply_err = sub.communicate()
    corr, _, payload = reply_out.strip().partition(" ")
    try:
        reply = json.loads(payload)
    except ValueError:
        reply = {}
    ok = reply.get("ok") is True and reply.get("id") == "vm-lock-1"
    nohw = reply.get("error") == "org.doorlockd.Error.NoHardware"
    tap(corr == "vm-corr-1" and (ok or nohw),
        "lock over MQTT 5: reply on the response topic with the correlation data (%.1fs): %s %s"
        % (time.monotonic() - t, corr, payload),
        "%s%s\n%s\n%s" % (reply_out, reply_err, journal(UNIT), journal("doorlockd")))

    p = run("journalctl", "-b", "--no-pager", "-o", "json", "-u", UNIT)
    prio = None
    literal = False
    for line in p.stdout.splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        msg = e.get("MESSAGE")
        if isinstance(msg, str) and msg.startswith("connected to 127.0.0.1:%d" % PASS_PORT):
            prio = e.get("PRIORITY")
        if isinstance(msg, str) and re.match(r"<\d>", msg):
            literal = True
    info = journal(UNIT, 50, "-p", "info")
    tap(prio == "6" and not literal and ("connected to 127.0.0.1:%d" % PASS_PORT) in info,
        "journal: \"connected to 127.0.0.1:%d\" at PRIORITY=%s, shown by journalctl -p info, no literal <N>"
        % (PASS_PORT, prio), journal(UNIT, 50))

    p = run("systemd-analyze", "security", "--no-pager", UNIT + ".service")
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\S+)", p.stdout)
    level = float(m.group(1)) if m else None
    tap(level is not None and level <= MAX_EXPOSURE,
        "systemd-analyze security doorlockd-mqtt.service (running): %s %s (at most %.1f)"
        % (level, m.group(2) if m else "?", MAX_EXPOSURE), out(p))
    if os.environ.get("VM_VERBOSE") == "1":
        print("# " + p.stdout.replace("\n", "\n# "))

    s = show(UNIT, "NRestarts", "ActiveState")
    tap(s.get("NRestarts") == "0" and s.get("ActiveState") == "active",
        "no restart while it ran (NRestarts=%s)" % s.get("NRestarts"), "%s\n%s" % (s, journal(UNIT)))

    # 14-15: stop.
    p = run("systemctl", "stop", UNIT, timeout=30)
    s = show(UNIT, "ActiveState", "Result", "ExecMainStatus")
    tap(p.returncode == 0 and s.get("ActiveState") == "inactive" and s.get("Result") == "success",
        "systemctl stop: inactive, Result=success, exit status %s" % s.get("ExecMainStatus"),
        "%s\n%s\n%s" % (out(p), s, journal(UNIT)))
    v = retained(PREFIX + "/availability")
    tap(v == "offline", "after the stop, %s/availability is \"offline\", retained (%s)" % (PREFIX, v),
        journal(UNIT))

    # 16-17: no credential file, no Username=: the anonymous listener by name.
    os.unlink(CRED)
    run("mosquitto_pub", "-h", "127.0.0.1", "-p", str(ANON_PORT), "-t", PREFIX + "/availability", "-r", "-n")
    mqtt_conf(Host="localhost", Port=ANON_PORT)
    p, s, took = start_unit()
    tap(p.returncode == 0 and s.get("ActiveState") == "active",
        "without %s and Username=: systemctl start is active (%.1fs; the missing relative LoadCredential= "
        "source is skipped)" % (CRED, took), "%s\n%s\n%s" % (out(p), s, journal(UNIT)))
    online, seen = wait_retained(PREFIX + "/availability", "online", 30)
    tap(online, "... and it logs in anonymously to localhost:%d: \"online\" (seen: %s)" % (ANON_PORT, seen),
        "%s\n%s" % (journal(UNIT), broker_log()))
    run("systemctl", "stop", UNIT, timeout=30)

    # 18: a password but no Username=: a configuration error, not a loop.
    write(CRED, PASSWORD + "\n", 0o600)
    p, s, took = start_unit()
    time.sleep(RESTART_SEC + 1)
    s = show(UNIT, "ActiveState", "SubState", "Result", "ExecMainStatus", "NRestarts")
    log = journal(UNIT, 10)
    tap(p.returncode != 0 and s.get("ActiveState") == "failed" and s.get("ExecMainStatus") == "2"
        and s.get("NRestarts") == "0" and "Username=" in log,
        "the credential there but no Username=: exit status %s, %s, not restarted (NRestarts=%s), "
        "the journal names Username=" % (s.get("ExecMainStatus"), s.get("ActiveState"), s.get("NRestarts")),
        "%s\n%s\n%s" % (out(p), s, log))
    run("systemctl", "stop", UNIT, timeout=30)

    # 19-20: the control: an absolute source that is missing fails the unit.
    os.unlink(CRED)
    mqtt_conf(Host="127.0.0.1", Port=PASS_PORT, Username=USER)
    os.makedirs(DROPIN, exist_ok=True)
    write(DROPIN + "/vm-absolute.conf", "[Service]\nLoadCredential=\n"
          "LoadCredential=mqtt-password:%s\n" % CRED)
    run("systemctl", "daemon-reload")
    p, s, took = start_unit()
    log = journal(UNIT, 6)
    tap(p.returncode != 0 and s.get("ActiveState") != "active" and "CREDENTIALS" in log,
        "control: LoadCredential= with the same file as an absolute path, missing: the start fails "
        "(%s, %s, 243/CREDENTIALS)" % (s.get("ActiveState"), s.get("Result")), "%s\n%s\n%s" % (out(p), s, log))
    run("systemctl", "stop", UNIT, timeout=30)
    write(CRED, PASSWORD + "\n", 0o600)
    run("mosquitto_pub", "-h", "127.0.0.1", "-p", str(ANON_PORT), "-t", PREFIX + "/availability", "-r", "-n")
    p, s, took = start_unit()
    online, seen = wait_retained(PREFIX + "/availability", "online", 30)
    tap(p.returncode == 0 and s.get("ActiveState") == "active" and online,
        "control: the same drop-in with the file there: active, \"online\" (%.1fs)" % took,
        "%s\n%s\n%s\n%s" % (out(p), s, journal(UNIT), broker_log()))
    run("systemctl", "stop", UNIT, timeout=30)
    shutil.rmtree(DROPIN)
    run("systemctl", "daemon-reload")
    return 0 if n == PLAN and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
