#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A terminal keypad for the simulated lock (tools/demo starts it).

Keys 0-9, # (submit) and * (clear) go to org.doorlockd.Simulator1.PressKeys;
o / c open and close the door, j toggles a jammed bolt, h or ? shows or hides
the commands for a second terminal, q quits.  The lock's state and its events
are shown live.  Digits are shown as dots: a PIN is never printed.

The commands come from DEMO_SECOND_TERMINAL (tools/demo sets it: lockctl
with full paths and the bus address), one per line; without it the view has
none to show."""

import os
import sys
import termios
import time
import tty

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

NAME = "org.doorlockd.Lock1"
PATH = "/org/doorlockd/Lock1"


# The log's story entries as the event panel shows them; grants, refusals
# and alarms come from their own signals.
STORY_EVENTS = ("lock", "unlock", "locked", "unlocked", "door-opened", "door-closed", "door-flapping",
                "lockout-ended")


def story_text(event, details):
    """The panel's line for a LogEntry: 'unlocked by code 3 (Alice)',
    'bolt locked: auto-relock', 'door opened'; None for the other events."""
    if event not in STORY_EVENTS:
        return None
    text = str(details.get("details", ""))
    cause = str(details.get("cause", ""))
    if cause and text.startswith(cause + ": "):
        text = text[len(cause) + 2:]
    if event in ("locked", "unlocked"):
        return f"bolt {event}" + (f": {cause}" if cause else "")
    if event in ("door-opened", "door-closed"):
        return f"door {event[5:]}"
    if event == "door-flapping":
        return f"door flapping: {text}"
    if event == "lockout-ended":
        return "keypad lockout ended"
    return text


class Keypad:
    def __init__(self):
        dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
        self.bus = dbus.SystemBus()
        self.obj = self.bus.get_object(NAME, PATH)
        self.lock = dbus.Interface(self.obj, "org.doorlockd.Lock1")
        self.sim = dbus.Interface(self.obj, "org.doorlockd.Simulator1")
        self.props = dbus.Interface(self.obj, "org.freedesktop.DBus.Properties")
        self.typed = ""
        self.jammed = False
        self.events = []
        # Shown at the start: the lock has no codes until one is added there.
        self.commands = [c for c in os.environ.get("DEMO_SECOND_TERMINAL", "").splitlines() if c.strip()]
        self.show_commands = bool(self.commands)
        for sig in ("AccessGranted", "AccessDenied", "Alarm", "LogEntry"):
            self.bus.add_signal_receiver(self.on_signal, signal_name=sig, dbus_interface="org.doorlockd.Lock1",
                                         path=PATH, member_keyword="member")
        self.bus.add_signal_receiver(self.on_props, signal_name="PropertiesChanged",
                                     dbus_interface="org.freedesktop.DBus.Properties", path=PATH)

    def prop(self, name):
        return str(self.props.Get("org.doorlockd.Lock1", name))

    def event(self, text):
        self.events.append(time.strftime("%H:%M:%S ") + text)
        self.events = self.events[-12:]
        self.draw()

    def on_signal(self, *args, member=None):
        if member == "AccessGranted":
            who = args[2] or "remote"
            self.event(f"access granted ({args[0]}, {who})")
        elif member == "AccessDenied":
            self.event(f"access denied ({args[0]}: {args[1]})")
        elif member == "LogEntry":
            text = story_text(str(args[2]), args[4])
            if text:
                self.event(text)
        else:
            self.event(f"ALARM {args[0]}: {args[1]}")

    def on_props(self, iface, changed, invalidated):
        if changed:
            self.draw()

    def draw(self):
        try:
            state, door, mode = self.prop("State"), self.prop("Door"), self.prop("Mode")
            locked_until = int(self.props.Get("org.doorlockd.Lock1", "KeypadLockedUntil"))
        except dbus.DBusException as e:
            state = door = mode = f"? ({e.get_dbus_name()})"
            locked_until = 0
        out = ["\033[H\033[J",
               "doorlockd demo keypad   (0-9, # enter, * clear, o/c door, j jam, h help, q quit)\r\n\r\n",
               f"  bolt: {state:10}  door: {door:8}  mode: {mode}"
               f"{'  KEYPAD LOCKED OUT' if locked_until else ''}{'  [bolt jammed]' if self.jammed else ''}\r\n\r\n",
               f"  entry: {'•' * len(self.typed)}\r\n\r\n", "  events:\r\n"]
        out += [f"    {e}\r\n" for e in self.events]
        if self.commands and self.show_commands:
            out.append("\r\n  In a second terminal (h hides this):\r\n")
            out += [f"    {c}\r\n" for c in self.commands]
        elif self.commands:
            out.append("\r\n  h: the lockctl commands for a second terminal\r\n")
        sys.stdout.write("".join(out))
        sys.stdout.flush()

    def on_key(self, fd, cond):
        ch = os.read(fd, 1).decode(errors="ignore")
        try:
            if ch in "0123456789":
                self.typed += ch
                self.sim.PressKeys(ch)
            elif ch in "#\r\n":
                self.typed = ""
                self.sim.PressKeys("#")
            elif ch == "*":
                self.typed = ""
                self.sim.PressKeys("*")
            elif ch in "oc":
                self.sim.SetDoor("open" if ch == "o" else "closed")
            elif ch == "j":
                self.jammed = not self.jammed
                self.sim.SetJammed(self.jammed)
            elif ch in "h?":
                self.show_commands = not self.show_commands
            elif ch in ("q", "\x03", "\x04"):
                self.loop.quit()
                return False
        except dbus.DBusException as e:
            self.event(f"error: {e.get_dbus_message()}")
        self.draw()
        return True

    def run(self):
        self.loop = GLib.MainLoop()
        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
        try:
            tty.setraw(fd)
            GLib.io_add_watch(fd, GLib.IO_IN, self.on_key)
            self.draw()
            self.loop.run()
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
            sys.stdout.write("\r\n")


if __name__ == "__main__":
    if not sys.stdin.isatty():
        sys.exit("demo-keypad: needs a terminal")
    Keypad().run()
