"""The HTML evidence pack and the estate view in headless Chromium: no request leaves the page,
the points, statuses and counts are those of the JSON report, every finding's file:line sits under
its point, axe-core finds no WCAG 2.2 AA violation, and hostile names render as text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, open_page
from click.testing import CliRunner

from tcop_lint.cli import main
from tcop_lint.report.html import ESTATE_FINDINGS_PER_POINT, STATUS_TAGS

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = (REPO / "examples/service-repo", REPO / "examples/well-configured-service")
HOSTILE_NAME = "<img src=x onerror=alert(1)>.tf"
HOSTILE_STATEMENT = "</script><script>alert('statement')</script><b onmouseover=alert(2)>bold</b>"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _reports(root: Path, out: Path, stem: str) -> tuple[Path, Path]:
    """The JSON and HTML reports of one scan."""
    json_path, html_path = out / f"{stem}.json", out / f"{stem}.html"
    code, _, err = _run(
        "scan",
        str(root),
        "--no-cache",
        "--fail-on",
        "never",
        "--format",
        f"json={json_path}",
        "--format",
        f"html={html_path}",
    )
    assert code == 0, err
    return json_path, html_path


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    json_path, html_path = _reports(EXAMPLES[0], tmp_path_factory.mktemp("example"), "service-repo")
    return json.loads(json_path.read_text(encoding="utf-8")), html_path


def _overview(page: Any, scope: str = "") -> dict[str, dict[str, str]]:
    return page.evaluate(
        """(scope) => Object.fromEntries([...document.querySelectorAll(scope + ' tr[data-point]')].map(row => [
            row.dataset.point,
            Object.fromEntries([['status', row.dataset.status],
                ...[...row.querySelectorAll('[data-count]')].map(cell => [cell.dataset.count, cell.textContent.trim()])])]))""",
        scope,
    )


def _expected_overview(document: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {
        p["id"]: {
            "status": p["status"],
            "errors": str(p["counts"]["errors"]),
            "warnings": str(p["counts"]["warnings"]),
            "notes": str(p["counts"]["notes"]),
            "accepted": str(p["counts"]["accepted"]),
            "checks_reading": f"{p['counts']['checks_reading']} of {p['counts']['checks']}",
        }
        for p in document["points"]
    }


def _assert_findings_under_their_points(
    page: Any, document: dict[str, Any], anchor: str, limit: int | None = None
) -> None:
    findings = {f["fingerprint"]: f for f in document["findings"]}
    for point in document["points"]:
        section = page.locator(f"#{anchor}-point-{point['id']}")
        assert section.count() == 1, point["id"]
        places = section.locator("[data-where]").all_inner_texts()
        for fingerprint in point["findings"][:limit]:
            finding = findings[fingerprint]
            where = f"{finding['file']}:{finding['line']}" if finding["line"] else (finding["file"] or "repository")
            assert where in places, (point["id"], where)
        assert len(places) == len(point["findings"][:limit])
        hidden = section.locator("[data-not-shown]")
        assert (int(hidden.get_attribute("data-not-shown")) if hidden.count() else 0) == (
            len(point["findings"][limit:]) if limit else 0
        )


def test_the_example_report_makes_no_request_and_shows_every_point_as_the_json_does(browser, example):
    document, html_path = example
    visit = open_page(browser, html_path)
    page = visit.page
    assert visit.requests == []
    assert not [line for line in visit.console if "Content Security Policy" in line]
    assert page.evaluate("document.scripts.length") == 0
    overview = _overview(page, "#r-overview")
    assert len(overview) == 13
    assert overview == _expected_overview(document)
    shown = {row: page.locator(f"#r-overview tr[data-point='{row}'] .govuk-tag").inner_text() for row in overview}
    assert shown == {p["id"]: STATUS_TAGS[p["status"]][0] for p in document["points"]}
    coverage = page.locator("#coverage").inner_text()
    assert f"{document['coverage']['automated']} have automated evidence" in coverage
    _assert_findings_under_their_points(page, document, "r")
    page.context.close()


def test_the_example_report_has_no_accessibility_violations(browser, example):
    assert axe_violations(browser, example[1]) == []


def test_a_file_on_github_is_linked_at_the_scanned_commit(tmp_path: Path, browser) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  acl = "public-read"\n}\n')
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for command in (
        ["git", "init", "-q"],
        ["git", "remote", "add", "origin", "https://x-token:tok-9f8e7d@github.com/example-dept/service.git"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "first"],
    ):
        subprocess.run(command, cwd=root, check=True, env=env)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout
    json_path, html_path = _reports(root, tmp_path, "linked")
    document = json.loads(json_path.read_text(encoding="utf-8"))
    visit = open_page(browser, html_path)
    hrefs = visit.page.evaluate("[...document.querySelectorAll('[data-where] a')].map(a => a.href)")
    line = next(f["line"] for f in document["findings"] if f["file"] == "main.tf" and f["line"])
    assert f"https://github.com/example-dept/service/blob/{commit.strip()}/main.tf#L{line}" in hrefs
    assert "tok-9f8e7d" not in html_path.read_text(encoding="utf-8")
    visit.page.context.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    base = tmp_path_factory.mktemp("hostile")
    root = base / "repo"
    root.mkdir()
    (root / HOSTILE_NAME).write_text(
        'resource "aws_security_group_rule" "ssh" {\n  type = "ingress"\n  from_port = 22\n  to_port = 22\n'
        '  protocol = "tcp"\n  cidr_blocks = ["0.0.0.0/0"]\n  security_group_id = "sg-1"\n}\n',
        encoding="utf-8",
    )
    (root / "tcop-statements.yaml").write_text(
        "tcop:\n"
        "  1:\n"
        "    owner: \"<script>alert('owner')</script>\"\n"
        "    review_by: 2099-01-01\n"
        f'    text: "{HOSTILE_STATEMENT}"\n'
        "    links:\n"
        "      - \"javascript:alert('link')\"\n"
        '      - "docs/<svg onload=alert(3)>.md"\n'
        "      - https://www.gov.uk/service-manual\n",
        encoding="utf-8",
    )
    json_path, html_path = _reports(root, base, "hostile")
    return json.loads(json_path.read_text(encoding="utf-8")), html_path


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with its policy", "escaping alone"])
def test_hostile_names_and_statements_render_as_text_and_run_nothing(browser, hostile, bypass_csp):
    document, html_path = hostile
    assert any(f["file"] == HOSTILE_NAME for f in document["findings"])
    visit = open_page(browser, html_path, bypass_csp=bypass_csp)
    page = visit.page
    page.hover("text=bold")  # the <b onmouseover> would fire here had it been markup
    assert visit.dialogs == []
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('img, svg, b[onmouseover], [onerror], [onload]').length") == 0
    text = page.inner_text("body")
    assert HOSTILE_NAME in text
    assert HOSTILE_STATEMENT in text
    assert "<script>alert('owner')</script>" in text
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and h.lower().startswith("javascript:")]
    assert "https://www.gov.uk/service-manual" in hrefs
    assert visit.requests == []
    page.context.close()


def _estate(reports: list[Path], *extra: str) -> tuple[int, str, str]:
    return _run("estate", *map(str, reports), *extra)


@pytest.fixture(scope="module")
def estate_reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six repositories: the JSON reports of three real public repositories (tests/data/estate,
    see its README), the two bundled examples and one with a team statement; more come from
    TCOP_LINT_ESTATE_REPORTS (a folder of JSON reports) when set."""
    out = tmp_path_factory.mktemp("estate")
    third = out / "with-statement"
    third.mkdir()
    (third / "README.md").write_text("# A service\n\nLicensed under the MIT licence.\n", encoding="utf-8")
    (third / "tcop-statements.yaml").write_text(
        "tcop:\n  1:\n    owner: Service owner\n    review_by: 2099-01-01\n"
        "    text: User research summaries are kept in the team's research library.\n",
        encoding="utf-8",
    )
    reports = sorted((REPO / "tests/data/estate").glob("*.json"))
    assert len(reports) >= 3
    reports += [_reports(root, out, root.name)[0] for root in (*EXAMPLES, third)]
    extra = os.environ.get("TCOP_LINT_ESTATE_REPORTS")
    if extra:
        reports += sorted(Path(extra).glob("*.json"))
    return reports


def test_the_estate_report_shows_every_repository_by_point_as_their_json_reports_do(
    browser, estate_reports, tmp_path: Path
):
    html_path = tmp_path / "estate.html"
    code, _, err = _estate(estate_reports, "--output", str(html_path))
    assert code == 0, err
    visit = open_page(browser, html_path)
    page = visit.page
    assert visit.requests == []
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in estate_reports]
    matrix = page.evaluate(
        """() => [...document.querySelectorAll('#estate-matrix tbody tr')].map(row => [row.dataset.repository,
            Object.fromEntries([...row.querySelectorAll('td[data-point]')].map(td => [td.dataset.point, td.dataset.status]))])"""
    )
    assert matrix == [[d["repository"]["name"], {p["id"]: p["status"] for p in d["points"]}] for d in documents]
    for number, document in enumerate(documents, 1):
        assert _overview(page, f"#r{number}") == {}  # the drill-down has no second overview table
        _assert_findings_under_their_points(page, document, f"r{number}", ESTATE_FINDINGS_PER_POINT)
    totals = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#estate-points tbody tr')].map(row => [row.dataset.point,
            Object.fromEntries([...row.querySelectorAll('td')].map(td => [td.dataset.status, Number(td.textContent)]))]))"""
    )
    for point_id, by_status in totals.items():
        expected = {
            s: sum(1 for d in documents for p in d["points"] if p["id"] == point_id and p["status"] == s)
            for s in STATUS_TAGS
        }
        assert by_status == expected, point_id
    page.context.close()
    assert axe_violations(browser, html_path) == []


def test_a_damaged_report_is_named_and_skipped_and_other_versions_warn(estate_reports, tmp_path: Path):
    damaged = tmp_path / "damaged.json"
    damaged.write_text('{"schema_version": 2, "tool": ', encoding="utf-8")
    older = tmp_path / "older.json"
    document = json.loads(estate_reports[0].read_text(encoding="utf-8"))
    document["tool"]["version"] = "0.0.1"
    older.write_text(json.dumps(document), encoding="utf-8")
    first_schema = tmp_path / "schema1.json"
    first_schema.write_text(json.dumps({**document, "schema_version": 1}), encoding="utf-8")
    out = tmp_path / "estate.json"
    code, _, err = _estate([damaged, older, first_schema, estate_reports[1]], "--format", "json", "-o", str(out))
    assert code == 0, err
    assert f"{damaged}: left out: it is not JSON" in err
    assert f"{first_schema}: left out: it has report schema 1" in err
    assert f"warning: {older}: made by tcop-lint 0.0.1" in err
    estate = json.loads(out.read_text(encoding="utf-8"))
    assert [row["report"] for row in estate["matrix"]] == [str(older), str(estate_reports[1])]
    assert {s["file"] for s in estate["skipped"]} == {str(damaged), str(first_schema)}
    from jsonschema import Draft202012Validator

    schema = json.loads((REPO / "tcop_lint/report/schemas/estate.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(estate)
    code, _, err = _estate([damaged])
    assert code == 2 and "no report could be merged" in err


def test_the_estate_csv_has_a_row_per_repository_point_and_check(estate_reports, tmp_path: Path):
    import csv
    import io

    code, out, err = _estate(estate_reports, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    names = {json.loads(p.read_text(encoding="utf-8"))["repository"]["name"] for p in estate_reports}
    assert {row["repository"] for row in rows} == names
    assert {(row["repository"], row["point"]) for row in rows} >= {(n, str(i)) for n in names for i in range(1, 14)}


def test_html_is_an_evidence_format_of_scan(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tcop_lint", "scan", str(EXAMPLES[1]), "--format", "html", "--no-cache"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in done.stdout and "<script" not in done.stdout


def test_the_accessibility_check_can_fail(browser, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>t</title></head><body><main><a href="#x"></a>'
        '<p style="color:#bbb;background:#fff">faint</p></main></body></html>',
        encoding="utf-8",
    )
    found = {v["id"] for v in axe_violations(browser, page)}
    assert {"html-has-lang", "link-name", "color-contrast"} <= found
