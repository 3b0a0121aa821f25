"""Whole-process benchmarks of tcop-lint, with Checkov beside it for scale.

    python benchmarks/run.py --checkov /tmp/checkov-venv/bin/checkov [--module-repo DIR]

Each case runs tcop-lint and Checkov alternately, ``--repeat`` times, so that machine noise
falls on both; the figures are medians of wall time, with CPU time (process and children) and
peak memory (largest single process, and the sampled sum over the process tree).
Corpora are generated under ``--work`` (benchmarks/generate.py) unless given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants, from /proc (0 where unavailable)."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    except OSError:
        return total
    return total + sum(_tree_rss(int(child)) for child in children)


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample() -> None:  # never polls the process: wait4 below must be the one to reap it
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "tree_rss_mb": peak[0] / 2**20,
        "exit": process.returncode,
    }


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.results: dict[str, dict] = {}
        self.env = dict(os.environ, PYTHONPATH=str(PROJECT))

    def tcop(self, *arguments: str) -> list[str]:
        return [self.args.python, "-m", "tcop_lint", *arguments]

    def env_with_cache(self, cache: Path | None) -> dict[str, str]:
        env = dict(self.env)
        if cache is not None:
            env["XDG_CACHE_HOME"] = str(cache)
        return env

    def case(
        self,
        name: str,
        cwd: Path,
        tcop: list[str],
        checkov: list[str] | None,
        repeat: int,
        fresh_cache: bool,
        warm_cache: Path | None = None,
    ) -> dict:
        """Alternate tcop-lint and Checkov; a fresh cache folder per tcop-lint run when cold."""
        ours: list[dict] = []
        theirs: list[dict] = []
        for _ in range(repeat):
            cache = Path(tempfile.mkdtemp(prefix="tcop-cache-")) if fresh_cache else warm_cache
            ours.append(measure(tcop, cwd, self.env_with_cache(cache)))
            if fresh_cache:
                shutil.rmtree(cache, ignore_errors=True)
            if checkov is not None:
                theirs.append(measure(checkov, cwd, self.env))
        row = {"tcop": {k: median(ours, k) for k in ("wall", "cpu", "max_rss_mb", "tree_rss_mb")}, "runs": len(ours)}
        if theirs:
            row["checkov"] = {k: median(theirs, k) for k in ("wall", "cpu", "max_rss_mb", "tree_rss_mb")}
            row["ratio"] = row["tcop"]["wall"] / row["checkov"]["wall"]
        self.results[name] = row
        print(f"{name}: {json.dumps(row)}", flush=True)
        return row


def hook_arguments(hook_id: str) -> list[str]:
    """The arguments the pre-commit hook gives tcop-lint (its entry after the program name),
    so the one-file case measures exactly what a commit runs."""
    import yaml

    hooks = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == hook_id]
    return hook["entry"].split()[1:] + list(hook.get("args", []))


MODULE_CALL = re.compile(rb'(?m)^\s*module\s+"')


def shape(root: Path) -> dict[str, int]:
    """Files per kind, module calls and bytes of a repository (git's own folder left out)."""
    counts = {"tf": 0, "yaml": 0, "json": 0, "other": 0, "module_calls": 0, "bytes": 0, "tf_bytes": 0}
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != ".git"]
        for name in files:
            path = Path(directory) / name
            try:
                size = path.lstat().st_size
            except OSError:
                continue
            counts["bytes"] += size
            if name.endswith(".tf"):
                counts["tf"] += 1
                counts["tf_bytes"] += size
                counts["module_calls"] += len(MODULE_CALL.findall(path.read_bytes()))
            elif name.endswith((".yaml", ".yml")):
                counts["yaml"] += 1
            elif name.endswith(".json"):
                counts["json"] += 1
            else:
                counts["other"] += 1
    return counts


def one_tf_file(root: Path) -> str:
    """A Terraform file of a namespace, as a commit would touch (the first rds.tf, else main.tf)."""
    found = sorted(root.rglob("rds.tf")) or sorted(root.rglob("main.tf"))
    return str(found[0].relative_to(root))


def repository_cases(bench: Bench, label: str, repo: Path, repeat: int, checkov: list[str] | None) -> None:
    """The issue's table for one repository: cold, warm, the hook's command and scan FILE."""
    scan = bench.tcop("scan", ".", "--format", "json", "--output", os.devnull)
    bench.case(f"{label}: full scan, cold", repo, scan, checkov, repeat, True)
    warm = Path(tempfile.mkdtemp(prefix="tcop-cache-warm-"))
    measure(scan, repo, bench.env_with_cache(warm))  # fills the cache
    bench.case(f"{label}: full scan, warm, nothing changed", repo, scan, None, max(3, repeat), False, warm_cache=warm)
    target = one_tf_file(repo)
    bench.case(
        f"{label}: pre-commit hook on one .tf",
        repo,
        bench.tcop(*hook_arguments("tcop-lint"), target),
        None,
        max(3, repeat),
        False,
        warm_cache=warm,
    )
    bench.case(f"{label}: scan FILE", repo, bench.tcop("scan", target), None, max(3, repeat), False, warm_cache=warm)
    shutil.rmtree(warm, ignore_errors=True)


def print_table(results: dict[str, dict], checkov_seconds: float | None) -> None:
    targets = {
        "full scan, cold": "<= 30 s",
        "full scan, warm, nothing changed": "<= 1.5 s",
        "pre-commit hook on one .tf": "<= 0.25 s",
        "scan FILE": "<= 0.5 s",
    }
    print("| case | target | real (wall / CPU / largest RSS) | generator | real / generator | met (real) |")
    print("|---|---|---|---|---|---|")
    for case, target in targets.items():
        real = results.get(f"real: {case}")
        generated = results.get(f"generator: {case}")
        if real is None and generated is None:
            continue

        def cell(row: dict | None) -> str:
            if row is None:
                return "-"
            t = row["tcop"]
            return f"{t['wall']:.2f} s / {t['cpu']:.2f} s / {t['max_rss_mb']:.0f} MB"

        ratio = f"{real['tcop']['wall'] / generated['tcop']['wall']:.2f}" if real and generated else "-"
        limit = float(target.split()[1])
        met = ("yes" if real["tcop"]["wall"] <= limit else "no") if real else "-"
        print(f"| {case} | {target} | {cell(real)} | {cell(generated)} | {ratio} | {met} |")
    peak = results.get("real: full scan, cold")
    if peak:
        rss = peak["tcop"]["max_rss_mb"]
        print(f"| peak memory, largest process | <= 400 MB | {rss:.0f} MB | - | - | {'yes' if rss <= 400 else 'no'} |")
    cold = results.get("real: full scan, cold")
    if cold and (cold.get("checkov") or checkov_seconds):
        theirs = cold["checkov"]["wall"] if cold.get("checkov") else checkov_seconds
        source = "measured in this run" if cold.get("checkov") else "given by --checkov-cached-seconds"
        print(
            f"| Checkov, real, cold ({source}) | - | {theirs:.0f} s | - | 1/{theirs / cold['tcop']['wall']:.0f} | - |"
        )


def generated_platform(work: Path, namespaces: int) -> Path:
    """The generator's platform repository, made once per size."""
    folder = work / f"platform-{namespaces}"
    if not folder.exists():
        generate.platform(folder, namespaces=namespaces, git=True)
    return folder


def checkov_platform_command(checkov: str | None, wanted: bool) -> list[str] | None:
    return [checkov, "-d", ".", "--framework", "terraform", "kubernetes", "--quiet"] if checkov and wanted else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkov", help="path to the checkov executable (its own venv)")
    parser.add_argument("--python", default=sys.executable, help="interpreter that has tcop-lint's dependencies")
    parser.add_argument("--module-repo", type=Path, help="a checkout of a module repository (default: generated)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tcop-bench")
    parser.add_argument(
        "--namespaces", type=int, default=2000, help="platform size (2000: 12,000 .tf + 9,000 manifests)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--platform-repeat", type=int, default=1)
    parser.add_argument(
        "--checkov-platform", action="store_true", help="also run Checkov on the platform (tens of minutes)"
    )
    parser.add_argument(
        "--growth", default="125,250,500,1000", help="namespace counts for the growth series ('' to skip)"
    )
    parser.add_argument("--depth", default="1,2,4,8", help="module chain depths for the depth series ('' to skip)")
    parser.add_argument("--depth-roots", type=int, default=200, help="roots calling each chain in the depth series")
    parser.add_argument(
        "--only", default="", help="comma-separated cases: startup,file,module,platform,growth,depth,real"
    )
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--real-repo",
        type=Path,
        help="a checkout of the real platform repository (ministryofjustice/cloud-platform-environments): "
        "the issue's table for it and for the generator, with their shapes compared",
    )
    parser.add_argument(
        "--checkov-cached-seconds",
        type=float,
        help="Checkov's wall time on the real repository, measured before (its run takes tens of minutes)",
    )
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    if args.real_repo is not None:
        only = only or {"real"}
    bench = Bench(args)
    # An installed wheel carries its bytecode; the source tree run here may not (these machines
    # set PYTHONDONTWRITEBYTECODE), and compiling every module at each start is not what users pay.
    subprocess.run([args.python, "-m", "compileall", "-q", str(PROJECT / "tcop_lint")], check=False)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    checkov = args.checkov

    if not only or "startup" in only:
        bench.case(
            "--version", work, bench.tcop("--version"), [checkov, "--version"] if checkov else None, args.repeat, False
        )
        bench.case("--help", work, bench.tcop("--help"), None, args.repeat, False)

    if not only or "file" in only:
        single = work / "single-file"
        if not single.exists():
            generate.platform(single, namespaces=1, tf_per_namespace=4, git=True)
        target = next(single.rglob("rds.tf"), None) or next(single.rglob("main.tf"))
        relative = str(target.relative_to(single))
        cache = work / "cache-single"
        bench.case(
            "one file (pre-commit)",
            single,
            bench.tcop(*hook_arguments("tcop-lint"), relative),
            [checkov, "-f", relative, "--quiet"] if checkov else None,
            args.repeat,
            False,
            warm_cache=cache,
        )

    if not only or "module" in only:
        module = args.module_repo
        if module is None:
            module = work / "module"
            if not module.exists():
                generate.module(module)
        command = [checkov, "-d", ".", "--framework", "terraform", "--quiet"] if checkov else None
        bench.case("module repository, cold", module, bench.tcop("scan", "."), command, max(3, args.repeat // 2), True)
        bench.case(
            "module repository, warm",
            module,
            bench.tcop("scan", "."),
            None,
            args.repeat,
            False,
            warm_cache=work / "cache-module",
        )

    if not only or "platform" in only:
        platform_repo = generated_platform(work, args.namespaces)
        command = checkov_platform_command(checkov, args.checkov_platform)
        scan = bench.tcop("scan", ".", "--format", "json", "--output", os.devnull)
        bench.case("platform repository, cold", platform_repo, scan, command, args.platform_repeat, True)
        warm = work / "cache-platform"
        measure(scan, platform_repo, bench.env_with_cache(warm))  # fills the cache
        bench.case(
            "platform repository, warm", platform_repo, scan, None, max(3, args.platform_repeat), False, warm_cache=warm
        )

    if "real" in only:
        generated = generated_platform(work, args.namespaces)
        real_checkov = checkov_platform_command(checkov, args.checkov_platform)
        repository_cases(bench, "real", args.real_repo.resolve(), args.platform_repeat, real_checkov)
        repository_cases(bench, "generator", generated, args.platform_repeat, None)
        shapes = {"real": shape(args.real_repo), "generator": shape(generated)}
        bench.results["shape"] = shapes
        print("| shape | real | generator | generator / real |")
        print("|---|---|---|---|")
        for key, value in shapes["real"].items():
            other = shapes["generator"][key]
            print(
                f"| {key} | {value:,} | {other:,} | {other / value:.2f} |"
                if value
                else f"| {key} | 0 | {other:,} | - |"
            )
        print_table(bench.results, args.checkov_cached_seconds)

    if args.growth and (not only or "growth" in only):
        for count in (int(c) for c in args.growth.split(",")):
            repo = work / f"platform-{count}"
            if not repo.exists():
                generate.platform(repo, namespaces=count, git=True)
            scan = bench.tcop("scan", ".", "--format", "json", "--output", os.devnull)
            row = bench.case(
                f"growth: {count} namespaces ({count * 6 + count * 9 // 2} files), cold", repo, scan, None, 1, True
            )
            row["seconds_per_1000_files"] = row["tcop"]["wall"] / ((count * 6 + count * 9 // 2) / 1000)
            row["cpu_per_1000_files"] = row["tcop"]["cpu"] / ((count * 6 + count * 9 // 2) / 1000)

    if args.depth and (not only or "depth" in only):
        for depth in (int(d) for d in args.depth.split(",")):
            repo = work / f"chain-{args.depth_roots}x{depth}"
            if not repo.exists():
                generate.module_chain(repo, roots=args.depth_roots, depth=depth)
            scan = bench.tcop("scan", ".", "--format", "json", "--output", os.devnull)
            row = bench.case(
                f"module depth {depth}: {args.depth_roots} roots each calling a chain of {depth}, cold",
                repo,
                scan,
                None,
                max(3, args.repeat // 2),
                True,
            )
            row["module_instances"] = args.depth_roots * depth

    machine = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "free": subprocess.run(["free", "-h"], capture_output=True, text=True).stdout if shutil.which("free") else "",
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    output = {"machine": machine, "results": bench.results}
    print(json.dumps(output, indent=2))
    if args.json:
        args.json.write_text(json.dumps(output, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
