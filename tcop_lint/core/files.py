"""The lowest loader layer: the one root-confined reader, and which files are "the README" and
licence files. Every other loader (and ``loading``) builds on this; it imports none of them."""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

SMALL_FILE = 256 * 1024
TEXT_FILE = 1024 * 1024
READ_LIMIT = 256 * 1024  # README and licence text

# Real locations of folders, per scan: a file's own location then costs one lstat, not a
# realpath (which lstats every component of the path). Cleared when a scan starts loading.
_REAL_DIRS: dict[str, str] = {}
_MAX_REAL_DIRS = 100_000


def forget_real_dirs() -> None:
    _REAL_DIRS.clear()


def real_dir(directory: str) -> str:
    real = _REAL_DIRS.get(directory)
    if real is None:
        if len(_REAL_DIRS) >= _MAX_REAL_DIRS:
            _REAL_DIRS.clear()
        real = _REAL_DIRS[directory] = os.path.realpath(directory)
    return real


def _realpath(text: str) -> str:
    parent, separator, base = text.rpartition(os.sep)
    if not separator or base in ("", ".", ".."):
        return os.path.realpath(text)
    try:
        if stat.S_ISLNK(os.lstat(text).st_mode):
            return os.path.realpath(text)
    except OSError:
        return os.path.realpath(text)
    return os.path.join(real_dir(parent or os.sep), base)


def inside_root(root: Path, path: Path) -> bool:
    """True when the real location of ``path`` is inside ``root`` (links followed)."""
    try:
        real = _realpath(os.fspath(path))
    except (OSError, RuntimeError, ValueError):
        return False
    top = str(Path(root))
    return real == top or real.startswith(top if top.endswith(os.sep) else top + os.sep)


class LinkOut(Exception):
    """The file, or a folder on its way, is a link that leads out of the scanned root."""


class NotRegular(Exception):
    """Missing, a folder, a device: nothing to read."""


_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # what Path.is_file() takes for "no"


def read_file(root: Path, name: str, limit: int) -> tuple[bytes, int]:
    """Up to ``limit`` bytes of a regular file below the root and its size. Never follows a
    link out of the root: raises LinkOut, NotRegular, or OSError when it cannot be read."""
    path = Path(root) / name
    if not inside_root(Path(root), path):
        raise LinkOut(name)
    try:
        st = os.stat(path)
    except OSError as error:
        if error.errno not in _NOT_THERE:
            raise
        raise NotRegular(name) from None
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(name)
    with open(path, "rb") as handle:
        return handle.read(max(0, limit)), st.st_size


def read_prefix(root: str | Path, name: str, limit: int = SMALL_FILE) -> bytes | None:
    """``read_file`` for callers that only need "the bytes, or nothing"; never raises."""
    try:
        return read_file(Path(real_dir(os.fspath(root))), name, limit)[0]
    except (LinkOut, NotRegular, OSError, ValueError, RuntimeError):
        return None


# --- the README and licence files --------------------------------------------------------

_README = re.compile(r"^readme(?:\.(?:md|markdown|mdown|rst|rdoc|txt|adoc|asciidoc|org))?$")
_DOC_SUFFIXES = (".md", ".markdown", ".txt", ".rst")
_LICENCE_NAME = re.compile(r"^(?:licen[cs]e|copying|unlicen[cs]e)(?:[-_.][a-z0-9][a-z0-9._-]*)?$")
_NOT_LICENCE_SUFFIXES = (
    ".py",
    ".js",
    ".ts",
    ".json",
    ".html",
    ".htm",
    ".yml",
    ".yaml",
    ".go",
    ".rb",
    ".java",
    ".cs",
    ".xml",
    ".toml",
    ".erb",
    ".tsx",
    ".jsx",
    ".css",
    ".scss",
    ".php",
    ".sh",
    ".tf",
)


def is_readme_path(name: str) -> bool:
    return "/" not in name and bool(_README.match(name.lower()))


def readme_path(files: Iterable[str]) -> str | None:
    """The root README: Markdown first, then by name."""
    ordered = sorted((n for n in files if is_readme_path(n)), key=lambda n: (not n.lower().endswith(".md"), n))
    return ordered[0] if ordered else None


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


def licence_paths(files: Iterable[str]) -> list[str]:
    return sorted(name for name in files if is_licence_path(name))
