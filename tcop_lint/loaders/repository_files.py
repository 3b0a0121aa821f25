"""Reading and parsing the small repository files that repository-level checks look inside:
GitHub Actions workflows, Dockerfile FROM lines, CODEOWNERS, dependency manifests.

Every reader here is bounded (bytes read per file), refuses links that leave the scanned
root, and never raises: a file it cannot read or parse is simply not there for the checks.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Iterable, Iterator

from tcop_lint.loading import inside_root, real_dir
from tcop_lint.model import DataPath, Node, Position

from tcop_lint.loaders.content import SMALL_FILE


def read_bytes(root: str | Path, name: str, limit: int = SMALL_FILE) -> bytes | None:
    """At most ``limit`` bytes of a regular file below ``root``; None when it cannot be had
    (missing, not a file, a link leading out of the root, unreadable)."""
    try:
        base = Path(real_dir(os.fspath(root)))
        path = base / name
        if not inside_root(base, path) or not path.is_file():
            return None
        with open(path, "rb") as handle:
            return handle.read(max(0, limit))
    except (OSError, ValueError, RuntimeError):
        return None


def read_text(root: str | Path, name: str, limit: int = SMALL_FILE) -> str | None:
    """The file's text (UTF-8, bad bytes replaced), or None; never raises."""
    data = read_bytes(root, name, limit)
    if data is None or b"\0" in data[:8192]:
        return None
    return data.decode("utf-8-sig", errors="replace")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


# --- YAML with positions (workflows, dependabot.yml) ---------------------------------------


@dataclass(frozen=True)
class YamlFile:
    file: str
    node: Node  # the first document; node.data is a dict when the file is usable

    @property
    def data(self) -> Mapping[str, Any]:
        return self.node.data if isinstance(self.node.data, Mapping) else {}

    def line(self, path: DataPath) -> int:
        return self.node.locate(path).line


def load_yaml_file(root: str | Path, name: str, limit: int = SMALL_FILE) -> YamlFile | None:
    """The first YAML document of a small file, with positions, or None."""
    text = read_text(root, name, limit)
    if not text or not text.strip():
        return None
    try:
        from tcop_lint.loaders.documents import yaml_documents

        documents, _ = yaml_documents(name, text)
    except Exception:  # the YAML reader is bounded; anything odd means "not readable"
        return None
    if not documents or not isinstance(documents[0].data, Mapping):
        return None
    return YamlFile(name, Node(documents[0].data, documents[0].positions))


# --- GitHub Actions ---------------------------------------------------------------------

WORKFLOW_DIR = ".github/workflows/"


def workflow_paths(files: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        sorted(
            name for name in files
            if name.startswith(WORKFLOW_DIR) and name.count("/") == 2 and name.lower().endswith((".yml", ".yaml"))
        )
    )


def action_paths(files: Iterable[str]) -> tuple[str, ...]:
    """Composite or Docker action definitions: at the root or below .github/actions/."""
    found = []
    for name in files:
        base = name.rpartition("/")[2]
        if base in ("action.yml", "action.yaml") and (name == base or name.startswith(".github/actions/")):
            found.append(name)
    return tuple(sorted(found))


def triggers(workflow: YamlFile) -> tuple[str, ...]:
    """Event names of ``on:`` (YAML 1.1 reads a plain ``on`` key as true)."""
    data = workflow.data
    value = data.get("on", data.get(True))
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    if isinstance(value, Mapping):
        return tuple(k for k in value if isinstance(k, str))
    return ()


@dataclass(frozen=True)
class Step:
    path: DataPath  # from the document root to the step (or job, for reusable workflows)
    data: Mapping[str, Any]
    job: str | None


def jobs(workflow: YamlFile) -> Iterator[tuple[str, Mapping[str, Any]]]:
    value = workflow.data.get("jobs")
    if isinstance(value, Mapping):
        for name, job in value.items():
            if isinstance(job, Mapping):
                yield str(name), job


def steps(workflow: YamlFile) -> Iterator[Step]:
    """Every step of every job, and of a composite action's ``runs.steps``."""
    for name, job in jobs(workflow):
        for index, step in enumerate(job.get("steps") if isinstance(job.get("steps"), list) else ()):
            if isinstance(step, Mapping):
                yield Step(("jobs", name, "steps", index), step, name)
    runs = workflow.data.get("runs")
    if isinstance(runs, Mapping) and isinstance(runs.get("steps"), list):
        for index, step in enumerate(runs["steps"]):
            if isinstance(step, Mapping):
                yield Step(("runs", "steps", index), step, None)


def uses_references(workflow: YamlFile) -> Iterator[tuple[DataPath, str]]:
    """(path of the ``uses`` key, its value): steps and reusable-workflow jobs."""
    for name, job in jobs(workflow):
        if isinstance(job.get("uses"), str):
            yield ("jobs", name, "uses"), job["uses"]
    for step in steps(workflow):
        if isinstance(step.data.get("uses"), str):
            yield step.path + ("uses",), step.data["uses"]


def action_name(uses: str) -> str:
    """``Owner/Repo`` (lower case) of a ``uses`` value, without the ref or sub-path."""
    ref = uses.partition("@")[0]
    return "/".join(ref.split("/")[:2]).lower()


# --- Dockerfiles ------------------------------------------------------------------------

_DOCKERFILE = re.compile(r"^(?:dockerfile|containerfile)(?:[._-].*)?$|.*\.(?:dockerfile|containerfile)$", re.IGNORECASE)
_FROM = re.compile(r"^\s*FROM\s+(.*)$", re.IGNORECASE)


def dockerfile_paths(files: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(n for n in files if _DOCKERFILE.match(n.rpartition("/")[2]) and not n.lower().endswith((".md", ".txt"))))


@dataclass(frozen=True)
class FromLine:
    line: int
    image: str
    stage: str | None  # the AS name


def from_lines(text: str) -> list[FromLine]:
    """FROM instructions with their line numbers (continuation lines joined)."""
    found = []
    lines = text.splitlines()[:20000]
    index = 0
    while index < len(lines):
        start = index
        logical = lines[index]
        while logical.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            logical = logical.rstrip()[:-1] + " " + lines[index]
        index += 1
        if logical.lstrip().startswith("#"):
            continue
        match = _FROM.match(logical)
        if match is None:
            continue
        words = [w for w in match.group(1).split() if not w.startswith("--")]
        if not words:
            continue
        stage = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        found.append(FromLine(start + 1, words[0], stage))
    return found


# --- CODEOWNERS -------------------------------------------------------------------------

CODEOWNERS_PLACES = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")


def codeowners_path(files: Iterable[str]) -> str | None:
    present = set(files)
    return next((p for p in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS") if p in present), None)


def codeowners_rules(text: str) -> list[tuple[str, bool]]:
    """(pattern, has owners) for each rule, in file order (the last match wins)."""
    rules = []
    for raw in text.splitlines()[:5000]:
        line = raw.strip()
        if not line or line.startswith("#") or (line.startswith("[") and "]" in line):
            continue  # GitLab section headers hold no pattern
        parts = line.split()
        rules.append((parts[0], len(parts) > 1))
    return rules


def owned(path: str, rules: list[tuple[str, bool]]) -> bool:
    import pathspec

    result = False
    for pattern, has_owners in rules:
        try:
            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
        except Exception:
            continue
        if spec.match_file(path):
            result = has_owners
    return result


# --- Manifests --------------------------------------------------------------------------


def load_json_object(root: str | Path, name: str) -> Mapping[str, Any] | None:
    import json

    text = read_text(root, name)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, Mapping) else None


def load_toml(root: str | Path, name: str) -> Mapping[str, Any] | None:
    from tcop_lint.tomlfile import parse_toml

    text = read_text(root, name)
    return None if text is None else parse_toml(text)


def key_line(text: str | None, key: str) -> int:
    """Line of the first ``key =`` / ``"key":`` assignment in a manifest, else 1."""
    if not text:
        return 1
    match = re.search(r'^\s*"?' + re.escape(key) + r'"?\s*[=:]', text, re.MULTILINE)
    return line_of(text, match.start()) if match else 1


def position(line: int) -> Position:
    return Position(max(1, line), 1)
