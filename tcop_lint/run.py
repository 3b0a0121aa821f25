"""One scan, from a request to a Report, with no printing and no exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tcop_lint import __version__
from tcop_lint.model import Report


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[str, ...] = (".",)
    root: Path | None = None
    config_file: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


class UsageProblem(ValueError):
    """Bad arguments or configuration: exit 2 with this message."""


def _scope_root(request: ScanRequest) -> Path:
    if request.root is not None:
        return request.root.resolve()
    from tcop_lint.discovery import git_toplevel

    given = [Path(p) for p in request.paths]
    if len(given) == 1 and given[0].is_dir():
        return given[0].resolve()
    return (git_toplevel(given[0].resolve()) if given[0].exists() else None) or Path.cwd().resolve()


def execute(request: ScanRequest) -> Report:
    from tcop_lint.catalogue import CatalogueError, builtin_checks_dir, is_known_selector, load_catalogue, select_checks
    from tcop_lint.config import ConfigError, check_known_ids, load_settings
    from tcop_lint.discovery import DiscoveryError, discover
    from tcop_lint.engine import problems_in_scope, scan

    root = _scope_root(request)
    try:
        settings, source = load_settings(root, request.config_file)
        catalogue = load_catalogue([builtin_checks_dir(), *(Path(d) for d in settings.extra_check_dirs)])
        check_known_ids(settings, (check.id for check in catalogue), source)
    except (ConfigError, CatalogueError) as error:
        raise UsageProblem(str(error)) from None
    for selector in (*request.select, *request.ignore):
        if not is_known_selector(catalogue, selector):
            raise UsageProblem(f"'{selector}' matches no check (use an id, an id prefix or tcop-N)")
    checks = select_checks(catalogue, request.select, request.ignore, settings.check_levels)
    try:
        scope = discover(request.paths, root=root, exclude=settings.exclude)
    except DiscoveryError as error:
        raise UsageProblem(str(error)) from None
    documents, run = scan(scope, checks, settings)
    return Report(
        tool_version=__version__,
        root=str(scope.root),
        checks=checks,
        findings=run.findings,
        problems=problems_in_scope(documents),
        crashes=run.crashes,
        files_scanned=len(scope.targets),
    )
