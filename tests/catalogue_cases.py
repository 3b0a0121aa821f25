"""Shared helpers: every fixture case of every check in the built-in catalogue."""

from __future__ import annotations

from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.core.model import Check
from tcop_lint.testing import (
    EXPECTED,
    REPOSITORY,
    FixtureCase,
    fixture_cases,
    read_expected,
)

Case = FixtureCase
__all__ = ["REPOSITORY", "Case", "cases", "catalogue", "expected_places"]


def catalogue() -> tuple[Check, ...]:
    # Not trusted: loading checks the JSON Schemas in the built-in rules as schemas.
    return load_catalogue([builtin_checks_dir()])


def cases() -> list[Case]:
    return fixture_cases()


def expected_places(case: Case) -> list[str]:
    return sorted(expectation.place for expectation in read_expected(case.folder / EXPECTED))
