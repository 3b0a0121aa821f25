"""What the estate workflow (docs/examples/estate-workflow.yml) costs in GitHub Actions runner
minutes for an organisation, from real scans measured on this machine.

    python benchmarks/estate_cost.py REPO_DIR... [--repositories 1000] [--shards 250] [--json FILE]

Each REPO_DIR is a whole checkout (a git work tree). For each it measures, one at a time, a cold
scan as the workflow runs it (`tcop-lint scan DIR --quiet --fail-on never --format json=FILE
--no-cache`) of a fresh copy. The clone from github.com cannot be measured here (no network):
--clone-seconds (default 10 s per repository, a whole-history clone of a repository of a few
MB) stands for it. It measures once
the install of tcop-lint into a fresh venv, and the merge of as many JSON reports as the
organisation has repositories (the measured reports repeated). The organisation's repositories
are taken to be like the measured ones, in turn.

Billing: GitHub bills each job's time rounded up to the whole minute, on a 2-core Linux runner
(x1) for private repositories. Job start-up and setup-python are not measurable here:
--job-overhead (default 20 s) stands for them; say so when quoting the figure.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIN = HERE.parent


def timed(command: list[str], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start


def measure_repository(source: Path, work: Path, reports: Path, python: str) -> dict[str, float | str]:
    target = work / source.name
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    report = reports / f"{source.name}.json"
    scan = timed(
        [
            python,
            "-m",
            "tcop_lint",
            "scan",
            str(target),
            "--quiet",
            "--fail-on",
            "never",
            "--no-cache",
            "--format",
            f"json={report}",
        ],
        cwd=str(MAIN),
    )
    files = int(
        subprocess.run(["git", "-C", str(target), "ls-files"], capture_output=True, text=True).stdout.count("\n")
    )
    shutil.rmtree(target)
    return {"repository": source.name, "files": files, "scan_s": round(scan, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repositories_dirs", nargs="+", type=Path)
    parser.add_argument("--repositories", type=int, default=1000, help="the organisation's size")
    parser.add_argument("--shards", type=int, default=250, help="the workflow's MAX_SHARDS")
    parser.add_argument(
        "--job-overhead", type=float, default=20.0, help="seconds per job for start-up and setup-python"
    )
    parser.add_argument("--clone-seconds", type=float, default=10.0, help="seconds per clone from github.com")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="estate-cost-") as scratch:
        base = Path(scratch)
        (base / "work").mkdir()
        (base / "reports").mkdir()
        venv = base / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = timed([str(venv / "bin/pip"), "install", "--quiet", str(MAIN)])
        measured = [
            measure_repository(d.resolve(), base / "work", base / "reports", args.python)
            for d in args.repositories_dirs
        ]
        reports = sorted((base / "reports").glob("*.json"))
        many = base / "many"
        many.mkdir()
        for n in range(args.repositories):
            shutil.copy(reports[n % len(reports)], many / f"r{n:05}.json")
        merge = timed(
            [
                args.python,
                "-m",
                "tcop_lint",
                "estate",
                *map(str, sorted(many.glob("*.json"))),
                "--output",
                str(base / "estate.html"),
            ],
            cwd=str(MAIN),
        )
        estate_bytes = (base / "estate.html").stat().st_size

    per_repository = [args.clone_seconds + float(m["scan_s"]) for m in measured]
    size = math.ceil(args.repositories / args.shards)
    jobs = math.ceil(args.repositories / size)
    job_seconds = []
    for job in range(jobs):
        members = range(job * size, min((job + 1) * size, args.repositories))
        job_seconds.append(args.job_overhead + install + sum(per_repository[n % len(per_repository)] for n in members))
    list_minutes = 1
    merge_minutes = math.ceil((args.job_overhead + install + merge) / 60)
    billed = list_minutes + sum(math.ceil(s / 60) for s in job_seconds) + merge_minutes
    summary = {
        "measured": measured,
        "install_s": round(install, 1),
        "merge_s": round(merge, 1),
        "estate_html_bytes": estate_bytes,
        "repositories": args.repositories,
        "shards": jobs,
        "repositories_per_shard": size,
        "job_overhead_s": args.job_overhead,
        "clone_s": args.clone_seconds,
        "median_job_s": round(statistics.median(job_seconds), 1),
        "billed_minutes": billed,
        "wall_minutes_at_20_parallel": round(math.ceil(jobs / 20) * statistics.mean(job_seconds) / 60, 1),
    }
    print("| repository | files | cold scan (s) |\n|---|---|---|")
    for m in measured:
        print(f"| {m['repository']} | {m['files']} | {m['scan_s']} |")
    print(
        f"\ninstall {summary['install_s']} s; merge of {args.repositories} reports {summary['merge_s']} s "
        f"({estate_bytes / 1e6:.1f} MB of HTML)\n{args.repositories} repositories in {jobs} jobs of {size}: "
        f"median job {summary['median_job_s']} s, about {billed} billed runner minutes "
        f"(job overhead taken as {args.job_overhead:.0f} s and a clone as {args.clone_seconds:.0f} s), "
        f"about {summary['wall_minutes_at_20_parallel']} minutes end to end at max-parallel 20"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
