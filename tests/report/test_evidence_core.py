"""The evidence view: points, statuses and counts in the JSON report, team statements, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from tcop_lint.cli import main
from tcop_lint.discover.git_info import file_url, web_remote
from tcop_lint.statements import StatementsError, read_statements, statement_link

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "tcop_lint/report/schemas/report.schema.json").read_text(encoding="utf-8"))
EXAMPLE = REPO / "examples/service-repo"

BUCKET = """resource "aws_s3_bucket" "files" {
  bucket = "files"
}
"""


def _scan(path: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["scan", str(path), "--no-cache", "--fail-on", "never", *extra])
    return result.exit_code, result.stdout, result.stderr


def _json(path: Path, *extra: str) -> dict:
    code, out, err = _scan(path, "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("framework, points", [("tcop", 13), ("service-standard", 14), ("secure-by-design", 10)])
def test_the_report_validates_against_its_published_schema_in_each_framework(framework: str, points: int) -> None:
    document = _json(EXAMPLE, "--framework", framework)
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert document["framework"]["id"] == framework
    assert [p["id"] for p in document["points"]] == [str(n) for n in range(1, points + 1)]


def test_each_points_counts_are_the_findings_grouped_under_it() -> None:
    document = _json(EXAMPLE)
    by_fingerprint = {f["fingerprint"]: f for f in document["findings"]}
    for point in document["points"]:
        listed = [by_fingerprint[fp] for fp in point["findings"]]
        assert all(point["id"] in f["points"] for f in listed)
        levels = [f["level"] for f in listed]
        counts = point["counts"]
        assert (counts["errors"], counts["warnings"], counts["notes"]) == (
            levels.count("error"),
            levels.count("warning"),
            levels.count("note"),
        )
        assert counts["checks"] == len(point["checks"])
        assert counts["inspected"] == sum(c["inspected"] for c in point["checks"])
        expected = "concerns" if counts["errors"] + counts["warnings"] else point["status"]
        assert point["status"] == expected
    statuses = {p["id"]: p["status"] for p in document["points"]}
    assert statuses["1"] == "needs-statement"  # no check can evidence user needs
    assert statuses["6"] == "concerns"  # the example is written to fail
    assert document["coverage"]["points"] == 13
    assert document["coverage"]["concerns"] == sum(1 for s in statuses.values() if s == "concerns")


def test_a_check_with_nothing_to_read_inspects_nothing_and_its_point_is_not_applicable(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET, encoding="utf-8")
    document = _json(tmp_path, "--kinds", "terraform")
    checks = {c["id"]: c for p in document["points"] for c in p["checks"]}
    s3 = [c for c in checks.values() if c["reads"] == "terraform" and c["inspected"]]
    assert s3 and all(c["files"] <= 1 and c["subjects"] == "resources" for c in s3)
    assert any(c["files"] == 1 for c in s3)  # estate-wide checks read the whole estate, no one file
    only_terraform = _json(tmp_path, "--select", "TCOP-09-OAS-001")
    point9 = next(p for p in only_terraform["points"] if p["id"] == "9")
    assert point9["counts"]["inspected"] == 0
    assert point9["status"] == "not-applicable"


STATEMENTS = """\
tcop:
  1:
    owner: Priya Shah, service owner
    review_by: 2099-03-31
    text: User research with caseworkers every sprint.
    links:
      - docs/user-research.md
      - https://example.gov.uk/research
      - "javascript:alert(1)"
      - ../../etc/passwd
  11:
    owner: Sam Okafor, commercial lead
    review_by: 2020-01-31
    text: Bought through G-Cloud 14.
"""


def test_a_valid_statement_is_shown_under_its_point_and_a_past_review_date_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "tcop-statements.yaml").write_text(STATEMENTS, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/user-research.md").write_text("# Research\n", encoding="utf-8")
    document = _json(tmp_path)
    points = {p["id"]: p for p in document["points"]}
    one = points["1"]
    assert one["status"] == "statement"
    assert one["statement"]["owner"] == "Priya Shah, service owner"
    assert [link["kind"] for link in one["statement"]["links"]] == ["path", "url"]  # the others are dropped
    assert one["evidence_files"] == ["docs/user-research.md"]
    assert points["11"]["status"] == "statement-expired"
    expired = [f for f in document["findings"] if f["id"] == "TCOPLINT-010"]
    assert len(expired) == 1
    assert (expired[0]["file"], expired[0]["line"], expired[0]["points"]) == ("tcop-statements.yaml", 11, [])
    assert "2020-01-31" in expired[0]["message"]


def test_a_bad_statements_file_stops_the_scan_naming_each_key_path(tmp_path: Path) -> None:
    (tmp_path / "tcop-statements.yaml").write_text(
        "tcop:\n  14:\n    owner: x\n    review_by: 2030-01-01\n    text: t\n"
        "  2:\n    review_by: 2030-02-30\n    text: t\n"
        "service-manual:\n  1: {}\n",
        encoding="utf-8",
    )
    code, _, err = _scan(tmp_path)
    assert code == 2
    assert "tcop-statements.yaml: tcop.14: 14 is not a point of the Technology Code of Practice" in err
    assert "tcop-statements.yaml: tcop.2.owner: missing" in err
    assert "tcop-statements.yaml: tcop.2.review_by: '2030-02-30' is not a date" in err
    assert "tcop-statements.yaml: service-manual: unknown framework" in err


def test_statements_read_without_a_file_are_none(tmp_path: Path) -> None:
    assert read_statements(tmp_path) == ()
    (tmp_path / "tcop-statements.yaml").write_text("- a list\n", encoding="utf-8")
    with pytest.raises(StatementsError, match="must be a mapping of frameworks"):
        read_statements(tmp_path, dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    "text, kind",
    [
        ("https://www.gov.uk/x", "url"),
        ("docs/dpia.md", "path"),
        ("./docs/a.md", "path"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("/etc/passwd", None),
        ("a/../../b", None),
        ('docs/"><script>.md', None),
        ("https://x/</script>", None),
    ],
)
def test_statement_links_are_web_urls_or_repository_paths(text: str, kind: str | None) -> None:
    link = statement_link(text)
    assert (link.kind if link else None) == kind


@pytest.mark.parametrize(
    "url, web",
    [
        ("git@github.com:alphagov/govuk-infrastructure.git", "https://github.com/alphagov/govuk-infrastructure"),
        ("https://x-access-token:ghs_abc@github.com/o/n.git", "https://github.com/o/n"),
        ("https://gitlab.com/group/sub/project", "https://gitlab.com/group/sub/project"),
        ("ssh://git@github.com/o/n", "https://github.com/o/n"),
        ("https://bitbucket.org/o/n.git", None),
        ("/srv/git/n.git", None),
    ],
)
def test_remotes_become_web_addresses_only_on_github_and_gitlab(url: str, web: str | None) -> None:
    assert web_remote(url) == web


def test_file_links_follow_each_hosts_form() -> None:
    assert file_url("https://github.com/o/n", "a" * 40) == f"https://github.com/o/n/blob/{'a' * 40}/{{path}}#L{{line}}"
    assert file_url("https://gitlab.com/g/p", "b" * 40, "infra/") == (
        f"https://gitlab.com/g/p/-/blob/{'b' * 40}/infra/{{path}}#L{{line}}"
    )
    assert file_url("https://github.com/o/n", None) is None


def test_accepted_baseline_entries_are_exceptions_with_their_reason(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    code, _, err = _scan(tmp_path, "--kinds", "terraform", "--write-baseline", str(baseline))
    assert code == 0, err
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert recorded["findings"]
    recorded["findings"][0]["reason"] = "Agreed with the security architect"
    recorded["findings"][0]["until"] = "2027-06-30"
    baseline.write_text(json.dumps(recorded), encoding="utf-8")
    document = _json(tmp_path, "--kinds", "terraform", "--baseline", str(baseline))
    exceptions = [e for p in document["points"] for e in p["exceptions"] if e["kind"] == "baseline"]
    assert exceptions
    first = next(e for e in exceptions if e["id"] == recorded["findings"][0]["id"])
    assert (first["reason"], first["until"]) == ("Agreed with the security architect", "2027-06-30")
    assert all(
        fp not in {f["fingerprint"] for f in document["findings"]} for fp in [recorded["findings"][0]["fingerprint"]]
    )


def test_csv_has_a_row_per_point_check_and_subject_and_never_a_formula(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(BUCKET, encoding="utf-8")
    (tmp_path / "tcop-statements.yaml").write_text(
        "tcop:\n  1:\n    owner: '=HYPERLINK(\"x\")'\n    review_by: 2099-01-01\n    text: '=1+1 research'\n",
        encoding="utf-8",
    )
    code, out, err = _scan(tmp_path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    document = _json(tmp_path)
    findings = [f for f in document["findings"] if f["points"] and f["suppressed"] is None]
    finding_rows = [r for r in rows if r["status"] == "finding"]
    assert len(finding_rows) == sum(len(f["points"]) for f in findings)
    assert {r["point"] for r in rows} == {str(n) for n in range(1, 14)}
    research = next(r for r in rows if r["point"] == "1")
    assert research["message"] == "'=1+1 research"
    assert any(r["status"] == "passed" and int(r["inspected"]) > 0 for r in rows)


@pytest.mark.parametrize("framework", ["service-standard", "secure-by-design"])
def test_another_framework_regroups_the_same_findings(framework: str) -> None:
    from tcop_lint.core.frameworks import FRAMEWORKS

    by_tcop, regrouped = _json(EXAMPLE), _json(EXAMPLE, "--framework", framework)
    fingerprints = [f["fingerprint"] for f in by_tcop["findings"]]
    assert [f["fingerprint"] for f in regrouped["findings"]] == fingerprints
    grouped = {fp for p in regrouped["points"] for fp in p["findings"]}
    outside = [f for f in regrouped["findings"] if not f["points"]]
    assert grouped | {f["fingerprint"] for f in outside if f["suppressed"] is None} == {
        f["fingerprint"] for f in regrouped["findings"] if f["suppressed"] is None
    }
    assert regrouped["coverage"]["findings_outside"] == len(outside)
    assert any(f["points"] != g["points"] for f, g in zip(by_tcop["findings"], regrouped["findings"]))
    titles = {p.id: p.title for p in FRAMEWORKS[framework].points}
    assert {p["id"]: p["title"] for p in regrouped["points"]} == titles
    code, html, err = _scan(EXAMPLE, "--format", "html", "--framework", framework)
    assert code == 0, err
    assert FRAMEWORKS[framework].title in html
    for point in regrouped["points"]:
        assert f'id="r-point-{point["id"]}"' in html
