# SPDX-License-Identifier: GPL-2.0-or-later
"""gpio-sim chips for the VM tier's guest scripts (python3, stdlib only).

The kernel's GPIO simulator is configured through configfs:

    /sys/kernel/config/gpio-sim/DEVICE/          live, dev_name
    /sys/kernel/config/gpio-sim/DEVICE/BANK/     label, num_lines, chip_name
    /sys/kernel/config/gpio-sim/DEVICE/BANK/lineN/name

A device with its banks is made, then enabled by writing 1 to "live"; each
bank is then a gpiochip whose simulator side is in sysfs:

    /sys/devices/platform/gpio-sim.N/gpiochipX/sim_gpioY/pull   what an input sees
    /sys/devices/platform/gpio-sim.N/gpiochipX/sim_gpioY/value  what an output drives

Lesson: a line request with a bias sets the pull itself (and a release
sets the value back to the pull), so a test sets the pulls it wants after
the daemon has requested its lines (Chip.reapply_pulls()).

    with gpiosim.Device("door", [gpiosim.Bank("dl-door", 8, {0: "DOOR", 1: "BOLT"})]) as dev:
        chip = dev.chips[0]
        chip.set_pull(0, 1)          # the door contact reads high
        chip.value(1)                # what the daemon drives on BOLT
"""

import os
import subprocess
import time

CONFIGFS = "/sys/kernel/config/gpio-sim"
PLATFORM = "/sys/devices/platform"


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _read(path):
    with open(path) as f:
        return f.read().strip()


def ensure_loaded():
    """Load gpio-sim (and mount configfs) unless it is already there."""
    if not os.path.ismount("/sys/kernel/config"):
        subprocess.run(["mount", "-t", "configfs", "configfs", "/sys/kernel/config"], check=False)
    if not os.path.isdir(CONFIGFS):
        subprocess.run(["modprobe", "gpio-sim"], check=True)
    if not os.path.isdir(CONFIGFS):
        raise RuntimeError(CONFIGFS + " does not exist: no gpio-sim in this kernel")


class Bank:
    """One chip of a device: its label, number of lines and line names."""

    def __init__(self, label, num_lines, names=None):
        self.label = label
        self.num_lines = num_lines
        self.names = dict(names or {})


class Chip:
    """An enabled bank: a gpiochip and its simulator side."""

    def __init__(self, bank, chip_name, sysfs):
        self.label = bank.label
        self.num_lines = bank.num_lines
        self.names = bank.names
        self.chip_name = chip_name            # "gpiochip3"
        self.dev_path = "/dev/" + chip_name   # "/dev/gpiochip3"
        self.sysfs = sysfs                    # ".../gpio-sim.0/gpiochip3"
        self.pulls = {}
        self._fds = {}                        # (offset, attr) -> fd, kept open

    def offset(self, line):
        """The offset of a line given by name or offset."""
        if isinstance(line, int):
            return line
        if line.isdigit():
            return int(line)
        found = [o for o, n in self.names.items() if n == line]
        if len(found) != 1:
            raise KeyError("%s: line %r is %s" % (self.label, line, "not unique" if found else "unknown"))
        return found[0]

    def _attr(self, line, attr):
        return "%s/sim_gpio%d/%s" % (self.sysfs, self.offset(line), attr)

    def _fd(self, line, attr):
        # The attribute stays open: a pread/pwrite at offset 0 is one
        # syscall, where open-read-close is three and a path walk (which
        # counts when a script plays a keypad against a 10 ms settle time
        # under TCG).
        key = (self.offset(line), attr)
        fd = self._fds.get(key)
        if fd is None:
            fd = os.open(self._attr(line, attr), os.O_RDWR if attr == "pull" else os.O_RDONLY)
            self._fds[key] = fd
        return fd

    def set_pull(self, line, level):
        """What an input on the line reads: level 1 (pull-up) or 0 (pull-down)."""
        os.pwrite(self._fd(line, "pull"), b"pull-up" if level else b"pull-down", 0)
        self.pulls[self.offset(line)] = 1 if level else 0

    def pull(self, line):
        return 1 if os.pread(self._fd(line, "pull"), 16, 0).strip() == b"pull-up" else 0

    def value(self, line):
        """The line's electrical level: what an output drives, else the pull."""
        return int(os.pread(self._fd(line, "value"), 16, 0))

    def close(self):
        """Close the attributes kept open (Device.close() does it)."""
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}

    def reapply_pulls(self):
        """Set every pull set through set_pull() again (after a request)."""
        for offset, level in self.pulls.items():
            self.set_pull(offset, level)

    def wait_value(self, line, level, timeout=5.0):
        """Wait until the line's level is `level`; True if it got there."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.value(line) == level:
                return True
            time.sleep(0.01)
        return self.value(line) == level


class Device:
    """A gpio-sim device: its banks made in configfs, enabled, torn down."""

    def __init__(self, name, banks):
        self.name = name
        self.banks = list(banks)
        self.dir = os.path.join(CONFIGFS, name)
        self.dev_name = None
        self.chips = []

    def enable(self):
        ensure_loaded()
        os.mkdir(self.dir)
        try:
            for i, bank in enumerate(self.banks):
                b = os.path.join(self.dir, "bank%d" % i)
                os.mkdir(b)
                _write(os.path.join(b, "num_lines"), bank.num_lines)
                _write(os.path.join(b, "label"), bank.label)
                for offset, line_name in sorted(bank.names.items()):
                    ld = os.path.join(b, "line%d" % offset)
                    os.mkdir(ld)
                    _write(os.path.join(ld, "name"), line_name)
            _write(os.path.join(self.dir, "live"), 1)
            self.dev_name = _read(os.path.join(self.dir, "dev_name"))
            for i, bank in enumerate(self.banks):
                chip_name = _read(os.path.join(self.dir, "bank%d" % i, "chip_name"))
                sysfs = os.path.join(PLATFORM, self.dev_name, chip_name)
                if not os.path.isdir(sysfs):
                    raise RuntimeError("gpio-sim made %s but %s is missing" % (chip_name, sysfs))
                self._wait_dev("/dev/" + chip_name)
                self.chips.append(Chip(bank, chip_name, sysfs))
        except BaseException:
            self.close()
            raise
        return self

    @staticmethod
    def _wait_dev(path, timeout=5.0):
        # devtmpfs makes the node as the chip registers; no udev in the guest.
        end = time.monotonic() + timeout
        while not os.path.exists(path):
            if time.monotonic() > end:
                raise RuntimeError(path + " did not appear")
            time.sleep(0.01)

    def chip(self, label):
        for c in self.chips:
            if c.label == label:
                return c
        raise KeyError(label)

    def close(self):
        """Disable the device and remove its configfs tree (safe to repeat)."""
        if not os.path.isdir(self.dir):
            return
        for c in self.chips:
            c.close()
        live = os.path.join(self.dir, "live")
        if os.path.exists(live) and _read(live) == "1":
            _write(live, 0)
        for entry in sorted(os.listdir(self.dir)):
            b = os.path.join(self.dir, entry)
            if not entry.startswith("bank") or not os.path.isdir(b):
                continue
            for line in os.listdir(b):
                ld = os.path.join(b, line)
                if line.startswith("line") and os.path.isdir(ld):
                    os.rmdir(ld)
            os.rmdir(b)
        os.rmdir(self.dir)
        self.chips = []

    def __enter__(self):
        return self.enable()

    def __exit__(self, *exc):
        self.close()
        return False
