"""The catalogue stays honest: complete metadata, fixtures for both outcomes, docs in sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue_cases import cases, catalogue, expected_places
from tcop_lint.catalogue import CatalogueError, load_catalogue, matches, select_checks
from tcop_lint.reporters.catalogue_docs import render_checks

ROOT = Path(__file__).parent.parent
CHECKS = catalogue()


def test_catalogue_is_not_empty_and_ids_are_unique() -> None:
    ids = [check.id for check in CHECKS]
    assert len(ids) >= 20
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_check_has_passing_and_failing_fixtures(check) -> None:
    outcomes = {case.outcome for case in cases() if case.check.id == check.id}
    assert outcomes == {"pass", "fail"}, f"{check.id} needs fixtures/pass and fixtures/fail cases"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_check_sits_under_its_point(check) -> None:
    assert Path(check.folder).parent.name == f"tcop-{check.tcop_point:02d}"


def test_every_failing_case_says_where_it_fails() -> None:
    missing = [case.name for case in cases() if case.outcome == "fail" and not expected_places(case)]
    assert missing == []


def test_the_three_lead_areas_and_all_inputs_are_covered() -> None:
    reads = {check.reads for check in CHECKS}
    assert {"terraform", "kubernetes", "openapi", "repository"} <= reads
    points = {check.tcop_point for check in CHECKS}
    assert {3, 5, 6} <= points


def test_docs_checks_md_matches_the_catalogue() -> None:
    assert (ROOT / "docs" / "checks.md").read_text(encoding="utf-8") == render_checks(CHECKS, "markdown"), (
        "regenerate with: tcop-lint checks list --format markdown > docs/checks.md"
    )


def write_check(folder: Path, text: str) -> None:
    folder.mkdir(parents=True)
    (folder / "check.yaml").write_text(text, encoding="utf-8")


GOOD = """\
id: TCOP-06-TF-900
name: LocalPolicy
title: A local policy check
tcop_point: 6
level: warning
reads: terraform
help_uri: https://www.gov.uk/guidance/make-things-secure
rationale: Because.
remediation: Fix it.
precision: high
rule:
  target: terraform.resource
  types: [aws_s3_bucket]
  require: {required: [bucket]}
  message: "{address} has no bucket name"
"""


def test_a_local_folder_of_checks_loads(tmp_path: Path) -> None:
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", GOOD)
    (loaded,) = load_catalogue([tmp_path])
    assert loaded.id == "TCOP-06-TF-900" and loaded.level == "warning"


@pytest.mark.parametrize(
    "change, complaint",
    [
        (("level: warning", "level: fatal"), "level must be one of"),
        (("tcop_point: 6", "tcop_point: 5"), "does not match the id"),
        (("help_uri: https://www.gov.uk/guidance/make-things-secure", "help_uri: http://example.com"), "help_uri"),
        (("precision: high", "precision: great"), "precision"),
        (("rationale: Because.", "rationale: ''"), "rationale"),
        (("require: {required: [bucket]}", "require: {type: 12}"), "not a valid JSON Schema"),
        (("  target: terraform.resource", "  target: terraform.everything"), "unknown rule target"),
        (("name: LocalPolicy", "name: LocalPolicy\ncolour: red"), "unknown key 'colour'"),
    ],
)
def test_bad_check_files_are_refused_with_the_reason(tmp_path: Path, change, complaint) -> None:
    old, new = change
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", GOOD.replace(old, new))
    with pytest.raises(CatalogueError, match=complaint):
        load_catalogue([tmp_path])


def test_python_rules_may_only_name_tcop_lint_functions(tmp_path: Path) -> None:
    text = GOOD.replace("  require: {required: [bucket]}\n  message: \"{address} has no bucket name\"\n", "  python: os:system\n")
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", text)
    with pytest.raises(CatalogueError, match="inside tcop_lint"):
        load_catalogue([tmp_path])


def test_a_security_check_needs_a_severity(tmp_path: Path) -> None:
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", GOOD + "tags: [security]\n")
    with pytest.raises(CatalogueError, match="security_severity"):
        load_catalogue([tmp_path])


def test_duplicate_ids_across_folders_are_refused(tmp_path: Path) -> None:
    write_check(tmp_path / "a" / "tcop-06" / "TCOP-06-TF-900", GOOD)
    write_check(tmp_path / "b" / "tcop-06" / "TCOP-06-TF-900", GOOD)
    with pytest.raises(CatalogueError, match="duplicate check id"):
        load_catalogue([tmp_path / "a", tmp_path / "b"])


def test_selectors_take_ids_prefixes_and_points(tmp_path: Path) -> None:
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", GOOD)
    (check,) = load_catalogue([tmp_path])
    assert matches(check, "TCOP-06-TF-900") and matches(check, "tcop-06-tf") and matches(check, "tcop-6")
    assert not matches(check, "tcop-5") and not matches(check, "TCOP-06-K8S")
    assert select_checks([check], ignore=["tcop-6"]) == ()
    assert select_checks([check], levels={"TCOP-06-TF-900": "off"}) == ()
    assert select_checks([check], levels={"TCOP-06-TF-900": "error"})[0].level == "error"
