#!/usr/bin/env python3
"""Walks docs/getting-started.md as a newcomer would: every ```sh block of the page, in order,
exactly as written.

A block that uses sudo runs as root (this script must be run as root: it installs the package
the page builds); every other block runs as an ordinary user (nobody, uid 65534) in an empty
temporary home, with a login's small environment, consecutive blocks in one shell, so a
variable or a `cd` carries on as it would in the reader's terminal. The `make install` block is
the page's other way to install: the package is the one walked (an unprivileged release build
of both executables again would double CI's build time), and the walk says so.

Between blocks it does what the reader does by hand: opens the page `accounts serve` shows for
the link the page prints and presses its button (an HTTP client, as a browser would: GET, then
the form's POST); runs the crontab line the page prints the way cron would (`/bin/sh -c` in the
home directory with cron's PATH), which must succeed and print nothing; and at the end checks
that both users the page registers are active. A block the walk does not recognise fails it,
so the page cannot grow a step nobody runs.

    Tests/docs/getting_started.py [--page docs/getting-started.md] [--repo .]

Exit 0 when the page works; 77 (skipped, loudly) when not run as root; 1 otherwise. It leaves
the package installed: scripts/check-deb.sh, which runs it, removes and purges it.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NOBODY = 65534
# cron's environment (Debian's cron: PATH=/usr/bin:/bin, HOME and LOGNAME from passwd).
CRON_PATH = "/usr/bin:/bin"


def sh_blocks(page):
    """The ```sh blocks of a Markdown page, in order."""
    return re.findall(r"^```sh\n(.*?)^```$", page, flags=re.S | re.M)


def classify(block):
    if re.search(r"^make install\b", block, flags=re.M):
        return "skip"
    if re.search(r"\bsudo\b", block):
        return "root"
    return "user"


# What the reader does after a block, by what the block does; each must happen once.
CLICK = r"""
page=$(tail -n 1 "$WALK_OUT")
case "$page" in http://127.0.0.1:8000/*) ;; *) echo "walk: the page printed no local link: $page" >&2; exit 1;; esac
python3 "$WALK_CLICK" "$page" kim
"""

CRON = r"""
line=$(tail -n 1 "$WALK_OUT")
case "$line" in "17 3 * * *  "*) ;; *) echo "walk: no crontab line printed: $line" >&2; exit 1;; esac
command=${line#"17 3 * * *  "}
echo "walk: running as cron would: $command" >&2
cron_out=$(cd "$HOME" && env -i HOME="$HOME" LOGNAME="$LOGNAME" SHELL=/bin/sh PATH=%s /bin/sh -c "$command" 2>&1) || {
    echo "walk: the crontab line failed ($?): $cron_out" >&2; exit 1; }
[ -z "$cron_out" ] || { echo "walk: the crontab line printed (cron would mail it): $cron_out" >&2; exit 1; }
""" % CRON_PATH

AFTER = [
    (re.compile(r"^accounts serve &", re.M), "the page opened and its button pressed", CLICK),
    (re.compile(r"^echo \"17 3 \* \* \*", re.M), "the crontab line run as cron runs it", CRON),
]

FINALLY = r"""
cd ~/accounts
states=$(accounts list --format csv | cut -d, -f2,4 | tail -n +2 | sort | tr '\n' ' ')
[ "$states" = "hong,active kim,active " ] || { echo "walk: at the end the accounts are: $states" >&2; exit 1; }
"""


def as_nobody(home):
    def demote():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    env = {"HOME": str(home), "USER": "nobody", "LOGNAME": "nobody", "SHELL": "/bin/sh",
           "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    return demote, env


def sudo_shim(directory):
    """sudo for a machine (a CI container) that has none: `sudo CMD` and `sudo -u USER CMD`."""
    if shutil.which("sudo"):
        return None
    shim = directory / "sudo"
    shim.write_text('#!/bin/sh\nif [ "$1" = -u ]; then user=$2; shift 2; '
                    'exec setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; fi\nexec "$@"\n')
    shim.chmod(0o755)
    return directory


def run(script, *, cwd, out, user_home=None, extra_path=None):
    """Runs one shell script, as root or as nobody; returns its exit status."""
    kwargs = {"cwd": cwd, "stdout": out, "stderr": None, "stdin": subprocess.DEVNULL, "start_new_session": True}
    if user_home is not None:
        demote, env = as_nobody(user_home)
        kwargs.update(preexec_fn=demote, env=env)
    else:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if extra_path:
            env["PATH"] = f"{extra_path}:{env['PATH']}"
        kwargs["env"] = env
    process = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script], **kwargs)
    try:
        return process.wait(timeout=1800)
    finally:
        # Whatever the page left running (a server the walk did not get to stop) goes too.
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", default="docs/getting-started.md")
    parser.add_argument("--repo", default=".")
    arguments = parser.parse_args()
    repo = Path(arguments.repo).resolve()
    if os.geteuid() != 0:
        print("getting_started: SKIPPED: run as root (the page installs a package; the rest runs as nobody)", file=sys.stderr)
        return 77
    blocks = sh_blocks((repo / arguments.page).read_text())
    if not blocks:
        print(f"getting_started: no sh blocks in {arguments.page}", file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="walk-"))
    try:
        work.chmod(0o755)
        home = work / "home"
        home.mkdir(mode=0o755)
        os.chown(home, NOBODY, NOBODY)
        out_path = work / "stdout"
        out_path.touch()
        os.chown(out_path, NOBODY, NOBODY)
        click = work / "click.py"
        shutil.copy(Path(__file__).with_name("click.py"), click)
        click.chmod(0o644)
        (work / "bin").mkdir()
        shims = sudo_shim(work / "bin")

        # Consecutive blocks of one kind run in one shell; each kind's shells start where the
        # reader would: root's in the clone, the user's in the home directory.
        segments, hooks_done = [], set()
        for number, block in enumerate(blocks, 1):
            kind = classify(block)
            if kind == "skip":
                print(f"getting_started: block {number} not run (the other way to install; the package is walked):\n{block}", file=sys.stderr)
                continue
            text = f'echo "walk: block {number} ({kind})" >&2\n{block}'
            for pattern, what, hook in AFTER:
                if pattern.search(block):
                    text += f'\necho "walk: {what}" >&2\n{hook}'
                    hooks_done.add(what)
            if segments and segments[-1][0] == kind:
                segments[-1][1].append(text)
            else:
                segments.append((kind, [text]))
        missing = [what for _, what, _ in AFTER if what not in hooks_done]
        if missing:
            print(f"getting_started: the page no longer has the step for: {', '.join(missing)}", file=sys.stderr)
            return 1
        user_segments = [i for i, (kind, _) in enumerate(segments) if kind == "user"]
        if not user_segments:
            print("getting_started: the page has nothing for an ordinary user", file=sys.stderr)
            return 1
        segments[user_segments[-1]][1].append(FINALLY)

        prologue_user = (f'export WALK_OUT={out_path} WALK_CLICK={click}\n'
                         'trap \'kill $(jobs -p) 2>/dev/null || true\' EXIT\ncd "$HOME"\n')
        with open(out_path, "w") as out:
            for kind, texts in segments:
                script = "\n".join(texts)
                if kind == "user":
                    status = run(prologue_user + script, cwd=home, out=out, user_home=home)
                else:
                    status = run(script, cwd=repo, out=out, extra_path=shims)
                if status != 0:
                    out.flush()
                    print(f"getting_started: FAILED ({kind} shell, exit {status}); its stdout:\n{out_path.read_text()}", file=sys.stderr)
                    return 1
        print("getting_started: ok: every step of the page worked as written", file=sys.stderr)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
