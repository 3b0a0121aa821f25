"""Accuracy on real repositories: findings per check per repository, and the precision of a
judged sample, for one or two versions of tcop-lint.

    python benchmarks/accuracy.py [--old SRC] [--new SRC] [--only NAME ...] [--per-repository]
        [--checks PREFIX ...] [--new-checks] [--unjudged FILE] [--context N] [--json FILE]

SRC is a tcop-lint source tree or a commit of this checkout (extracted once with `git archive`
under the cache folder); `--new` defaults to this checkout's working tree. Both run in this
interpreter, as benchmarks/compare_versions.py does, so it needs the dependencies of both.

Repositories (benchmarks/accuracy_repos.txt, `owner/name commit-or-date kind` a line) are whole
checkouts: /tmp/real/<owner+name> is made from /work/.mirror/<owner+name>/repo when missing and
is never changed; each is scanned in a private `git clone --shared` of it under the cache folder,
at the listed commit (or the last commit on or before the listed date), with origin set to its
GitHub address as in a team's own checkout.
Each repository is scanned whole, every check, `--no-cache --jobs 1`, one at a time; the result
is kept in the cache folder per (version, repository commit), so a rerun only scans what changed.
A version's key is the hash of its tcop_lint/ and checks/ files.

Judgements (benchmarks/accuracy_judgements.csv) are keyed by repository and the finding's fingerprint, which
does not depend on the message or the line; a finding whose fingerprint is unknown but whose
check, repository, file and line match judged rows that agree takes their verdict ("by place":
addresses gain module paths between versions). Verdicts: true, false, unsure (left out of
precision). The sample to judge is every error of every check, up to 10 per check per
repository, and 5 warnings per check taken in turn from the repositories; `--unjudged FILE`
writes the sampled findings that have no verdict yet as rows ready to fill in and append.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
REPOS = HERE / "accuracy_repos.txt"
JUDGEMENTS = HERE / "accuracy_judgements.csv"
FIELDS = ("fingerprint", "repo", "check", "level", "file", "line", "verdict", "reason", "message")
VERDICTS = ("true", "false", "unsure")
ERRORS_PER_CHECK_AND_REPO = 10
WARNINGS_PER_CHECK = 5


@dataclass(frozen=True)
class Repository:
    name: str  # owner/name
    pin: str  # a commit (hex prefix) or a date (YYYY-MM-DD)
    kind: str

    @property
    def folder(self) -> str:
        return self.name.replace("/", "+")


@dataclass(frozen=True)
class Version:
    label: str
    source: Path
    key: str


@dataclass(frozen=True)
class Judgement:
    verdict: str
    reason: str


# --- inputs ---------------------------------------------------------------------------------


def read_repositories(path: Path) -> list[Repository]:
    repositories = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 3:
            raise SystemExit(f"{path}:{number}: expected `owner/name commit-or-date kind`")
        repositories.append(Repository(*words))
    return repositories


def read_judgements(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, 2):
        if row["verdict"] not in VERDICTS:
            raise SystemExit(f"{path}:{number}: verdict must be one of {', '.join(VERDICTS)}")
    return rows


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=True).stdout.strip()


def version_key(source: Path) -> str:
    digest = hashlib.sha256()
    for top in ("tcop_lint", "checks"):
        for path in sorted((source / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def resolve_version(label: str, spec: str | None, cache: Path) -> Version:
    if spec is None or Path(spec).is_dir():
        source = Path(spec or PROJECT).resolve()
        return Version(label, source, version_key(source))
    commit = git(PROJECT, "rev-parse", "--verify", f"{spec}^{{commit}}")
    source = cache / "src" / commit[:12]
    if not (source / "tcop_lint").is_dir():
        archive = subprocess.run(["git", "-C", str(PROJECT), "archive", commit], capture_output=True, check=True).stdout
        source.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(source, filter="data")
    return Version(f"{label} ({commit[:9]})", source, version_key(source))


def checkout(repository: Repository, real: Path, cache: Path) -> tuple[Path, str]:
    """A private work tree at the pinned commit, cloned from the shared clone (which is never
    changed), whose origin is the repository's GitHub address as in a team's own checkout: the
    checks that read the origin's organisation see what they would see there."""
    clone = real / repository.folder
    if not clone.is_dir():
        mirror = Path("/work/.mirror") / repository.folder / "repo"
        if not mirror.is_dir():
            raise LookupError(f"{repository.name}: no clone at {clone} and no mirror at {mirror} (fetch it first)")
        subprocess.run(["git", "clone", "-q", str(mirror), str(clone)], check=False)
    pin = repository.pin
    if len(pin) == 10 and pin[4] == "-" and pin[7] == "-":
        wanted = git(clone, "rev-list", "-1", f"--before={pin}T23:59:59Z", "HEAD")
    else:
        wanted = git(clone, "rev-parse", "--verify", f"{pin}^{{commit}}")
    if not wanted:
        raise LookupError(f"{repository.name}: no commit for {pin}")
    tree = cache / "trees" / f"{repository.folder}@{wanted[:12]}"
    if not tree.is_dir():
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(clone), str(tree)], check=True)
        git(tree, "remote", "set-url", "origin", f"https://github.com/{repository.name}.git")
        # a file the mirror left out (its largest) is missing from the tree; the rest is there
        subprocess.run(["git", "-C", str(tree), "checkout", "-q", "--detach", wanted], check=False)
    return tree, wanted


# --- scanning -------------------------------------------------------------------------------


def scan(version: Version, repository: Repository, tree: Path, commit: str, cache: Path) -> dict:
    stored = cache / "results" / version.key / f"{repository.folder}@{commit[:12]}.json"
    if stored.exists():
        return json.loads(stored.read_text())
    env = {**os.environ, "PYTHONPATH": str(version.source)}
    code = "import sys; from tcop_lint.cli import main; sys.argv[0] = 'tcop-lint'; main()"
    args = [sys.executable, "-c", code, "scan", str(tree), "--format", "json", "--no-cache", "--jobs", "1"]
    args += ["--fail-on", "never"]
    print(f"  scanning {repository.name} with {version.label} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=version.source)
    if not done.stdout.strip():
        raise SystemExit(f"{version.label} on {repository.name}: exit {done.returncode}\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    keep = ("id", "level", "file", "line", "message", "resource", "fingerprint")
    result = {
        "repository": repository.name,
        "commit": commit,
        "seconds": round(time.monotonic() - started, 1),
        "files_scanned": report.get("files_scanned"),
        "checks_run": report.get("checks_run", []),
        "crashes": report.get("crashes", []),
        "problems": len(report.get("problems", [])),
        "findings": [{k: f.get(k) for k in keep} for f in report["findings"] if not f.get("suppressed")],
    }
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text(json.dumps(result, indent=1) + "\n")
    return result


# --- judging --------------------------------------------------------------------------------


def place(repo: str, finding: Mapping) -> tuple[str, str, str, str]:
    return (
        repo,
        finding["id"] if "id" in finding else finding["check"],
        finding["file"] or "",
        str(finding["line"] or ""),
    )


def judge_index(rows: Sequence[Mapping[str, str]]):
    """For a version's results, a lookup of each finding's judgement. A finding whose fingerprint
    was never judged takes the verdict of the one judged row at its place (check, repository,
    file, line) when it is the only finding there: one place can hold many findings (a minified
    JSON file is one line), and one judgement must not stand for all of them."""
    # a fingerprint names a finding within one repository (README.md's has the same in every one)
    by_fingerprint = {(row["repo"], row["fingerprint"]): Judgement(row["verdict"], row["reason"]) for row in rows}
    by_place: dict[tuple, list[Judgement]] = defaultdict(list)
    for row in rows:
        by_place[place(row["repo"], row)].append(Judgement(row["verdict"], row["reason"]))

    def matcher(results: Mapping[str, dict]):
        crowd = Counter(place(repo, f) for repo, result in results.items() for f in result["findings"])

        def lookup(repo: str, finding: Mapping) -> tuple[Judgement | None, str]:
            if (repo, finding["fingerprint"]) in by_fingerprint:
                return by_fingerprint[(repo, finding["fingerprint"])], "fingerprint"
            here = place(repo, finding)
            if crowd[here] == 1 and len(by_place.get(here, ())) == 1:
                return by_place[here][0], "place"
            return None, ""

        return lookup

    return matcher


def sample(results: Mapping[str, dict]) -> list[tuple[str, dict]]:
    """Every error, up to 10 per check per repository, and 5 warnings per check taken in turn
    from the repositories; the order within a repository is the fingerprint's, so it is stable."""
    chosen: list[tuple[str, dict]] = []
    warnings: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    for repo, result in results.items():
        by_check: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for finding in result["findings"]:
            by_check[(finding["id"], finding["level"])].append(finding)
        for (check, level), found in sorted(by_check.items()):
            found.sort(key=lambda f: f["fingerprint"])
            if level == "error":
                chosen += [(repo, f) for f in found[:ERRORS_PER_CHECK_AND_REPO]]
            elif level == "warning":
                warnings[check][repo] = found
    for _check, per_repo in sorted(warnings.items()):
        queues = [list(found) for _repo, found in sorted(per_repo.items())]
        repos = sorted(per_repo)
        taken = 0
        while taken < WARNINGS_PER_CHECK and any(queues):
            for repo, queue in zip(repos, queues):
                if queue and taken < WARNINGS_PER_CHECK:
                    chosen.append((repo, queue.pop(0)))
                    taken += 1
    return chosen


@dataclass(frozen=True)
class Tally:
    true: int = 0
    false: int = 0
    unsure: int = 0
    unjudged: int = 0

    def add(self, verdict: str | None) -> Tally:
        field = verdict or "unjudged"
        return Tally(**{**self.__dict__, field: getattr(self, field) + 1})

    @property
    def precision(self) -> float | None:
        judged = self.true + self.false
        return self.true / judged if judged else None

    def text(self) -> str:
        if self.precision is None:
            return "–"
        return f"{self.precision:.0%} ({self.true}/{self.true + self.false})"


def precision(results: Mapping[str, dict], lookup) -> tuple[dict[str, Tally], dict[str, Tally], Counter, dict]:
    """Tallies over every finding a version reports: by level group, by check (errors and
    warnings) and by check and level; and how each judgement was matched."""
    groups: dict[str, Tally] = defaultdict(Tally)
    checks: dict[str, Tally] = defaultdict(Tally)
    check_levels: dict[tuple[str, str], Tally] = defaultdict(Tally)
    matched: Counter = Counter()
    for repo, result in results.items():
        for finding in result["findings"]:
            judgement, how = lookup(repo, finding)
            matched[how or "unjudged"] += 1
            verdict = judgement.verdict if judgement else None
            level = finding["level"]
            groups[level] = groups[level].add(verdict)
            check_levels[(finding["id"], level)] = check_levels[(finding["id"], level)].add(verdict)
            if level in ("error", "warning"):
                groups["error+warning"] = groups["error+warning"].add(verdict)
                checks[finding["id"]] = checks[finding["id"]].add(verdict)
    return groups, checks, matched, check_levels


def estimate(check_levels: Mapping[tuple[str, str], Tally], levels: Sequence[str]) -> str:
    """Precision over everything reported at these levels, each check's judged precision at a
    level standing for all its findings there: the sample takes at most 10 errors of a check
    per repository, so the plain figure under-weights a check that reports hundreds."""
    weighted = covered = uncovered = 0.0
    for (_check, level), tally in check_levels.items():
        if level not in levels:
            continue
        count = tally.true + tally.false + tally.unsure + tally.unjudged
        if tally.precision is None:
            uncovered += count
        else:
            weighted += count * tally.precision
            covered += count
    if not covered:
        return "–"
    return f"{weighted / covered:.0%} (of {covered:.0f}; {uncovered:.0f} in checks with no verdict)"


# --- reporting ------------------------------------------------------------------------------


def levels(findings: Iterable[dict]) -> Counter:
    return Counter((f["id"], f["level"]) for f in findings)


def ewn(counts: Counter, check: str) -> str:
    e, w, n = (counts[(check, level)] for level in ("error", "warning", "note"))
    return f"{e}/{w}/{n}" if e or w or n else "·"


def print_counts(versions: Sequence[Version], runs: Mapping[str, Mapping[str, dict]], args) -> None:
    wanted = tuple(args.checks or ())
    names = list(next(iter(runs.values())))
    print("\n## Findings per repository (errors/warnings/notes)\n")
    header = " | ".join(f"{v.label} findings | seconds" for v in versions)
    print(f"| repository | kind | files | {header} | crashes |")
    print("|---|---|---|" + "---|---|" * len(versions) + "---|")
    for name in names:
        cells, crashes = [], 0
        for version in versions:
            result = runs[version.label][name]
            total = Counter(f["level"] for f in result["findings"])
            cells.append(f"{total['error']}/{total['warning']}/{total['note']} | {result['seconds']}")
            crashes += len(result["crashes"])
        files = runs[versions[-1].label][name]["files_scanned"]
        print(f"| {name} | {args.kinds[name]} | {files} | {' | '.join(cells)} | {crashes} |")

    per_version = {v.label: levels(f for r in runs[v.label].values() for f in r["findings"]) for v in versions}
    checks = sorted({check for counts in per_version.values() for check, _ in counts})
    checks = [c for c in checks if not wanted or c.startswith(wanted)]
    print("\n## Findings per check, all repositories (errors/warnings/notes)\n")
    print("| check | " + " | ".join(v.label for v in versions) + " | repositories (last version) |")
    print("|---|" + "---|" * len(versions) + "---|")
    last = versions[-1].label
    for check in checks:
        repos = sum(1 for r in runs[last].values() if any(f["id"] == check for f in r["findings"]))
        print(f"| {check} | " + " | ".join(ewn(per_version[v.label], check) for v in versions) + f" | {repos} |")

    if args.per_repository:
        print("\n## Findings per check per repository (errors/warnings/notes)\n")
        print("| repository | check | " + " | ".join(v.label for v in versions) + " |")
        print("|---|---|" + "---|" * len(versions))
        for name in names:
            counts = {v.label: levels(runs[v.label][name]["findings"]) for v in versions}
            for check in sorted({c for cs in counts.values() for c, _ in cs}):
                if not wanted or check.startswith(wanted):
                    print(f"| {name} | {check} | " + " | ".join(ewn(counts[v.label], check) for v in versions) + " |")

    if args.new_checks and len(versions) == 2:
        old_ids = {c for r in runs[versions[0].label].values() for c in r["checks_run"]}
        new_ids = sorted({c for r in runs[last].values() for c in r["checks_run"]} - old_ids)
        print(f"\n## Checks new in {last}: findings per repository (errors/warnings/notes)\n")
        if not new_ids:
            print("(none)")
        for check in new_ids:
            cells = [f"{n}: {ewn(levels(runs[last][n]['findings']), check)}" for n in names]
            shown = [c for c in cells if not c.endswith("·")]
            print(f"- {check}: " + (", ".join(shown) if shown else "no findings"))


def print_precision(versions: Sequence[Version], runs: Mapping[str, Mapping[str, dict]], matcher) -> dict:
    tallies = {v.label: precision(runs[v.label], matcher(runs[v.label])) for v in versions}
    print("\n## Precision of the judged findings (unsure and unjudged left out)\n")
    print("| measure | " + " | ".join(v.label for v in versions) + " |")
    print("|---|" + "---|" * len(versions))
    for group, name in (("error", "errors"), ("error+warning", "errors + warnings"), ("warning", "warnings")):
        print(f"| {name} | " + " | ".join(tallies[v.label][0][group].text() for v in versions) + " |")
    for group in ("error", "error+warning"):
        cells = []
        for v in versions:
            t = tallies[v.label][0][group]
            cells.append(f"{t.true + t.false + t.unsure} of {t.true + t.false + t.unsure + t.unjudged}")
        print(f"| judged {group} findings | " + " | ".join(cells) + " |")
    print(
        "| checks wrong more often than right (errors + warnings) | "
        + " | ".join(
            ", ".join(sorted(c for c, t in tallies[v.label][1].items() if t.false > t.true)) or "none" for v in versions
        )
        + " |"
    )
    for levels, name in ((("error",), "errors"), (("error", "warning"), "errors + warnings")):
        cells = [estimate(tallies[v.label][3], levels) for v in versions]
        print(f"| {name}, estimated over all reported | " + " | ".join(cells) + " |")
    print(
        "| judgements matched by fingerprint / by place | "
        + " | ".join(f"{tallies[v.label][2]['fingerprint']} / {tallies[v.label][2]['place']}" for v in versions)
        + " |"
    )

    print("\n## Precision per check (errors + warnings judged)\n")
    print("| check | " + " | ".join(v.label for v in versions) + " |")
    print("|---|" + "---|" * len(versions))
    for check in sorted({c for t in tallies.values() for c in t[1]}):
        row = [tallies[v.label][1].get(check, Tally()) for v in versions]
        if any(t.true + t.false + t.unsure for t in row):
            marks = [t.text() + (" **wrong more often**" if t.false > t.true else "") for t in row]
            print(f"| {check} | " + " | ".join(marks) + " |")
    return {
        v.label: {
            "levels": {g: t.__dict__ | {"precision": t.precision} for g, t in tallies[v.label][0].items()},
            "checks": {c: t.__dict__ | {"precision": t.precision} for c, t in tallies[v.label][1].items()},
        }
        for v in versions
    }


def unjudged_rows(results: Mapping[str, dict], lookup) -> list[dict[str, str]]:
    rows = []
    for repo, finding in sample(results):
        if lookup(repo, finding)[0] is None:
            rows.append(
                {
                    "fingerprint": finding["fingerprint"],
                    "repo": repo,
                    "check": finding["id"],
                    "level": finding["level"],
                    "file": finding["file"] or "",
                    "line": str(finding["line"] or ""),
                    "verdict": "",
                    "reason": "",
                    "message": " ".join(finding["message"].split())[:300],
                }
            )
    return rows


def show_context(rows: Sequence[Mapping[str, str]], trees: Mapping[str, Path], around: int) -> None:
    for index, row in enumerate(rows):
        print(
            f"\n### [{index}] {row['check']} {row['level']} {row['repo']} {row['file']}:{row['line']}\n    {row['message']}"
        )
        if not row["file"] or not row["line"]:
            continue
        path, line = trees[row["repo"]] / row["file"], int(row["line"])
        try:
            lines = path.read_text(errors="replace").splitlines()
        except OSError as error:
            print(f"    ({error})")
            continue
        for number in range(max(1, line - around), min(len(lines), line + around) + 1):
            print(f"{'>' if number == line else ' '}{number:5} {lines[number - 1][:160]}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", help="the version before: a source tree or a commit of this checkout")
    parser.add_argument("--new", help="the version after (default: this checkout's working tree)")
    parser.add_argument("--repos", type=Path, default=REPOS)
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--real", type=Path, default=Path("/tmp/real"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/accuracy-cache"))
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these repositories (owner/name or a part)")
    parser.add_argument("--checks", nargs="+", metavar="PREFIX", help="count only checks with these id prefixes")
    parser.add_argument("--per-repository", action="store_true", help="also print counts per check per repository")
    parser.add_argument("--new-checks", action="store_true", help="counts per repository of checks only --new has")
    parser.add_argument("--unjudged", type=Path, help="write the sampled findings with no verdict to this CSV")
    parser.add_argument("--context", type=int, default=0, help="print N lines of code around each unjudged finding")
    parser.add_argument("--json", type=Path, help="write the precision figures to this file")
    args = parser.parse_args(argv)

    repositories = read_repositories(args.repos)
    if args.only:
        repositories = [r for r in repositories if any(part in r.name for part in args.only)]
    versions = [resolve_version("before", args.old, args.cache)] if args.old else []
    versions.append(resolve_version("after", args.new, args.cache))
    args.kinds = {r.name: r.kind for r in repositories}

    runs: dict[str, dict[str, dict]] = {v.label: {} for v in versions}
    trees: dict[str, Path] = {}
    for repository in repositories:
        try:
            tree, commit = checkout(repository, args.real, args.cache)
        except (LookupError, subprocess.CalledProcessError) as error:
            print(f"skipped: {error}", file=sys.stderr)
            continue
        trees[repository.name] = tree
        for version in versions:
            runs[version.label][repository.name] = scan(version, repository, tree, commit, args.cache)

    print(f"# Accuracy benchmark: {len(trees)} repositories")
    for version in versions:
        print(f"- {version.label}: {version.source} (key {version.key})")
    matcher = judge_index(read_judgements(args.judgements))
    print_counts(versions, runs, args)
    figures = print_precision(versions, runs, matcher)

    pending: dict[tuple[str, str], dict[str, str]] = {}
    for version in versions:
        rows = unjudged_rows(runs[version.label], matcher(runs[version.label]))
        print(f"\n{len(rows)} sampled findings of {version.label} have no verdict yet.", end="")
        pending.update(
            ((row["repo"], row["fingerprint"]), row) for row in rows if (row["repo"], row["fingerprint"]) not in pending
        )
    print(f" {len(pending)} in all.")
    if args.unjudged:
        with args.unjudged.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, FIELDS)
            writer.writeheader()
            writer.writerows(pending.values())
        print(f"Written to {args.unjudged}: fill in verdict and reason, then append them to {args.judgements}.")
    if args.context:
        show_context(list(pending.values()), trees, args.context)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
