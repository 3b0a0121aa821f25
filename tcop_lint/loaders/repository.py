"""Facts about the repository as a whole: licence files, README, security contact, git state.

``repository_facts`` fills ``RepositoryFacts.facts`` with these keys (plain, picklable data):

- ``licence_files``: tuple of dicts, one per licence file (LICENSE, LICENCE, COPYING,
  COPYING.LESSER, UNLICENSE, with or without .md/.txt/.rst or a ``-NAME`` suffix, any case, at
  the root; and every file in a top-level ``LICENSES/`` folder), sorted by path, each with
  ``path``, ``location`` ("root" or "LICENSES"), ``spdx_id`` (str or None), ``confidence``
  (0..1), ``method`` (exact, dice, spdx-identifier, none, empty, unreadable), ``empty`` (bool).
- ``readme``: repository-relative path of the root README, or None.
- ``readme_chars``: characters of README text (whitespace excluded), 0 if none.
- ``readme_licence``: dict ``spdx_id``, ``confidence``, ``method``, ``line`` for a licence the
  README states, or None.
- ``security_contacts``: tuple of dicts ``path``, ``kind`` (security-policy, security-txt,
  readme-section) and ``line``.
- ``contributing``, ``codeowners``: path or None (root, .github/ or docs/).
- ``workflows``: tuple of paths of GitHub Actions workflows (.github/workflows/*.yml|yaml).
- ``secret_files``: tuple of dicts ``path``, ``kind`` (terraform-state, private-key,
  key-store, dotenv) and ``line``: files that normally hold secrets.
- ``git``: None unless the root is in a git work tree; else a dict ``branch`` (str or None when
  detached or unknown), ``has_commits`` (bool) and ``error`` (str or None).

Files are read only when their name makes them interesting, at most READ_LIMIT bytes each,
never through a link that leaves the root. Nothing here raises.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from tcop_lint.model import RepositoryFacts

READ_LIMIT = 256 * 1024

_DOC_SUFFIXES = (".md", ".markdown", ".txt", ".rst")
_LICENCE_NAME = re.compile(r"^(?:licen[cs]e|copying|unlicen[cs]e)(?:[-_.][a-z0-9][a-z0-9._-]*)?$")
_NOT_LICENCE_SUFFIXES = (
    ".py", ".js", ".ts", ".json", ".html", ".htm", ".yml", ".yaml", ".go", ".rb", ".java", ".cs",
    ".xml", ".toml", ".erb", ".tsx", ".jsx", ".css", ".scss", ".php", ".sh", ".tf",
)
_README = re.compile(r"^readme(?:\.(?:md|markdown|rst|txt|adoc|asciidoc|org))?$")
_CONTRIBUTING = re.compile(r"^contributing(?:\.(?:md|markdown|rst|txt|adoc))?$")
_SECURITY_POLICY = re.compile(r"^security(?:\.(?:md|markdown|rst|txt|adoc))?$")
_COMMUNITY_DIRS = ("", ".github/", "docs/")

_SECURITY_WORDS = re.compile(r"vulnerab|security|disclos", re.IGNORECASE)
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|\bsecurity\.md\b|security\.txt\b|security/policy|security/advisories",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|<h[1-6])|^\s*[=-]{3,}\s*$")
_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_DOTENV_EXAMPLES = re.compile(r"\.(?:example|sample|template|dist|defaults|tmpl|schema)$|^\.env\.(?:example|sample|template|dist|defaults)")
_DOTENV_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
_SECRET_KEY = re.compile(r"pass(?:word|wd)?|secret|token|api[-_.]?key|private[-_.]?key|access[-_.]?key|credential|auth|dsn|signing|salt", re.IGNORECASE)
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:|changeme|change[-_]me|replace[-_]?me|todo|tbc|tbd|xxx+|\*+|\.\.\.|null|none|false|true|"
    r"example|dummy|placeholder|your[-_].*|<.*>|\$\{.*\}|\$\w+|\{\{.*\}\})$",
    re.IGNORECASE,
)


def repository_facts(
    root: Path, files: tuple[str, ...], is_git: bool, content: Mapping[str, Any] | None = None
) -> RepositoryFacts:
    """What the repository holds, for the repository-level checks. Never raises. ``content``:
    per-file facts from the load phase (loaders.content), which spare reading licence files."""
    root_path = Path(root)
    try:
        facts = _facts(root_path, tuple(files), is_git, content)
    except Exception as error:  # a bug here must not stop the scan: checks then see no facts
        facts = {"error": f"{type(error).__name__}: {error}"}
    return RepositoryFacts(root=str(root_path), files=tuple(sorted(files)), is_git=is_git, facts=facts)


def _facts(root: Path, files: tuple[str, ...], is_git: bool, content: Mapping[str, Any] | None) -> dict[str, Any]:
    real_root = _real(root)
    reader = _Reader(root, real_root)
    readme = _first(name for name in files if is_readme_path(name))
    known = content.get(readme) if content is not None and readme else None
    if known is not None and known.readme is not None:  # worked out in the load phase
        chars, readme_licence, security_line = known.readme
    else:
        chars, readme_licence, security_line = readme_facts(reader.text(readme) if readme else None)
    return {
        "licence_files": tuple(_licence_file(reader, name, content) for name in _licence_paths(files)),
        "readme": readme,
        "readme_chars": chars,
        "readme_licence": readme_licence,
        "security_contacts": _security_contacts(files, readme, security_line),
        "contributing": _community_file(files, _CONTRIBUTING),
        "codeowners": _community_file(files, re.compile(r"^codeowners$")),
        "workflows": tuple(
            sorted(
                name for name in files
                if name.startswith(".github/workflows/") and name.count("/") == 2
                and name.lower().endswith((".yml", ".yaml"))
            )
        ),
        "secret_files": tuple(_secret_files(reader, files)),
        "git": _git_facts(root) if is_git else None,
    }


def _first(names: Iterable[str]) -> str | None:
    ordered = sorted(names, key=lambda n: (not n.lower().endswith(".md"), n))
    return ordered[0] if ordered else None


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return path


@dataclass(frozen=True)
class _Reader:
    """Reads small files below the root, refusing links that lead out of it."""

    root: Path
    real_root: Path

    def data(self, name: str, limit: int = READ_LIMIT) -> bytes | None:
        real = _real(self.root / name)
        if real != self.real_root and self.real_root not in real.parents:
            return None
        try:
            if not real.is_file():
                return None
            with open(real, "rb") as handle:
                return handle.read(limit)
        except (OSError, ValueError):
            return None

    def text(self, name: str, limit: int = READ_LIMIT) -> str | None:
        data = self.data(name, limit)
        return None if data is None else data.decode("utf-8-sig", errors="replace")


def _is_licence_name(base: str) -> bool:
    lower = base.lower()
    for suffix in _DOC_SUFFIXES:
        if lower.endswith(suffix):
            lower = lower[: -len(suffix)]
            break
    else:
        if lower.endswith(_NOT_LICENCE_SUFFIXES):
            return False
    return bool(_LICENCE_NAME.match(lower))


def is_licence_path(name: str) -> bool:
    """A licence file at the root, or any file in a top-level LICENSES/ folder."""
    if "/" not in name:
        return _is_licence_name(name)
    return name.startswith("LICENSES/") and name.count("/") == 1


def _licence_paths(files: Iterable[str]) -> list[str]:
    return sorted(name for name in files if is_licence_path(name))


def _licence_file(reader: _Reader, name: str, content: Mapping[str, Any] | None) -> dict[str, Any]:
    location = "LICENSES" if name.startswith("LICENSES/") else "root"
    known = content.get(name) if content is not None else None
    if known is not None and known.licence is not None:  # identified in the load phase
        spdx_id, confidence, method, empty = known.licence
        return {"path": name, "location": location, "spdx_id": spdx_id, "confidence": confidence, "method": method, "empty": empty}
    data = reader.data(name)
    if data is None:
        return {"path": name, "location": location, "spdx_id": None, "confidence": 0.0, "method": "unreadable", "empty": False}
    from tcop_lint.loaders.content import licence_facts

    spdx_id, confidence, method, empty = licence_facts(data)
    return {"path": name, "location": location, "spdx_id": spdx_id, "confidence": confidence, "method": method, "empty": empty}


def is_readme_path(name: str) -> bool:
    return "/" not in name and bool(_README.match(name.lower()))


def readme_facts(text: str | None) -> tuple[int, dict[str, Any] | None, int | None]:
    """(characters other than whitespace, the licence it states, the line of a security
    contact) of a README's text."""
    if not text:
        return 0, _readme_licence(text), None
    return len(re.sub(r"\s+", "", text)), _readme_licence(text), _readme_security_line(text)


def _readme_licence(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    from tcop_lint.licences import identify_statement

    match = identify_statement(text)
    if match.spdx_id is None:
        return None
    return {"spdx_id": match.spdx_id, "confidence": match.confidence, "method": match.method, "line": match.line}


def _community_file(files: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    candidates = []
    for name in files:
        directory, _, base = name.rpartition("/")
        prefix = directory + "/" if directory else ""
        if prefix in _COMMUNITY_DIRS and pattern.match(base.lower()):
            candidates.append((_COMMUNITY_DIRS.index(prefix), name))
    return min(candidates)[1] if candidates else None


def _security_contacts(files: Iterable[str], readme: str | None, readme_line: int | None) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    for name in sorted(files):
        directory, _, base = name.rpartition("/")
        lower = name.lower()
        if directory + "/" in _COMMUNITY_DIRS[1:] or directory == "":
            if _SECURITY_POLICY.match(base.lower()) and not base.lower() == "security.txt":
                found.append({"path": name, "kind": "security-policy", "line": 1})
                continue
        if lower.endswith(".well-known/security.txt") or lower == "security.txt":
            found.append({"path": name, "kind": "security-txt", "line": 1})
    if readme and readme_line is not None:
        found.append({"path": readme, "kind": "readme-section", "line": readme_line})
    return tuple(found)


def _readme_security_line(text: str) -> int | None:
    """A line giving a way to report a vulnerability: a contact near words about security,
    within a section whose heading is about security or within two lines of such words."""
    lines = text.splitlines()[:5000]
    in_section = False
    recent_mention = -10
    for index, line in enumerate(lines):
        if _HEADING.match(line):
            in_section = bool(_SECURITY_WORDS.search(line))
            if in_section:
                recent_mention = index
            continue
        if _SECURITY_WORDS.search(line):
            recent_mention = index
        if (in_section or index - recent_mention <= 2) and _CONTACT.search(line):
            return index + 1
    return None


def _secret_files(reader: _Reader, files: Iterable[str]) -> list[dict[str, Any]]:
    found = []
    for name in sorted(files):
        base = name.rpartition("/")[2]
        lower = base.lower()
        if lower.endswith((".tfstate", ".tfstate.backup")):
            found.append({"path": name, "kind": "terraform-state", "line": 1})
        elif lower.endswith((".pem", ".key")) or lower in ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"):
            line = _private_key_line(reader.data(name, 64 * 1024))
            if line is not None:
                found.append({"path": name, "kind": "private-key", "line": line})
        elif lower.endswith((".p12", ".pfx")):
            found.append({"path": name, "kind": "key-store", "line": 1})
        elif (lower == ".env" or lower.startswith(".env.") or lower.endswith(".env")) and not _DOTENV_EXAMPLES.search(lower):
            line = _dotenv_secret_line(reader.text(name, 64 * 1024))
            if line is not None:
                found.append({"path": name, "kind": "dotenv", "line": line})
    return found


def _private_key_line(data: bytes | None) -> int | None:
    if not data:
        return None
    match = _PRIVATE_KEY.search(data)
    return None if match is None else data.count(b"\n", 0, match.start()) + 1


def _dotenv_secret_line(text: str | None) -> int | None:
    """The first secret-named assignment with a real-looking value (not empty, not a
    placeholder), or a connection URL carrying a password."""
    if not text:
        return None
    for number, line in enumerate(text.splitlines()[:2000], start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _DOTENV_ASSIGNMENT.match(line)
        if match is None:
            continue
        value = match.group(2).split(" #", 1)[0].strip().strip("'\"").strip()
        if _URL_WITH_PASSWORD.match(value) or (_SECRET_KEY.search(match.group(1)) and not _PLACEHOLDER.match(value)):
            return number
    return None


def _git_facts(root: Path) -> dict[str, Any]:
    """Branch and whether there is a commit, read from the refs alone: no git process runs,
    so nothing in the scanned repository's configuration (hooks, fsmonitor) can."""
    try:
        import git  # GitPython, imported only when needed
        from git.refs.symbolic import SymbolicReference
    except Exception as error:  # GitPython missing, or no git executable found at import
        return {"branch": None, "has_commits": False, "error": f"GitPython unavailable: {error}"}
    try:
        repo = git.Repo(str(root), search_parent_directories=True)
    except Exception as error:
        return {"branch": None, "has_commits": False, "error": f"{type(error).__name__}: {error}"}
    try:
        head = repo.head
        branch = None if head.is_detached else head.reference.name
        try:
            has_commits = bool(SymbolicReference.dereference_recursive(repo, "HEAD"))
        except ValueError:  # HEAD names a branch that has no commit yet
            has_commits = False
        return {"branch": branch, "has_commits": has_commits, "error": None}
    except Exception as error:
        return {"branch": None, "has_commits": False, "error": f"{type(error).__name__}: {error}"}
    finally:
        try:
            repo.close()
        except Exception:
            pass
