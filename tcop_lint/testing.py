"""A test harness for checks: scan a folder with chosen checks, and run a catalogue's fixtures.

For a team's own checks folder (``extra_checks`` in configuration), three lines of pytest::

    from tcop_lint.testing import check_fixture, fixture_cases

    @pytest.mark.parametrize("case", fixture_cases("extra_checks"), ids=str)
    def test_fixture(case, tmp_path): check_fixture(case, tmp_path)

Each case folder ``<ID>/fixtures/{pass,fail}/<case>/`` is a small repository. A pass case must
report nothing; a fail case must report exactly what its ``EXPECTED`` file lists, one finding a
line::

    main.tf:5  TCOP-06-TF-001  aws_lb_listener.legacy#ssl_policy
    main.tf:14  TCOP-06-TF-001  aws_lb_listener.tls -- <the whole message, where it is pinned>

place (``path:line``, or ``<repository>`` for the repository as a whole), check id, the
finding's logical address (``-`` when empty) and, after `` -- ``, optionally its message. Fields
are separated by two or more spaces; lines starting with ``#`` are comments.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The only imports of the engine's phases (settings, catalogue, discovery, load and check).
from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue, select_checks
from tcop_lint.check.registry import resolve_options
from tcop_lint.config import load_settings
from tcop_lint.core.model import Check, Documents, Finding
from tcop_lint.core.settings import RuleContext, Settings
from tcop_lint.discover.discovery import discover
from tcop_lint.run import scan

REPOSITORY = "<repository>"
NO_ADDRESS = "-"
MESSAGE_MARK = " -- "
FIELD_GAP = re.compile(r"\s{2,}")
BUNDLE = "history.bundle"
EXPECTED = "EXPECTED"
OUTCOMES = ("pass", "fail")


class HarnessError(AssertionError):
    """A scan that crashed, an unknown check id, or a malformed EXPECTED file."""


# --- scanning -------------------------------------------------------------------------------


def catalogue(checks_dir: str | Path | None = None) -> tuple[Check, ...]:
    """The built-in catalogue, or only the checks in ``checks_dir``."""
    if checks_dir is None:
        return load_catalogue([builtin_checks_dir()], trusted=[builtin_checks_dir()])
    return load_catalogue([Path(checks_dir)])


def scan_checks(
    folder: str | Path, checks: Sequence[Check], *, settings: Settings | None = None, use_git: bool = False
) -> tuple[Finding, ...]:
    """Findings of ``checks`` on the repository ``folder``, before suppressions, sorted.

    ``settings`` None: the folder's own configuration. ``use_git`` False reads the folder as a
    plain directory even when it sits inside a git work tree (as fixtures do)."""
    root = Path(folder).resolve()
    if settings is None:
        settings, _ = load_settings(root)
    chosen = select_checks(checks, levels=settings.check_levels)
    scope = discover([str(root)], root=root, exclude=settings.exclude, use_git=use_git)
    _, run = scan(scope, chosen, settings)
    if run.crashes:
        crashes = (f"{c.check_id} crashed on {c.file or 'the repository'}: {c.message}" for c in run.crashes)
        raise HarnessError("; ".join(crashes))
    ids = {check.id for check in chosen}
    return tuple(f for f in run.findings if f.check_id in ids)


def scan_folder(
    folder: str | Path,
    check_ids: str | Iterable[str],
    *,
    checks_dir: str | Path | None = None,
    settings: Settings | None = None,
    use_git: bool = False,
) -> tuple[Finding, ...]:
    """Findings of the named checks (one id, or several; from the built-in catalogue, or from
    ``checks_dir``) on ``folder``; see ``scan_checks``."""
    by_id = {check.id: check for check in catalogue(checks_dir)}
    wanted = [check_ids] if isinstance(check_ids, str) else list(check_ids)
    unknown = [check_id for check_id in wanted if check_id not in by_id]
    if unknown:
        raise HarnessError(f"unknown check id {', '.join(unknown)}")
    return scan_checks(folder, [by_id[check_id] for check_id in wanted], settings=settings, use_git=use_git)


# --- fixture cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class FixtureCase:
    check: Check
    outcome: str  # "pass" or "fail"
    folder: Path

    @property
    def name(self) -> str:
        return f"{self.check.id}/{self.outcome}/{self.folder.name}"

    def __str__(self) -> str:
        return self.name


def fixture_cases(checks_dir: str | Path | None = None) -> list[FixtureCase]:
    """Every fixture case of every check in ``checks_dir`` (default: the built-in catalogue)."""
    found = []
    for check in catalogue(checks_dir):
        for outcome in OUTCOMES:
            base = Path(check.folder) / "fixtures" / outcome
            if base.is_dir():
                found += [FixtureCase(check, outcome, case) for case in sorted(base.iterdir()) if case.is_dir()]
    return found


def case_repository(case: FixtureCase, workdir: Path) -> Path:
    """The folder to scan: the case itself, or, when it holds history.bundle, a clone of the
    bundle in ``workdir`` with the case's other files laid over the work tree uncommitted."""
    if not (case.folder / BUNDLE).is_file():
        return case.folder
    destination = workdir / "repo"
    subprocess.run(["git", "clone", "-q", str(case.folder / BUNDLE), str(destination)], check=True, capture_output=True)
    shutil.copytree(case.folder, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns(BUNDLE, EXPECTED))
    return destination


def case_findings(case: FixtureCase, workdir: Path) -> tuple[Finding, ...]:
    folder = case_repository(case, workdir)
    return scan_checks(folder, [case.check], use_git=folder != case.folder)


# --- EXPECTED files -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """One line of an EXPECTED file. ``check_id`` and ``address`` None: an older line that
    gives only the place. ``message`` None: the message is not pinned."""

    place: str
    check_id: str | None = None
    address: str | None = None
    message: str | None = None

    def matches(self, found: Expectation) -> bool:
        return (
            self.place == found.place
            and self.check_id in (None, found.check_id)
            and self.address in (None, found.address)
            and self.message in (None, found.message)
        )

    def line(self) -> str:
        text = "  ".join(field for field in (self.place, self.check_id, self.address) if field is not None)
        return text + (MESSAGE_MARK + self.message if self.message is not None else "")


def place(finding: Finding) -> str:
    if finding.file is None:
        return REPOSITORY
    return f"{finding.file}:{finding.position.line if finding.position else 0}"


def expectation(finding: Finding, *, with_message: bool = False) -> Expectation:
    """What a finding looks like in an EXPECTED file."""
    return Expectation(
        place(finding), finding.check_id, finding.address or NO_ADDRESS, finding.message if with_message else None
    )


def parse_expectation(text: str) -> Expectation:
    head, mark, message = text.strip().partition(MESSAGE_MARK)
    head = head.strip()
    fields = FIELD_GAP.split(head) if head else []
    if not 1 <= len(fields) <= 3:
        raise ValueError(f"expected 'path:line  CHECK-ID  address[ -- message]', got {text.strip()!r}")
    place_, check_id, address = fields[0], _field(fields, 1), _field(fields, 2)
    return Expectation(place_, check_id, address, message.strip() if mark else None)


def _field(fields: Sequence[str], index: int) -> str | None:
    return fields[index] if index < len(fields) else None


def read_expected(path: Path) -> list[Expectation]:
    """The expectations in an EXPECTED file ([] when there is none)."""
    if not path.is_file():
        return []
    found = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text.strip() and not text.startswith("#"):
            try:
                found.append(parse_expectation(text))
            except ValueError as error:
                raise HarnessError(f"{path}:{number}: {error}") from None
    return found


def unmatched(expected: Sequence[Expectation], reported: Sequence[Finding]) -> tuple[list[Expectation], list[Finding]]:
    """Expectations no finding meets, and findings no expectation covers (each used once)."""
    left = list(reported)
    missing = []
    for wanted in expected:
        index = next((i for i, f in enumerate(left) if wanted.matches(expectation(f, with_message=True))), None)
        if index is None:
            missing.append(wanted)
        else:
            del left[index]
    return missing, left


def updated_expected(old_text: str, reported: Sequence[Finding]) -> str:
    """An EXPECTED file listing ``reported``: lines that still match keep their place in the file
    and their comments, messages stay pinned only where they were, new findings come last."""
    left = list(reported)
    out: list[str] = []
    for text in old_text.splitlines():
        if not text.strip() or text.startswith("#"):
            out.append(text)
            continue
        try:
            old = parse_expectation(text)
        except ValueError:
            continue
        loose = Expectation(old.place, old.check_id, old.address)
        index = next((i for i, f in enumerate(left) if loose.matches(expectation(f))), None)
        if index is not None:
            out.append(expectation(left.pop(index), with_message=old.message is not None).line())
    out += [expectation(f).line() for f in left]
    while out and not out[-1].strip():
        out.pop()
    return "".join(line + "\n" for line in out)


def _describe(findings: Iterable[Finding]) -> str:
    return "".join(f"\n    {expectation(f, with_message=True).line()}" for f in findings) or " nothing"


def check_fixture(case: FixtureCase, workdir: str | Path | None = None, *, update: bool = False) -> None:
    """Scan one case with its check alone and fail (AssertionError) unless a pass case reports
    nothing and a fail case reports exactly its EXPECTED list. ``update`` rewrites the EXPECTED
    file of a fail case from what the check now reports."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="tcop-lint-fixture-") as temporary:
            return check_fixture(case, Path(temporary), update=update)
    reported = case_findings(case, Path(workdir))
    if case.outcome == "pass":
        if reported:
            raise AssertionError(f"{case.name} should pass but reported:{_describe(reported)}")
        return
    if not reported:
        raise AssertionError(f"{case.name} should fail but reported nothing")
    path = case.folder / EXPECTED
    if update:
        old = path.read_text(encoding="utf-8") if path.is_file() else ""
        new = updated_expected(old, reported)
        if new != old:
            path.write_text(new, encoding="utf-8")
        return
    expected = read_expected(path)
    if not expected:
        raise AssertionError(f"{case.name} has no {EXPECTED} file listing what the check must report")
    missing, extra = unmatched(expected, reported)
    if missing or extra:
        raise AssertionError(
            f"{case.name}: expected but not reported:"
            + ("".join(f"\n    {e.line()}" for e in missing) or " nothing")
            + f"\n  reported but not expected:{_describe(extra)}"
            + "\n  (for an intended change, run pytest with --update-fixtures)"
        )


def rule_context(
    rule: Callable[..., Any],
    documents: Documents,
    settings: Settings | None = None,
    options: Mapping[str, Any] | None = None,
) -> RuleContext:
    """What ``rule`` receives when it runs with ``options`` over its defaults: for tests of one rule."""
    settings = settings or Settings()
    return RuleContext(documents, settings, resolve_options(rule.__name__, settings, options or {}))
