"""Findings of two tcop-lint versions on the same repositories, side by side.

    python benchmarks/compare_versions.py OLD_SOURCE NEW_SOURCE REPO [REPO ...]

OLD_SOURCE and NEW_SOURCE are source trees of tcop-lint (e.g. a `git worktree` of an older
commit and this checkout); both run in this interpreter, which must have the dependencies of
both. Each repository is scanned whole with every check, without the cache. Prints, per
repository, how many findings are the same, how many differ only in address (and so in
fingerprint), and lists the ones only one version reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path


def findings(source: Path, repository: Path) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    code = "import sys; from tcop_lint.cli import main; sys.argv[0] = 'tcop-lint'; main()"
    args = [sys.executable, "-c", code, "scan", str(repository), "--format", "json", "--no-cache", "--fail-on", "never"]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=source)
    if not done.stdout.strip():
        raise SystemExit(f"{source} on {repository}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)["findings"]


def place(f: dict) -> tuple:
    return (f["id"], f.get("file"), (f.get("line") or 0), f["message"])


def main(old: Path, new: Path, repositories: list[Path]) -> None:
    for repository in repositories:
        before, after = findings(old, repository), findings(new, repository)
        old_places, new_places = Counter(map(place, before)), Counter(map(place, after))
        same_place = old_places & new_places
        moved = sum(
            1
            for f in after
            if place(f) in same_place
            and f.get("resource") not in {g.get("resource") for g in before if place(g) == place(f)}
        )
        print(f"## {repository.name}: {len(before)} findings before, {len(after)} after")
        print(f"- same check, file, line and message: {sum(same_place.values())} (address changed: {moved})")
        for label, only in (("only before", old_places - new_places), ("only after", new_places - old_places)):
            print(f"- {label}: {sum(only.values())}")
            for (check, file, line, message), count in sorted(only.items(), key=str)[:40]:
                print(f"    {check} {file}:{line} {message[:150]}" + (f" (x{count})" if count > 1 else ""))


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), [Path(p).resolve() for p in sys.argv[3:]])
