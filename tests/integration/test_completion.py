# SPDX-License-Identifier: GPL-2.0-or-later
"""bash completion for lockctl (cli/completion/lockctl.bash): run bash with
the script sourced, COMP_WORDS/COMP_CWORD set as bash sets them, call
_lockctl and check COMPREPLY.  Verbs, sub-verbs and each command's options
are checked against what the built lockctl's --help lists
(lockctl_help.py), mode and day names, files for backup/restore and the
file options, and code names and issuer ids from the daemon on the private
bus (and nothing, quickly, when the daemon is not reachable)."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lockctl_help  # noqa: E402
from harness import LOCKCTL, PIN1, PIN2, SOURCE_ROOT, Skip, Suite, check, eq  # noqa: E402

COMPLETION = os.path.join(SOURCE_ROOT, "cli", "completion", "lockctl.bash")

# Sources the script, sets the words (the arguments after the script) as
# bash does for "lockctl WORD... CUR<TAB>", calls the function and prints
# COMPREPLY NUL-separated.
DRIVER = r'''
source "$1" || exit 90
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
spec=$(complete -p lockctl) || exit 91
[[ $spec == *"-F _lockctl "* ]] || exit 92
_lockctl lockctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 93
printf '%s\0' "${COMPREPLY[@]}"
'''

suite = Suite("completion")


def complete(env, *words, address=None, timeout=20):
    """COMPREPLY for "lockctl WORDS..." (the last word is the one being
    completed, "" for a new one)."""
    e = dict(os.environ)
    e["DBUS_SYSTEM_BUS_ADDRESS"] = address or env.bus.address
    e.pop("NOTIFY_SOCKET", None)
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", DRIVER, "bash", COMPLETION, LOCKCTL, *words],
                       capture_output=True, env=e, timeout=timeout)
    check(p.returncode == 0, f"completion of {words!r}: bash exit status {p.returncode}: {p.stderr!r}")
    out = p.stdout.decode()
    return [w for w in out.split("\0") if w] if out else []


def need_completion():
    if not os.access(LOCKCTL, os.X_OK):
        raise Skip(f"lockctl is not built ({LOCKCTL})")


_commands = None


def commands():
    global _commands
    if _commands is None:
        _commands = lockctl_help.all_commands(LOCKCTL)
    return _commands


@suite.case("every verb and sub-verb from lockctl --help completes, and no other", daemon=False)
def _(env):
    need_completion()
    paths, _helps = commands()
    check(len(paths) >= 20, f"only {len(paths)} commands in lockctl --help")
    children = {}
    for p in paths:
        for k in range(len(p)):
            children.setdefault(p[:k], set()).add(p[k])
    for parent, words in sorted(children.items()):
        got = set(complete(env, *parent, ""))
        missing = words - got
        check(not missing, f"'lockctl {' '.join(parent)} <TAB>' lacks {sorted(missing)} (got {sorted(got)})")
        if parent == ():
            # Top level: exactly lockctl's verbs.
            eq(sorted(got), sorted(words), "verbs offered at the top level")
    # A prefix narrows the list.
    eq(sorted(complete(env, "lo")), ["lock", "lockout", "log"], "'lockctl lo<TAB>'")
    eq(complete(env, "code", "ed"), ["edit"], "'lockctl code ed<TAB>'")
    eq(complete(env, "emergency", "issuer", "r"), ["remove"], "'lockctl emergency issuer r<TAB>'")


@suite.case("every option of every command from its --help completes", daemon=False)
def _(env):
    need_completion()
    paths, helps = commands()
    checked = 0
    for p in sorted(paths | {()}):
        # -h is the short form of --help, which is offered instead.
        want = lockctl_help.options_of(helps[p], p) - {"-h"}
        got = set(complete(env, *p, "-"))
        missing = want - got
        check(not missing, f"'lockctl {' '.join(p)} -<TAB>' lacks {sorted(missing)} (got {sorted(got)})")
        checked += len(want)
    check(checked >= 40, f"only {checked} options found in the help texts")
    eq(complete(env, "code", "add", "Alice", "--one"), ["--one-time"], "'code add Alice --one<TAB>'")
    eq(complete(env, "--js"), ["--json"], "'lockctl --js<TAB>'")
    # Options and their values before the cursor are skipped.
    check("--follow" in complete(env, "--json", "log", "--since", "today", "-n", "5", "--"),
          "options after 'log --since today -n 5'")


@suite.case("mode names, day names, option values", daemon=False)
def _(env):
    need_completion()
    eq(sorted(complete(env, "mode", "")), ["normal", "passage", "privacy"], "'lockctl mode <TAB>'")
    eq(sorted(complete(env, "mode", "p")), ["passage", "privacy"], "'lockctl mode p<TAB>'")
    eq(complete(env, "mode", "normal", ""), [], "'lockctl mode normal <TAB>'")
    days = complete(env, "code", "add", "Alice", "--days", "")
    for d in ("mon", "sun", "daily", "weekdays", "weekends"):
        check(d in days, f"--days <TAB> lacks {d}: {days}")
    eq(sorted(complete(env, "code", "add", "Alice", "--days", "we")), ["wed", "wednesday", "weekdays", "weekends"],
       "--days we<TAB>")
    eq(complete(env, "code", "add", "Alice", "--pin", ""), ["-"], "--pin <TAB>")
    check("now" in complete(env, "log", "--since", ""), "--since <TAB> offers now")
    eq(complete(env, "unlock", "--for", ""), [], "--for <TAB> (a duration: nothing to offer)")


@suite.case("files for backup, restore, --secret-file and --output", daemon=False)
def _(env):
    need_completion()
    d = os.path.join(env.workdir, "files")
    os.makedirs(d)
    for name in ("lock.backup", "lock.bak2", "other"):
        open(os.path.join(d, name), "w").close()
    prefix = os.path.join(d, "lock.")
    want = [os.path.join(d, "lock.backup"), os.path.join(d, "lock.bak2")]
    eq(sorted(complete(env, "backup", prefix)), want, "backup FILE<TAB>")
    eq(sorted(complete(env, "restore", "--force", prefix)), want, "restore --force FILE<TAB>")
    eq(sorted(complete(env, "emergency", "--offline", "--secret-file", prefix)), want, "--secret-file FILE<TAB>")
    eq(sorted(complete(env, "emergency", "issuer", "add", "Phone", "--output", prefix)), want,
       "--output FILE<TAB>")
    eq(complete(env, "backup", os.path.join(d, "lock.backup"), ""), [], "backup takes one file")


@suite.case("code names and issuer ids come from the daemon")
def _(env):
    need_completion()
    env.add_code("Alice", PIN1)
    env.add_code("Bob Smith", PIN2)
    for verb in ("show", "edit", "enable", "disable", "remove"):
        eq(sorted(complete(env, "code", verb, "")), ["Alice", "Bob\\ Smith"], f"'lockctl code {verb} <TAB>'")
    eq(complete(env, "code", "show", "Al"), ["Alice"], "'code show Al<TAB>'")
    eq(complete(env, "code", "edit", "Bob"), ["Bob\\ Smith"], "'code edit Bob<TAB>' (quoted for the shell)")
    eq(complete(env, "code", "remove", "Carol"), [], "no such code")
    # Only the first argument is a code.
    check("Alice" not in complete(env, "code", "edit", "Alice", ""), "a second code name after 'code edit Alice'")
    # Issuers: the lock itself (0) and one added now.
    new_id = int(env.call("AddEmergencyIssuer", "Phone", sig="s")[0])
    ids = complete(env, "emergency", "issuer", "remove", "")
    check(str(new_id) in ids, f"issuer {new_id} not offered: {ids}")


@suite.case("no daemon: nothing offered for names, quickly", daemon=False)
def _(env):
    need_completion()
    gone = "unix:path=" + os.path.join(env.workdir, "no-such-bus")
    t0 = time.monotonic()
    eq(complete(env, "code", "show", "", address=gone), [], "names with no bus")
    took = time.monotonic() - t0
    check(took < 3.0, f"completion took {took:.1f} s with no bus")
    # The bus is there but nobody owns the daemon's name.
    eq(complete(env, "code", "remove", ""), [], "names with no daemon on the bus")
    eq(sorted(complete(env, "code", "")), ["add", "disable", "edit", "enable", "list", "remove", "show"],
       "sub-verbs need no daemon")


suite.run()
