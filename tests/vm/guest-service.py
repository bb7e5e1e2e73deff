#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest script of the VM tier under systemd: the packaged, sandboxed
doorlockd.service against gpio-sim chips.

    VM_INIT=systemd tests/vm/run tests/vm/guest-service.py doorlockd_VERSION_amd64.deb

Needs systemd as PID 1 (tests/vm/guest-systemd), udev and dbus.  Makes a
gpio-sim chip "dl-svc", installs the .deb with dpkg -i (the guest's root is
an overlay: the host is not touched), then checks, as TAP:

  - udev gives the chip to group gpio, 0660 (the package's rule), right after
    the install and after a trigger,
  - the fresh install (the shipped config: Backend=gpio, no lines): the
    service is active, does not restart, lockctl status says "none
    configured", lockctl lock fails with "no hardware is configured",
  - the shipped sandbox opens /dev/gpiochipN read-write and requests a line:
    a probe (this script, --probe) run in a copy of the installed unit with
    only Type=, ExecStart= and the restart and watchdog settings changed; and
    two controls that must fail: the same unit without DeviceAllow= (EPERM)
    and without SupplementaryGroups=gpio (EACCES), so a probe that cannot
    tell a blocking sandbox from an open one fails too,
  - the GPIO backend in the sandbox: [Gpio] Chip=dl-svc, a strike and a door
    line; restarted, active, lockctl hw status lists the lines, lockctl
    unlock drives the strike line high in gpio-sim, lockctl lock low again.
    Skipped ("# SKIP") when the installed daemon does not know the keys.
"""

import fcntl
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHIP_LABEL = "dl-svc"
NAMES = {0: "STRIKE", 1: "DOOR", 2: "PROBE"}
PROBE_DIR = "/run/dl-vm"
UNIT_SRC = "/lib/systemd/system/doorlockd.service"
CONF = "/etc/doorlockd/doorlockd.conf"
PLAN = 17

# The GPIO character device's v1 ABI (linux/gpio.h), as gpio-v1.c uses it.
GPIO_GET_CHIPINFO_IOCTL = (2 << 30) | (68 << 16) | (0xB4 << 8) | 0x01
GPIO_GET_LINEHANDLE_IOCTL = (3 << 30) | (364 << 16) | (0xB4 << 8) | 0x03
GPIOHANDLE_GET_LINE_VALUES_IOCTL = (3 << 30) | (64 << 16) | (0xB4 << 8) | 0x08
GPIOHANDLE_REQUEST_OUTPUT = 1 << 1


def probe(path, offset, hold):
    """In the sandbox: open the chip read-write, read its info, request one
    line as an output driven high, read it back, hold it HOLD seconds.
    Prints one JSON line; exit status 0 only if all of it worked."""
    res = {"uid": os.getuid(), "groups": os.getgroups()}
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        res.update(step="open", errno=e.errno, error=os.strerror(e.errno))
        print(json.dumps(res), flush=True)
        return 1
    try:
        info = bytearray(68)
        fcntl.ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, info)
        res["label"] = info[32:64].split(b"\0")[0].decode()
        req = bytearray(struct.pack("=64I I 64B 32s I i", offset, *[0] * 63, GPIOHANDLE_REQUEST_OUTPUT,
                                    1, *[0] * 63, b"dl-vm-probe", 1, -1))
        fcntl.ioctl(fd, GPIO_GET_LINEHANDLE_IOCTL, req)
        hfd = struct.unpack_from("=i", req, 360)[0]
        data = bytearray(64)
        fcntl.ioctl(hfd, GPIOHANDLE_GET_LINE_VALUES_IOCTL, data)
        res.update(step="requested", value=data[0])
        print(json.dumps(res), flush=True)
        time.sleep(hold)
        os.close(hfd)
    except OSError as e:
        res.update(step=res.get("step", "ioctl"), errno=e.errno, error=os.strerror(e.errno))
        print(json.dumps(res), flush=True)
        return 1
    finally:
        os.close(fd)
    return 0


if len(sys.argv) > 1 and sys.argv[1] == "--probe":
    sys.exit(probe(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))

sys.path.insert(0, HERE)
import gpiosim  # noqa: E402

n = 0


def tap(good, name, diag=""):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if good else "not ok", n, name), flush=True)
    if diag and (not good or os.environ.get("VM_VERBOSE") == "1"):
        for line in str(diag).rstrip().splitlines():
            print("#   " + line, flush=True)
    return good


def skip(name, why):
    global n
    n += 1
    print("ok %d - %s # SKIP %s" % (n, name, why), flush=True)


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


def journal(unit, lines=30):
    return run("journalctl", "-b", "--no-pager", "-o", "cat", "-n", str(lines), "-u", unit).stdout


def wait_for(fn, timeout):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.2)


def node_owner(path):
    st = os.stat(path)
    try:
        import grp
        g = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        g = str(st.st_gid)
    return "%s %o" % (g, stat.S_IMODE(st.st_mode))


def probe_unit(name, chip, offset, hold, drop=()):
    """A copy of the installed unit that runs the probe: every sandbox
    setting as shipped, but for the keys in DROP."""
    with open(UNIT_SRC) as f:
        src = f.read()
    lines, section = [], None
    for line in src.splitlines():
        m = re.match(r"\[(\w+)\]", line)
        if m:
            section = m.group(1)
        if section == "Install":
            continue
        key = line.split("=", 1)[0].strip()
        if key in ("Type", "BusName", "ExecStart", "WatchdogSec", "Restart", "RestartSec") or key in drop:
            continue
        lines.append(line)
        if line.strip() == "[Service]":
            lines += ["Type=oneshot",
                      "ExecStart=/usr/bin/python3 %s/probe.py --probe %s %d %s" % (PROBE_DIR, chip, offset, hold),
                      "StandardOutput=truncate:%s/%s.out" % (PROBE_DIR, name),
                      "StandardError=journal"]
    with open("/run/systemd/system/%s.service" % name, "w") as f:
        f.write("\n".join(lines) + "\n")
    run("systemctl", "daemon-reload")


def probe_result(name):
    try:
        with open("%s/%s.out" % (PROBE_DIR, name)) as f:
            text = f.read().strip().splitlines()
        return json.loads(text[-1]) if text else {}
    except (OSError, ValueError):
        return {}


def main():
    if len(sys.argv) != 2:
        print("Bail out! usage: guest-service.py DOORLOCKD.deb", flush=True)
        return 1
    deb = sys.argv[1]
    print("1..%d" % PLAN, flush=True)
    if not os.path.exists("/run/systemd/system") or run("systemctl", "is-system-running").returncode == 124:
        print("Bail out! systemd is not PID 1: run with VM_INIT=systemd", flush=True)
        return 1
    os.makedirs(PROBE_DIR, exist_ok=True)
    shutil.copy(os.path.abspath(__file__), PROBE_DIR + "/probe.py")
    os.chmod(PROBE_DIR, 0o755)

    # 1: the chip, before the package: as on a Pi, the chips are there first.
    dev = gpiosim.Device("dl-svc", [gpiosim.Bank(CHIP_LABEL, 8, NAMES)])
    try:
        dev.enable()
        chip = dev.chips[0]
        tap(True, "gpio-sim chip %s is %s" % (CHIP_LABEL, chip.dev_path))
    except Exception as e:  # noqa: BLE001
        print("Bail out! gpio-sim: %s" % e, flush=True)
        return 1
    run("udevadm", "settle", "-t", "10")
    before = node_owner(chip.dev_path)

    # 2-3: install; the rule applies to the chips already there.
    t = time.monotonic()
    # dpkg's output goes to standard error as it comes (the step's N.err).
    print("guest-service: dpkg -i %s" % deb, file=sys.stderr, flush=True)
    try:
        rc = subprocess.run(["dpkg", "-i", deb], stdout=sys.stderr, stderr=sys.stderr, stdin=subprocess.DEVNULL,
                            timeout=150).returncode
    except subprocess.TimeoutExpired:
        rc = 124
    tap(rc == 0, "dpkg -i %s (%.1fs)" % (os.path.basename(deb), time.monotonic() - t),
        "exit status %d (its output is on standard error)" % rc)
    run("udevadm", "settle", "-t", "10")
    after = node_owner(chip.dev_path)
    tap(after == "gpio 660", "right after dpkg -i, %s is group gpio, 0660 (was: %s; is: %s)"
        % (chip.dev_path, before, after),
        "the package's udev rule was not applied to the chips already there: the install must "
        "trigger udev for the gpio subsystem, or the service cannot open them until a reboot")
    run("udevadm", "control", "--reload")
    run("udevadm", "trigger", "--subsystem-match=gpio", "--action=add")
    run("udevadm", "settle", "-t", "10")
    now = node_owner(chip.dev_path)
    tap(now == "gpio 660", "after udevadm trigger (as at boot), %s is group gpio, 0660 (%s)" % (chip.dev_path, now),
        run("udevadm", "info", chip.dev_path).stdout)

    # 4-7: the fresh install.
    active = wait_for(lambda: run("systemctl", "is-active", "doorlockd").stdout.strip() == "active", 30)
    tap(active, "fresh install: systemctl is-active doorlockd: active", journal("doorlockd"))
    pid = show("doorlockd", "MainPID").get("MainPID")
    time.sleep(4)
    s = show("doorlockd", "NRestarts", "ActiveState", "MainPID")
    tap(s.get("NRestarts") == "0" and s.get("ActiveState") == "active" and s.get("MainPID") == pid,
        "fresh install: no restart loop (NRestarts=%s, still active, same MainPID %s)" % (s.get("NRestarts"), pid),
        "%s\n%s" % (s, journal("doorlockd")))
    p = run("lockctl", "status")
    tap(p.returncode == 0 and "none configured" in p.stdout, "fresh install: lockctl status says none configured",
        out(p))
    p = run("lockctl", "lock")
    tap(p.returncode != 0 and "no hardware is configured" in p.stderr,
        "fresh install: lockctl lock fails with \"no hardware is configured\"", out(p))

    # 8-11: the shipped sandbox and the gpiochip.
    probe_unit("dl-probe", chip.dev_path, 2, 3)
    t = time.monotonic()
    run("systemctl", "start", "--no-block", "dl-probe.service")
    r = wait_for(lambda: probe_result("dl-probe").get("step") == "requested" or
                 show("dl-probe", "ActiveState").get("ActiveState") == "failed", 30)
    res = probe_result("dl-probe")
    driven = chip.value("PROBE") if res.get("step") == "requested" else None
    wait_for(lambda: show("dl-probe", "ActiveState").get("ActiveState") in ("inactive", "failed"), 30)
    s = show("dl-probe", "Result", "ExecMainStatus")
    tap(bool(r) and res.get("step") == "requested" and res.get("value") == 1 and s.get("Result") == "success",
        "the shipped sandbox (doorlockd.service's settings) opens %s read-write and requests a line (%s, %.1fs)"
        % (chip.dev_path, json.dumps(res), time.monotonic() - t),
        "THE SHIPPED SANDBOX BLOCKS THE GPIO CHIP\n%s\n%s" % (s, journal("dl-probe")))
    tap(driven == 1, "the line the sandboxed probe drives high is high in gpio-sim (%s)" % driven)
    probe_unit("dl-probe-nodev", chip.dev_path, 2, 0, drop=("DeviceAllow",))
    run("systemctl", "start", "dl-probe-nodev.service")
    res = probe_result("dl-probe-nodev")
    tap(res.get("step") == "open" and res.get("errno") == 1,
        "control: without DeviceAllow= (DevicePolicy=closed alone) the open fails with EPERM (%s)" % json.dumps(res),
        journal("dl-probe-nodev"))
    probe_unit("dl-probe-nogroup", chip.dev_path, 2, 0, drop=("SupplementaryGroups",))
    run("systemctl", "start", "dl-probe-nogroup.service")
    res = probe_result("dl-probe-nogroup")
    tap(res.get("step") == "open" and res.get("errno") == 13,
        "control: without SupplementaryGroups=gpio the open fails with EACCES (%s)" % json.dumps(res),
        journal("dl-probe-nogroup"))

    # 12-16: the GPIO backend in the sandbox.
    names = "backend: strike and door on %s; " % CHIP_LABEL
    with open(CONF) as f:
        shipped = f.read()
    conf = re.sub(r"(?m)^\[Lock\]$", "[Lock]\nActuator=strike\nStrike=STRIKE\nDoor=DOOR\nAutoRelockSeconds=0", shipped)
    conf = re.sub(r"(?m)^\[Gpio\]$", "[Gpio]\nChip=%s" % CHIP_LABEL, conf)
    with open(CONF, "w") as f:
        f.write(conf)
    chip.set_pull("DOOR", 0)
    t = time.monotonic()
    run("systemctl", "restart", "doorlockd", timeout=60)
    active = wait_for(lambda: run("systemctl", "is-active", "doorlockd").stdout.strip() == "active", 15)
    log = journal("doorlockd", 40)
    if not active and "unknown key" in log:
        for what in ("the service is active", "no restart loop", "lockctl hw status lists the lines",
                     "lockctl unlock drives the strike line high", "lockctl lock drives it low"):
            skip(names + what, "the installed doorlockd does not know the GPIO keys (unknown key)")
        return 0
    tap(active, names + "restarted, the service is active (%.1fs)" % (time.monotonic() - t),
        log)
    if not active:
        # lockctl would wait for D-Bus timeouts on a service that is not there.
        for what in ("no restart loop", "lockctl hw status lists the lines",
                     "lockctl unlock drives the strike line high", "lockctl lock drives it low"):
            tap(False, names + what + " (the service is not running)")
        return 1
    time.sleep(3)
    s = show("doorlockd", "NRestarts", "ActiveState")
    tap(s.get("NRestarts") == "0" and s.get("ActiveState") == "active",
        names + "no restart loop (NRestarts=%s)" % s.get("NRestarts"), "%s\n%s" % (s, journal("doorlockd")))
    p = run("lockctl", "hw", "status")
    tap(p.returncode == 0 and "STRIKE" in p.stdout and "DOOR" in p.stdout,
        names + "lockctl hw status lists the lines", out(p))
    if os.environ.get("VM_VERBOSE") == "1":
        print("# " + p.stdout.replace("\n", "\n# "))
    p = run("lockctl", "unlock")
    high = chip.wait_value("STRIKE", 1, 5)
    tap(p.returncode == 0 and high, names + "lockctl unlock drives the strike line high in gpio-sim", out(p))
    p = run("lockctl", "lock")
    low = chip.wait_value("STRIKE", 0, 5)
    tap(p.returncode == 0 and low, names + "lockctl lock drives it low again", out(p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
