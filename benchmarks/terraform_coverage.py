"""How much of a repository's Terraform two tcop-lint versions evaluate, side by side.

    python benchmarks/terraform_coverage.py OLD_SOURCE NEW_SOURCE REPO [REPO ...]

OLD_SOURCE and NEW_SOURCE are tcop-lint source trees (a `git worktree` of an older commit and
this checkout); both run in this interpreter. For each repository and version it loads the
Terraform as a scan does (no cache) and counts the resources judged, the attribute values known
and unknown, and, where the version has them, resources in module calls, count/for_each
instances, resources with conditional variants, and module calls by what could be read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROBE = r"""
import json, sys, time
from pathlib import Path
from tcop_lint.core.model import Unresolved, walk
from tcop_lint.core.settings import Settings
from tcop_lint.discover.discovery import discover
from tcop_lint.assemble.assembly import load_documents

root = Path(sys.argv[1])
scope = discover([str(root)], root=root)
started = time.process_time()
documents = load_documents(scope, Settings(), jobs=1, cache=None, with_repository=False)
seconds = time.process_time() - started
counts = {"resources": 0, "known": 0, "unknown": 0, "in_module_calls": 0, "instances": 0, "with_variants": 0,
          "calls_local": 0, "calls_installed": 0, "calls_not_read": 0}
calls = set()
for module in documents.terraform:
    for call in getattr(module, "calls", ()):
        key = (call.block.file, call.block.position.line)
        if key not in calls:
            calls.add(key)
            kind = "calls_not_read" if call.directory is None else "calls_installed" if call.installed else "calls_local"
            counts[kind] += 1
    for resource in module.resources:
        if resource.block.block_type != "resource":
            continue
        counts["resources"] += 1
        counts["in_module_calls"] += bool(getattr(resource, "module_address", ""))
        counts["instances"] += bool(getattr(resource, "instance_key", ""))
        counts["with_variants"] += bool(getattr(resource, "variants", ()))
        for _, value in walk(resource.block.body.data):
            if isinstance(value, Unresolved):
                counts["unknown"] += 1
            elif not isinstance(value, (dict, list)):
                counts["known"] += 1
counts["assembly_cpu_seconds"] = round(seconds, 2)
print(json.dumps(counts))
"""


def probe(source: Path, repository: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(repository)], capture_output=True, text=True, env=env, cwd=source
    )
    if done.returncode != 0:
        raise SystemExit(f"{source} on {repository}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main(old: Path, new: Path, repositories: list[Path]) -> None:
    for repository in repositories:
        started = time.monotonic()
        before, after = probe(old, repository), probe(new, repository)
        print(f"## {repository.name} ({time.monotonic() - started:.0f} s)")
        print(f"| measure | {old.name} | {new.name} |\n|---|---:|---:|")
        for key in after:
            print(f"| {key} | {before.get(key, '-')} | {after[key]} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), [Path(p).resolve() for p in sys.argv[3:]])
