# SPDX-License-Identifier: GPL-2.0-or-later
"""What the built lockctl says it knows, read from its --help output: every
command path (verb, sub-verb, ...) and every command's options.  Shared by
test_docs.py (the man pages) and test_completion.py (bash completion), so
that both are checked against the binary, not against a copied list.

Help layout this relies on (cli/*.c): command lines are indented by two
spaces, the command words first ("  code add NAME [OPTIONS]    Add a code",
"  lockout status|reset  ..."), then the description after two or more
blanks.  Usage lines start with "lockctl ".  A command's options are listed
after a line "Options:", one per line, indented, each starting with "-"."""

import re
import subprocess

WORD = re.compile(r"^[a-z][a-z-]*(\|[a-z][a-z-]*)*$")
LONG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
SHORT = re.compile(r"(?<![\w-])-[a-zA-Z](?![\w-])")


def run_help(lockctl, path, env=None):
    p = subprocess.run([lockctl, *path, "--help"], capture_output=True, text=True, env=env, timeout=20)
    if p.returncode != 0:
        raise AssertionError(f"lockctl {' '.join(path)} --help: exit status {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def command_words(text):
    """The leading command words of "code add NAME [OPTIONS]", as a list of
    alternatives per word: [["code"], ["add"]]; "lockout status|reset" gives
    [["lockout"], ["status", "reset"]]."""
    out = []
    for tok in text.split():
        if not WORD.match(tok):
            break
        out.append(tok.split("|"))
    return out


def expand(words):
    paths = [()]
    for alts in words:
        paths = [p + (a,) for p in paths for a in alts]
    return paths


def listed_commands(help_text, prefix=()):
    """The command paths a help text lists (two-space indented lines),
    with prefix put in front (a group's help lists "list", meaning
    "code list")."""
    paths = set()
    for line in help_text.split("\n"):
        m = re.match(r"^  ([a-z].*?)(?:\s{2,}.*)?$", line)
        if not m:
            continue
        words = command_words(m.group(1))
        for p in expand(words):
            if p:
                paths.add(tuple(prefix) + p)
    return paths


def all_commands(lockctl, env=None):
    """Every command path, from lockctl --help and, recursively, each
    group's --help.  Returns (paths, helps) with helps[path] the --help
    text of that path."""
    helps = {(): run_help(lockctl, (), env)}
    pending = sorted(listed_commands(helps[()]))
    paths = set()
    while pending:
        path = pending.pop()
        if path in paths:
            continue
        paths.add(path)
        # Every prefix is a command too ("emergency issuer").
        for k in range(1, len(path)):
            if path[:k] not in paths:
                pending.append(path[:k])
        helps[path] = run_help(lockctl, path, env)
        # Only a group's help lists its sub-commands (a leaf's help may be
        # its group's: "lockout status --help" prints the lockout help).
        if any(len(q) > len(path) and q[:len(path)] == path for q in paths | set(pending)):
            for sub in listed_commands(helps[path], path):
                if sub not in paths:
                    pending.append(sub)
    return paths, helps


def options_of(help_text, path):
    """The options of command path: those on its own usage lines ("lockctl
    PATH ..." whose command words are exactly path) and those in its
    "Options:" block."""
    opts = set()
    in_options = False
    for line in help_text.split("\n"):
        if line.startswith("lockctl "):
            words = command_words(line[len("lockctl "):])
            if tuple(w[0] for w in words) == tuple(path) and all(len(w) == 1 for w in words):
                opts.update(LONG.findall(line))
                opts.update(SHORT.findall(line))
            continue
        if line.strip() == "Options:":
            in_options = True
            continue
        if in_options:
            if not line.strip():
                in_options = False
                continue
            first = re.split(r"\s{2,}", line.strip())[0]
            if first.startswith("-"):
                opts.update(LONG.findall(first))
                opts.update(SHORT.findall(first))
    return opts
