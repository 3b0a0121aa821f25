"""Time and peak memory of scanning the hostile repository (tests/hostile_repo.py).

Each scan runs in a child process with the network off (the test guard); its peak memory is
read with resource.getrusage(RUSAGE_CHILDREN). The bar: under a minute and under 1 GB.

    python benchmarks/hostile.py            # one scan
    python benchmarks/hostile.py --repeat 5 # a bounded soak: five scans, identical output each time

The repository includes valid Terraform and YAML files just under its 1 MiB size limit (the
slowest input a limit lets through: about 13 s and 300 MB for a 1 MiB .tf file); --small
leaves them out.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import hostile_repo  # noqa: E402

LIMIT_SECONDS = 60
LIMIT_BYTES = 1024**3


def measure(root: Path, env: dict[str, str], extra: tuple[str, ...]) -> tuple[float, int, bytes]:
    """One scan in a fresh child: wall seconds, peak resident bytes, the JSON report."""
    start = time.perf_counter()
    done = hostile_repo.scan(root, env, *extra, timeout=LIMIT_SECONDS * 5)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"scan failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    # children are measured one at a time, so the running maximum is this child's peak
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # kilobytes on Linux
    return seconds, peak, done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="scans to run (default 1)")
    parser.add_argument("--jobs", help="pass --jobs to tcop-lint (when it has the option)")
    parser.add_argument("--small", action="store_true", help="leave out the valid files just under the size limit")
    args = parser.parse_args(argv)
    extra = ("--jobs", args.jobs) if args.jobs else ()
    with tempfile.TemporaryDirectory(prefix="tcop-hostile-") as folder:
        base = Path(folder)
        made = hostile_repo.build(base / "repo", base / "outside", big=not args.small)
        env, record = hostile_repo.guard(base / "guard", made.outside)
        runs, outputs = [], set()
        for _ in range(max(1, args.repeat)):
            seconds, peak, output = measure(made.root, env, extra)
            runs.append({"seconds": round(seconds, 2), "peak_rss_mb": round(peak / 1024**2, 1)})
            outputs.add(output)
        report = json.loads(next(iter(outputs)))
        reported = {p["file"] for p in report["problems"]}
        reached = hostile_repo.reached(record)
        summary = {
            "runs": runs,
            "files_scanned": report["files_scanned"],
            "problems": len(report["problems"]),
            "findings": len(report["findings"]),
            "crashes": len(report["crashes"]),
            "unreported_bad_files": sorted(made.reported - reported),
            "identical_output": len(outputs) == 1,
            "network_attempts": sum(1 for kind, _ in reached if kind == "network"),
            "reads_outside_root": sum(1 for kind, _ in reached if kind == "outside"),
        }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    worst_seconds = max(r["seconds"] for r in runs)
    worst_bytes = max(r["peak_rss_mb"] for r in runs) * 1024**2
    ok = (
        worst_seconds < LIMIT_SECONDS
        and worst_bytes < LIMIT_BYTES
        and summary["identical_output"]
        and not summary["crashes"]
        and not summary["unreported_bad_files"]
        and not summary["network_attempts"]
        and not summary["reads_outside_root"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
