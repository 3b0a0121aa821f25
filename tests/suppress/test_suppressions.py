"""Suppressions: comments, OpenAPI extensions and configuration, with mandatory reasons."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from tcop_lint.cli import main

DB = """\
resource "aws_db_instance" "reports" {{{block_comment}
  identifier          = "reports"
  engine              = "postgres"
  instance_class      = "db.t4g.small"
{above}  publicly_accessible = true{trailing}
  storage_encrypted   = false
}}
"""


def write_db(root: Path, above: str = "", trailing: str = "", block_comment: str = "") -> None:
    (root / "main.tf").write_text(
        DB.format(above=above, trailing=trailing, block_comment=block_comment), encoding="utf-8"
    )


def scan(root: Path, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(
        main,
        ["scan", str(root), "--format", "json", "--select", "TCOP-06-TF-003", "--select", "TCOP-06-TF-005", *args],
        catch_exceptions=False,
    )
    return result.exit_code, json.loads(result.stdout)["findings"]


def ids(findings: list[dict], suppressed: bool | None = None) -> list[str]:
    return sorted(f["id"] for f in findings if suppressed is None or (f["suppressed"] is not None) == suppressed)


def test_without_suppressions_both_problems_are_reported(tmp_path: Path) -> None:
    write_db(tmp_path)
    code, findings = scan(tmp_path)
    assert code == 1 and ids(findings) == ["TCOP-06-TF-003", "TCOP-06-TF-005"]


def test_a_trailing_comment_with_a_reason_hides_exactly_its_finding(tmp_path: Path) -> None:
    write_db(tmp_path, trailing='  # tcop-lint:ignore TCOP-06-TF-005 reason="reporting replica behind an allow-list"')
    code, findings = scan(tmp_path)
    assert ids(findings, suppressed=True) == ["TCOP-06-TF-005"]
    assert ids(findings, suppressed=False) == ["TCOP-06-TF-003"]
    (hidden,) = [f for f in findings if f["suppressed"]]
    assert hidden["suppressed"] == "reporting replica behind an allow-list"
    assert code == 0  # TF-003 is a warning; the error is suppressed


def test_a_comment_on_the_line_above_works_too(tmp_path: Path) -> None:
    write_db(tmp_path, above='  // tcop-lint:ignore TCOP-06-TF-005 reason="approved exception SEC-123"\n')
    _, findings = scan(tmp_path)
    assert ids(findings, suppressed=True) == ["TCOP-06-TF-005"]


def test_the_same_comment_without_a_reason_hides_nothing_and_is_reported(tmp_path: Path) -> None:
    write_db(tmp_path, trailing="  # tcop-lint:ignore TCOP-06-TF-005")
    code, findings = scan(tmp_path)
    assert code == 1
    assert ids(findings, suppressed=True) == []
    assert ids(findings) == ["TCOP-06-TF-003", "TCOP-06-TF-005", "TCOPLINT-001"]


def test_a_comment_on_the_block_covers_the_block(tmp_path: Path) -> None:
    write_db(
        tmp_path, block_comment='  # tcop-lint:ignore TCOP-06-TF-003,TCOP-06-TF-005 reason="test fixture database"'
    )
    code, findings = scan(tmp_path)
    assert code == 0 and ids(findings, suppressed=True) == ["TCOP-06-TF-003", "TCOP-06-TF-005"]


def test_an_expired_suppression_stops_suppressing_and_is_reported(tmp_path: Path) -> None:
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    write_db(tmp_path, trailing=f'  # tcop-lint:ignore TCOP-06-TF-005 reason="until migration" until={yesterday}')
    code, findings = scan(tmp_path)
    assert code == 1 and ids(findings) == ["TCOP-06-TF-003", "TCOP-06-TF-005", "TCOPLINT-002"]


def test_a_suppression_that_matches_nothing_is_a_note(tmp_path: Path) -> None:
    # TF-003 ran, but its finding is on the next line, which a trailing comment does not cover.
    write_db(tmp_path, trailing='  # tcop-lint:ignore TCOP-06-TF-003 reason="wrong line"')
    _, findings = scan(tmp_path)
    (unused,) = [f for f in findings if f["id"] == "TCOPLINT-003"]
    assert unused["level"] == "note" and unused["line"] == 5


def test_configuration_ignores_need_a_reason_and_can_lock_checks(tmp_path: Path) -> None:
    write_db(tmp_path)
    (tmp_path / ".tcop-lint.yaml").write_text(
        "ignore:\n  - id: TCOP-06-TF-003\n    paths: ['*.tf']\n    resource: 'aws_db_instance.*'\n    reason: "
        "encrypted at the volume layer\n"
        "  - id: TCOP-06-TF-005\n    reason: wanted\n"
        "not_ignorable: [TCOP-06-TF-005]\n",
        encoding="utf-8",
    )
    code, findings = scan(tmp_path)
    assert code == 1
    assert ids(findings, suppressed=True) == ["TCOP-06-TF-003"]
    assert "TCOP-06-TF-005" in ids(findings, suppressed=False)
    (tmp_path / ".tcop-lint.yaml").write_text("ignore:\n  - id: TCOP-06-TF-003\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 2 and "ignore[0].reason" in result.output


def test_openapi_json_uses_an_extension(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Demo", "version": "1.0.0", "description": "d", "contact": {"email": "a@example.gov.uk"}},
        "servers": [
            {
                "url": "http://legacy.example.gov.uk",
                "x-tcop-lint-ignore": [{"id": "TCOP-06-OAS-001", "reason": "legacy partner, retiring"}],
            },
            {"url": "http://other.example.gov.uk"},
        ],
        "paths": {},
    }
    text = json.dumps(spec, indent=2)
    (tmp_path / "openapi.json").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    legacy, other = (
        1 + next(i for i, line in enumerate(lines) if url in line) for url in ("http://legacy", "http://other")
    )
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json", "--select", "TCOP-06-OAS-001"])
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], f["suppressed"] is not None) for f in findings] == [(legacy, True), (other, False)]


def test_suppressed_findings_stay_out_of_sarif_unless_asked(tmp_path: Path) -> None:
    write_db(tmp_path, trailing='  # tcop-lint:ignore TCOP-06-TF-005 reason="approved"')

    def results(*extra: str) -> list[dict]:
        out = (
            CliRunner()
            .invoke(
                main,
                [
                    "scan",
                    str(tmp_path),
                    "--format",
                    "sarif",
                    "--select",
                    "TCOP-06-TF-003",
                    "--select",
                    "TCOP-06-TF-005",
                    *extra,
                ],
            )
            .stdout
        )
        return json.loads(out)["runs"][0]["results"]

    assert [r["ruleId"] for r in results()] == ["TCOP-06-TF-003"]
    marked = [r for r in results("--sarif-suppressed", "include") if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in marked] == [("TCOP-06-TF-005", "inSource")]
    text = CliRunner().invoke(main, ["scan", str(tmp_path), "--select", "TCOP-06-TF-005", "--show-suppressed"]).stdout
    assert "[suppressed: approved]" in text
