"""From a scope to findings: load each file once, run the selected checks, collect results."""

from __future__ import annotations

import gc
import traceback
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from tcop_lint.discovery import ScanScope
from tcop_lint.loading import links_out_of_root, loader_for
from tcop_lint.model import (
    Check,
    CheckCrash,
    Documents,
    Finding,
    Hit,
    LoadResult,
    ParseProblem,
    RepositoryFacts,
    fingerprint,
)
from tcop_lint.rules import declarative
from tcop_lint.settings import RuleContext, Settings
from tcop_lint.subjects import Subject, subjects

if TYPE_CHECKING:
    from tcop_lint.cache import Cache


@dataclass(frozen=True)
class CheckRun:
    findings: tuple[Finding, ...]
    crashes: tuple[CheckCrash, ...]


def files_to_load(scope: ScanScope, with_repository: bool = True) -> tuple[str, ...]:
    """Files to parse or to look into: targets plus the context they need (the other files of
    their kind in their directories). With repository checks, also every file a content check
    (secrets, encoding, licence...) reads."""
    from tcop_lint.loaders.content import repository_file, view_wanted
    from tcop_lint.loaders.content import wanted as content_wanted

    if not scope.explicit:
        return tuple(
            name for name in scope.files if loader_for(name) or (with_repository and content_wanted(name))
        )
    wanted = {name for name in scope.targets if loader_for(name)}
    # Terraform needs its module's other files to resolve variables; manifests need their
    # neighbours for relations (an HPA or PodDisruptionBudget beside a Deployment).
    directories = {(loader_for(name) == "terraform", name.rpartition("/")[0]) for name in wanted}
    wanted.update(
        name for name in scope.files
        if loader_for(name) and (loader_for(name) == "terraform", name.rpartition("/")[0]) in directories
    )
    if with_repository:
        # Findings on other files are left out of a partial scan, so only targets need content
        # facts; and the licence files and README, which the repository facts read.
        wanted.update(name for name in scope.targets if content_wanted(name))
        wanted.update(name for name in scope.files if repository_file(name) and not loader_for(name))
        # Workflows, Dependabot, CODEOWNERS, manifests and lockfiles are repository-wide evidence
        # (TCOP-06-REPO-001 counts the ecosystems of every manifest), read whatever the targets.
        wanted.update(name for name in scope.files if view_wanted(name))
    return tuple(sorted(wanted))


def assemble(
    scope: ScanScope, results: Sequence[LoadResult], names: Sequence[str] | None = None, with_repository: bool = True
) -> Documents:
    """Documents from the load results of ``names`` (by default ``files_to_load(scope)``).
    Without repository checks the repository facts (licences, README ...) are not gathered."""
    from tcop_lint.loaders.repository import repository_facts
    from tcop_lint.terraform_modules import assemble_modules

    names = files_to_load(scope, with_repository) if names is None else names
    content = {name: result.content for name, result in zip(names, results) if result.content is not None}
    tf_files = [result.terraform for result in results if result.terraform is not None]
    settled = {r.terraform.file: r.terraform_settled for r in results if r.terraform is not None and r.terraform_settled}
    return Documents(
        repository=(
            repository_facts(scope.root, scope.files, scope.is_git, content)
            if with_repository
            else RepositoryFacts(str(scope.root), scope.files, scope.is_git)
        ),
        terraform=assemble_modules(tf_files, settled) if tf_files else (),
        kubernetes=tuple(obj for result in results for obj in result.kubernetes),
        openapi=tuple(doc for result in results for doc in result.openapi),
        problems=(*(p for result in results for p in result.problems), *links_out_of_root(scope.root, scope.files)),
        scanned_files=scope.targets,
        directives=tuple(directive for result in results for directive in result.directives),
        content=content,
    )


def load_documents(
    scope: ScanScope,
    settings: Settings,
    jobs: int | None = 1,
    cache: "Cache | None" = None,
    with_repository: bool = True,
) -> Documents:
    """Every file parsed once: in worker processes when there are enough, from the cache
    when unchanged since the last scan."""
    from tcop_lint.cache import keep_data_in
    from tcop_lint.loading import forget_real_dirs
    from tcop_lint.parallel import load_all

    forget_real_dirs()
    keep_data_in(cache.directory if cache is not None else None)  # where licence reference texts are kept
    names = files_to_load(scope, with_repository)
    # Loading builds millions of small objects that live until the scan ends, and none is
    # garbage: with the collector running, each full collection walks them all (seconds on a
    # large repository). Collect nothing meanwhile, then leave them out of later collections.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return assemble(scope, load_all(scope.root, names, settings.max_file_bytes, jobs, cache), names, with_repository)
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


# --- running checks ---------------------------------------------------------------------




def _python_work(
    check: Check, documents: Documents, settings: Settings
) -> Iterable[tuple[Subject | None, Callable[[], Iterable[Hit]]]]:
    from tcop_lint.registry import check_options, rule_function

    rule = check.rule
    function = rule_function(rule["function"])
    context = RuleContext(documents, settings, check_options(check, settings))
    if "target" not in rule:
        yield None, lambda: function(context)
        return
    for subject in subjects(documents, rule):
        yield subject, lambda subject=subject: function(subject, context)


def to_finding(check: Check, hit: Hit, disambiguator: str = "") -> Finding:
    return Finding(
        check_id=check.id,
        level=hit.level or check.level,
        tcop_point=check.tcop_point,
        file=hit.file,
        position=hit.position,
        address=hit.address,
        message=hit.message,
        fingerprint=fingerprint(check.id, hit, disambiguator=disambiguator),
        properties=dict(hit.properties),
        span=hit.span,
        anchor_only=hit.anchor_only,
    )


def _findings(check: Check, hits: Sequence[Hit]) -> list[Finding]:
    """Findings with distinct fingerprints: where a rule gave two findings one identity (it set no
    key to tell them apart), those two fall back on their messages rather than merge."""
    findings = [to_finding(check, hit) for hit in hits]
    seen = Counter(finding.fingerprint for finding in findings)
    return [
        to_finding(check, hit, disambiguator=hit.message) if seen[finding.fingerprint] > 1 else finding
        for hit, finding in zip(hits, findings)
    ]


def run_check(check: Check, documents: Documents, settings: Settings) -> CheckRun:
    """Run one check on every subject; a subject it crashes on is reported, the rest still run."""
    hits: list[Hit] = []
    crashes: dict[str | None, CheckCrash] = {}
    try:
        work = list(_python_work(check, documents, settings) if "function" in check.rule else declarative.work(check.rule, documents))
    except Exception as error:  # e.g. a rule naming a function that does not exist
        return CheckRun((), (CheckCrash(check.id, None, f"{type(error).__name__}: {error}", traceback.format_exc()),))
    for subject, produce in work:
        try:
            hits.extend(produce())
        except Exception as error:  # a broken check must not end the scan; it is reported and exits 3
            file = subject.file if subject is not None else None
            crashes.setdefault(file, CheckCrash(check.id, file, f"{type(error).__name__}: {error}", traceback.format_exc()))
    return CheckRun(tuple(_findings(check, hits)), tuple(crashes.values()))


REPOSITORY_KINDS = ("repository", "git")


def _in_scope(finding: Finding, check: Check, scanned: frozenset[str], partial: bool) -> bool:
    """A finding on a file counts when the file is in scope. A finding about the whole
    estate from a file check ("no budget anywhere") cannot be judged from a partial load."""
    if finding.file is not None:
        return finding.file in scanned
    return not partial or check.reads in REPOSITORY_KINDS


# Below this many files, forking a second process to share the checks costs more than it saves.
PARALLEL_CHECK_FILES = 2000
# The documents a forked check worker reads: set only while a pool is alive, and inherited by
# fork, so the views are never pickled.
_FORKED: tuple[Documents, Settings] | None = None


def _run_group(checks: Sequence[Check]) -> list[CheckRun]:
    assert _FORKED is not None
    documents, settings = _FORKED
    return [run_check(check, documents, settings) for check in checks]


def _run_all(checks: Sequence[Check], documents: Documents, settings: Settings, jobs: int) -> list[CheckRun]:
    """One CheckRun per check, in order: over ``jobs`` processes on a large scan, where fork is
    safe (the same rule as parallel loading), else here."""
    global _FORKED
    from tcop_lint.parallel import fork_context

    context = fork_context() if jobs > 1 and len(documents.scanned_files) >= PARALLEL_CHECK_FILES else None
    if context is None or len(checks) < 2:
        return [run_check(check, documents, settings) for check in checks]
    from concurrent.futures import ProcessPoolExecutor

    groups = [list(checks[i::jobs]) for i in range(jobs)]
    _FORKED = (documents, settings)
    try:
        with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_group, group) for group in groups[1:]]
            runs_by_group = [_run_group(groups[0])] + [future.result() for future in futures]
    except Exception:  # a worker that could not start or died: run everything here
        return [run_check(check, documents, settings) for check in checks]
    finally:
        _FORKED = None
    ordered: list[CheckRun] = [CheckRun((), ())] * len(checks)
    for offset, runs in enumerate(runs_by_group):
        for position, run in zip(range(offset, len(checks), jobs), runs):
            ordered[position] = run
    return ordered


def run_checks(
    checks: Sequence[Check], documents: Documents, settings: Settings, partial: bool = False, jobs: int = 1
) -> CheckRun:
    scanned = frozenset(documents.scanned_files)
    findings: dict[str, Finding] = {}
    crashes: list[CheckCrash] = []
    present = {
        "terraform": bool(documents.terraform),
        "kubernetes": bool(documents.kubernetes),
        "openapi": bool(documents.openapi),
    }
    # A check with nothing of its kind to read is skipped: its rule module need not be imported.
    active = [check for check in checks if present.get(check.reads, True)]
    for check, run in zip(active, _run_all(active, documents, settings, jobs)):
        crashes.extend(run.crashes)
        for finding in run.findings:
            if _in_scope(finding, check, scanned, partial):
                # The same logical finding twice (two schema paths to one value) is one finding.
                findings.setdefault(finding.fingerprint, finding)
    ordered = tuple(sorted(findings.values(), key=Finding.sort_key))
    return CheckRun(ordered, tuple(crashes))


def problems_in_scope(documents: Documents) -> tuple[ParseProblem, ...]:
    scanned = frozenset(documents.scanned_files)
    return tuple(sorted((p for p in documents.problems if p.file in scanned), key=lambda p: (p.file, p.message)))


def scan(
    scope: ScanScope, checks: Sequence[Check], settings: Settings, jobs: int | None = 1, cache: "Cache | None" = None
) -> tuple[Documents, CheckRun]:
    from tcop_lint.parallel import default_jobs

    # Only what the selected checks read: a pre-commit run of Terraform checks gathers no
    # licence or README facts.
    with_repository = any(check.reads in REPOSITORY_KINDS for check in checks)
    documents = load_documents(scope, settings, jobs, cache, with_repository)

    run = run_checks(checks, documents, settings, partial=scope.explicit, jobs=jobs or default_jobs())
    gc.unfreeze()  # load_documents froze the loaded views; a long-lived process may collect them now
    return documents, run

