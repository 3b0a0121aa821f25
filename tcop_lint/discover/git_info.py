"""Which commit a scan saw, and where its files can be opened on GitHub or GitLab."""

from __future__ import annotations

import re
from pathlib import Path

from tcop_lint.core.model import RepositoryInfo

_HOSTS = ("github.com", "gitlab.com")
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[\w./-]+?)(?:\.git)?/?$")
_URL = re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<path>[\w./-]+?)(?:\.git)?/?$")


def repository_info(root: Path) -> RepositoryInfo:
    """Read from the work tree's git metadata without running git; fields stay None outside a
    repository, on a detached or unborn HEAD's missing parts, or for a remote elsewhere."""
    try:
        import git

        repo = git.Repo(str(root), search_parent_directories=True)
    except Exception:  # not a repository, or git metadata we cannot read: the report says less
        return RepositoryInfo(name=root.name)
    commit = branch = remote = None
    try:
        commit = repo.head.commit.hexsha
    except Exception:  # an unborn branch
        pass
    try:
        branch = None if repo.head.is_detached else repo.head.reference.name
    except Exception:
        pass
    try:
        if repo.remotes:
            origin = repo.remotes["origin"] if "origin" in repo.remotes else repo.remotes[0]
            remote = web_remote(origin.url)
    except Exception:
        pass
    top = Path(repo.working_tree_dir or root)
    prefix = _prefix(root, top)
    name = f"{top.name}/{prefix.rstrip('/')}" if prefix else top.name
    return RepositoryInfo(
        name=name, commit=commit, branch=branch, remote=remote, file_url=file_url(remote, commit, prefix)
    )


def _prefix(root: Path, top: Path) -> str:
    try:
        relative = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if relative == "." else relative + "/"


def web_remote(url: str) -> str | None:
    """``git@github.com:owner/name.git`` or an https URL with a token -> ``https://github.com/owner/name``;
    None for other hosts, since a link we cannot vouch for is worse than none."""
    match = _URL.match(url) or _SCP.match(url)
    if match is None or match["host"].lower() not in _HOSTS or ".." in match["path"].split("/"):
        return None
    return f"https://{match['host'].lower()}/{match['path']}"


def file_url(remote: str | None, commit: str | None, prefix: str = "") -> str | None:
    if remote is None or commit is None:
        return None
    blob = "/-/blob/" if remote.startswith("https://gitlab.com/") else "/blob/"
    return f"{remote}{blob}{commit}/{prefix}{{path}}#L{{line}}"
