"""From a scope to findings: load each file once, run the selected checks, collect results."""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from tcop_lint.check import declarative
from tcop_lint.check.subjects import Subject, subjects, variant_subjects
from tcop_lint.core.model import (
    LEVEL_RANK,
    REPOSITORY_KINDS,
    Check,
    CheckCrash,
    CheckRun,
    Documents,
    Finding,
    Hit,
    Inspection,
    fingerprint,
)
from tcop_lint.core.settings import RuleContext, Settings

if TYPE_CHECKING:
    from tcop_lint.progress import Progress


# --- running checks ---------------------------------------------------------------------


def _python_work(
    check: Check, documents: Documents, settings: Settings
) -> Iterable[tuple[Subject | None, Callable[[Any], Iterable[Hit]]]]:
    from tcop_lint.check.registry import check_options, rule_function

    rule = check.rule
    function = rule_function(rule["function"])
    context = RuleContext(documents, settings, check_options(check, settings))
    if "target" not in rule:
        yield None, lambda _: function(context)
        return
    for subject in subjects(documents, rule):
        yield subject, partial(_call_rule, function, context)


def _call_rule(function: Callable[..., Iterable[Hit]], context: RuleContext, subject: Subject) -> Iterable[Hit]:
    return function(subject, context)


def _subject_hits(check: Check, subject: Subject | None, produce: Callable[[Any], Iterable[Hit]]) -> list[Hit]:
    """The hits on one subject. A resource with variants (unknown conditions whose branches are
    known) is judged in each: what fails in every variant is a finding as it stands; what fails
    only in some says under which condition, at no more than warning level."""
    variants = variant_subjects(subject) if subject is not None else ()
    if not variants:
        return list(produce(subject))
    found: dict[tuple[str | None, str, str], tuple[Hit, list[str]]] = {}
    for condition, variant in variants:
        for hit in produce(variant):
            entry = found.setdefault((hit.file, hit.address, hit.key), (hit, []))
            if condition not in entry[1]:
                entry[1].append(condition)
    hits = []
    for hit, conditions in found.values():
        if len(conditions) == len(variants):
            hits.append(hit)
            continue
        where = _conditions_text(conditions)
        level = hit.level or check.level
        hits.append(
            replace(
                hit,
                message=f"{hit.message} ({where})",
                level="warning" if LEVEL_RANK[level] > LEVEL_RANK["warning"] else level,
                properties={**hit.properties, "condition": where},
            )
        )
    return hits


def _conditions_text(conditions: Sequence[str]) -> str:
    """``when a is true and b is false`` for each variant, said once: the assignments they share."""
    parts = [condition.removeprefix("when ").split(" and ") for condition in conditions]
    common = [part for part in parts[0] if all(part in other for other in parts[1:])]
    return "when " + " and ".join(common) if common else " or ".join(conditions)


def to_finding(check: Check, hit: Hit, disambiguator: str = "") -> Finding:
    """A finding from a hit. A value a module's caller wrote is reported where the caller wrote
    it (its position names that file), with the module's own line as a related place."""
    position = hit.position
    moved_to = position.file if position is not None else None
    span = hit.span if hit.span is None or hit.span.file == moved_to else None
    return Finding(
        check_id=check.id,
        level=hit.level or check.level,
        tcop_point=check.tcop_point,
        file=moved_to or hit.file,
        position=position,
        address=hit.address,
        message=hit.message,
        fingerprint=fingerprint(check.id, hit, disambiguator=disambiguator),
        properties=dict(hit.properties),
        span=span,
        anchor_only=hit.anchor_only,
        related=position.related if position is not None else (),
    )


def _findings(check: Check, hits: Sequence[Hit]) -> list[Finding]:
    """Findings with distinct fingerprints: where a rule gave two findings one identity (it set no
    key to tell them apart), those two fall back on their messages rather than merge."""
    findings = [to_finding(check, hit) for hit in hits]
    # The same finding twice (a plan's resource and its .tf block) is one, with its own identity.
    unique: dict[tuple[str, str], tuple[Hit, Finding]] = {}
    for hit, finding in zip(hits, findings):
        unique.setdefault((finding.fingerprint, hit.message), (hit, finding))
    hits = [hit for hit, _ in unique.values()]
    findings = [finding for _, finding in unique.values()]
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
        work = list(
            _python_work(check, documents, settings)
            if "function" in check.rule
            else declarative.work(check.rule, documents)
        )
    except Exception as error:  # e.g. a rule naming a function that does not exist
        return CheckRun((), (CheckCrash(check.id, None, f"{type(error).__name__}: {error}", traceback.format_exc()),))
    files = {subject.file for subject, _ in work if subject is not None and subject.file}
    # A rule without a target judges the repository (or estate) as a whole: one subject.
    inspection = Inspection(subjects=len(work), files=len(files))
    for subject, produce in work:
        try:
            hits.extend(_subject_hits(check, subject, produce))
        except Exception as error:  # a broken check must not end the scan; it is reported and exits 3
            file = subject.file if subject is not None else None
            crashes.setdefault(
                file, CheckCrash(check.id, file, f"{type(error).__name__}: {error}", traceback.format_exc())
            )
    return CheckRun(tuple(_findings(check, hits)), tuple(crashes.values()), {check.id: inspection})


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
    return _run_here(checks, documents, settings, None)


def _run_here(
    checks: Sequence[Check], documents: Documents, settings: Settings, tell: Callable[[int], None] | None
) -> list[CheckRun]:
    runs = []
    for check in checks:
        runs.append(run_check(check, documents, settings))
        if tell is not None:
            tell(1)
    return runs


def _run_all(
    checks: Sequence[Check], documents: Documents, settings: Settings, jobs: int, progress: Progress | None = None
) -> list[CheckRun]:
    """One CheckRun per check, in order: over ``jobs`` processes on a large scan, where fork is
    safe (the same rule as parallel loading), else here."""
    global _FORKED
    from tcop_lint.load.parallel import fork_context

    done = [0]

    def tell(count: int) -> None:
        done[0] += count
        if progress is not None:
            progress("running checks", done[0], len(checks))

    context = fork_context() if jobs > 1 and len(documents.scanned_files) >= PARALLEL_CHECK_FILES else None
    if context is None or len(checks) < 2:
        return _run_here(checks, documents, settings, tell)
    from concurrent.futures import ProcessPoolExecutor

    groups = [list(checks[i::jobs]) for i in range(jobs)]
    _FORKED = (documents, settings)
    try:
        with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context) as pool:
            futures = [pool.submit(_run_group, group) for group in groups[1:]]
            runs_by_group = [_run_group(groups[0])]
            tell(len(groups[0]))
            for future, group in zip(futures, groups[1:]):
                runs_by_group.append(future.result())
                tell(len(group))
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
    checks: Sequence[Check],
    documents: Documents,
    settings: Settings,
    partial: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
) -> CheckRun:
    scanned = frozenset(documents.scanned_files)
    findings: dict[str, Finding] = {}
    crashes: list[CheckCrash] = []
    inspected: dict[str, Inspection] = {}
    present = {
        "terraform": bool(documents.terraform),
        "kubernetes": bool(documents.kubernetes),
        "openapi": bool(documents.openapi),
    }
    # A check with nothing of its kind to read is skipped: its rule module need not be imported.
    active = [check for check in checks if present.get(check.reads, True)]
    for check, run in zip(active, _run_all(active, documents, settings, jobs, progress)):
        crashes.extend(run.crashes)
        inspected.update(run.inspected)
        for finding in run.findings:
            if _in_scope(finding, check, scanned, partial):
                # The same logical finding twice (two schema paths to one value) is one finding.
                findings.setdefault(finding.fingerprint, finding)
    ordered = tuple(sorted(findings.values(), key=Finding.sort_key))
    return CheckRun(ordered, tuple(crashes), inspected)
