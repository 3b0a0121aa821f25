"""Facts about the repository as a whole (``RepositoryFacts``): licence files, README,
security contact, community files, files that normally hold secrets, git state.

Everything is assembled from the file list and the per-file facts of the load phase
(``loaders.content``): nothing here opens a file in the scanned tree. Git state is read from
the refs through GitPython, without running git. Nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from tcop_lint.core.files import licence_paths, readme_path
from tcop_lint.core.model import FileContent, GitState, LicenceFile, RepositoryFacts, SecretFile, SecurityContact
from tcop_lint.load.content import secret_file_kind

_CONTRIBUTING = re.compile(r"^contributing(?:\.(?:md|markdown|rst|txt|adoc))?$")
_SECURITY_POLICY = re.compile(r"^security(?:\.(?:md|markdown|rst|txt|adoc))?$")
_CODEOWNERS = re.compile(r"^codeowners$")
_COMMUNITY_DIRS = ("", ".github/", "docs/")


def repository_facts(
    root: Path | str, files: Iterable[str], is_git: bool, content: Mapping[str, FileContent] | None = None
) -> RepositoryFacts:
    """What the repository holds, for the repository-level checks. ``content``: the per-file
    facts of the load phase; a licence file or README missing there counts as unreadable."""
    files = tuple(sorted(files))
    base = RepositoryFacts(root=str(Path(root)), files=files, is_git=is_git)
    try:
        return _facts(base, content or {})
    except Exception as error:  # a bug here must not stop the scan: checks then see no facts
        return replace(base, error=f"{type(error).__name__}: {error}")


def _facts(base: RepositoryFacts, content: Mapping[str, FileContent]) -> RepositoryFacts:
    files = base.files
    readme = readme_path(files)
    known = content.get(readme) if readme else None
    facts = known.readme if known is not None else None
    return replace(
        base,
        gathered=True,
        licence_files=tuple(_licence_file(name, content.get(name)) for name in licence_paths(files)),
        readme=readme,
        readme_chars=facts.chars if facts else 0,
        readme_licence=facts.licence if facts else None,
        security_contacts=_security_contacts(files, readme, facts.security_line if facts else None),
        contributing=_community_file(files, _CONTRIBUTING),
        codeowners=_community_file(files, _CODEOWNERS),
        workflows=tuple(
            sorted(
                name
                for name in files
                if name.startswith(".github/workflows/")
                and name.count("/") == 2
                and name.lower().endswith((".yml", ".yaml"))
            )
        ),
        secret_files=_secret_files(files, content),
        git=_git_facts(Path(base.root)) if base.is_git else None,
    )


def _licence_file(name: str, known: FileContent | None) -> LicenceFile:
    location = "LICENSES" if name.startswith("LICENSES/") else "root"
    if known is None or known.licence is None:
        return LicenceFile(name, location, None, 0.0, "unreadable", False)
    found = known.licence
    return LicenceFile(name, location, found.spdx_id, found.confidence, found.method, found.empty)


def _community_file(files: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    candidates = []
    for name in files:
        directory, _, base = name.rpartition("/")
        prefix = directory + "/" if directory else ""
        if prefix in _COMMUNITY_DIRS and pattern.match(base.lower()):
            candidates.append((_COMMUNITY_DIRS.index(prefix), name))
    return min(candidates)[1] if candidates else None


def _security_contacts(
    files: Iterable[str], readme: str | None, readme_line: int | None
) -> tuple[SecurityContact, ...]:
    found: list[SecurityContact] = []
    for name in sorted(files):
        directory, _, base = name.rpartition("/")
        lower = name.lower()
        if directory + "/" in _COMMUNITY_DIRS[1:] or directory == "":
            if _SECURITY_POLICY.match(base.lower()) and not base.lower() == "security.txt":
                found.append(SecurityContact(name, "security-policy", 1))
                continue
        if lower.endswith(".well-known/security.txt") or lower == "security.txt":
            found.append(SecurityContact(name, "security-txt", 1))
    if readme and readme_line is not None:
        found.append(SecurityContact(readme, "readme-section", readme_line))
    return tuple(found)


def _secret_files(files: Iterable[str], content: Mapping[str, FileContent]) -> tuple[SecretFile, ...]:
    found = []
    for name in sorted(files):
        kind = secret_file_kind(name)
        if kind in ("terraform-state", "key-store"):
            found.append(SecretFile(name, kind, 1))
        elif kind is not None:  # a private key or dotenv file: only when the load phase saw a secret in it
            known = content.get(name)
            if known is not None and known.secret_file is not None:
                found.append(SecretFile(name, known.secret_file[0], known.secret_file[1]))
    return tuple(found)


_HOSTED = re.compile(r"(?:github\.com|gitlab\.com)[:/]+([A-Za-z0-9][A-Za-z0-9_.-]*)/", re.IGNORECASE)


def _origin_owner(repo: Any) -> str | None:
    """The organisation in the origin remote's URL, read from the repository's config file."""
    try:
        url = repo.config_reader().get_value('remote "origin"', "url", default="")
    except Exception:
        return None
    match = _HOSTED.search(str(url))
    return match.group(1).lower() if match else None


def _git_facts(root: Path) -> GitState:
    """Branch and whether there is a commit, read from the refs alone: no git process runs,
    so nothing in the scanned repository's configuration (hooks, fsmonitor) can."""
    try:
        import git  # GitPython, imported only when needed
        from git.refs.symbolic import SymbolicReference
    except Exception as error:  # GitPython missing, or no git executable found at import
        return GitState(None, False, f"GitPython unavailable: {error}")
    try:
        repo = git.Repo(str(root), search_parent_directories=True)
    except Exception as error:
        return GitState(None, False, f"{type(error).__name__}: {error}")
    try:
        head = repo.head
        branch = None if head.is_detached else head.reference.name
        try:
            has_commits = bool(SymbolicReference.dereference_recursive(repo, "HEAD"))
        except ValueError:  # HEAD names a branch that has no commit yet
            has_commits = False
        return GitState(branch, has_commits, None, _origin_owner(repo))
    except Exception as error:
        return GitState(None, False, f"{type(error).__name__}: {error}")
    finally:
        try:
            repo.close()
        except Exception:
            pass
