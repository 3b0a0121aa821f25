"""Views of the small repository files that repository-level checks look inside: GitHub
Actions workflows and actions, Dependabot configuration, Dockerfile FROM lines, CODEOWNERS,
package manifests and lockfiles.

They are built in the load phase (``loaders.content.file_content``, called by
``loading.load_file``), from bytes already read; nothing here opens a file. A file that cannot
be parsed simply has no view, and its checks stay silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tcop_lint.core.files import SMALL_FILE
from tcop_lint.core.model import CodeownersRule, DataPath, FromLine, LockedPackage, Manifest, Node, Position, YamlView
from tcop_lint.core.tomlfile import parse_toml
from tcop_lint.load.documents import yaml_documents

YamlFile = YamlView  # the name the rule modules knew


def decode(data: bytes, limit: int = SMALL_FILE) -> str | None:
    """The first ``limit`` bytes as text (UTF-8, bad bytes replaced), or None for binary data."""
    head = data[: max(0, limit)]
    if b"\0" in head[:8192]:
        return None
    return head.decode("utf-8-sig", errors="replace")


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


# --- YAML with positions (workflows, dependabot.yml) ---------------------------------------


def yaml_view(name: str, text: str | None) -> YamlView | None:
    """The first YAML document of a small file, with positions, or None."""
    if not text or not text.strip():
        return None
    try:
        documents, _ = yaml_documents(name, text)
    except Exception:  # the YAML reader is bounded; anything odd means "not readable"
        return None
    if not documents or not isinstance(documents[0].data, Mapping):
        return None
    return YamlView(name, Node(documents[0].data, documents[0].positions))


DEPENDABOT = (".github/dependabot.yml", ".github/dependabot.yaml")


def is_yaml_view_path(name: str) -> bool:
    """Workflows, actions and Dependabot configuration: the YAML files checks read as views."""
    return bool(workflow_paths((name,)) or action_paths((name,))) or name in DEPENDABOT


# --- GitHub Actions ---------------------------------------------------------------------

WORKFLOW_DIR = ".github/workflows/"


def workflow_paths(files: Iterable[str]) -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name in files
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
    data: Mapping[Any, Any] = workflow.data  # YAML 1.1 keys are not all strings
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
        listed = job.get("steps")
        for index, step in enumerate(listed if isinstance(listed, list) else ()):
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
    return tuple(
        sorted(n for n in files if _DOCKERFILE.match(n.rpartition("/")[2]) and not n.lower().endswith((".md", ".txt")))
    )


def from_lines(text: str) -> tuple[FromLine, ...]:
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
    return tuple(found)


# --- CODEOWNERS -------------------------------------------------------------------------

CODEOWNERS_PLACES = (
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
)  # in order of precedence


def codeowners_path(files: Iterable[str]) -> str | None:
    present = set(files)
    return next((p for p in CODEOWNERS_PLACES if p in present), None)


def codeowners_rules(text: str) -> tuple[CodeownersRule, ...]:
    """Each rule, in file order (the last match wins)."""
    rules = []
    for raw in text.splitlines()[:5000]:
        line = raw.strip()
        if not line or line.startswith("#") or (line.startswith("[") and "]" in line):
            continue  # GitLab section headers hold no pattern
        parts = line.split()
        rules.append(CodeownersRule(parts[0], len(parts) > 1))
    return tuple(rules)


def owned(path: str, rules: Iterable[CodeownersRule]) -> bool:
    import pathspec

    result = False
    for rule in rules:
        try:
            spec = pathspec.GitIgnoreSpec.from_lines([rule.pattern])
        except Exception:
            continue
        if spec.match_file(path):
            result = rule.has_owners
    return result


# --- Manifests and lockfiles -----------------------------------------------------------

MANIFESTS = ("package.json", "composer.json", "pyproject.toml", "Cargo.toml", "setup.cfg", "go.mod")
LOCKFILE_LIMIT = 20 * 1024 * 1024


def json_object(text: str | None) -> Mapping[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, Mapping) else None


def key_line(text: str | None, key: str) -> int:
    """Line of the first ``key =`` / ``"key":`` assignment in a manifest, else 1."""
    if not text:
        return 1
    match = re.search(r'^\s*"?' + re.escape(key) + r'"?\s*[=:]', text, re.MULTILINE)
    return line_of(text, match.start()) if match else 1


def _pattern_line(text: str, pattern: str, flags: int = 0) -> int:
    found = re.search(pattern, text, flags)
    return line_of(text, found.start()) if found else 1


def _setup_cfg(text: str) -> Mapping[str, Any]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        value = parser.get("metadata", "license", fallback=None)
    except (configparser.Error, ValueError):
        value = None
    return {"metadata": {"license": value}} if value is not None else {}


def manifest(name: str, text: str) -> Manifest:
    """The parsed manifest ({} when it cannot be read) and the lines of its version and licence."""
    base = name.rpartition("/")[2]
    data: Mapping[str, Any] | None
    licence_line = _pattern_line(text, r"^\s*license\s*=", re.MULTILINE)
    if base.endswith(".json"):
        data = json_object(text)
        licence_line = _pattern_line(text, r'"licen[cs]es?"\s*:')
    elif base.endswith(".toml"):
        data = parse_toml(text)
    elif base == "setup.cfg":
        data = _setup_cfg(text)
    else:  # go.mod: whether it requires anything
        data = {"require": bool(re.search(r"^\s*require\b", text, re.MULTILINE))}
    return Manifest(name, data or {}, key_line(text, "version"), licence_line)


def licence_value(value: Any) -> str | None:
    """A manifest's licence declaration as text: a string, a ``{"type": ...}`` or a list of them."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value["type"].strip() or None
    if isinstance(value, list):
        parts = [licence_value(v) for v in value]
        return " OR ".join(p for p in parts if p) or None
    return None


def is_lockfile(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return "node_modules/" not in name and (
        base in ("package-lock.json", "npm-shrinkwrap.json") or base.endswith((".cdx.json", "bom.json", "sbom.json"))
    )


def _lock_line(text: str, key: str) -> int:
    found = text.find(json.dumps(key) + ":")
    return text.count("\n", 0, found) + 1 if found >= 0 else 1


def _npm_lock_packages(text: str) -> Iterator[LockedPackage]:
    """Each non-dev package of a v2/v3 lockfile."""
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict) or not isinstance(data.get("lockfileVersion"), int) or data["lockfileVersion"] < 2:
        return
    packages = data.get("packages")
    if not isinstance(packages, dict):
        return
    for key, entry in packages.items():
        if not key or not isinstance(entry, dict) or "node_modules/" not in key:
            continue
        if entry.get("dev") or entry.get("link") or entry.get("extraneous"):
            continue
        name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
        raw = entry.get("license", entry.get("licenses"))
        yield LockedPackage(str(name), str(entry.get("version") or ""), licence_value(raw), _lock_line(text, key))


def _cyclonedx_packages(text: str) -> Iterator[LockedPackage]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        return
    for component in data.get("components") or ():
        if not isinstance(component, dict) or component.get("scope") == "excluded":
            continue
        licences = component.get("licenses")
        value: Any = None
        if isinstance(licences, list):
            parts = []
            for item in licences:
                if not isinstance(item, dict):
                    continue
                if isinstance(item.get("expression"), str):
                    parts.append(item["expression"])
                elif isinstance(item.get("license"), dict):
                    lic = item["license"]
                    parts.append(lic.get("id") or lic.get("name") or "")
            value = " OR ".join(p for p in parts if p) or None
        name = str(component.get("name") or "?")
        found = text.find(json.dumps(name))
        line = text.count("\n", 0, found) + 1 if found >= 0 else 1
        yield LockedPackage(name, str(component.get("version") or ""), licence_value(value), line)


def locked_packages(name: str, text: str) -> tuple[LockedPackage, ...]:
    base = name.rsplit("/", 1)[-1].lower()
    reader = _npm_lock_packages if base in ("package-lock.json", "npm-shrinkwrap.json") else _cyclonedx_packages
    return tuple(reader(text))


def position(line: int) -> Position:
    return Position(max(1, line), 1)
