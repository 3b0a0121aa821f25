"""The catalogue stays honest: complete metadata, fixtures for both outcomes, docs in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalogue_cases import cases, catalogue, expected_places
from repo_helpers import LOCAL_CHECK

from tcop_lint.check.catalogue import CatalogueError, load_catalogue, matches, select_checks
from tcop_lint.report.catalogue_docs import render_checks

ROOT = Path(__file__).parents[2]
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


GOOD = LOCAL_CHECK


def test_a_local_folder_of_checks_loads(tmp_path: Path) -> None:
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", GOOD)
    (loaded,) = load_catalogue([tmp_path])
    assert loaded.id == "TCOP-06-TF-900" and loaded.level == "warning"


PYTHON_RULE = """\
rule:
  function: admin_ports_open_to_world
  target: terraform.resource
  types: [aws_security_group]
"""


def with_rule(rule: str) -> str:
    return GOOD[: GOOD.index("rule:\n")] + rule


@pytest.mark.parametrize(
    "text, complaint",
    [
        (GOOD.replace("level: warning", "level: fatal"), "level: 'fatal' is not one of"),
        (GOOD.replace("tcop_point: 6", "tcop_point: 5"), "tcop_point: 5 does not match the id"),
        (GOOD.replace("https://www.gov.uk/guidance/make-things-secure", "http://example.com"), "help_uri: "),
        (GOOD.replace("precision: high", "precision: great"), "precision: 'great' is not one of"),
        (GOOD.replace("rationale: Because.", "rationale: ''"), "rationale: '' should be non-empty"),
        (GOOD.replace("require: {required: [bucket]}", "require: {type: 12}"), "not a valid JSON Schema"),
        (
            GOOD.replace("  target: terraform.resource", "  target: terraform.everything"),
            "rule.target: 'terraform.everything'",
        ),
        (GOOD.replace("name: LocalPolicy", "name: LocalPolicy\ncolour: red"), "'colour' was unexpected"),
        (GOOD.replace("  message:", "  mesage:"), "rule"),
        (
            with_rule(PYTHON_RULE.replace("admin_ports_open_to_world", "admin_ports_open_to_the_world")),
            "rule.function: unknown rule function 'admin_ports_open_to_the_world'",
        ),
        (
            with_rule(PYTHON_RULE + "  options: {portz: [22]}\n"),
            "rule.options: Additional properties are not allowed ('portz' was unexpected)",
        ),
        (
            with_rule(PYTHON_RULE + "  options: {ports: [ssh]}\n"),
            "rule.options.ports[0]: 'ssh' is not of type 'integer'",
        ),
        (with_rule(PYTHON_RULE.replace("  types:", "  typez:")), "'typez' was unexpected"),
        (
            with_rule(PYTHON_RULE.replace("terraform.resource", "terraform.block")),
            "rule.target: admin_ports_open_to_world runs on terraform.resource",
        ),
        (
            with_rule("rule:\n  function: licence_file_present\n"),
            "reads: licence_file_present reads repository, not terraform",
        ),
        (with_rule("rule:\n  python: os:system\n"), "rule"),
        (GOOD.replace("id: TCOP-06-TF-900", "id: TCOP-6-TF-900"), "id: 'TCOP-6-TF-900' does not match"),
    ],
)
def test_bad_check_files_are_refused_with_the_key_path(tmp_path: Path, text: str, complaint: str) -> None:
    write_check(tmp_path / "tcop-06" / "TCOP-06-TF-900", text)
    with pytest.raises(CatalogueError) as raised:
        load_catalogue([tmp_path])
    assert complaint in str(raised.value)
    assert "check.yaml: " in str(raised.value)


def test_a_teams_catalogue_may_use_its_own_prefix(tmp_path: Path) -> None:
    write_check(tmp_path / "org-06" / "ORG-06-TF-001", GOOD.replace("TCOP-06-TF-900", "ORG-06-TF-001"))
    (loaded,) = load_catalogue([tmp_path])
    assert loaded.id == "ORG-06-TF-001"
    assert matches(loaded, "ORG-06") and matches(loaded, "tcop-6") and not matches(loaded, "TCOP-06-TF")


def test_a_teams_python_rule_names_a_registered_function_and_options(tmp_path: Path) -> None:
    write_check(
        tmp_path / "org-06" / "ORG-06-TF-002",
        with_rule(PYTHON_RULE + "  options: {ports: [2222]}\n").replace("TCOP-06-TF-900", "ORG-06-TF-002"),
    )
    (loaded,) = load_catalogue([tmp_path])
    assert loaded.rule["options"] == {"ports": [2222]}


def test_a_folder_of_checks_that_holds_none_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogueError, match="holds no checks"):
        load_catalogue([tmp_path / "empty"])


@pytest.mark.parametrize("place", ["TCOP-06-TF-900", "tcop-06/deeper/TCOP-06-TF-900"])
def test_a_check_in_a_layout_the_loader_does_not_read_is_an_error(tmp_path: Path, place: str) -> None:
    write_check(tmp_path / "ok" / "tcop-06" / "TCOP-06-TF-901", GOOD.replace("TCOP-06-TF-900", "TCOP-06-TF-901"))
    write_check(tmp_path / "ok" / place, GOOD)
    with pytest.raises(CatalogueError, match="not read: a check file must be at <group>/<ID>/check.yaml"):
        load_catalogue([tmp_path / "ok"])


def test_a_bad_extra_catalogue_exits_2_before_any_file_is_read(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tcop_lint.cli import main

    write_check(
        tmp_path / "policy" / "tcop-06" / "TCOP-06-TF-900", with_rule(PYTHON_RULE.replace("admin_ports", "admin_portz"))
    )
    (tmp_path / ".tcop-lint.yaml").write_text("extra_checks: [policy]\n", encoding="utf-8")
    (tmp_path / "main.tf").write_text("resource {{{", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache"])
    assert result.exit_code == 2, result.output
    assert "rule.function: unknown rule function 'admin_portz_open_to_world'" in result.output


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


def test_the_trusted_catalogue_is_parsed_once_while_its_files_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import tcop_lint.check.catalogue as catalogue

    folder = tmp_path / "checks"
    shutil.copytree(catalogue.builtin_checks_dir() / "tcop-03", folder / "tcop-03")
    kept = tmp_path / "cache"
    first = catalogue.load_catalogue([folder], trusted=[folder], keep_in=kept)
    assert first == catalogue.load_catalogue([folder], trusted=[folder])
    parsed: list = []
    real = catalogue.load_check_file
    monkeypatch.setattr(catalogue, "load_check_file", lambda path, builtin=False: parsed.append(path) or real(path))
    assert catalogue.load_catalogue([folder], trusted=[folder], keep_in=kept) == first
    assert parsed == []  # from the kept copy
    changed = sorted(folder.glob("*/*/check.yaml"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    again = catalogue.load_catalogue([folder], trusted=[folder], keep_in=kept)
    assert len(parsed) == len(first) and again != first
    assert len(list(kept.glob("catalogue-*.pickle"))) == 1  # the stale copy is gone
