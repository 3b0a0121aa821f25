"""Which commit a scan saw, and where its files can be opened on GitHub or GitLab."""

from __future__ import annotations

import configparser
import os
import re
from pathlib import Path

from tcop_lint.core.model import RepositoryInfo
from tcop_lint.discover.discovery import git_toplevel

_HOSTS = ("github.com", "gitlab.com")
_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[\w./-]+?)(?:\.git)?/?$")
_URL = re.compile(r"^(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host>[\w.-]+)(?::\d+)?/(?P<path>[\w./-]+?)(?:\.git)?/?$")
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_REMOTE_SECTION = re.compile(r'^remote "(?P<name>[^"]+)"$')


def repository_info(root: Path) -> RepositoryInfo:
    """Read from the work tree's git metadata as files, never running git (a scanned repository's
    config must not be able to start a program); fields stay None outside a repository, on an
    unborn HEAD, or for a remote elsewhere."""
    top = git_toplevel(root)
    git_dir = _git_dir(top) if top is not None else None
    if top is None or git_dir is None:
        return RepositoryInfo(name=root.name)
    commit, branch = _head(git_dir)
    remote = _remote(git_dir)
    prefix = _prefix(root, top)
    name = f"{top.name}/{prefix.rstrip('/')}" if prefix else top.name
    return RepositoryInfo(
        name=name, commit=commit, branch=branch, remote=remote, file_url=file_url(remote, commit, prefix)
    )


def _git_dir(top: Path) -> Path | None:
    dot_git = top / ".git"
    if dot_git.is_dir():
        return dot_git
    try:  # a linked work tree or a submodule: ".git" is a file naming the real folder
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:") :].strip())
    target = target if target.is_absolute() else top / target
    return target if target.is_dir() else None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _common_dir(git_dir: Path) -> Path:
    common = _read(git_dir / "commondir")
    if common is None:
        return git_dir
    target = Path(common.strip())
    return target if target.is_absolute() else git_dir / target


def _head(git_dir: Path) -> tuple[str | None, str | None]:
    head = (_read(git_dir / "HEAD") or "").strip()
    if _SHA.match(head):
        return head, None
    if not head.startswith("ref:"):
        return None, None
    ref = head[len("ref:") :].strip()
    branch = ref.removeprefix("refs/heads/")
    return _resolve(git_dir, ref), branch


def _resolve(git_dir: Path, ref: str) -> str | None:
    if ".." in ref.split("/"):
        return None
    for folder in (git_dir, _common_dir(git_dir)):
        value = (_read(folder / ref) or "").strip()
        if _SHA.match(value):
            return value
    for line in (_read(_common_dir(git_dir) / "packed-refs") or "").splitlines():
        sha, _, name = line.partition(" ")
        if name.strip() == ref and _SHA.match(sha):
            return sha
    return None  # an unborn branch


def _remote(git_dir: Path) -> str | None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(_read(_common_dir(git_dir) / "config") or "")
    except configparser.Error:
        return None
    urls = {
        match["name"]: parser.get(section, "url", fallback="")
        for section in parser.sections()
        if (match := _REMOTE_SECTION.match(section))
    }
    url = urls.get("origin") or next(iter(urls.values()), "")
    return web_remote(url) if url else None


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


MAX_REF_FILES = 10_000


def refs_key(root: Path) -> str | None:
    """A digest of what the git checks and repository facts read besides the files: HEAD, every
    ref (the history is what they reach), shallow boundary and config, read as files; "" outside
    a repository, None when it cannot be told (too many loose refs, unreadable)."""
    import hashlib

    top = git_toplevel(root)
    git_dir = _git_dir(top) if top is not None else None
    if git_dir is None:
        return ""
    common = _common_dir(git_dir)
    combined = hashlib.sha256(str(git_dir).encode("utf-8", "surrogateescape"))
    parts = [git_dir / "HEAD", common / "packed-refs", common / "config", common / "shallow"]
    seen = 0
    for directory, subdirectories, files in os.walk(common / "refs"):
        subdirectories.sort()
        for name in sorted(files):
            parts.append(Path(directory) / name)
            seen += 1
        if seen > MAX_REF_FILES:
            return None
    for path in parts:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b"\0absent"
        except OSError:
            return None
        combined.update(str(path).encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
    return combined.hexdigest()
