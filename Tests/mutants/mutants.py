#!/usr/bin/env python3
"""make mutants: one-line mutations of the code that matters, each of which some test must catch.

There is no mutation tool for Swift on Linux in the registries here, so this is ours, and short.
It reads mutants.txt (beside it), copies the tree into .build/mutants/tree (never touching the
working tree; the copy's own .build persists, so runs after the first build incrementally),
checks that the copy's tests pass unmutated, then for each mutant: replaces its line, builds,
runs its test filter, puts the line back. A mutant is

    killed      its tests failed (or did not finish in time): the suite catches it;
    survived    its tests passed: a rule is broken and nothing noticed. Add the test that fails;
    equivalent  marked so in the list, with the reason it cannot change behaviour (not run);
    stale       its line is no longer in its file exactly once, or the mutant does not build:
                fix the entry (never drop it silently).

    Tests/mutants/mutants.py [--check] [--list FILE] [--only PATTERN]
    make mutants [MUTANTS=PATTERN]      (PATTERN: a regex on names, or a tag such as smoke)

--check only parses the list and looks for each line (what CI runs, besides MUTANTS=smoke).
The last line is exactly `mutants: K killed, S survived, E equivalent, X stale of N`; the exit
status is 0 only when nothing survived and nothing is stale.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COPY = ROOT / ".build" / "mutants" / "tree"
FIELDS = {"name", "file", "line", "with", "test", "tags", "equivalent"}
TEST_TIMEOUT = 900


class Mutant:
    def __init__(self, fields, where):
        self.where = where
        self.name = fields["name"]
        self.file = fields["file"]
        self.line = fields["line"]
        self.replacement = fields["with"]
        self.test = fields.get("test", "")
        self.tags = fields.get("tags", "").split()
        self.equivalent = fields.get("equivalent")

    def selected(self, pattern):
        return not pattern or pattern in self.tags or re.search(pattern, self.name) is not None


def parse(path):
    """Entries are blocks of `key: value` lines separated by blank lines; # starts a comment.
    A value keeps its leading spaces after the ": " (the line's indentation does not matter:
    lines are compared without it, and the replacement takes the original's)."""
    mutants, errors, fields, start = [], [], {}, 0
    lines = path.read_text().split("\n") + [""]
    for number, text in enumerate(lines, 1):
        if text.startswith("#"):
            continue
        if not text.strip():
            if fields:
                missing = {"name", "file", "line", "with"} - fields.keys()
                if not fields.get("test") and "equivalent" not in fields:
                    missing.add("test")
                if missing:
                    errors.append(f"{path.name}:{start}: missing {', '.join(sorted(missing))}")
                elif fields["line"].strip() == fields["with"].strip():
                    errors.append(f"{path.name}:{start}: {fields['name']}: the replacement is the line itself")
                else:
                    mutants.append(Mutant(fields, f"{path.name}:{start}"))
                fields = {}
            continue
        key, sep, value = text.partition(": ")
        if not sep or key not in FIELDS:
            errors.append(f"{path.name}:{number}: not `key: value` with a key among {', '.join(sorted(FIELDS))}: {text!r}")
            continue
        if key in fields:
            errors.append(f"{path.name}:{number}: {key} given twice")
        if not fields:
            start = number
        fields[key] = value
    names = [m.name for m in mutants]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"{path.name}: the name {name} is used twice")
    return mutants, errors


def locate(mutant, root):
    """(file lines, index of the mutant's line) or a reason it is stale."""
    path = root / mutant.file
    if not path.is_file():
        return None, f"{mutant.file} does not exist"
    lines = path.read_text().split("\n")
    found = [i for i, text in enumerate(lines) if text.strip() == mutant.line.strip()]
    if len(found) != 1:
        return None, f"its line is in {mutant.file} {len(found)} times, not once"
    return (lines, found[0]), None


def sync_copy():
    """The working tree's files (tracked and new, as they are on disk) into COPY; a file is
    rewritten only when it differs, so the copy's build stays incremental."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    wanted = {name for name in listed if name and (ROOT / name).is_file()}
    COPY.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        source, target = ROOT / name, COPY / name
        data = source.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            shutil.copymode(source, target)
    for path in COPY.rglob("*"):
        relative = path.relative_to(COPY)
        if relative.parts[0] == ".build" or path.is_dir():
            continue
        if str(relative) not in wanted:
            path.unlink()


def environment():
    env = dict(os.environ)
    python = ROOT / ".venv" / "bin" / "python"
    if python.exists():
        env.setdefault("ACCOUNTS_TEST_PYTHON", str(python))
    django61 = ROOT / ".venv" / "django-6.1"
    if django61.exists():
        env.setdefault("ACCOUNTS_TEST_DJANGO61", str(django61))
    return env


def build():
    result = subprocess.run(["swift", "build", "--build-tests"], cwd=COPY, capture_output=True, text=True, env=environment())
    return result.returncode == 0, result.stdout + result.stderr


def run_tests(test_filter):
    """(passed, what it said at the end)."""
    try:
        result = subprocess.run(["swift", "test", "--skip-build", "--disable-swift-testing", "--filter", test_filter], cwd=COPY,
                                capture_output=True, text=True, timeout=TEST_TIMEOUT, env=environment())
    except subprocess.TimeoutExpired:
        return False, f"did not finish in {TEST_TIMEOUT} s"
    output = result.stdout + result.stderr
    executed = re.findall(r"Executed (\d+) tests?, with (\d+) failures?", output)
    if result.returncode == 0 and (not executed or executed[-1][0] == "0"):
        return True, "the filter matched no test"
    failed = [line for line in output.split("\n") if ": error: " in line]
    summary = f"{executed[-1][1]} failures in {executed[-1][0]} tests" if executed else f"exit {result.returncode}"
    return result.returncode == 0, summary + (f"; first: {failed[0].split(': error: ', 1)[1][:160]}" if failed else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", default=str(HERE / "mutants.txt"))
    parser.add_argument("--only", default=os.environ.get("MUTANTS", ""), help="a regex on names, or a tag (smoke)")
    parser.add_argument("--check", action="store_true", help="check the list and its lines; run nothing")
    arguments = parser.parse_args()

    mutants, errors = parse(Path(arguments.list))
    for error in errors:
        print(f"mutants: {error}", file=sys.stderr)
    if errors:
        return 2
    stale_lines = {m.name: reason for m in mutants for _, reason in [locate(m, ROOT)] if reason}
    if arguments.check:
        for name, reason in stale_lines.items():
            print(f"stale      {name}: {reason}")
        print(f"mutants: the list holds {len(mutants)} ({sum(1 for m in mutants if m.equivalent)} equivalent), "
              f"{len(stale_lines)} stale")
        return 1 if stale_lines else 0

    chosen = [m for m in mutants if m.selected(arguments.only)]
    if not chosen:
        print(f"mutants: none matches {arguments.only!r}", file=sys.stderr)
        return 2
    started = time.monotonic()
    print(f"mutants: copying the tree to {COPY.relative_to(ROOT)} and building it", file=sys.stderr)
    sync_copy()
    built, log = build()
    if not built:
        print(f"mutants: the unmutated copy does not build:\n{log[-3000:]}", file=sys.stderr)
        return 2
    to_run = [m for m in chosen if not m.equivalent and m.name not in stale_lines]
    filters = sorted({m.test for m in to_run})
    if filters:
        passed, said = run_tests("|".join(f"({f})" for f in filters))
        if not passed:
            print(f"mutants: the tests fail without any mutant ({said}); fix that first", file=sys.stderr)
            return 2

    counts = {"killed": 0, "survived": 0, "equivalent": 0, "stale": 0}
    for mutant in chosen:
        if mutant.name in stale_lines:
            verdict, why = "stale", stale_lines[mutant.name]
        elif mutant.equivalent:
            verdict, why = "equivalent", mutant.equivalent
        else:
            (lines, index), _ = locate(mutant, COPY)
            path = COPY / mutant.file
            original = path.read_text()
            indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
            lines[index] = indent + mutant.replacement.strip()
            path.write_text("\n".join(lines))
            try:
                built, log = build()
                if not built:
                    first = next((line for line in log.split("\n") if "error:" in line), log[-300:])
                    verdict, why = "stale", f"does not build: {first.strip()[:200]}"
                else:
                    passed, said = run_tests(mutant.test)
                    verdict, why = ("survived", f"{mutant.test}: {said}") if passed else ("killed", said)
            finally:
                path.write_text(original)
        counts[verdict] += 1
        print(f"{verdict.upper() if verdict == 'survived' else verdict:<10} {mutant.name}: {why}", flush=True)
    minutes = (time.monotonic() - started) / 60
    print(f"mutants: {len(chosen)} in {minutes:.1f} min", file=sys.stderr)
    print(f"mutants: {counts['killed']} killed, {counts['survived']} survived, {counts['equivalent']} equivalent, "
          f"{counts['stale']} stale of {len(chosen)}")
    return 0 if counts["survived"] == 0 and counts["stale"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
