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

The hardware is doormodel.Hardware (shared with guest-daemon.py), sampled
every millisecond or so by a thread:
  motor   a line on for 30 ms lets the bolt leave its end switch, for 150 ms
          makes the other end's switch (unless jammed)
  matrix  a row reads low while a pressed key joins it to a column driven low
"""

import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doormodel  # noqa: E402
import gpiosim  # noqa: E402

NAMES = doormodel.NAMES


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


def command(hw, chip, words):
    cmd = words[0]
    if cmd == "get":
        return "ok %d" % chip.value(words[1])
    if cmd == "pull":
        hw.pull(words[1], int(words[2]))
        return "ok"
    if cmd == "reapply":
        hw.reapply()
        return "ok"
    if cmd == "jam":
        hw.jammed = words[1] == "1"
        return "ok"
    if cmd == "key":
        hold = (int(words[2]) if len(words) > 2 else 300) / 1000.0
        try:
            hw.press(words[1], hold)
        except KeyError:
            return "error no key %s" % words[1]
        return "ok"
    if cmd == "wiegand":
        hw.wiegand(words[1], (int(words[2]) if len(words) > 2 else 10) / 1000.0)
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
    if len(sys.argv) < 2:
        bail("usage: guest-hw-gpio.py TEST-PROGRAM [ARGS...]")
    # PROGRAM [ARGS...]: the test program, or tests/vm/guest-chroot ROOT
    # PROGRAM for one built in another root (libgpiod 2).
    program, args = sys.argv[1], sys.argv[2:]
    if not os.access(program, os.X_OK):
        bail(program + " is not built (meson -Dtests=true, then ninja)")
    try:
        dev = gpiosim.Device("dl-vm-hw", [gpiosim.Bank("dl-hw", 24, NAMES)]).enable()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        bail("cannot make the gpio-sim chips: %s" % e)
    rc = 1
    try:
        chip = dev.chips[0]
        doormodel.at_rest(chip)
        print("# gpio-sim %s: dl-hw = %s" % (dev.dev_name, chip.chip_name), flush=True)
        hw = doormodel.Hardware(chip).start()
        to_prog_r, to_prog_w = os.pipe()
        from_prog_r, from_prog_w = os.pipe()
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", DL_VM_HW_CMD=str(from_prog_w),
                   DL_VM_HW_REPLY=str(to_prog_r))
        p = subprocess.Popen([program] + args, env=env, pass_fds=(from_prog_w, to_prog_r))
        os.close(from_prog_w)
        os.close(to_prog_r)
        server = threading.Thread(target=serve, args=(hw, chip, from_prog_r, to_prog_w), daemon=True)
        server.start()
        rc = p.wait()
        hw.join(2)
    finally:
        dev.close()
    if os.path.exists(dev.dir):
        print("# gpio-sim device %s was not removed" % dev.dir)
        rc = rc or 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
