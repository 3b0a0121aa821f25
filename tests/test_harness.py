"""The harness teams use to test their own checks: EXPECTED lines, fixture runs, updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_cases import cases
from repo_helpers import LOCAL_CHECK, write_files

from tcop_lint.testing import (
    EXPECTED,
    Expectation,
    HarnessError,
    check_fixture,
    fixture_cases,
    parse_expectation,
    read_expected,
    scan_folder,
    updated_expected,
)

CHECK = LOCAL_CHECK
UNNAMED = 'resource "aws_s3_bucket" "logs" {\n  acl = "private"\n}\n'
NAMED = 'resource "aws_s3_bucket" "named" {\n  bucket = "x"\n}\n'
FOUND = "main.tf:1  TCOP-06-TF-900  aws_s3_bucket.logs#/bucket"


def team_checks(root: Path, expected: str | None = FOUND + "\n", fail_tf: str = UNNAMED + "\n" + NAMED) -> Path:
    """A team's own checks folder with one check, one passing and one failing case."""
    check = "checks/tcop-06/TCOP-06-TF-900"
    files: dict[str, str | bytes] = {
        f"{check}/check.yaml": CHECK,
        f"{check}/fixtures/pass/named/main.tf": NAMED,
        f"{check}/fixtures/fail/unnamed/main.tf": fail_tf,
    }
    if expected is not None:
        files[f"{check}/fixtures/fail/unnamed/{EXPECTED}"] = expected
    write_files(root, files)
    return root / "checks"


def failing_case(checks: Path):
    (case,) = [c for c in fixture_cases(checks) if c.outcome == "fail"]
    return case


@pytest.mark.parametrize(
    "line, parsed",
    [
        (
            "main.tf:12  TCOP-06-TF-003  aws_lb_listener.web#/ssl_policy",
            Expectation("main.tf:12", "TCOP-06-TF-003", "aws_lb_listener.web#/ssl_policy"),
        ),
        (
            "a.yaml:3   TCOP-04-OAS-005   #/paths/~1a/content/text~1csv; charset=ISO-8859-1  --  says  why ",
            Expectation(
                "a.yaml:3", "TCOP-04-OAS-005", "#/paths/~1a/content/text~1csv; charset=ISO-8859-1", "says  why"
            ),
        ),
        (
            "<repository>  TCOP-03-REPO-007  <repository> -- No README found",
            Expectation("<repository>", "TCOP-03-REPO-007", "<repository>", "No README found"),
        ),
        ("main.tf:1", Expectation("main.tf:1")),  # the older form: the place alone
    ],
)
def test_expected_lines_are_read_field_by_field(line: str, parsed: Expectation) -> None:
    assert parse_expectation(line) == parsed


def test_a_line_with_too_many_fields_names_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / EXPECTED).write_text("# comment\nmain.tf:1  TCOP-06-TF-900  a  b\n", encoding="utf-8")
    with pytest.raises(HarnessError, match=r"EXPECTED:2: expected 'path:line"):
        read_expected(tmp_path / EXPECTED)


def test_a_team_folder_of_checks_runs_its_fixtures(tmp_path: Path) -> None:
    checks = team_checks(tmp_path)
    found = fixture_cases(checks)
    assert [str(case) for case in found] == ["TCOP-06-TF-900/pass/named", "TCOP-06-TF-900/fail/unnamed"]
    for case in found:
        check_fixture(case)


@pytest.mark.parametrize(
    "expected, complaint",
    [
        ("main.tf:2  TCOP-06-TF-900  aws_s3_bucket.logs#/bucket\n", "expected but not reported:\n    main.tf:2"),
        ("main.tf:1  TCOP-06-TF-900  aws_s3_bucket.other\n", "aws_s3_bucket.other"),
        (FOUND + " -- another message\n", "another message"),
        (FOUND + "\n" + FOUND + "\n", "expected but not reported:\n    " + FOUND),
        ("", "has no EXPECTED file"),
        (None, "has no EXPECTED file"),
    ],
)
def test_a_fail_case_must_report_exactly_its_expected_list(tmp_path: Path, expected: str | None, complaint: str):
    case = failing_case(team_checks(tmp_path, expected))
    with pytest.raises(AssertionError, match=complaint.replace(".", r"\.")):
        check_fixture(case, tmp_path / "work")


def test_an_unexpected_finding_is_shown_with_its_message(tmp_path: Path) -> None:
    case = failing_case(team_checks(tmp_path, fail_tf=UNNAMED + 'resource "aws_s3_bucket" "more" {\n}\n'))
    with pytest.raises(
        AssertionError,
        match=r"reported but not expected:\n    main\.tf:4  TCOP-06-TF-900  "
        r"aws_s3_bucket\.more#/bucket -- aws_s3_bucket\.more has no bucket name",
    ):
        check_fixture(case)


def test_a_pinned_message_must_match(tmp_path: Path) -> None:
    check_fixture(failing_case(team_checks(tmp_path, FOUND + " -- aws_s3_bucket.logs has no bucket name\n")))


def test_a_pass_case_that_reports_fails(tmp_path: Path) -> None:
    checks = team_checks(tmp_path)
    write_files(checks / "tcop-06/TCOP-06-TF-900/fixtures/pass/named", {"extra.tf": UNNAMED})
    (case,) = [c for c in fixture_cases(checks) if c.outcome == "pass"]
    with pytest.raises(AssertionError, match="should pass but reported:\n    extra.tf:1"):
        check_fixture(case)


def test_update_rewrites_expected_keeping_comments_and_pinned_messages(tmp_path: Path) -> None:
    fail_tf = UNNAMED + 'resource "aws_s3_bucket" "more" {\n}\n' + 'resource "aws_s3_bucket" "last" {\n}\n'
    old = (
        "# the logs bucket\n"
        "main.tf:1  TCOP-06-TF-900  aws_s3_bucket.logs#/bucket -- an old message\n"
        "# gone since\n"
        "main.tf:9\n"
        "main.tf:4\n"
    )
    case = failing_case(team_checks(tmp_path, old, fail_tf))
    with pytest.raises(AssertionError):
        check_fixture(case)
    check_fixture(case, update=True)
    assert (case.folder / EXPECTED).read_text(encoding="utf-8") == (
        "# the logs bucket\n"
        "main.tf:1  TCOP-06-TF-900  aws_s3_bucket.logs#/bucket -- aws_s3_bucket.logs has no bucket name\n"
        "# gone since\n"
        "main.tf:4  TCOP-06-TF-900  aws_s3_bucket.more#/bucket\n"
        "main.tf:6  TCOP-06-TF-900  aws_s3_bucket.last#/bucket\n"
    )
    check_fixture(case)


def test_update_never_makes_a_case_that_reports_nothing_pass(tmp_path: Path) -> None:
    case = failing_case(team_checks(tmp_path, FOUND + "\n", fail_tf=NAMED))
    with pytest.raises(AssertionError, match="should fail but reported nothing"):
        check_fixture(case, update=True)
    assert (case.folder / EXPECTED).read_text(encoding="utf-8") == FOUND + "\n"


def test_updating_an_unchanged_file_changes_nothing() -> None:
    assert updated_expected("", ()) == ""
    assert updated_expected("# only a comment\n\n", ()) == "# only a comment\n"


def test_scan_folder_refuses_an_unknown_check_id(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="unknown check id TCOP-06-TF-999"):
        scan_folder(tmp_path, ["TCOP-06-TF-999"])


def test_scan_folder_reports_only_the_checks_asked_for(tmp_path: Path) -> None:
    main_tf = 'provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_s3_bucket" "b" {\n}\n'
    write_files(tmp_path, {"main.tf": main_tf})
    found = scan_folder(tmp_path, ["TCOP-05-TF-001"])
    assert found and {f.check_id for f in found} == {"TCOP-05-TF-001"}
    assert scan_folder(tmp_path, "TCOP-05-TF-001") == found  # one id on its own


@pytest.mark.parametrize("case", [c for c in cases() if c.outcome == "fail"], ids=str)
def test_every_built_in_expectation_pins_the_check_and_the_address(case) -> None:
    expected = read_expected(case.folder / EXPECTED)
    assert expected and all(e.check_id == case.check.id and e.address for e in expected), case.name
