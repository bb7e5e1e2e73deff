#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest script of the VM tier: the libgpiod backend (hw-gpio.c) against the
kernel, with this script playing the door's hardware.

    tests/vm/run tests/vm/guest-hw-gpio.py BUILDDIR/tests/vm/test-hw-gpio

Makes one gpio-sim chip "dl-hw" with the lines below, runs the test program
and answers its commands on a pipe (one line each way):

    get NAME              -> "ok V": the line's level (what an output drives)
    pull NAME 0|1         set what an input reads (an edge)
    reapply               set every pull again (a request with a bias resets it)
    jam 0|1               the bolt does not move (the motor runs in vain)
    key K [HOLD_MS]       press key K of the 4x3 matrix for HOLD_MS (300)
    wiegand BITS [GAP_MS] one frame, "0"/"1" per bit, GAP_MS (10) apart; the
                          reply comes after the last bit
    stats                 -> "ok both=N gap=MS drives=N": motor samples with
                          both lines on, the shortest off-to-on time between
                          two drives, drives seen; "stats reset" clears them

The hardware, sampled every millisecond or so by a thread:
  motor   a line on for 30 ms lets the bolt leave its end switch, for 150 ms
          makes the other end's switch (unless jammed)
  matrix  a row reads low while a pressed key joins it to a column driven low
"""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpiosim  # noqa: E402

NAMES = {
    0: "MOTOR_UNLOCK", 1: "MOTOR_LOCK", 2: "BOLT_RETRACTED", 3: "BOLT_EXTENDED", 4: "STRIKE",
    5: "DOOR", 6: "EXIT", 7: "BELL", 8: "TAMPER", 9: "BUZZER", 10: "LED", 11: "WD0", 12: "WD1",
    13: "ROW0", 14: "ROW1", 15: "ROW2", 16: "ROW3", 17: "COL0", 18: "COL1", 19: "COL2", 20: "BUSY",
}
KEYMAP = ["123", "456", "789", "*0#"]
LEAVE_S, TRAVEL_S = 0.030, 0.150


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


class Hardware:
    def __init__(self, chip):
        self.chip = chip
        self.lock = threading.Lock()
        self.jammed = False
        self.pressed = None  # (row, col, release_at)
        self.rows = [1, 1, 1, 1]
        self.on_since = [None, None]
        self.last_off = None
        self.both = 0
        self.gap = None
        self.drives = 0
        self.stop = False
        self.error = None

    def reset_stats(self):
        self.both, self.gap, self.drives = 0, None, 0

    def set_bolt(self, retracted, extended):
        if self.chip.pulls.get(2) != retracted:
            self.chip.set_pull("BOLT_RETRACTED", retracted)
        if self.chip.pulls.get(3) != extended:
            self.chip.set_pull("BOLT_EXTENDED", extended)

    def motor(self, now):
        v = [self.chip.value("MOTOR_UNLOCK"), self.chip.value("MOTOR_LOCK")]
        if v[0] and v[1]:
            self.both += 1
        for i in (0, 1):
            if v[i] and self.on_since[i] is None:
                self.on_since[i] = now
                self.drives += 1
                if self.last_off is not None:
                    g = now - self.last_off
                    self.gap = g if self.gap is None else min(self.gap, g)
            elif not v[i] and self.on_since[i] is not None:
                self.on_since[i] = None
                self.last_off = now
        if self.jammed:
            return
        for i in (0, 1):
            if self.on_since[i] is None:
                continue
            t = now - self.on_since[i]
            unlock = i == 0
            if t >= TRAVEL_S:
                self.set_bolt(1 if unlock else 0, 0 if unlock else 1)
            elif t >= LEAVE_S:
                # left the end it came from
                if unlock:
                    self.set_bolt(self.chip.pulls.get(2, 0), 0)
                else:
                    self.set_bolt(0, self.chip.pulls.get(3, 0))

    def matrix(self, now):
        p = self.pressed
        if p and now >= p[2]:
            self.pressed = p = None
        for r in range(4):
            low = bool(p and p[0] == r and self.chip.value("COL%d" % p[1]) == 0)
            level = 0 if low else 1
            if self.rows[r] != level:
                self.rows[r] = level
                self.chip.set_pull("ROW%d" % r, level)

    def run(self):
        try:
            while not self.stop:
                now = time.monotonic()
                with self.lock:
                    self.motor(now)
                    self.matrix(now)
                time.sleep(0.001)
        except Exception as e:  # reported with the next command
            self.error = repr(e)


def command(hw, chip, words):
    cmd = words[0]
    if cmd == "get":
        return "ok %d" % chip.value(words[1])
    if cmd == "pull":
        with hw.lock:
            chip.set_pull(words[1], int(words[2]))
        return "ok"
    if cmd == "reapply":
        with hw.lock:
            chip.reapply_pulls()
            hw.rows = [chip.pull("ROW%d" % r) for r in range(4)]
        return "ok"
    if cmd == "jam":
        hw.jammed = words[1] == "1"
        return "ok"
    if cmd == "key":
        hold = (int(words[2]) if len(words) > 2 else 300) / 1000.0
        for r, row in enumerate(KEYMAP):
            if words[1] in row:
                with hw.lock:
                    hw.pressed = (r, row.index(words[1]), time.monotonic() + hold)
                return "ok"
        return "error no key %s" % words[1]
    if cmd == "wiegand":
        gap = (int(words[2]) if len(words) > 2 else 10) / 1000.0
        for b in words[1]:
            line = "WD1" if b == "1" else "WD0"
            with hw.lock:
                chip.set_pull(line, 0)  # the falling edge is the bit
            # a pulse of ~2 ms: written faster, gpio-sim's edges merge
            time.sleep(0.002)
            with hw.lock:
                chip.set_pull(line, 1)
            time.sleep(max(gap - 0.002, 0))
        return "ok"
    if cmd == "stats":
        with hw.lock:
            out = "ok both=%d gap=%d drives=%d" % (hw.both, -1 if hw.gap is None else int(hw.gap * 1000),
                                                  hw.drives)
            if len(words) > 1 and words[1] == "reset":
                hw.reset_stats()
        return out
    return "error unknown command %s" % cmd


def serve(hw, chip, rfd, wfd):
    r = os.fdopen(rfd, "r")
    w = os.fdopen(wfd, "w")
    for line in r:
        words = line.split()
        if not words:
            continue
        try:
            reply = command(hw, chip, words)
        except Exception as e:
            reply = "error %r" % e
        if hw.error:
            reply = "error hardware thread: " + hw.error
        w.write(reply + "\n")
        w.flush()


def main():
    if len(sys.argv) != 2:
        bail("usage: guest-hw-gpio.py TEST-PROGRAM")
    program = sys.argv[1]
    if not os.access(program, os.X_OK):
        bail(program + " is not built (meson -Dtests=true, then ninja)")
    try:
        dev = gpiosim.Device("dl-vm-hw", [gpiosim.Bank("dl-hw", 24, NAMES)]).enable()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        bail("cannot make the gpio-sim chips: %s" % e)
    rc = 1
    try:
        chip = dev.chips[0]
        # The door at rest: bolt locked, door closed, buttons up, tamper
        # closed, Wiegand lines idle high, no key down.
        for name, level in [("BOLT_RETRACTED", 0), ("BOLT_EXTENDED", 1), ("DOOR", 0), ("EXIT", 0),
                            ("BELL", 0), ("TAMPER", 0), ("WD0", 1), ("WD1", 1), ("ROW0", 1), ("ROW1", 1),
                            ("ROW2", 1), ("ROW3", 1)]:
            chip.set_pull(name, level)
        print("# gpio-sim %s: dl-hw = %s" % (dev.dev_name, chip.chip_name), flush=True)
        hw = Hardware(chip)
        t = threading.Thread(target=hw.run, daemon=True)
        t.start()
        to_prog_r, to_prog_w = os.pipe()
        from_prog_r, from_prog_w = os.pipe()
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", DL_VM_HW_CMD=str(from_prog_w),
                   DL_VM_HW_REPLY=str(to_prog_r))
        p = subprocess.Popen([program], env=env, pass_fds=(from_prog_w, to_prog_r))
        os.close(from_prog_w)
        os.close(to_prog_r)
        server = threading.Thread(target=serve, args=(hw, chip, from_prog_r, to_prog_w), daemon=True)
        server.start()
        rc = p.wait()
        hw.stop = True
        t.join(2)
    finally:
        dev.close()
    if os.path.exists(dev.dir):
        print("# gpio-sim device %s was not removed" % dev.dir)
        rc = rc or 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
