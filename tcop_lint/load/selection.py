"""Which files a scan loads: its targets and the context they need."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping

from tcop_lint.core.files import read_prefix
from tcop_lint.discover.discovery import ScanScope
from tcop_lint.load.loading import loader_for

_LOCAL_SOURCE = re.compile(rb'(?m)^\s*"?source"?\s*[=:]\s*"(\.\.?(?:/[^"\n]*)?)"')
_MAX_SOURCE_BYTES = 2 * 1024 * 1024


def files_to_load(scope: ScanScope, with_repository: bool = True) -> tuple[str, ...]:
    """Files to parse or to look into: targets plus the context they need (the other files of
    their kind in their directories). With repository checks, also every file a content check
    (secrets, encoding, licence...) reads."""
    installed = scope.module_files  # modules terraform init installed: read to follow calls into them
    if not scope.explicit:
        if with_repository:
            from tcop_lint.load.content import wanted as content_wanted

            listed = tuple(name for name in scope.files if loader_for(name) or content_wanted(name))
        else:
            listed = tuple(name for name in scope.files if loader_for(name))
        return tuple(sorted((*listed, *installed))) if installed else listed
    wanted = {name for name in scope.targets if loader_for(name)}
    wanted.update(installed)
    # Terraform needs its module's other files to resolve variables; manifests need their
    # neighbours for relations (an HPA or PodDisruptionBudget beside a Deployment).
    by_folder: dict[tuple[bool, str], list[str]] = {}
    for name in scope.files:  # one pass: a pre-commit run asks this of every file of the repository
        kind = loader_for(name)
        if kind is not None:
            by_folder.setdefault((kind == "terraform", name.rpartition("/")[0]), []).append(name)
    directories = {(loader_for(name) == "terraform", name.rpartition("/")[0]) for name in wanted}
    directories.update(
        (True, folder) for folder in called_folders(scope, {d for tf, d in directories if tf}, by_folder)
    )
    for directory in directories:
        wanted.update(by_folder.get(directory, ()))
    if with_repository:
        from tcop_lint.load.content import repository_file, view_wanted
        from tcop_lint.load.content import wanted as content_wanted

        # Findings on other files are left out of a partial scan, so only targets need content
        # facts; and the licence files and README, which the repository facts read.
        wanted.update(name for name in scope.targets if content_wanted(name))
        wanted.update(name for name in scope.files if repository_file(name) and not loader_for(name))
        # Workflows, Dependabot, CODEOWNERS, manifests and lockfiles are repository-wide evidence
        # (TCOP-06-REPO-001 counts the ecosystems of every manifest), read whatever the targets.
        wanted.update(name for name in scope.files if view_wanted(name, data_files=False))
    return tuple(sorted(wanted))


def called_folders(
    scope: ScanScope, folders: Iterable[str], by_folder: Mapping[tuple[bool, str], list[str]]
) -> set[str]:
    """The folders local ``module`` sources in ``folders`` lead to, transitively: a partial scan
    evaluates a call with its module, as a full scan does. ``by_folder``: the loadable files of
    each (is Terraform, folder)."""
    pending = list(folders)
    seen = set(pending)
    found: set[str] = set()
    while pending:
        folder = pending.pop()
        for name in by_folder.get((True, folder), ()):
            if not name.endswith((".tf", ".tf.json")):
                continue
            text = read_prefix(scope.root, name, _MAX_SOURCE_BYTES) or b""
            for match in _LOCAL_SOURCE.finditer(text):
                source = match.group(1).decode("utf-8", "replace")
                target = posixpath.normpath(posixpath.join(folder or ".", source))
                target = "" if target == "." else target
                if target.startswith("..") or target in seen:
                    continue
                seen.add(target)
                found.add(target)
                pending.append(target)
    return found
