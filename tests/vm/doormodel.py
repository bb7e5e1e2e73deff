# SPDX-License-Identifier: GPL-2.0-or-later
"""The door's hardware, played against a gpio-sim chip (python3, stdlib).

Shared by the VM tier's guest scripts that run the libgpiod backend:
guest-hw-gpio.py (the backend in a test program) and guest-daemon.py (the
real doorlockd).  The chip carries the lines under the names of NAMES
(a script may give its own, with the same names).

Hardware(chip) is sampled by its thread (run()) every POLL_S or so:
  motor   a line on for LEAVE_S lets the bolt leave its end switch, for
          TRAVEL_S makes the other end's switch (unless jammed: then the
          bolt does not move and the motor runs in vain)
  matrix  a row reads low while a pressed key joins it to a column driven
          low (4x3, KEYMAP)
It also counts motor drives, samples with both motor lines on and the
shortest off-to-on gap, and keeps timestamps (time.monotonic(), taken just
before the sample that saw the change) for benchmarks: `row_low_at` (the
harness set a row's pull low for the pressed key: the key's edge),
`watch` ({name: level} -> first time the line was seen at that level,
in `seen`).

Wiegand: wiegand(bits, gap_s) sends one frame, a ~2 ms low pulse per bit on
WD0 (0) or WD1 (1), gap_s apart (made faster, gpio-sim's edges merge).
"""

import os
import threading
import time

NAMES = {
    0: "MOTOR_UNLOCK", 1: "MOTOR_LOCK", 2: "BOLT_RETRACTED", 3: "BOLT_EXTENDED", 4: "STRIKE",
    5: "DOOR", 6: "EXIT", 7: "BELL", 8: "TAMPER", 9: "BUZZER", 10: "LED", 11: "WD0", 12: "WD1",
    13: "ROW0", 14: "ROW1", 15: "ROW2", 16: "ROW3", 17: "COL0", 18: "COL1", 19: "COL2", 20: "BUSY",
}
KEYMAP = ["123", "456", "789", "*0#"]
LEAVE_S, TRAVEL_S = 0.030, 0.150
POLL_S = 0.001

# The door at rest: bolt locked, door closed, buttons up, tamper closed,
# Wiegand lines idle high, no key down.
REST = [("BOLT_RETRACTED", 0), ("BOLT_EXTENDED", 1), ("DOOR", 0), ("EXIT", 0), ("BELL", 0),
        ("TAMPER", 0), ("WD0", 1), ("WD1", 1), ("ROW0", 1), ("ROW1", 1), ("ROW2", 1), ("ROW3", 1)]


def at_rest(chip):
    """Set the pulls of the door at rest (REST)."""
    for name, level in REST:
        chip.set_pull(name, level)


def key_position(key):
    """(row, column) of a key of KEYMAP, or None."""
    for r, row in enumerate(KEYMAP):
        if key in row:
            return r, row.index(key)
    return None


def wiegand_key_bits(key, bits=8):
    """The burst of a key ('0'-'9', '*', '#') as a string of bits: 4 bits
    (the key's value), or 8 (its complement, then the value)."""
    v = {"*": 10, "#": 11}.get(key)
    v = int(key) if v is None else v
    if bits == 4:
        return format(v, "04b")
    return format(((~v & 0xF) << 4) | v, "08b")


def wiegand_card_bits(facility, number):
    """A 26-bit card frame: even parity over bits 2-13, the 24 data bits
    (facility 8, number 16), odd parity over bits 14-25."""
    data = format(((facility & 0xFF) << 16) | (number & 0xFFFF), "024b")
    even = str(data[:12].count("1") % 2)
    odd = str(1 - data[12:].count("1") % 2)
    return even + data + odd


class Hardware:
    def __init__(self, chip, poll_s=POLL_S):
        self.chip = chip
        self.poll_s = poll_s
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
        self.row_low_at = None
        self.watch = {}
        self.seen = {}
        self.samples = 0
        self.max_period = 0.0  # the longest time between two samples
        self.thread = None
        self.rt_priority = None
        self.count = {}  # watched lines: times they went to their level
        self.last = {}
        self.frames = []  # Wiegand frames for the thread to send

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
                if low and self.row_low_at is None:
                    self.row_low_at = time.monotonic()
                self.chip.set_pull("ROW%d" % r, level)

    def watched(self, now):
        for name, level in list(self.watch.items()):
            v = self.chip.value(name)
            if name not in self.seen and v == level:
                self.seen[name] = now
            if v == level and self.last.get(name) != level:
                self.count[name] = self.count.get(name, 0) + 1
            self.last[name] = v

    def send_frames(self):
        while self.frames:
            bits, gap_s, done = self.frames.pop(0)
            self._wiegand(bits, gap_s)
            done.set()

    def run(self):
        try:
            if self.rt_priority:
                # This thread only (pid 0 is the calling thread): the
                # matrix must answer a column change within the keypad's
                # settle time, whatever else the guest is doing.
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(self.rt_priority))
            last = None
            while not self.stop:
                now = time.monotonic()
                if last is not None and now - last > self.max_period:
                    self.max_period = now - last
                last = now
                with self.lock:
                    if self.watch:
                        self.watched(now)
                    self.motor(now)
                    self.matrix(now)
                    self.samples += 1
                if self.frames:
                    self.send_frames()
                time.sleep(self.poll_s)
        except Exception as e:  # reported with the next command
            self.error = repr(e)

    def start(self, rt_priority=None):
        """Run the model in its thread; rt_priority: SCHED_FIFO (root)."""
        self.rt_priority = rt_priority
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def join(self, timeout=2):
        self.stop = True
        if self.thread:
            self.thread.join(timeout)

    # ---- what a script does ----

    def pull(self, name, level):
        with self.lock:
            self.chip.set_pull(name, level)

    def reapply(self):
        """Every pull again (a request with a bias resets it)."""
        with self.lock:
            self.chip.reapply_pulls()
            self.rows = [self.chip.pull("ROW%d" % r) for r in range(4)]

    def press(self, key, hold_s=0.3):
        """Press a key of KEYMAP for hold_s (returns at once)."""
        pos = key_position(key)
        if pos is None:
            raise KeyError("no key %s" % key)
        with self.lock:
            self.pressed = (pos[0], pos[1], time.monotonic() + hold_s)

    def arm(self, watch):
        """Start timing: forget row_low_at, seen and count, watch these lines."""
        with self.lock:
            self.row_low_at = None
            self.seen = {}
            self.count = {}
            self.last = {}
            self.watch = dict(watch)

    def wiegand(self, bits, gap_s=0.010):
        """Send one frame; returns once it is sent.  With the thread
        running, the thread sends it (its timing is the thread's, which
        may run SCHED_FIFO)."""
        if self.thread is None or not self.thread.is_alive():
            self._wiegand(bits, gap_s)
            return
        done = threading.Event()
        with self.lock:
            self.frames.append((bits, gap_s, done))
        if not done.wait(10 + len(bits) * gap_s):
            raise RuntimeError("the model thread did not send the frame")

    def _wiegand(self, bits, gap_s):
        for b in bits:
            line = "WD1" if b == "1" else "WD0"
            with self.lock:
                self.chip.set_pull(line, 0)  # the falling edge is the bit
            # a pulse of ~2 ms: written faster, gpio-sim's edges merge
            time.sleep(0.002)
            with self.lock:
                self.chip.set_pull(line, 1)
            time.sleep(max(gap_s - 0.002, 0))
