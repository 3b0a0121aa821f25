"""Pull-request mode: report only what changed since the merge base with a reference.

Findings on files are new when their line was added or changed; repository-level findings
(licence, README, security contact ...) are new when the base did not already have them. The
rest are marked unchanged: they stay in SARIF, JSON and GitLab reports (each upload is the whole
state of the branch) and are left out of the gate, the annotations and the summary's list.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tcop_lint.core.model import Finding

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
WHOLE_FILE = None  # a new or untracked file: every line counts as changed
BASE_SNAPSHOT_MAX_BYTES = 1024 * 1024


class DiffError(ValueError):
    """The reference cannot be compared with (not a git work tree, unknown ref)."""


@dataclass(frozen=True)
class Changes:
    base_commit: str
    lines: Mapping[str, frozenset[int] | None]  # repository-root-relative path -> changed lines


def _repo(root: Path):
    import git

    try:
        return git.Repo(str(root), search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise DiffError(f"{root}: --diff-base needs a git work tree") from None


def changed_lines(root: Path, reference: str) -> Changes:
    import git

    repo = _repo(root)
    try:
        bases = repo.merge_base(reference, "HEAD")
    except (git.GitCommandError, git.BadName, ValueError) as error:
        raise DiffError(f"--diff-base {reference}: cannot find a merge base ({str(error).strip()})") from None
    if not bases:
        raise DiffError(f"--diff-base {reference}: no common history with HEAD")
    base = bases[0].hexsha
    toplevel = Path(repo.working_tree_dir)
    prefix = root.resolve().relative_to(toplevel.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    diff = repo.git.execute(
        [
            "git",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.quotepath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--unified=0",
            "--no-renames",
            "--diff-filter=AM",
            base,
            "--",
            ".",
        ],
        stdout_as_string=True,
    )
    lines: dict[str, frozenset[int] | None] = {}
    for section in diff.split("\ndiff --git ")[0:]:
        name = _new_name(section)
        if name is None or not name.startswith(prefix):
            continue
        changed: set[int] = set()
        for match in HUNK.finditer(section):
            start, count = int(match.group(1)), int(match.group(2) or 1)
            changed.update(range(start, start + count))
        lines[name[len(prefix) :]] = frozenset(changed)
    for name in repo.untracked_files:
        if name.startswith(prefix):
            lines[name[len(prefix) :]] = WHOLE_FILE
    return Changes(base, lines)


def _new_name(section: str) -> str | None:
    match = re.search(r"^\+\+\+ b/(.*)$", section, re.MULTILINE)
    return match.group(1) if match else None


def on_changed_line(finding: Finding, changes: Changes) -> bool:
    if finding.file is None or finding.file not in changes.lines:
        return False
    lines = changes.lines[finding.file]
    return lines is WHOLE_FILE or (finding.position is not None and finding.position.line in lines)


def base_snapshot(root: Path, base_commit: str, destination: Path) -> None:
    """Write the base commit's small files below ``root`` into ``destination`` (read-only
    use: only blobs are written, nothing is checked out or run)."""
    repo = _repo(root)
    toplevel = Path(repo.working_tree_dir).resolve()
    prefix = root.resolve().relative_to(toplevel).as_posix()
    tree = repo.commit(base_commit).tree
    if prefix != ".":
        try:
            tree = tree / prefix
        except KeyError:
            return
    for item in tree.traverse():
        if item.type != "blob" or item.mode == 0o120000 or item.size > BASE_SNAPSHOT_MAX_BYTES:
            continue
        target = destination / item.path[len(tree.path) + 1 :] if tree.path else destination / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data_stream.read())


def mark_changes(
    findings: Sequence[Finding],
    changes: Changes,
    repository_level: Callable[[Finding], bool],
    base_fingerprints: frozenset[str],
) -> tuple[tuple[Finding, ...], int]:
    """Every finding, marked "new" (on a changed line, or a repository-level finding the base did
    not have) or "unchanged", and how many are unchanged."""

    def is_new(finding: Finding) -> bool:
        if repository_level(finding):
            return finding.fingerprint not in base_fingerprints
        return on_changed_line(finding, changes)

    marked = tuple(replace(f, baseline_state="new" if is_new(f) else "unchanged") for f in findings)
    return marked, sum(1 for f in marked if f.baseline_state == "unchanged")


def temporary_directory() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="tcop-lint-base-")
