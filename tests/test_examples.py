"""The bundled example repositories: every planted problem is reported at its own line, the
well-configured twin is clean, and both SARIF logs pass the official schema."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tcop_lint.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

PLANTED = sorted(
    [
        ("TCOP-03-REPO-001", None, None),
        ("TCOP-03-REPO-008", "README.md", 1),
        ("TCOP-03-REPO-009", None, None),
        ("TCOP-03-REPO-010", None, None),
        ("TCOP-04-OAS-007", "api/openapi.yaml", 18),
        ("TCOP-05-TF-001", "infra/aws/versions.tf", 13),
        ("TCOP-05-TF-001", "infra/azure/main.tf", 7),
        ("TCOP-05-TF-003", None, None),
        ("TCOP-05-TF-003", None, None),
        ("TCOP-05-TF-006", "infra/aws/versions.tf", 12),
        ("TCOP-05-TF-006", "infra/azure/main.tf", 1),
        ("TCOP-06-K8S-001", "k8s/ingress.yaml", 9),
        ("TCOP-06-K8S-002", "k8s/deployment.yaml", 24),
        ("TCOP-06-K8S-003", "k8s/deployment.yaml", 23),
        ("TCOP-06-K8S-005", "k8s/deployment.yaml", 20),
        ("TCOP-06-K8S-014", "k8s/deployment.yaml", 15),
        ("TCOP-06-K8S-015", "k8s/deployment.yaml", 17),
        ("TCOP-06-K8S-016", "k8s/deployment.yaml", 23),
        ("TCOP-06-OAS-001", "api/openapi.yaml", 6),
        ("TCOP-06-OAS-002", "api/openapi.yaml", 9),
        ("TCOP-06-REPO-008", None, None),
        ("TCOP-06-TF-001", "infra/aws/main.tf", 23),
        ("TCOP-06-TF-001", "infra/azure/main.tf", 16),
        ("TCOP-06-TF-002", "infra/aws/main.tf", 14),
        ("TCOP-06-TF-003", "infra/aws/main.tf", 55),
        ("TCOP-06-TF-005", "infra/aws/main.tf", 54),
        ("TCOP-06-TF-006", "infra/aws/main.tf", 42),
        ("TCOP-06-TF-034", "infra/azure/main.tf", 10),
        ("TCOP-06-TF-037", "infra/aws/main.tf", 1),
        ("TCOP-06-TF-009", None, None),
        ("TCOP-06-TF-009", None, None),
        ("TCOP-08-OAS-001", "api/openapi.yaml", 2),
        ("TCOP-08-REPO-001", "README.md", 1),
        ("TCOP-08-OAS-001", "api/openapi.yaml", 2),
        ("TCOP-08-OAS-002", "api/openapi.yaml", 2),
        ("TCOP-08-OAS-004", "api/openapi.yaml", 23),
        ("TCOP-09-OAS-002", "api/openapi.yaml", 8),
        ("TCOP-09-REPO-001", None, None),
        ("TCOP-09-TF-001", "infra/azure/main.tf", 1),  # the first block of main.tf
        ("TCOP-12-K8S-001", "k8s/deployment.yaml", 25),
        ("TCOP-12-K8S-002", "k8s/deployment.yaml", 9),
        ("TCOP-12-TF-001", "infra/azure/main.tf", 10),
        ("TCOP-13-K8S-001", "k8s/deployment.yaml", 19),
        ("TCOP-13-TF-001", "infra/aws/main.tf", 46),
    ],
    key=str,
)


def scan(*args: str):
    return CliRunner().invoke(main, ["scan", *args], catch_exceptions=False)


def test_every_planted_problem_is_reported_at_its_line() -> None:
    result = scan(str(EXAMPLES / "service-repo"), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    assert sorted(((f["id"], f["file"], f["line"]) for f in findings), key=str) == PLANTED


def test_the_well_configured_twin_has_no_error_or_warning() -> None:
    result = scan(str(EXAMPLES / "well-configured-service"), "--format", "json", "--fail-on", "warning")
    assert result.exit_code == 0, result.stdout
    # Its only findings are the note-level inventory of the clouds it uses.
    assert sorted(f["id"] for f in json.loads(result.stdout)["findings"]) == ["TCOP-05-TF-006", "TCOP-05-TF-006"]


def sarif_of(name: str) -> dict:
    result = scan(str(EXAMPLES / name), "--format", "sarif", "--fail-on", "never")
    assert result.exit_code == 0
    return json.loads(result.stdout)


def test_both_sarif_logs_pass_the_official_schema_and_github_rules() -> None:
    from jsonschema import Draft4Validator

    validator = Draft4Validator(
        json.loads(SCHEMA.read_text(encoding="utf-8")), format_checker=Draft4Validator.FORMAT_CHECKER
    )
    for name in ("service-repo", "well-configured-service"):
        log = sarif_of(name)
        assert sorted(e.message for e in validator.iter_errors(log)) == []
        (run,) = log["runs"]
        assert run["automationDetails"]["id"] == "tcop-lint/"
        rules = run["tool"]["driver"]["rules"]
        for rule in rules:
            assert rule["helpUri"].startswith("https://www.gov.uk/")
            assert rule["help"]["text"] and rule["help"]["markdown"]
            assert any(tag.startswith("tcop-") for tag in rule["properties"]["tags"])
            if "security" in rule["properties"]["tags"]:
                assert float(rule["properties"]["security-severity"]) > 0
        for result in run["results"]:
            assert result["level"] in ("error", "warning", "note")
            assert result["partialFingerprints"]
            location = result["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert not location["artifactLocation"]["uri"].startswith("/")


def test_output_is_byte_identical_across_runs() -> None:
    first = scan(str(EXAMPLES / "service-repo"), "--format", "sarif").stdout
    assert first == scan(str(EXAMPLES / "service-repo"), "--format", "sarif").stdout


def test_the_json_report_carries_the_cloud_inventory() -> None:
    inventory = json.loads(scan(str(EXAMPLES / "service-repo"), "--format", "json").stdout)["inventory"]
    assert sorted(inventory) == ["aws", "azurerm"]
    assert inventory["aws"]["services"] == {"elb": 3, "rds": 1, "vpc": 1}
    assert inventory["azurerm"]["directories"] == ["infra/azure"]
