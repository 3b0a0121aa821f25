"""Findings in test, example and fixture code: reported, but at note level by default, so they
inform without gating a pull request (a module repository's examples are not production)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from tcop_lint.core.model import LEVEL_RANK, Finding, Level


def demote_test_code(
    findings: Sequence[Finding], paths: Sequence[str], level: Level | Literal["keep"]
) -> tuple[Finding, ...]:
    """Each finding on a file under ``paths`` at no more than ``level`` (and marked ``test_code``)."""
    if level == "keep" or not paths:
        return tuple(findings)
    spec = _spec(tuple(paths))
    ceiling = LEVEL_RANK[level]
    demoted = []
    for finding in findings:
        if finding.file is not None and spec.match_file(finding.file):
            properties: dict[str, Any] = {**finding.properties, "test_code": True}
            if LEVEL_RANK[finding.level] > ceiling:
                properties["level_in_production_code"] = finding.level
                finding = replace(finding, level=level, properties=properties)
            else:
                finding = replace(finding, properties=properties)
        demoted.append(finding)
    return tuple(demoted)


def _spec(paths: tuple[str, ...]) -> Any:
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(paths)
