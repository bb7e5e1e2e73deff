# SPDX-License-Identifier: GPL-2.0-or-later
"""Backup and restore through lockctl and Lock1.Backup/Restore: a round trip
between two state directories (codes and their PINs, one-time codes,
emergency issuers, the mode, the log), and every refusal changing nothing:
wrong passphrase, truncated file, flipped byte, a newer format, a lock that
is not empty without --force, a file that exists, a descriptor that is not
a regular file, callers who are not admins."""

import hashlib
import os
import stat
import sys
import tempfile

import dbus

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (  # noqa: E402
    ACCESS_DENIED, ERR, INVALID_ARGS, NOBODY, OBSERVER, PIN1, PIN2, PIN3, Suite, check, eq)

suite = Suite("backup")

PASS = "correct horse battery"
HEADER = 64
SUM = 32


def ok(p, what):
    check(p.returncode == 0, f"{what}: exit status {p.returncode}, stderr {p.stderr.strip()!r}")
    return p


def refused(p, what, text):
    check(p.returncode == 1, f"{what}: exit status {p.returncode} (want 1), stderr {p.stderr.strip()!r}")
    check(text.lower() in p.stderr.lower(), f"{what}: {text!r} not in {p.stderr.strip()!r}")
    return p


def dump(env):
    """Everything a refused restore must leave alone (not the log)."""
    codes = {str(path): {k: v for k, v in props.items()} for path, props in env.codes().items()}
    props = env.get_all()
    issuers = env.call("ListEmergencyIssuers")
    return codes, {k: v for k, v in props.items() if k not in ("KeypadLockedUntil",)}, issuers


def backup(env, path, passphrase=PASS):
    return env.lockctl("backup", path, input=passphrase + "\n")


def restore(env, path, *opts, passphrase=PASS):
    return env.lockctl("restore", *opts, path, input=passphrase + "\n")


def seed(env):
    env.add_code("Alice", PIN1)
    env.add_code("Plumber", PIN2, OneTime=True)
    env.call("AddEmergencyIssuer", "Phone", sig="s")
    env.set_mode("privacy")


def fresh_daemon(env):
    """Stop the daemon and start another on an empty state directory."""
    env.daemon.stop_clean()
    env.start_daemon(state_dir=os.path.join(env.workdir, "state-new"))


def reseal(data):
    return data[:-SUM] + hashlib.sha256(data[:-SUM]).digest()


@suite.case("lockctl backup then restore on a fresh lock brings back codes, PINs, issuers, mode and log")
def _(env):
    env.need_lockctl("backup")
    seed(env)
    path = os.path.join(env.workdir, "lock.backup")
    p = ok(backup(env, path), "lockctl backup")
    check("bytes" in p.stdout, f"backup output: {p.stdout!r}")
    st = os.stat(path)
    eq(stat.S_IMODE(st.st_mode), 0o600, "mode of the backup file")
    data = open(path, "rb").read()
    check(data.startswith(b"DLBACKUP"), "magic")
    for secret in (b"Alice", b"Plumber", b"Phone", PIN1.encode(), b"SQLite format"):
        check(secret not in data, f"{secret!r} readable in the backup")

    fresh_daemon(env)
    eq(env.get("CodeCount"), 0, "CodeCount on the new lock")
    m = env.mark()
    p = ok(restore(env, path), "lockctl restore")
    check("Restored 2 codes and 1 emergency issuers" in p.stdout, f"restore output: {p.stdout!r}")
    env.wait_signal("InterfacesAdded", since=m, count=2)
    eq(sorted(c["Name"] for c in env.codes().values()), ["Alice", "Plumber"], "codes after restore")
    eq(env.get("CodeCount"), 2, "CodeCount")
    eq(env.get("Mode"), "privacy", "Mode")
    check(any(i[1] == "Phone" for i in env.call("ListEmergencyIssuers")), "issuer Phone restored")
    events = [e[2] for e in env.get_log()]
    check("backup" in events and events[-1] == "restore", f"log ends with backup ... restore: {events[-5:]}")
    env.set_mode("normal")
    eq(env.enter(PIN1).member, "AccessGranted", "Alice's PIN on the restored lock")
    env.wait_unlocked()
    env.lock()
    eq(env.enter(PIN2).member, "AccessGranted", "the one-time code, once")
    env.wait_unlocked()
    env.lock()
    eq(env.enter(PIN2).member, "AccessDenied", "the one-time code, twice")

    env.restart_daemon()
    eq(env.get("CodeCount"), 2, "CodeCount after a restart")


@suite.case("restore: wrong passphrase, truncated file, flipped bytes, newer format: refused, nothing changes")
def _(env):
    env.need_lockctl("restore")
    seed(env)
    path = os.path.join(env.workdir, "lock.backup")
    ok(backup(env, path), "lockctl backup")
    data = open(path, "rb").read()
    fresh_daemon(env)
    env.add_code("Bob", PIN3)
    before = dump(env)

    refused(restore(env, path, "--force", passphrase="wrong horse battery"), "wrong passphrase",
            "Wrong passphrase")
    eq(dump(env), before, "state after a wrong passphrase")

    bad = os.path.join(env.workdir, "bad.backup")
    cases = [("truncated", data[:len(data) // 2], "damaged"),
             ("cut by one byte", data[:-1], "damaged"),
             ("empty", b"", "not a doorlockd backup"),
             ("flipped header byte", data[:20] + bytes([data[20] ^ 1]) + data[21:], "damaged"),
             ("flipped payload byte", data[:200] + bytes([data[200] ^ 0x80]) + data[201:], "damaged"),
             ("flipped last byte", data[:-1] + bytes([data[-1] ^ 1]), "damaged"),
             ("newer format", reseal(data[:8] + b"\x00\x02" + data[10:]), "newer doorlockd")]
    for what, content, text in cases:
        with open(bad, "wb") as f:
            f.write(content)
        refused(restore(env, bad, "--force"), what, text)
        eq(dump(env), before, f"state after {what}")
    check(not os.path.exists(os.path.join(env.daemon.state_dir, "restore.new")), "no stage left behind")
    eq(env.enter(PIN3).member, "AccessGranted", "Bob still opens")
    env.wait_unlocked()
    env.lock()
    events = [e[2] for e in env.get_log()]
    check(events.count("restore-refused") == 1 + len(cases), f"refusals logged: {events}")


@suite.case("restore onto a lock with codes needs --force, which replaces them")
def _(env):
    env.need_lockctl("restore")
    env.add_code("Alice", PIN1)
    path = os.path.join(env.workdir, "lock.backup")
    ok(backup(env, path), "lockctl backup")
    fresh_daemon(env)
    env.add_code("Bob", PIN3)
    before = dump(env)
    refused(restore(env, path), "restore onto a lock with a code", "already has 1 codes")
    eq(dump(env), before, "state after refusal")
    m = env.mark()
    ok(restore(env, path, "--force"), "restore --force")
    env.wait_signal("InterfacesRemoved", since=m)
    eq(sorted(c["Name"] for c in env.codes().values()), ["Alice"], "codes after restore --force")
    eq(env.enter(PIN3).member, "AccessDenied", "Bob's PIN no longer opens")


@suite.case("lockctl backup: never overwrites, refuses a short passphrase, leaves no file on failure")
def _(env):
    env.need_lockctl("backup")
    path = os.path.join(env.workdir, "exists")
    with open(path, "w") as f:
        f.write("keep me")
    refused(backup(env, path), "backup over an existing file", "does not overwrite")
    eq(open(path).read(), "keep me", "existing file")
    short = os.path.join(env.workdir, "short.backup")
    refused(backup(env, short, passphrase="short"), "short passphrase", "at least 8")
    check(not os.path.exists(short), "no file after a refused backup")
    p = env.lockctl("backup", short, input="")
    eq(p.returncode, 2, f"no passphrase on stdin: {p.stderr!r}")
    check(not os.path.exists(short), "no file without a passphrase")


@suite.case("Backup/Restore over D-Bus: only regular files, only new empty ones, only known options")
def _(env):
    r, w = os.pipe()
    try:
        env.refused([INVALID_ARGS], env.call, "Backup", dbus.types.UnixFd(w), PASS, sig="hs")
        env.refused([INVALID_ARGS], env.call, "Restore", dbus.types.UnixFd(r), PASS, {}, sig="hsa{sv}")
    finally:
        os.close(r)
        os.close(w)
    path = os.path.join(env.workdir, "full")
    with open(path, "w") as f:
        f.write("x")
    fd = os.open(path, os.O_RDWR)
    try:
        env.refused([INVALID_ARGS], env.call, "Backup", dbus.types.UnixFd(fd), PASS, sig="hs")
        env.refused([INVALID_ARGS], env.call, "Restore", dbus.types.UnixFd(fd), PASS,
                    {"Overwrite": dbus.Boolean(True, variant_level=1)}, sig="hsa{sv}")
        env.refused([INVALID_ARGS], env.call, "Restore", dbus.types.UnixFd(fd), PASS,
                    {"Force": dbus.String("yes", variant_level=1)}, sig="hsa{sv}")
    finally:
        os.close(fd)
    eq(open(path).read(), "x", "file untouched")
    ro = os.open(path, os.O_RDONLY)
    try:
        env.refused([INVALID_ARGS], env.call, "Backup", dbus.types.UnixFd(ro), PASS, sig="hs")
    finally:
        os.close(ro)
    new = os.path.join(env.workdir, "new")
    fd = os.open(new, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        env.refused([ERR + "WeakPassphrase"], env.call, "Backup", dbus.types.UnixFd(fd), "1234567", sig="hs")
        size = env.call("Backup", dbus.types.UnixFd(fd), PASS, sig="hs", timeout=60)
    finally:
        os.close(fd)
    eq(os.path.getsize(new), size, "size returned")


def admins_only(env, denied):
    env.need_lockctl("backup")
    env.add_code("Alice", PIN1)
    d = tempfile.mkdtemp(dir=env.workdir)
    os.chmod(d, 0o777)
    path = os.path.join(d, "b")
    for user in (OBSERVER, NOBODY):
        p = env.lockctl("backup", path, user=user, input=PASS + "\n")
        check(p.returncode == 1 and any(t in p.stderr.lower() for t in denied),
              f"backup as {user}: {p.returncode} {p.stderr!r}")
        check(not os.path.exists(path), f"file left by a refused backup as {user}")
    ok(backup(env, path), "backup as root")
    os.chmod(path, 0o644)
    before = dump(env)
    for user in (OBSERVER, NOBODY):
        p = env.lockctl("restore", "--force", path, user=user, input=PASS + "\n")
        check(p.returncode == 1 and any(t in p.stderr.lower() for t in denied),
              f"restore as {user}: {p.returncode} {p.stderr!r}")
    eq(dump(env), before, "state after refused restores")


@suite.case("Backup and Restore are for admins only (project bus policy)", root=True)
def _(env):
    admins_only(env, ("administrators", "rejected send message"))


@suite.case("Backup and Restore are for admins only (the daemon's own check: open bus)", root=True, bus="open")
def _(env):
    admins_only(env, ("administrators",))


if __name__ == "__main__":
    suite.run()
