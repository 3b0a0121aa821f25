"""One scan, from a request to a Report, with no printing and no exit codes."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tcop_lint import __version__
from tcop_lint.core.model import (
    REPOSITORY_KINDS,
    Check,
    CheckRun,
    Directive,
    Documents,
    Finding,
    ParseProblem,
    Report,
    RepositoryInfo,
)
from tcop_lint.core.settings import Settings
from tcop_lint.discover.discovery import ScanScope
from tcop_lint.load.selection import files_to_load

if TYPE_CHECKING:
    from tcop_lint.discover.discovery import Listing
    from tcop_lint.load.cache import Cache
    from tcop_lint.load.parallel import Probe
    from tcop_lint.progress import Progress


@dataclass(frozen=True)
class ScanRequest:
    paths: tuple[str, ...] = (".",)
    root: Path | None = None
    config_file: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # only checks reading these inputs (empty: all)
    diff_base: str | None = None
    baseline: Path | None = None
    category: str = "tcop-lint"
    jobs: int | None = None  # worker processes for parsing; None: one per core
    cache: Cache | None = None  # parse cache; None: parse everything
    progress: Progress | None = None  # told files loaded, then checks run
    describe_repository: bool = False  # read the commit and remote for an evidence report
    listing: Listing | None = None  # the repository's file listing, started early (discovery)


class UsageProblem(ValueError):
    """Bad arguments or configuration: exit 2 with this message."""


def _scope_root(request: ScanRequest) -> Path:
    from tcop_lint.discover.discovery import default_root

    return request.root.resolve() if request.root is not None else default_root(request.paths)


def _chosen_checks(request: ScanRequest, catalogue: Sequence[Check], settings: Settings) -> tuple[Check, ...]:
    from tcop_lint.check.catalogue import READS, is_known_selector, select_checks

    for selector in (*request.select, *request.ignore):
        if not is_known_selector(catalogue, selector):
            raise UsageProblem(f"'{selector}' matches no check (use an id, an id prefix or tcop-N)")
    for kind in request.kinds:
        if kind not in READS:
            raise UsageProblem(f"--kinds: unknown input '{kind}' (choose from {', '.join(READS)})")
    checks = select_checks(catalogue, request.select, request.ignore, settings.check_levels)
    return tuple(c for c in checks if not request.kinds or c.reads in request.kinds)


def _suppress(findings, directives: Sequence[Directive], checks, catalogue, settings: Settings) -> tuple[Finding, ...]:
    from tcop_lint.suppress.suppressions import apply_suppressions

    return apply_suppressions(
        findings,
        [*directives, *settings.ignores],
        ran=[c.id for c in checks],
        known=[c.id for c in catalogue],
        not_ignorable=settings.not_ignorable,
    )


def is_repository_level(finding: Finding, kinds: Mapping[str, str]) -> bool:
    """About the repository or estate as a whole rather than a line: compared with the base's."""
    return kinds.get(finding.check_id) in REPOSITORY_KINDS or finding.file is None or finding.anchor_only


def _base_fingerprints(root: Path, base_commit: str, checks: Sequence[Check], settings: Settings) -> frozenset[str]:
    """Fingerprints of the repository-level findings the base commit already had (``checks``: the
    repository checks and the checks that gave estate-wide findings on the head)."""
    from tcop_lint.discover.discovery import discover
    from tcop_lint.suppress.diffmode import base_snapshot, temporary_directory

    if not checks:
        return frozenset()
    with temporary_directory() as folder:
        base_root = Path(folder).resolve()
        base_snapshot(root, base_commit, base_root)
        scope = discover([str(base_root)], root=base_root, exclude=settings.exclude, use_git=False)
        _, run = scan(scope, checks, settings)
    return frozenset(f.fingerprint for f in run.findings)


def execute(request: ScanRequest) -> Report:
    from tcop_lint.check.catalogue import CatalogueError, builtin_checks_dir, load_catalogue
    from tcop_lint.config import ConfigError, check_configuration, load_settings
    from tcop_lint.discover.discovery import DiscoveryError, discover
    from tcop_lint.statements import StatementsError, past_review_findings, read_statements, statement_check
    from tcop_lint.suppress.baseline import BaselineError, accepted_findings, apply_baseline, read_baseline
    from tcop_lint.suppress.diffmode import DiffError, changed_lines, mark_changes
    from tcop_lint.suppress.suppressions import TOOL_CHECKS
    from tcop_lint.suppress.test_code import demote_test_code

    root = _scope_root(request)
    try:
        settings, source = load_settings(root, request.config_file)
        catalogue = load_catalogue(
            [builtin_checks_dir(), *(Path(d) for d in settings.extra_check_dirs)],
            trusted=[builtin_checks_dir()],
            keep_in=request.cache.directory if request.cache is not None else None,
        )
        check_configuration(settings, catalogue, source)
        known_baseline = read_baseline(request.baseline) if request.baseline else None
        statements = read_statements(root)
    except (ConfigError, CatalogueError, BaselineError, StatementsError) as error:
        raise UsageProblem(str(error)) from None
    checks = _chosen_checks(request, catalogue, settings)
    try:
        scope = discover(request.paths, root=root, exclude=settings.exclude, listing=request.listing)
        changes = changed_lines(scope.root, request.diff_base) if request.diff_base else None
    except (DiscoveryError, DiffError) as error:
        raise UsageProblem(str(error)) from None
    outcome = scan_outcome(scope, checks, settings, request.jobs, request.cache, request.progress)
    run = outcome.run
    findings = demote_test_code(
        _suppress((*run.findings, *past_review_findings(statements)), outcome.directives, checks, catalogue, settings),
        settings.test_code_paths,
        settings.test_code_level,
    )
    diff_hidden = baseline_hidden = 0
    if changes is not None:
        kinds = {c.id: c.reads for c in checks}
        wide = {f.check_id for f in findings if is_repository_level(f, kinds)}
        base = _base_fingerprints(
            scope.root,
            changes.base_commit,
            [c for c in checks if c.reads in REPOSITORY_KINDS or c.id in wide],
            settings,
        )
        # Every finding of the head stays in the report (code scanning treats an upload as the
        # whole state of the ref); those the branch did not introduce are marked "unchanged".
        findings, diff_hidden = mark_changes(findings, changes, lambda f: is_repository_level(f, kinds), base)
    accepted: tuple[Finding, ...] = ()
    if known_baseline is not None:
        accepted = accepted_findings(findings, known_baseline)
        findings, baseline_hidden = apply_baseline(findings, known_baseline)
    own_checks = {**TOOL_CHECKS, statement_check().id: statement_check()}
    tool_checks = tuple(own_checks[i] for i in sorted({f.check_id for f in findings} & set(own_checks)))
    return Report(
        tool_version=__version__,
        root=str(scope.root),
        checks=checks + tool_checks,
        findings=findings,
        problems=outcome.problems,
        crashes=run.crashes,
        files_scanned=len(scope.targets),
        category=request.category,
        baseline_hidden=baseline_hidden,
        diff_hidden=diff_hidden,
        diff_base=request.diff_base,
        repository_files=scope.files,
        inventory=outcome.inventory,
        inspected=run.inspected,
        statements=statements,
        accepted=accepted,
        repository=_repository(scope.root) if request.describe_repository else None,
        configuration=configuration_summary(settings, source),
        generated_at=generated_at(),
    )


def generated_at() -> str:
    """Now, in UTC; or SOURCE_DATE_EPOCH when set, so that a rerun gives the same bytes
    (the reproducible-builds convention)."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (
        dt.datetime.fromtimestamp(int(fixed), dt.timezone.utc) if fixed.isdigit() else dt.datetime.now(dt.timezone.utc)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _repository(root: Path) -> RepositoryInfo:
    from tcop_lint.discover.git_info import repository_info

    return repository_info(root)


def configuration_summary(settings: Settings, source: str | None) -> dict[str, Any]:
    """What an assessor needs to know of the settings a report was made with."""
    return {
        "file": source,
        "allowed_regions": {cloud: list(regions) for cloud, regions in settings.allowed_regions.items()},
        "allowed_licences": list(settings.allowed_licences),
        "required_tags": list(settings.required_tags),
        "openapi_profile": settings.openapi_profile,
        "exclude": list(settings.exclude),
        "checks_off": sorted(i for i, level in settings.check_levels.items() if level == "off"),
        "levels_changed": {i: level for i, level in sorted(settings.check_levels.items()) if level != "off"},
        "check_options": {i: dict(o) for i, o in sorted(settings.check_options.items())},
        "ignores": len(settings.ignores),
        "not_ignorable": list(settings.not_ignorable),
        "test_code_paths": list(settings.test_code_paths),
        "test_code_level": settings.test_code_level,
    }


def scan(
    scope: ScanScope,
    checks: Sequence[Check],
    settings: Settings,
    jobs: int | None = 1,
    cache: Cache | None = None,
    progress: Progress | None = None,
    probed: Probe | None = None,
) -> tuple[Documents, CheckRun]:
    # Assembly and the checks are imported only when a scan runs: a pre-commit run that finds
    # its outcome in the cache needs neither (~70 ms of imports).
    from tcop_lint.assemble.assembly import load_documents
    from tcop_lint.check.engine import run_checks
    from tcop_lint.load.parallel import default_jobs

    # Only what the selected checks read: a pre-commit run of Terraform checks gathers no
    # licence or README facts.
    with_repository = any(check.reads in REPOSITORY_KINDS for check in checks)
    documents = load_documents(scope, settings, jobs, cache, with_repository, progress, probed)

    run = run_checks(
        checks, documents, settings, partial=scope.explicit, jobs=jobs or default_jobs(), progress=progress
    )
    gc.unfreeze()  # load_documents froze the loaded views; a long-lived process may collect them now
    return documents, run


@dataclass(frozen=True)
class Outcome:
    """What a report needs of one scan: its checks' run and, of the documents, the suppressions
    in the scanned files, the parse problems in scope and the provider inventory."""

    run: CheckRun
    directives: tuple[Directive, ...]
    problems: tuple[ParseProblem, ...]
    inventory: Mapping[str, Any]


def _outcome(documents: Documents, run: CheckRun) -> Outcome:
    from tcop_lint.assemble.assembly import problems_in_scope
    from tcop_lint.assemble.inventory import provider_inventory
    from tcop_lint.load.directives import openapi_directives

    scanned = frozenset(documents.scanned_files)
    directives = tuple(d for d in (*documents.directives, *openapi_directives(documents)) if d.file in scanned)
    return Outcome(run, directives, problems_in_scope(documents), provider_inventory(documents))


def scan_outcome(
    scope: ScanScope,
    checks: Sequence[Check],
    settings: Settings,
    jobs: int | None = 1,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """``scan``, reduced to what a report needs; with a cache, the last outcome again when none
    of its inputs changed (every file unchanged, same refs, settings, checks and code)."""
    if cache is None:
        return _outcome(*scan(scope, checks, settings, jobs, None, progress))
    from tcop_lint.load.cache import outcome_path, read_outcome, write_outcome
    from tcop_lint.load.parallel import keep_probe, probe

    with_repository = any(check.reads in REPOSITORY_KINDS for check in checks)
    names = files_to_load(scope, with_repository)
    probed = probe(scope.root, names, settings.max_file_bytes, cache, settings.max_plan_bytes)
    slot = repr((str(scope.root), scope.explicit, scope.targets if scope.explicit else (), [c.id for c in checks]))
    path = outcome_path(cache, slot)
    key = _outcome_key(scope, checks, settings, probed.digest(), with_repository)
    if key is not None:
        known = read_outcome(path, key)
        if isinstance(known, Outcome):
            keep_probe(cache, probed)
            return known
    documents, run = scan(scope, checks, settings, jobs, cache, progress, probed)
    outcome = _outcome(documents, run)
    if not run.crashes:
        # The key of what was read (the pack now holds it): none if a file changed meanwhile.
        after = probe(scope.root, names, settings.max_file_bytes, cache, settings.max_plan_bytes).digest()
        loaded_key = _outcome_key(scope, checks, settings, after, with_repository)
        if loaded_key is not None and key in (None, loaded_key):
            write_outcome(cache, path, loaded_key, outcome)
    return outcome


def _outcome_key(
    scope: ScanScope, checks: Sequence[Check], settings: Settings, files: str | None, with_repository: bool
) -> str | None:
    """Everything a scan's outcome depends on, or None when that cannot be told cheaply."""
    import hashlib

    from tcop_lint.discover.git_info import refs_key
    from tcop_lint.load.cache import code_stamp
    from tcop_lint.load.loading import links_out_of_root

    if files is None:
        return None
    refs = refs_key(scope.root) if scope.is_git else ""
    if refs is None:
        return None
    combined = hashlib.sha256()
    # The scope's file list is hashed as it is: its repr (twice over, as part of another repr)
    # was a tenth of a pre-commit run on a 21,000-file repository.
    for part in (
        "\0".join(scope.files),
        repr((__version__, code_stamp(), files, refs, with_repository)),
        repr(replace(scope, files=())),
        repr(settings),
        repr(tuple(checks)),
        repr(links_out_of_root(scope.root, scope.files)),
    ):
        combined.update(part.encode("utf-8", "surrogateescape") + b"\0\0")
    return combined.hexdigest()
