"""The GitLab Code Quality reporter: GitLab's documented structure, SARIF's fingerprints,
deterministic output, and the command line end to end."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator
from test_reporters_extra import LICENCE, REGION, TAGS, TLS, finding, report

from tcop_lint.cli import main
from tcop_lint.report import render
from tcop_lint.report.gitlab import render_gitlab, severity
from tcop_lint.report.sarif import FINGERPRINT_KEY, render_sarif
from tcop_lint.run import ScanRequest, execute

EXAMPLE = Path(__file__).parents[2] / "examples" / "service-repo"

# What GitLab documents for a Code Quality report artifact: a JSON array of issues, each with
# a description, check name, fingerprint, one of GitLab's severities and a location whose path
# is a repository-relative file and whose lines.begin is a 1-based line.
CODE_QUALITY_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "additionalProperties": False,
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "additionalProperties": False,
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(/|\\./)|\\\\"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "additionalProperties": False,
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
VALIDATOR = Draft7Validator(CODE_QUALITY_SCHEMA)
Draft7Validator.check_schema(CODE_QUALITY_SCHEMA)


@pytest.fixture(scope="module")
def example_report():
    return execute(ScanRequest(paths=(str(EXAMPLE),), root=EXAMPLE))


def sarif_key(result: dict) -> tuple:
    physical = result["locations"][0]["physicalLocation"]
    return (result["ruleId"], physical["artifactLocation"]["uri"], physical["region"]["startLine"])


def gitlab_key(issue: dict) -> tuple:
    return (issue["check_name"], issue["location"]["path"], issue["location"]["lines"]["begin"])


def test_the_example_report_follows_gitlabs_structure(example_report) -> None:
    issues = json.loads(render_gitlab(example_report))
    assert issues, "the example repository has planted problems"
    errors = sorted(VALIDATOR.iter_errors(issues), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert {i["severity"] for i in issues} >= {"info", "minor", "major", "critical"}
    # Repository-level findings are anchored at the example's README, line 1.
    repository_level = [f for f in example_report.findings if f.file is None and f.suppressed is None]
    assert repository_level
    anchored = {i["fingerprint"]: i["location"] for i in issues}
    for f in repository_level:
        assert anchored[f.fingerprint] == {"path": "README.md", "lines": {"begin": 1}}


def test_every_fingerprint_equals_sarifs_partial_fingerprint(example_report) -> None:
    issues = json.loads(render_gitlab(example_report))
    results = json.loads(render_sarif(example_report))["runs"][0]["results"]
    assert len(issues) == len(results)

    sarif_by_key: dict[tuple, set[str]] = {}
    for result in results:
        sarif_by_key.setdefault(sarif_key(result), set()).add(result["partialFingerprints"][FINGERPRINT_KEY])
    gitlab_by_key: dict[tuple, set[str]] = {}
    for issue in issues:
        gitlab_by_key.setdefault(gitlab_key(issue), set()).add(issue["fingerprint"])
    assert gitlab_by_key == sarif_by_key  # same rule, path and line carry the same fingerprints

    gitlab_fingerprints = [i["fingerprint"] for i in issues]
    sarif_fingerprints = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    assert len(set(gitlab_fingerprints)) == len(gitlab_fingerprints), "GitLab shows one issue per fingerprint"
    assert set(gitlab_fingerprints) == set(sarif_fingerprints)
    engine = {f.fingerprint for f in example_report.findings if f.suppressed is None}
    assert set(gitlab_fingerprints) == engine


def test_output_is_deterministic_sorted_and_ends_in_a_newline(example_report) -> None:
    text = render_gitlab(example_report)
    shuffled = replace(example_report, findings=tuple(reversed(example_report.findings)))
    assert text == render_gitlab(shuffled)
    assert text.endswith("]\n") and not text.endswith("\n\n")
    issues = json.loads(text)
    for issue in issues:
        assert list(issue) == ["description", "check_name", "fingerprint", "severity", "location"]
        assert list(issue["location"]) == ["path", "lines"]
    paths = [i["location"]["path"] for i in issues if i["location"]["path"] != "README.md"]
    assert paths == sorted(paths)


def test_severity_mapping() -> None:
    security = replace(TLS, security_severity=7.5)
    low_security = replace(TLS, security_severity=5.0)
    assert severity(finding(TAGS, "a.tf", 1), TAGS) == "info"
    assert severity(finding(REGION, "a.tf", 1), REGION) == "minor"
    assert severity(finding(TLS, "a.tf", 1), TLS) == "major"
    assert severity(finding(security, "a.tf", 1), security) == "critical"
    assert severity(finding(low_security, "a.tf", 1), low_security) == "major"
    # A warning of a security check stays minor: only errors are raised to critical.
    assert severity(finding(security, "a.tf", 1, level="warning"), security) == "minor"
    assert severity(finding(TLS, "a.tf", 1), None) == "major"


def test_repository_findings_without_a_readme_use_the_root_and_suppressed_are_left_out() -> None:
    findings = [
        finding(LICENCE, None, None, "No licence file"),
        finding(TLS, "./infra\\main.tf", 0, "old TLS"),
        finding(TLS, "infra/other.tf", 4, "old TLS", suppressed="accepted risk"),
    ]
    issues = json.loads(render_gitlab(report(findings), repository_files=("src/app.py",)))
    assert [gitlab_key(i) for i in issues] == [
        ("TCOP-03-REPO-001", ".", 1),
        ("TCOP-06-TF-001", "infra/main.tf", 1),
    ]
    assert render_gitlab(report([])) == "[]\n"
    with_readme = json.loads(render_gitlab(report(findings[:1]), repository_files=("README.md", "docs/README.md")))
    assert with_readme[0]["location"]["path"] == "README.md"


def test_render_dispatches_the_gitlab_format(example_report) -> None:
    assert render(example_report, "gitlab") == render_gitlab(example_report)


def test_the_command_line_writes_the_report_and_keeps_the_gate(tmp_path: Path) -> None:
    target = tmp_path / "gl-code-quality-report.json"
    sarif_target = tmp_path / "tcop-lint.sarif"
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE),
            "--format",
            f"gitlab={target}",
            "--format",
            f"sarif={sarif_target}",
            "--format",
            "text",
            "--fail-on",
            "error",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1, result.output  # the example has error findings
    assert "TCOP-06-TF-001" in result.output  # the text report went to standard output
    issues = json.loads(target.read_text("utf-8"))
    assert VALIDATOR.is_valid(issues)
    results = json.loads(sarif_target.read_text("utf-8"))["runs"][0]["results"]
    assert {i["fingerprint"] for i in issues} == {r["partialFingerprints"][FINGERPRINT_KEY] for r in results}

    again = CliRunner().invoke(
        main, ["scan", str(EXAMPLE), "--format", "gitlab", "--fail-on", "never"], catch_exceptions=False
    )
    assert again.exit_code == 0
    assert again.output == target.read_text("utf-8")


def test_gitlab_is_listed_among_the_formats() -> None:
    result = CliRunner().invoke(main, ["scan", "--help"])
    assert "gitlab" in result.output
    bad = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "gitlab-sast"])
    assert bad.exit_code == 2 and "gitlab" in bad.output
