#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest script of the VM tier: gpio.h's implementation against the kernel.

    tests/vm/run tests/vm/guest-gpio-lines.py BUILDDIR/tests/vm/test-gpio-lines
    tests/vm/run tests/vm/guest-gpio-lines.py tests/vm/guest-chroot ROOT /build/tests/vm/test-gpio-lines

The second form runs a test-gpio-lines built in another Debian's root
(tools/ci-trixie: libgpiod 2) through guest-chroot; the arguments after the
program are passed to it.

Makes one gpio-sim device with the two banks test-gpio-lines.c expects,
checks the harness itself (a pull is seen, the configfs names arrived),
runs the test program with the chips in its environment and passes its TAP
through.  Exits with the program's status; tears the device down."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpiosim  # noqa: E402

BANKS = [
    gpiosim.Bank("dl-vm-a", 8, {0: "DOOR", 1: "BOLT", 2: "DUP", 3: "DUP", 4: "LED", 6: "EDGE", 7: "FLOOD"}),
    gpiosim.Bank("dl-vm-b", 4, {0: "B0", 1: "B1", 2: "DOOR"}),
]


def bail(msg):
    print("Bail out! " + msg, flush=True)
    sys.exit(1)


def main():
    if len(sys.argv) < 2:
        bail("usage: guest-gpio-lines.py TEST-PROGRAM [ARGS...]")
    program = sys.argv[1]
    if not os.access(program, os.X_OK):
        bail(program + " is not built (meson -Dtests=true, then ninja)")
    try:
        dev = gpiosim.Device("dl-vm-lines", BANKS).enable()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        bail("cannot make the gpio-sim chips: %s" % e)
    try:
        a, b = dev.chips
        # The harness itself: a pull on a free line is its value.
        a.set_pull(5, 1)
        if a.value(5) != 1:
            bail("gpio-sim: pull-up on %s line 5 does not read 1" % a.chip_name)
        a.set_pull(5, 0)
        if a.value(5) != 0:
            bail("gpio-sim: pull-down on %s line 5 does not read 0" % a.chip_name)
        print("# gpio-sim %s: %s = %s, %s = %s" % (dev.dev_name, a.label, a.chip_name, b.label, b.chip_name),
              flush=True)
        env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP",
                   DL_VM_CHIP_A=a.chip_name, DL_VM_SIM_A=a.sysfs,
                   DL_VM_CHIP_B=b.chip_name, DL_VM_SIM_B=b.sysfs)
        rc = subprocess.run(sys.argv[1:], env=env).returncode
    finally:
        dev.close()
    if os.path.exists(dev.dir):
        print("# gpio-sim device %s was not removed" % dev.dir)
        rc = rc or 1
    sys.exit(rc)


if __name__ == "__main__":
    main()
