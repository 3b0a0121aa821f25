"""Baselines: record today's findings so that only new ones are reported and gated.

A finding is identified by its fingerprint (check, file, logical address and the rule's key,
never the message), so a finding that moves to another line, or whose message names a count
that changed elsewhere, is still the same finding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tcop_lint.core.model import Finding

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


def render_baseline(findings: Sequence[Finding]) -> str:
    entries = sorted(
        (
            {
                "id": f.check_id,
                "fingerprint": f.fingerprint,
                "file": f.file,
                "resource": f.address,
                "message": f.message,
            }
            for f in findings
            if f.suppressed is None
        ),
        key=lambda e: (e["file"] or "", e["id"], e["fingerprint"]),
    )
    return (
        json.dumps({"tcop_lint_baseline": BASELINE_VERSION, "findings": entries}, indent=2, ensure_ascii=False) + "\n"
    )


@dataclass(frozen=True)
class BaselineEntry:
    """A finding the team accepted when it recorded the baseline; ``reason`` and ``until`` are
    optional keys a team may add to an entry by hand."""

    reason: str | None = None
    until: str | None = None


def read_baseline(path: Path) -> Mapping[str, BaselineEntry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{path}: cannot be read as a baseline: {error}") from None
    if not isinstance(document, dict) or document.get("tcop_lint_baseline") != BASELINE_VERSION:
        raise BaselineError(f"{path}: not a tcop-lint baseline (expected tcop_lint_baseline: {BASELINE_VERSION})")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"{path}: findings must be a list of objects with a fingerprint")
    return {e["fingerprint"]: BaselineEntry(_text(e.get("reason")), _text(e.get("until"))) for e in entries}


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and str(value).strip() else None


def accepted_findings(findings: Sequence[Finding], known: Mapping[str, BaselineEntry]) -> tuple[Finding, ...]:
    """The findings the baseline holds, as exceptions: with its reason and date when given."""
    accepted = []
    for finding in findings:
        entry = known.get(finding.fingerprint)
        if entry is None or finding.suppressed is not None:
            continue
        properties = {**finding.properties, "suppression_kind": "baseline"}
        if entry.until:
            properties["suppression_until"] = entry.until
        accepted.append(replace(finding, suppressed=entry.reason or "", properties=properties))
    return tuple(accepted)


def apply_baseline(findings: Sequence[Finding], known: Mapping[str, BaselineEntry]) -> tuple[tuple[Finding, ...], int]:
    """The findings not in the baseline, marked new, and how many were left out."""
    kept = tuple(replace(f, baseline_state="new") for f in findings if f.fingerprint not in known)
    return kept, len(findings) - len(kept)
