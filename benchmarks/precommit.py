"""Time the pre-commit hook's command as pre-commit runs it: a whole process per commit.

    python benchmarks/precommit.py [--runs N] [REPOSITORY FILE...]

Without arguments it scans three files of examples/service-repo (a Terraform file, a
Kubernetes manifest and an OpenAPI document). It prints the median wall time of N runs of
``tcop-lint scan --quiet --kinds terraform,kubernetes,openapi FILE...`` (the hook's entry)
against the 0.5 s target; the exit code of the scan itself is ignored.

Run it with the Python of a plain ``pip install .`` (what pre-commit builds): with the test
extras installed, jsonschema also imports rfc3987-syntax, which alone adds about a second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "service-repo"
DEFAULT_FILES = ("infra/aws/main.tf", "k8s/deployment.yaml", "api/openapi.yaml")
ENTRY = ("scan", "--quiet", "--kinds", "terraform,kubernetes,openapi")


def time_runs(repository: Path, files: list[str], runs: int) -> list[float]:
    command = [sys.executable, "-m", "tcop_lint", *ENTRY, *files]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=repository, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("repository", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("files", nargs="*", default=list(DEFAULT_FILES))
    args = parser.parse_args(argv)
    time_runs(args.repository, args.files, 1)  # warm the file cache and .pyc files
    times = time_runs(args.repository, args.files, args.runs)
    median = statistics.median(times)
    verdict = "within" if median <= TARGET_SECONDS else "OVER"
    print(
        f"tcop-lint pre-commit hook on {len(args.files)} files: median {median:.3f} s of {args.runs} runs "
        f"(min {min(times):.3f} s, max {max(times):.3f} s); {verdict} the {TARGET_SECONDS} s target"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
