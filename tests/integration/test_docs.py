# SPDX-License-Identifier: GPL-2.0-or-later
"""The man pages against the built binaries: every lockctl command (verb,
sub-verb) that `lockctl --help` and the groups' --help list is documented
in lockctl(1) as "lockctl COMMAND", every option of every command in it,
every `doorlockd --help` option in doorlockd(8), and the exit statuses
lockctl's help names in lockctl(1)'s EXIT STATUS.  (The config keys are
checked against the parser's own table by tests/test-man-config-keys.c.)

Needs no D-Bus: TAP on stdout, one case per check.  Environment: LOCKCTL,
DOORLOCKD, SOURCE_ROOT as for the integration tests."""

import os
import re
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lockctl_help  # noqa: E402

SOURCE_ROOT = os.environ.get("SOURCE_ROOT") or os.path.abspath(os.path.join(HERE, "..", ".."))
LOCKCTL = os.environ.get("LOCKCTL") or os.path.join(SOURCE_ROOT, "build", "cli", "lockctl")
DOORLOCKD = os.environ.get("DOORLOCKD") or os.path.join(SOURCE_ROOT, "build", "daemon", "doorlockd")
MAN = os.path.join(SOURCE_ROOT, "docs", "man")

cases = []


def case(name):
    def deco(fn):
        cases.append((name, fn))
        return fn
    return deco


def page(name):
    with open(os.path.join(MAN, name + ".scd")) as f:
        return f.read()


def plain(scd):
    """The page's text without scdoc's bold markup ("*lockctl* *code*"
    reads "lockctl code")."""
    return scd.replace("*", "")


def mentions(text, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text) is not None


def section(scd, title):
    """The text of "# TITLE" up to the next top-level heading."""
    m = re.search(r"^# " + re.escape(title) + r"\n(.*?)(?=^# |\Z)", scd, re.M | re.S)
    if not m:
        raise AssertionError(f"no section '# {title}'")
    return m.group(1)


_commands = None


def commands():
    global _commands
    if _commands is None:
        _commands = lockctl_help.all_commands(LOCKCTL)
    return _commands


@case("every lockctl command from --help is in lockctl(1)")
def _():
    paths, _helps = commands()
    # Sanity: the parse found the commands (20 when this was written).
    if len(paths) < 20:
        raise AssertionError(f"only {len(paths)} commands found in lockctl --help: {sorted(paths)}")
    text = plain(page("lockctl.1"))
    missing = [" ".join(p) for p in sorted(paths)
               if not re.search(r"lockctl +" + r" +".join(map(re.escape, p)) + r"(?![\w-])", text)]
    if missing:
        raise AssertionError("lockctl(1) does not document: " + ", ".join("lockctl " + m for m in missing))


@case("every option of every lockctl command is in lockctl(1)")
def _():
    paths, helps = commands()
    text = page("lockctl.1")
    missing = []
    for p in sorted(paths | {()}):
        for opt in sorted(lockctl_help.options_of(helps[p], p)):
            if not mentions(text, opt):
                missing.append(f"{opt} (lockctl {' '.join(p)})")
    if missing:
        raise AssertionError("lockctl(1) does not document: " + ", ".join(missing))


@case("lockctl mode names are in lockctl(1)")
def _():
    m = re.search(r"^  mode \[([a-z|]+)\]", commands()[1][()], re.M)
    if not m:
        raise AssertionError("no '  mode [...]' line in lockctl --help")
    text = plain(page("lockctl.1"))
    for mode in m.group(1).split("|"):
        if not mentions(text, mode):
            raise AssertionError(f"lockctl(1) does not name mode {mode}")


@case("lockctl's exit statuses are in lockctl(1) EXIT STATUS")
def _():
    m = re.search(r"Exit status: (.*?)\.", commands()[1][()].replace("\n", " "))
    if not m:
        raise AssertionError("no 'Exit status:' in lockctl --help")
    statuses = re.findall(r"(\d+) [a-z]", m.group(1))
    if sorted(statuses) != ["0", "1", "2", "3"]:
        raise AssertionError(f"lockctl --help exit statuses: {statuses}")
    text = section(page("lockctl.1"), "EXIT STATUS")
    for s in statuses:
        if not re.search(r"^\*" + s + r"\*$", text, re.M):
            raise AssertionError(f"lockctl(1) EXIT STATUS has no entry *{s}*")


@case("every doorlockd --help option is in doorlockd(8) OPTIONS")
def _():
    p = subprocess.run([DOORLOCKD, "--help"], capture_output=True, text=True, timeout=20)
    if p.returncode != 0:
        raise AssertionError(f"doorlockd --help: exit status {p.returncode}")
    opts = set(lockctl_help.LONG.findall(p.stdout)) | set(lockctl_help.SHORT.findall(p.stdout))
    if not {"--config", "--state-dir", "--simulate", "--version", "--help"} <= opts:
        raise AssertionError(f"doorlockd --help options parsed as {sorted(opts)}")
    text = section(page("doorlockd.8"), "OPTIONS")
    # Entries: "*--config* _PATH_" or "*-h*, *--help*".
    entries = set()
    for line in text.split("\n"):
        if line.startswith("*-"):
            entries.update(re.findall(r"\*(-{1,2}[a-z][a-z-]*)\*", line))
    missing = sorted(opts - entries)
    if missing:
        raise AssertionError("doorlockd(8) OPTIONS has no entry for " + ", ".join(missing))
    extra = sorted(entries - opts)
    if extra:
        raise AssertionError("doorlockd(8) OPTIONS documents options doorlockd does not have: " + ", ".join(extra))


@case("the man pages name the state files and each other")
def _():
    for name, wants in (
        ("doorlockd.8", ["/etc/doorlockd/doorlockd.conf", "/var/lib/doorlockd/doorlockd.db",
                         "/var/lib/doorlockd/pin.key", "/var/lib/doorlockd/audit.key",
                         "/var/lib/doorlockd/emergency/", "lockctl(1)", "doorlockd.conf(5)"]),
        ("lockctl.1", ["doorlockd(8)", "doorlockd.conf(5)"]),
        ("doorlockd.conf.5", ["/etc/doorlockd/doorlockd.conf", "doorlockd(8)"]),
    ):
        text = plain(page(name)).replace("_", "")
        for w in wants:
            if w not in text:
                raise AssertionError(f"{name} does not mention {w}")


def main():
    print(f"1..{len(cases)}", flush=True)
    failed = 0
    for i, (name, fn) in enumerate(cases, 1):
        try:
            fn()
            print(f"ok {i} - {name}", flush=True)
        except Exception:  # noqa: BLE001 - report every failure as TAP
            failed += 1
            print(f"not ok {i} - {name}", flush=True)
            for line in traceback.format_exc().rstrip().split("\n"):
                print(f"# {line}")
    print(f"# docs: {len(cases)} cases, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
