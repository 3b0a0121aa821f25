"""Finding the files to scan: git-aware, never outside the scanned root."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcop_lint.discover.terraform_init import installed_terraform_modules

SKIPPED_DIRECTORIES = frozenset({".git", ".terraform", "node_modules", "vendor", ".venv", "__pycache__"})


@dataclass(frozen=True)
class ScanScope:
    root: Path  # absolute, resolved: the repository being scanned
    files: tuple[str, ...]  # every file of the repository (context), relative posix, sorted
    targets: tuple[str, ...]  # the files findings may be reported on (explicit paths), sorted
    is_git: bool
    explicit: bool  # files were named on the command line (pre-commit)
    # Modules `terraform init` installed: root folder -> ((call key, module folder), ...),
    # from each .terraform/modules/modules.json, and the Terraform files in those folders.
    installed_modules: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    module_files: tuple[str, ...] = ()


class DiscoveryError(ValueError):
    """A path that cannot be scanned (does not exist, outside the root)."""


def git_toplevel(path: Path) -> Path | None:
    """The work tree containing ``path``, found by looking for .git, without running git."""
    current = path if path.is_dir() else path.parent
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@dataclass(frozen=True)
class Listing:
    """``git ls-files`` of a root, started ahead of need: it runs while the rest of tcop-lint
    imports (about 50 ms of a pre-commit run on a 21,000-file repository, hidden)."""

    toplevel: Path
    root: Path
    process: Any  # subprocess.Popen

    def stop(self) -> None:
        """Reap the process when it was not used (a usage error came first)."""
        if self.process.returncode is not None:
            return  # read already
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def start_listing(paths: Sequence[str], root: Path | None = None) -> Listing | None:
    """Begin listing the files of the repository ``discover`` will scan for these arguments;
    None where there is nothing to start (no work tree, no git, a path that is not there)."""
    try:
        root = (root or default_root(paths)).resolve()
    except (OSError, ValueError):
        return None
    toplevel = git_toplevel(root)
    return _listing(toplevel, root) if toplevel is not None else None


def _listing(toplevel: Path, below: Path) -> Listing | None:
    """``git ls-files`` of ``below``, started: git itself, not GitPython, whose import costs
    ~45 ms, a fifth of a pre-commit run's budget, for one command."""
    import subprocess

    relative = below.relative_to(toplevel).as_posix()
    # -c core.fsmonitor=false: a hostile repository's config must not run a program.
    command = ["git", "-c", "core.fsmonitor=false", "-c", "core.quotepath=false", "ls-files", "-z"]
    command += ["--cached", "--others", "--exclude-standard", "--", relative]
    try:
        process = subprocess.Popen(command, cwd=toplevel, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    return Listing(toplevel, below, process)


def _git_files(toplevel: Path, below: Path, listing: Listing | None = None) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files below ``below``, relative to ``below``;
    ``listing``, when it is of this root, is the one already under way."""
    if listing is None or (listing.toplevel, listing.root) != (toplevel, below):
        if listing is not None:
            listing.stop()
        listing = _listing(toplevel, below)
        if listing is None:
            return None
    output, _ = listing.process.communicate()
    if listing.process.returncode != 0:
        return None
    names = sorted(set(output.decode("utf-8", "surrogateescape").split("\0")) - {""})
    relative = below.relative_to(toplevel).as_posix()
    if relative == ".":
        return names
    prefix = relative + "/"
    return [name[len(prefix) :] for name in names if name.startswith(prefix)]


def _walk_files(root: Path) -> list[str]:
    found: list[str] = []
    for directory, subdirectories, filenames in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        base = Path(directory).relative_to(root)
        found.extend((base / name).as_posix() for name in filenames)
        # A link to a folder is listed, not entered: as git lists it, and so it can be reported.
        found.extend(
            (base / name).as_posix() for name in subdirectories if os.path.islink(os.path.join(directory, name))
        )
    return sorted(found)


def _excluded(path: str, spec) -> bool:
    return spec is not None and spec.match_file(path)


def exclude_spec(patterns: Sequence[str]):
    """gitignore-style patterns from configuration."""
    if not patterns:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def default_root(paths: Sequence[str]) -> Path:
    """The repository scanned: the one directory given, else the git work tree holding the
    first path, else the current directory."""
    given = [Path(p) for p in (paths or ["."])]
    if len(given) == 1 and given[0].is_dir():
        return given[0].resolve()
    return (git_toplevel(given[0].resolve()) if given[0].exists() else None) or Path.cwd().resolve()


def discover(
    paths: Sequence[str],
    root: Path | None = None,
    exclude: Sequence[str] = (),
    use_git: bool = True,
    listing: Listing | None = None,
) -> ScanScope:
    """Resolve command-line paths into a scope.

    One directory: it is the repository scanned. Files: scanned as given, inside the
    repository (git work tree, else the current directory) that holds them. ``listing``: the
    git listing ``start_listing`` began for these arguments, if any.
    """
    given = [Path(p) for p in (paths or ["."])]
    for path in given:
        if not path.exists() and not path.is_symlink():
            raise DiscoveryError(f"{path}: no such file or directory")
    directories = [p for p in given if p.is_dir()]
    explicit_files = [p for p in given if not p.is_dir()]
    root = (root or default_root(paths)).resolve()
    toplevel = git_toplevel(root) if use_git else None
    is_git = toplevel is not None
    listed = _git_files(toplevel, root, listing) if toplevel is not None else None
    if toplevel is None and listing is not None:
        listing.stop()
    if listed is None:
        is_git = False
        listed = _walk_files(root)
    spec = exclude_spec(exclude)
    # .terraform holds what terraform init downloaded, even when committed: read only as the
    # installed modules of its root (terraform_init), never as the repository's own files.
    files = tuple(
        name
        for name in listed
        if not (".terraform/" in name and (name.startswith(".terraform/") or "/.terraform/" in name))
        and (spec is None or not spec.match_file(name))
    )
    if explicit_files or len(directories) > 1 or (directories and directories[0].resolve() != root):
        targets = _targets(root, directories, explicit_files, files, spec)
        # Only the targets' own root folders: the modules other roots installed say nothing about
        # the targets, and looking for every folder's manifest costs a pre-commit run ~30 ms.
        installed, module_files = installed_terraform_modules(root, targets)
        return ScanScope(root, files, targets, is_git, True, installed, module_files)
    installed, module_files = installed_terraform_modules(root, files)
    return ScanScope(root, files, files, is_git, False, installed, module_files)


def _relative(root: Path, path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        raise DiscoveryError(f"{path}: outside the scanned root {root}") from None


def _targets(
    root: Path, directories: Iterable[Path], files: Iterable[Path], known: Sequence[str], spec
) -> tuple[str, ...]:
    chosen: set[str] = set()
    for directory in directories:
        prefix = _relative(root, directory)
        prefix = "" if prefix == "." else prefix + "/"
        chosen.update(name for name in known if name.startswith(prefix))
    for path in files:
        name = _relative(root, path)
        if not _excluded(name, spec):
            chosen.add(name)
    return tuple(sorted(chosen))
