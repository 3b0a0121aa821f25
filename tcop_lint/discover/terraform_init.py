"""Modules that ``terraform init`` installed: read from ``.terraform/modules/modules.json``.

``.terraform`` is never scanned as the repository's own code, but where a root folder has been
initialised its manifest maps each module call (``vpc``, ``vpc.subnets``) to the folder the
module was downloaded to, so registry and git modules can be read like local ones, with no
network. A manifest or folder that leads outside the scanned root is ignored.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from pathlib import Path

MANIFEST = ".terraform/modules/modules.json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
_TERRAFORM = (".tf", ".tf.json")


def installed_terraform_modules(
    root: Path, files: Sequence[str]
) -> tuple[tuple[tuple[str, tuple[tuple[str, str], ...]], ...], tuple[str, ...]]:
    """(root folder -> call key -> module folder, the Terraform files of those folders)."""
    folders = sorted({posixpath.dirname(name) for name in files if name.endswith(_TERRAFORM)})
    resolved_root = root.resolve()
    installed = []
    module_files: set[str] = set()
    for folder in folders:
        manifest = root / folder / MANIFEST
        keys = _keys(manifest, folder, resolved_root)
        if keys is None:
            continue
        kept = []
        for key, directory in keys:
            found = _terraform_files(root, directory, resolved_root)
            if found is not None:
                kept.append((key, directory))
                module_files.update(found)
        installed.append((folder, tuple(kept)))
    return tuple(installed), tuple(sorted(module_files))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _keys(manifest: Path, folder: str, root: Path) -> list[tuple[str, str]] | None:
    try:
        if not manifest.is_file() or not _inside(manifest, root) or manifest.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(entries, list):
        return None
    keys = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        key, directory = entry.get("Key"), entry.get("Dir")
        if isinstance(key, str) and key and isinstance(directory, str):
            joined = posixpath.normpath(posixpath.join(folder or ".", directory))
            if not joined.startswith("..") and ".terraform/modules" in joined:
                keys.append((key, joined))  # local sources inside the repository are read as they are
    return keys


def _terraform_files(root: Path, directory: str, resolved_root: Path) -> list[str] | None:
    path = root / directory
    if not _inside(path, resolved_root):
        return None
    try:
        names = sorted(entry.name for entry in path.iterdir() if entry.is_file() and entry.name.endswith(_TERRAFORM))
    except OSError:
        return None
    return [posixpath.join(directory, name) for name in names]
