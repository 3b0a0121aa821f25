"""Shared helpers: every fixture case of every check in the catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tcop_lint.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.model import Check

REPOSITORY = "<repository>"


@dataclass(frozen=True)
class Case:
    check: Check
    outcome: str  # "pass" or "fail"
    folder: Path

    @property
    def name(self) -> str:
        return f"{self.check.id}/{self.outcome}/{self.folder.name}"


def catalogue() -> tuple[Check, ...]:
    return load_catalogue([builtin_checks_dir()])


def cases() -> list[Case]:
    found = []
    for check in catalogue():
        for outcome in ("pass", "fail"):
            base = Path(check.folder) / "fixtures" / outcome
            if base.is_dir():
                found += [Case(check, outcome, folder) for folder in sorted(base.iterdir()) if folder.is_dir()]
    return found


def expected_places(case: Case) -> list[str]:
    path = case.folder / "EXPECTED"
    if not path.is_file():
        return []
    return sorted(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))
