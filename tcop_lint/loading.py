"""Reading one file safely and handing it to the loader for its kind."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from tcop_lint.model import LoadResult, ParseProblem

Loader = Callable[[str, str], LoadResult]


def loader_for(name: str) -> str | None:
    """Which loader reads a file, by its name alone (no file is opened)."""
    lower = name.lower()
    if lower.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
        return "terraform"
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".json"):
        return "json"
    return None


def _loader(kind: str) -> Loader:
    if kind == "terraform":
        from tcop_lint.loaders.terraform import load_terraform

        return load_terraform
    if kind == "yaml":
        from tcop_lint.loaders.documents import load_yaml

        return load_yaml
    from tcop_lint.loaders.documents import load_json

    return load_json


def inside_root(root: Path, path: Path) -> bool:
    """True when the real location of ``path`` is inside ``root`` (links followed)."""
    try:
        real = Path(os.path.realpath(path))
    except (OSError, RuntimeError):
        return False
    return real == root or root in real.parents


def _link_out(name: str) -> ParseProblem:
    return ParseProblem(name, "symbolic link points outside the scanned root; not followed", level="note", skipped=True)


def links_out_of_root(root: Path, files: Sequence[str]) -> tuple[ParseProblem, ...]:
    """A note for each listed symbolic link (to a file or a folder) that leads out of the root.
    Files the loaders read already get this note from ``read_text``; this covers the rest."""
    notes = []
    for name in files:
        path = root / name
        if loader_for(name) is None and path.is_symlink() and not inside_root(root, path):
            notes.append(_link_out(name))
    return tuple(notes)


def read_text(root: Path, name: str, max_bytes: int) -> tuple[str | None, ParseProblem | None]:
    """The file's text, or why it cannot be had. Never follows a link out of the root."""
    path = root / name
    if not inside_root(root, path):  # the file, or a folder on its way, is a link out of the root
        return None, _link_out(name)
    try:
        if not path.is_file():
            return None, ParseProblem(name, "not a regular file; skipped", level="note", skipped=True)
        size = path.stat().st_size
        if size > max_bytes:
            return None, ParseProblem(
                name, f"file is {size} bytes, over the {max_bytes}-byte limit (max_file_bytes); skipped", level="note", skipped=True
            )
        data = path.read_bytes()[: max_bytes + 1]
    except OSError as error:
        return None, ParseProblem(name, f"cannot be read: {error.strerror or error}")
    if b"\0" in data:
        return None, ParseProblem(name, "binary content in a file with a scanned extension; skipped")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, ParseProblem(name, f"not valid UTF-8 (byte {error.start}); skipped")


def load_file(root: Path, name: str, max_bytes: int) -> LoadResult:
    kind = loader_for(name)
    if kind is None:
        return LoadResult()
    text, problem = read_text(root, name, max_bytes)
    if problem is not None:
        return LoadResult(problems=(problem,))
    if not text.strip():
        return LoadResult()
    from tcop_lint.suppressions import parse_comment_directives

    directives = parse_comment_directives(name, text)
    try:
        result = _loader(kind)(name, text)
        return replace(result, directives=directives) if directives else result
    except RecursionError:
        return LoadResult(problems=(ParseProblem(name, "nesting too deep to read; skipped"),))
    except Exception as error:  # a loader bug must not stop the scan; say which file
        return LoadResult(problems=(ParseProblem(name, f"could not be loaded ({type(error).__name__}: {error})"),))
