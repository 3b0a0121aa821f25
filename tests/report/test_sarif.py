"""The SARIF reporter: schema-valid, GitHub-ready, deterministic."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from tcop_lint.core.model import Check, CheckCrash, Finding, ParseProblem, Position, Report, Unresolved
from tcop_lint.report import sarif
from tcop_lint.report.sarif import render_sarif

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
VALIDATOR = Draft4Validator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER)
ROOT = "/home/someone/checkouts/service"


def make_check(check_id: str, **changes) -> Check:
    base = Check(
        id=check_id,
        name="TlsMinimumVersion",
        title="TLS endpoints require TLS 1.2 or higher",
        tcop_point=6,
        level="error",
        reads="terraform",
        help_uri="https://www.gov.uk/guidance/make-things-secure",
        rationale="Old TLS versions have known weaknesses that let traffic be read or altered.",
        remediation="Set the minimum TLS version to 1.2.",
        precision="high",
        rule={"target": "terraform.resource"},
        folder="/somewhere/checks/tcop-06/" + check_id,
        also_points=(4,),
        security_severity=7.5,
        tags=("tls",),
    )
    return replace(base, **changes)


CHECKS = (
    make_check("TCOP-06-TF-001"),
    make_check(
        "TCOP-03-REPO-001",
        name="LicenceFilePresent",
        title="The repository has a licence file",
        tcop_point=3,
        level="warning",
        reads="repository",
        help_uri="https://www.gov.uk/guidance/be-open-and-use-open-source",
        rationale="Code published without a licence cannot be reused.",
        remediation="Add a LICENCE file with an open source licence such as MIT.",
        precision="very-high",
        also_points=(),
        security_severity=None,
        tags=("licensing",),
    ),
    make_check(
        "TCOP-05-TF-002",
        name="UkRegion",
        title="Resources live in a UK region",
        tcop_point=5,
        level="note",
        help_uri="https://www.gov.uk/guidance/use-cloud-first",
        precision="medium",
        also_points=(7,),
        security_severity=None,
        tags=(),
    ),
)


def make_finding(check_id: str, file: str | None, line: int | None, address: str, **changes) -> Finding:
    level = {c.id: c.level for c in CHECKS}.get(check_id, "warning")
    base = Finding(
        check_id=check_id,
        level=level,
        tcop_point=int(check_id.split("-")[1]),
        file=file,
        position=None if line is None else Position(line, 3, line, 30),
        address=address,
        message=f"{address} breaks {check_id}.",
        fingerprint=f"fp-{check_id}-{file}-{address}",
    )
    return replace(base, **changes)


FINDINGS = (
    make_finding("TCOP-06-TF-001", "infra/main.tf", 12, "aws_lb_listener.front"),
    make_finding(
        "TCOP-06-TF-001",
        "infra/my module/main.tf",
        4,
        "aws_lb_listener.back",
        properties={"actual": Unresolved("var.policy"), "values": ("a", 1), "ratio": float("nan")},
    ),
    make_finding("TCOP-05-TF-002", "infra/régions/café.tf", 7, "aws_s3_bucket.logs"),
    make_finding("TCOP-03-REPO-001", None, None, "<repository>"),
    make_finding(
        "TCOP-03-REPO-001",
        "LICENSE",
        1,
        "LICENSE",
        suppressed="Licence is added by the release pipeline.",
    ),
)

PROBLEMS = (
    ParseProblem("k8s/broken.yaml", "mapping values are not allowed here", Position(9, 5)),
    ParseProblem("charts/app/templates/deploy.yaml", "Helm template skipped", None, "note", True),
)

CRASHES = (CheckCrash("TCOP-05-TF-002", "infra/main.tf", "KeyError: 'region'", "Traceback ..."),)


def make_report(**changes) -> Report:
    base = Report(
        tool_version="0.1.0",
        root=ROOT,
        checks=CHECKS,
        findings=FINDINGS,
        problems=PROBLEMS,
        crashes=(),
        files_scanned=14,
        category="tcop-lint",
    )
    return replace(base, **changes)


def render(report: Report | None = None, **kwargs) -> dict:
    kwargs.setdefault("repository_files", ("README.md", "infra/main.tf"))
    text = render_sarif(report or make_report(), **kwargs)
    log = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    return log


def results_by_address(log: dict) -> dict[str, dict]:
    return {r["properties"]["address"]: r for r in log["runs"][0]["results"]}


def test_schema_copy_is_the_official_errata01():
    assert SCHEMA["id"].endswith("/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_validator_checks_formats():
    # Without the format extras a bad URI passes silently, and the other tests would prove less.
    assert not VALIDATOR.is_valid({"version": "2.1.0", "runs": [], "$schema": "not a uri"})


@pytest.mark.parametrize("include_suppressed", [False, True])
def test_valid_against_official_schema(include_suppressed):
    log = render(make_report(crashes=CRASHES), include_suppressed=include_suppressed)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == sarif.SCHEMA_URI
    assert len(log["runs"]) == 1


def test_driver():
    driver = render()["runs"][0]["tool"]["driver"]
    assert driver["name"] == "tcop-lint"
    assert driver["version"] == "0.1.0"
    assert driver["semanticVersion"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == sorted(c.id for c in CHECKS)


def test_every_rule_has_what_github_reads():
    rules = render()["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        check = next(c for c in CHECKS if c.id == rule["id"])
        assert rule["name"] == check.name
        assert rule["shortDescription"]["text"] == check.title
        assert rule["fullDescription"]["text"] == check.rationale
        assert rule["helpUri"] == check.help_uri
        assert check.remediation in rule["help"]["text"]
        assert check.remediation in rule["help"]["markdown"]
        assert "not a verdict of compliance" in rule["help"]["text"]
        assert "not a verdict of compliance" in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == check.level
        tags = rule["properties"]["tags"]
        assert f"tcop-{check.tcop_point}" in tags
        assert all(f"tcop-{p}" in tags for p in check.also_points)
        assert all(t in tags for t in check.tags)
        assert rule["properties"]["precision"] == check.precision


def test_guidance_link_of_every_point_in_help():
    rule = render()["runs"][0]["tool"]["driver"]["rules"][-1]
    assert rule["id"] == "TCOP-06-TF-001"
    markdown = rule["help"]["markdown"]
    secure = "https://www.gov.uk/guidance/make-things-secure"
    standards = "https://www.gov.uk/guidance/make-use-of-open-standards"
    assert f"- TCoP 6: Make things secure — [read the guidance]({secure})" in markdown
    assert f"TCoP 4: Make use of open standards — [read the guidance]({standards})" in markdown
    assert "https://www.gov.uk/guidance/make-use-of-open-standards" in rule["help"]["text"]


def test_security_rules_carry_string_security_severity():
    rules = {r["id"]: r for r in render()["runs"][0]["tool"]["driver"]["rules"]}
    security = rules["TCOP-06-TF-001"]["properties"]
    assert security["security-severity"] == "7.5"
    assert "security" in security["tags"]
    for other in ("TCOP-03-REPO-001", "TCOP-05-TF-002"):
        props = rules[other]["properties"]
        assert "security-severity" not in props
        assert "security" not in props["tags"]
        assert props["problem.severity"] in ("error", "warning", "recommendation")
    assert rules["TCOP-05-TF-002"]["properties"]["problem.severity"] == "recommendation"


def test_every_result_writes_level_even_the_default_warning():
    text = render_sarif(make_report(), repository_files=())
    log = json.loads(text)
    results = log["runs"][0]["results"]
    assert results and all(r["level"] in ("error", "warning", "note") for r in results)
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    assert '"level": "warning"' in text


def test_rule_index_points_at_the_rule():
    log = render()
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_locations_are_relative_and_percent_encoded():
    results = results_by_address(render())
    spaced = results["aws_lb_listener.back"]["locations"][0]["physicalLocation"]
    assert spaced["artifactLocation"] == {"uri": "infra/my%20module/main.tf", "uriBaseId": "%SRCROOT%"}
    assert spaced["region"] == {"startLine": 4, "startColumn": 3, "endLine": 4, "endColumn": 30}
    accented = results["aws_s3_bucket.logs"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert accented["uri"] == "infra/r%C3%A9gions/caf%C3%A9.tf"


def test_no_absolute_paths_leak():
    text = render_sarif(make_report(crashes=CRASHES), repository_files=())
    assert ROOT not in text
    assert "file://" not in text
    assert "Traceback" not in text


def test_repository_finding_anchored_at_readme():
    result = results_by_address(render())["<repository>"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "README.md", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == 1
    assert result["properties"]["repositoryLevel"] is True


def test_repository_finding_without_readme_points_at_root():
    result = results_by_address(render(repository_files=("infra/main.tf", "docs/README.md")))["<repository>"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "."
    assert physical["region"]["startLine"] == 1


def test_readme_found_on_disk_when_files_not_given(tmp_path):
    (tmp_path / "readme.rst").write_text("Service\n", "utf-8")
    (tmp_path / "docs").mkdir()
    log = render(make_report(root=str(tmp_path)), repository_files=None)
    physical = results_by_address(log)["<repository>"]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "readme.rst"


def test_position_edge_cases():
    weird = (
        make_finding("TCOP-06-TF-001", "a.tf", 1, "a", position=Position(0, 0)),
        make_finding("TCOP-06-TF-001", "b.tf", 1, "b", position=Position(5, 9, 3, 1)),
        make_finding("TCOP-06-TF-001", "c.tf", 1, "c", position=Position(5, 9, 5, 9)),
        make_finding("TCOP-06-TF-001", "d.tf", 1, "d", position=Position(5, 9, 8, None)),
        make_finding("TCOP-06-TF-001", "e.tf", None, "e"),
    )
    results = results_by_address(render(make_report(findings=weird)))
    region = {k: v["locations"][0]["physicalLocation"]["region"] for k, v in results.items()}
    assert region["a"] == {"startLine": 1, "startColumn": 1}
    assert region["b"] == {"startLine": 5, "startColumn": 9}
    assert region["c"] == {"startLine": 5, "startColumn": 9, "endLine": 5}
    assert region["d"] == {"startLine": 5, "startColumn": 9, "endLine": 8}
    assert region["e"] == {"startLine": 1, "startColumn": 1}


def test_fingerprints_follow_the_logical_finding_not_the_line():
    moved = tuple(replace(f, position=Position(f.position.line + 40, 1)) if f.position else f for f in FINDINGS)
    before = results_by_address(render())
    after = results_by_address(render(make_report(findings=moved)))
    assert before.keys() == after.keys()
    for address, result in before.items():
        prints = result["partialFingerprints"]
        assert prints["tcopLint/v1"]
        assert prints["primaryLocationLineHash"].startswith(prints["tcopLint/v1"] + ":")
        assert prints == after[address]["partialFingerprints"]
        assert (
            result["locations"][0]["physicalLocation"]["region"]
            != after[address]["locations"][0]["physicalLocation"]["region"]
            or address == "<repository>"
        )


def test_repeated_fingerprints_stay_distinct_for_github():
    twin = make_finding("TCOP-06-TF-001", "infra/main.tf", 30, "aws_lb_listener.front", message="Other.")
    log = render(make_report(findings=FINDINGS + (twin,)))
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in log["runs"][0]["results"]]
    assert len(hashes) == len(set(hashes))


def test_result_properties_are_json_safe():
    props = results_by_address(render())["aws_lb_listener.back"]["properties"]
    assert props["tcopPoint"] == 6
    assert props["address"] == "aws_lb_listener.back"
    assert props["actual"] == "${var.policy}"
    assert props["values"] == ["a", 1]
    assert props["ratio"] == "nan"


def test_deep_properties_do_not_recurse():
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    finding = make_finding("TCOP-06-TF-001", "a.tf", 1, "a", properties={"deep": deep})
    text = render_sarif(make_report(findings=(finding,)), repository_files=())
    assert text.count('"x"') == sarif.MAX_PROPERTY_DEPTH
    assert '"x": "…"' in text


def test_automation_details_category():
    assert render()["runs"][0]["automationDetails"]["id"] == "tcop-lint/"
    log = render(make_report(category="tcop-lint/terraform"))
    assert log["runs"][0]["automationDetails"]["id"] == "tcop-lint/terraform/"


def test_invocation_and_notifications():
    invocation = render(make_report(crashes=CRASHES))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    broken = next(n for n in notes if n["descriptor"]["id"] == "file-not-parsed")
    assert broken["level"] == "warning"
    physical = broken["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "k8s/broken.yaml"
    assert physical["region"]["startLine"] == 9
    skipped = next(n for n in notes if n["descriptor"]["id"] == "file-skipped")
    assert skipped["level"] == "note"
    crash = next(n for n in notes if n["descriptor"]["id"] == "check-crashed")
    assert crash["level"] == "error"
    assert crash["associatedRule"] == {"id": "TCOP-05-TF-002", "index": 1}
    assert "KeyError" in crash["message"]["text"]


def test_clean_run_is_successful():
    invocation = render(make_report(problems=(), crashes=()))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert "toolExecutionNotifications" not in invocation


def test_deterministic_bytes():
    report = make_report(crashes=CRASHES)
    shuffled = make_report(
        crashes=CRASHES,
        findings=tuple(reversed(FINDINGS)),
        problems=tuple(reversed(PROBLEMS)),
        checks=tuple(reversed(CHECKS)),
    )
    first = render_sarif(report, repository_files=("README.md",))
    assert first == render_sarif(report, repository_files=("README.md",))
    assert first == render_sarif(shuffled, repository_files=("README.md",))
    assert first.endswith("}\n")
    assert '"uri": "infra/r%C3%A9gions/caf%C3%A9.tf"' in first  # URIs are percent-encoded
    assert "fp-TCOP-05-TF-002-infra/régions/café.tf" in first  # other text stays UTF-8
    assert "\\u00e9" not in first


def test_suppressed_left_out_by_default():
    addresses = results_by_address(render())
    assert "LICENSE" not in addresses
    assert all("suppressions" not in r for r in addresses.values())


def test_suppressed_included_on_request():
    inline = make_finding(
        "TCOP-06-TF-001",
        "infra/edge.tf",
        3,
        "aws_lb_listener.edge",
        suppressed="Internal listener.",
        properties={"suppression_kind": "inSource"},
    )
    log = render(make_report(findings=FINDINGS + (inline,)), include_suppressed=True)
    results = results_by_address(log)
    assert results["LICENSE"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Licence is added by the release pipeline.",
        }
    ]
    assert results["aws_lb_listener.edge"]["suppressions"][0]["kind"] == "inSource"
    assert "suppression_kind" not in results["aws_lb_listener.edge"]["properties"]
    assert "suppressions" not in results["aws_lb_listener.front"]


def test_results_truncated_to_the_most_severe(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    log = render()
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "error"]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    note = next(n for n in notes if n["descriptor"]["id"] == "results-truncated")
    assert note["message"]["text"].startswith("2 of 4 results were left out")


def test_compressed_size_limit(monkeypatch):
    many = tuple(
        make_finding(
            "TCOP-06-TF-001",
            f"infra/m{i:04d}.tf",
            i + 1,
            f"aws_lb_listener.l{i}",
            message=f"Listener {i} {'x' * (i % 97)} allows TLS 1.0.",
        )
        for i in range(400)
    )
    full = render_sarif(make_report(findings=many), repository_files=())
    import gzip

    size = len(gzip.compress(full.encode(), mtime=0))
    monkeypatch.setattr(sarif, "MAX_GZIP_BYTES", size // 2)
    text = render_sarif(make_report(findings=many), repository_files=())
    assert len(gzip.compress(text.encode(), mtime=0)) <= size // 2
    log = json.loads(text)
    assert 0 < len(log["runs"][0]["results"]) < 400
    assert any(
        n["descriptor"]["id"] == "results-truncated"
        for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    )


def test_tags_capped_at_github_limit():
    tagged = make_check("TCOP-06-TF-009", tags=tuple(f"t{i}" for i in range(30)))
    log = render(make_report(checks=CHECKS + (tagged,)))
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "TCOP-06-TF-009")
    tags = rule["properties"]["tags"]
    assert len(tags) == 20
    assert tags[:3] == ["tcop-6", "tcop-4", "security"]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["descriptor"]["id"] == "tags-truncated" for n in notes)


def test_finding_of_unknown_rule_gets_a_rule():
    stray = make_finding("TCOP-00-ENGINE-001", "infra/bad.tf", 2, "infra/bad.tf", level="warning")
    log = render(make_report(findings=FINDINGS + (stray,)))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    result = results_by_address(log)["infra/bad.tf"]
    assert rules[result["ruleIndex"]]["id"] == "TCOP-00-ENGINE-001"
    assert rules[result["ruleIndex"]]["help"]["markdown"]


@pytest.mark.parametrize(
    "version, expected",
    [
        ("0.1.0", "0.1.0"),
        ("1.2", "1.2.0"),
        ("0.1.0rc2", "0.1.0-rc.2"),
        ("0.2.0.dev3+g1234abc", "0.2.0-dev.3+g1234abc"),
        ("1.0.0.post1", "1.0.0-post.1"),
        ("unknown", None),
    ],
)
def test_semantic_version(version, expected):
    assert sarif._semantic_version(version) == expected
    log = render(make_report(tool_version=version))
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["version"] == version
    assert driver.get("semanticVersion") == expected


def test_rules_capped_and_their_results_dropped(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RULES", 2)
    log = render()
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["TCOP-03-REPO-001", "TCOP-05-TF-002"]
    assert {r["ruleId"] for r in run["results"]} == {"TCOP-03-REPO-001", "TCOP-05-TF-002"}
    ids = [n["descriptor"]["id"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert ids.count("rules-truncated") == 2
