"""Rule pages (docs/rules) and the examples in SARIF rule help, generated from the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

from catalogue_cases import catalogue
from click.testing import CliRunner
from jsonschema import Draft4Validator
from repo_helpers import write_files

from tcop_lint.check.catalogue import load_catalogue
from tcop_lint.cli import main
from tcop_lint.core.model import Report
from tcop_lint.report.catalogue_docs import (
    PAGE_LINES,
    check_examples,
    example_markdown,
    rule_page,
    rule_pages,
)
from tcop_lint.report.sarif import render_sarif

ROOT = Path(__file__).parents[2]
CHECKS = {check.id: check for check in catalogue()}
SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def test_docs_rules_match_the_generator() -> None:
    folder = ROOT / "docs" / "rules"
    committed = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.md")}
    generated = rule_pages(tuple(CHECKS.values()))
    assert sorted(committed) == sorted(generated), "regenerate with: tcop-lint checks docs --output docs/rules"
    stale = [name for name in generated if committed[name] != generated[name]]
    assert stale == [], "regenerate with: tcop-lint checks docs --output docs/rules"


def test_a_page_has_the_facts_the_text_and_both_examples_with_reported_lines_marked() -> None:
    check = CHECKS["TCOP-06-TF-003"]
    page = rule_page(check)
    assert page.startswith(f"# TCOP-06-TF-003: {check.title}\n")
    for part in (
        "[TCoP 6: Make things secure](https://www.gov.uk/guidance/make-things-secure)",
        f"| Level | {check.level} ",
        f"| Precision | {check.precision} |",
        "| Security severity | 5.5 |",
        check.rationale,
        check.remediation,
        f"<{check.help_uri}>",
        "## Example that fails",
        "## Example that passes",
        "Nothing is reported.",
    ):
        assert part in page
    failing = page.split("## Example that fails")[1].split("## Example that passes")[0]
    assert "`fixtures/fail/unencrypted-stores/main.tf`" in failing
    assert "> 12 |   storage_encrypted  = false" in failing
    assert "  13 | }" in failing  # not reported: not marked
    assert "- `main.tf:12` — `aws_rds_cluster.reporting#/storage_encrypted`" in failing


def test_a_long_file_is_cut_around_the_first_reported_line(tmp_path: Path) -> None:
    check_dir = tmp_path / "tcop-06" / "TCOP-06-TF-900"
    source = (Path(CHECKS["TCOP-06-TF-003"].folder) / "check.yaml").read_text(encoding="utf-8")
    padding = "".join(f"# line {n}\n" for n in range(1, 60))
    write_files(
        check_dir,
        {
            "check.yaml": source.replace("TCOP-06-TF-003", "TCOP-06-TF-900"),
            "fixtures/fail/long/main.tf": padding
            + 'resource "aws_ebs_volume" "v" {\n  encrypted = false\n}\n'
            + padding,
            "fixtures/fail/long/EXPECTED": "main.tf:61  TCOP-06-TF-900  aws_ebs_volume.v#/encrypted\n",
            "fixtures/pass/none/README.md": "Nothing here.\n",
        },
    )
    (check,) = load_catalogue([tmp_path])
    failing, passing = check_examples(check)
    assert failing is not None and passing is not None
    numbers = [number for number, _ in failing.lines if number]
    assert len(numbers) == PAGE_LINES and numbers[0] == 56 and failing.lines[0][0] == failing.lines[-1][0] == 0
    assert "> 61 |   encrypted = false" in example_markdown(failing, "fail")
    assert passing.file == "README.md"  # no .tf file in the passing case: its first readable file


def test_example_secrets_are_redacted_but_documentation_values_are_kept(tmp_path: Path) -> None:
    check_dir = tmp_path / "tcop-03" / "TCOP-03-REPO-916"
    source = (Path(CHECKS["TCOP-03-REPO-016"].folder) / "check.yaml").read_text(encoding="utf-8")
    key = "AKIA" + "Q3EGRIMZ4SJ7WXYZ"
    write_files(
        check_dir,
        {
            "check.yaml": source.replace("TCOP-03-REPO-016", "TCOP-03-REPO-916"),
            "fixtures/fail/key/app.py": f'KEY = "{key}"\nDOCS = "AKIAIOSFODNN7EXAMPLE"\n',
            "fixtures/fail/key/EXPECTED": "app.py:1  TCOP-03-REPO-916  app.py:aws-access-key-id:1\n",
            "fixtures/pass/pem/id.pem": "-----BEGIN RSA PRIVATE KEY-----\n"
            + "A" * 64
            + "\n-----END RSA PRIVATE KEY-----",
        },
    )
    (check,) = load_catalogue([tmp_path])
    failing, passing = check_examples(check)
    assert failing is not None and passing is not None
    shown = "\n".join(text for _, text in failing.lines)
    assert key not in shown and "AKIA…(20 characters)" in shown and "AKIAIOSFODNN7EXAMPLE" in shown
    assert passing.lines == ((1, "-----BEGIN RSA PRIVATE KEY-----"), (2, "…"), (3, "-----END RSA PRIVATE KEY-----"))


def test_sarif_rule_help_carries_the_same_examples_and_stays_valid() -> None:
    check = CHECKS["TCOP-06-TF-003"]
    report = Report(tool_version="0.1.0", root="/r", checks=(check,), findings=())
    text = render_sarif(report, repository_files=())
    log = json.loads(text)
    assert not list(Draft4Validator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER).iter_errors(log))
    (rule,) = log["runs"][0]["tool"]["driver"]["rules"]
    failing, passing = check_examples(check)
    for example, outcome in ((failing, "fail"), (passing, "pass")):
        assert "\n".join(example_markdown(example, outcome)) in rule["help"]["markdown"]
    assert "\n".join(example_markdown(failing, "fail")) in rule_page(check)
    assert render_sarif(report, repository_files=()) == text


def test_checks_docs_writes_every_page_and_removes_pages_of_checks_gone(tmp_path: Path) -> None:
    (tmp_path / "TCOP-99-TF-001.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("kept\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["checks", "docs", "--output", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0
    written = sorted(path.name for path in tmp_path.glob("*.md"))
    assert written == sorted([*rule_pages(tuple(CHECKS.values())), "notes.md"])
    assert (tmp_path / "TCOP-06-TF-003.md").read_text(encoding="utf-8") == rule_page(CHECKS["TCOP-06-TF-003"])


def test_a_link_in_a_case_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.tf"
    outside.write_text('resource "secret" "x" {}\n', encoding="utf-8")
    check_dir = tmp_path / "checks" / "tcop-06" / "TCOP-06-TF-900"
    source = (Path(CHECKS["TCOP-06-TF-003"].folder) / "check.yaml").read_text(encoding="utf-8")
    write_files(
        check_dir,
        {
            "check.yaml": source.replace("TCOP-06-TF-003", "TCOP-06-TF-900"),
            "fixtures/pass/linked/main.tf": 'resource "aws_s3_bucket" "b" {}\n',
        },
    )
    (check_dir / "fixtures/pass/linked/a.tf").symlink_to(outside)
    (check,) = load_catalogue([tmp_path / "checks"])
    _, passing = check_examples(check)
    assert passing is not None and passing.files == ("main.tf",) and passing.file == "main.tf"
