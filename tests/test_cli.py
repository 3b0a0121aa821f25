"""The command line: commands, options, formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tcop_lint import __version__
from tcop_lint.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "service-repo"
HTTP_SERVER_SPEC = (
    "openapi: 3.0.3\ninfo:\n  title: T\n  version: 1.0.0\nservers:\n  - url: http://api.example.gov.uk\npaths: {}\n"
)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"tcop-lint {__version__}"


def test_python_dash_m_and_help_work_in_a_real_process() -> None:
    done = subprocess.run([sys.executable, "-m", "tcop_lint", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "scan" in done.stdout and "checks" in done.stdout


def test_checks_list_json_has_complete_metadata() -> None:
    result = run("checks", "list", "--format", "json")
    checks = json.loads(result.output)
    assert len(checks) >= 20
    for check in checks:
        assert {"id", "title", "tcop_point", "level", "help_uri", "reads"} <= set(check)
        assert 1 <= check["tcop_point"] <= 13 and check["level"] in ("error", "warning", "note")
        assert check["help_uri"].startswith("https://")


def test_checks_list_text_and_markdown() -> None:
    assert "TCOP-06-TF-001" in run("checks", "list").output
    assert run("checks", "list", "--format", "markdown").output.startswith("# tcop-lint checks")


def test_explain_shows_why_how_and_examples() -> None:
    result = run("checks", "explain", "tcop-06-tf-005")
    assert result.exit_code == 0
    for part in (
        "TCOP-06-TF-005",
        "Guidance: https://www.gov.uk/",
        "Why",
        "How to fix",
        "Fails",
        "Passes",
        "publicly_accessible",
    ):
        assert part in result.output


def test_explain_an_unknown_check_is_a_usage_error() -> None:
    result = run("checks", "explain", "TCOP-99-TF-001")
    assert result.exit_code == 2 and "unknown check id" in result.output


@pytest.mark.parametrize(
    "args, says",
    [
        (["scan", "no/such/folder"], "no such file"),
        (["scan", str(EXAMPLE), "--select", "TCOP-99"], "matches no check"),
        (["scan", str(EXAMPLE), "--kinds", "helm"], "unknown input"),
        (["scan", str(EXAMPLE), "--format", "pdf"], "unknown format"),
        (["scan", str(EXAMPLE), "--fail-on", "sometimes"], "sometimes"),
    ],
)
def test_usage_errors_exit_2(args: list[str], says: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and says in result.output


def test_fail_on_levels(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(HTTP_SERVER_SPEC, encoding="utf-8")
    select = ["--select", "TCOP-08-OAS-001"]  # warnings only
    assert run("scan", str(tmp_path), *select).exit_code == 0
    assert run("scan", str(tmp_path), *select, "--fail-on", "warning").exit_code == 1
    assert run("scan", str(tmp_path), "--fail-on", "never").exit_code == 0
    assert run("scan", str(tmp_path), "--select", "TCOP-06-OAS-001").exit_code == 1


def test_kinds_limit_the_checks_to_some_inputs() -> None:
    result = run("scan", str(EXAMPLE), "--kinds", "repository", "--format", "json")
    assert {f["id"].split("-")[2] for f in json.loads(result.output)["findings"]} == {"REPO"}


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    sarif, report = tmp_path / "out.sarif", tmp_path / "report.json"
    result = run(
        "scan",
        str(EXAMPLE),
        "--format",
        "sarif",
        "--output",
        str(sarif),
        "--format",
        "text",
        "--format",
        f"json={report}",
    )
    assert result.exit_code == 1
    assert "By TCoP point" in result.output
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert json.loads(report.read_text(encoding="utf-8"))["findings"]
    assert run("scan", str(EXAMPLE), "--format", "text", "--format", "json").exit_code == 2


def test_a_file_that_does_not_parse_is_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n', encoding="utf-8")
    (tmp_path / "openapi.yaml").write_text(HTTP_SERVER_SPEC, encoding="utf-8")
    result = run("scan", str(tmp_path), "--format", "json", "--select", "TCOP-06-OAS-001")
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert [f["file"] for f in report["findings"]] == ["openapi.yaml"]
    assert [p["file"] for p in report["problems"]] == ["broken.tf"]
    text = run("scan", str(tmp_path), "--select", "TCOP-06-OAS-001").output
    assert "Files that could not be checked" in text and "broken.tf" in text


def crashing_check(folder: Path) -> None:
    check = folder / "tcop-06" / "TCOP-06-OAS-900"
    check.mkdir(parents=True)
    (check / "check.yaml").write_text(
        "id: TCOP-06-OAS-900\nname: Crashes\ntitle: A check that crashes\ntcop_point: 6\nlevel: error\nreads: openapi\n"
        "help_uri: https://www.gov.uk/guidance/make-things-secure\nrationale: r\nremediation: r\nprecision: low\n"
        "rule:\n  function: servers_not_https\n  target: openapi.document\n",
        encoding="utf-8",
    )


def crash(subject, context):
    raise TypeError("a rule that breaks")


def test_a_check_that_crashes_is_named_with_its_file_and_exits_3(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tcop_lint.check.registry.rule_function", lambda name: crash)
    crashing_check(tmp_path / "policy")
    (tmp_path / "openapi.yaml").write_text(HTTP_SERVER_SPEC, encoding="utf-8")
    (tmp_path / ".tcop-lint.yaml").write_text("extra_checks: [policy]\n", encoding="utf-8")
    result = run("scan", str(tmp_path))
    assert result.exit_code == 3
    assert "check TCOP-06-OAS-900 crashed on openapi.yaml" in result.output
    assert "Traceback" not in result.output
    assert "TCOP-06-OAS-001" in result.output  # the other checks still ran
    assert "Traceback" in run("scan", str(tmp_path), "--debug").output


def test_quiet_prints_only_findings(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_text(HTTP_SERVER_SPEC, encoding="utf-8")
    assert run("scan", str(tmp_path), "--quiet", "--select", "TCOP-04").output == ""
    assert "By TCoP point" not in run("scan", str(tmp_path), "--quiet").output


def test_explain_and_the_json_list_show_a_checks_options_and_defaults() -> None:
    explained = run("checks", "explain", "TCOP-07-TF-001").output
    assert "Options (checks: {TCOP-07-TF-001: {options: ...}})" in explained and "max_days: 400" in explained
    listed = {c["id"]: c for c in json.loads(run("checks", "list", "--format", "json").output)}
    assert listed["TCOP-07-TF-001"]["options"] == {"max_days": {"default": 400}}
    assert listed["TCOP-05-TF-001"]["options"] == {"allowed_regions": {"default_from": "regions"}}
    assert listed["TCOP-06-TF-005"]["options"] == {}  # a declarative check takes none


def test_the_program_exits_with_the_commands_code_and_its_output_flushed(tmp_path: Path) -> None:
    def program(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tcop_lint", *arguments], capture_output=True, text=True)

    version = program("--version")
    assert version.returncode == 0 and version.stdout.startswith("tcop-lint ")
    missing = program("scan", str(tmp_path / "missing"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n', encoding="utf-8")
    found = program("scan", str(tmp_path), "--no-cache", "--format", "json")
    assert found.returncode == 1 and json.loads(found.stdout)["findings"]
