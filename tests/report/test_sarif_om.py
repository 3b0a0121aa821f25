"""The SARIF reporter builds sarif-om objects and writes them without sarif-om's pitfalls."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import attr
import pytest
import sarif_om as om
from jsonschema import Draft4Validator
from test_sarif import CHECKS, CRASHES, FINDINGS, make_check, make_finding, make_report

from tcop_lint.core.model import ParseProblem, Position
from tcop_lint.report import sarif
from tcop_lint.report.sarif import dumps, render_sarif, sarif_log, to_json

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
LOCAL_SCHEMA = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"
FILES = ("README.md", "infra/main.tf")
INLINE = make_finding(
    "TCOP-06-TF-001",
    "infra/edge.tf",
    3,
    "aws_lb_listener.edge",
    suppressed="Internal listener.",
    properties={"suppression_kind": "inSource"},
)


def full_report():
    return make_report(findings=FINDINGS + (INLINE,), crashes=CRASHES)


def full_log() -> om.SarifLog:
    return sarif_log(full_report(), include_suppressed=True, repository_files=FILES)


def keys(value: Any) -> Any:
    """The key skeleton of JSON data: each object as [(key, skeleton of value), ...]."""
    if isinstance(value, dict):
        return [(k, keys(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [keys(v) for v in value]
    return None


def key_orders(value: Any, path: str = "") -> dict[str, list[tuple[str, ...]]]:
    """Every distinct key sequence, by path with list positions and dict keys generalised."""
    found: dict[str, list[tuple[str, ...]]] = {}

    def walk(item: Any, where: str) -> None:
        if isinstance(item, dict):
            seq = tuple(item)
            if seq not in found.setdefault(where, []):
                found[where].append(seq)
            generic = where.endswith(("properties", "partialFingerprints", "originalUriBaseIds"))
            for k, v in item.items():
                walk(v, f"{where}.{'*' if generic else k}")
        elif isinstance(item, list):
            for v in item:
                walk(v, f"{where}[]")

    walk(value, path)
    return found


# --- the object model -----------------------------------------------------------------


def test_reporter_builds_a_sarif_om_log():
    log = full_log()
    assert isinstance(log, om.SarifLog)
    (run,) = log.runs
    assert isinstance(run, om.Run)
    assert isinstance(run.tool, om.Tool) and isinstance(run.tool.driver, om.ToolComponent)
    assert isinstance(run.automation_details, om.RunAutomationDetails)
    assert all(isinstance(r, om.ReportingDescriptor) for r in run.tool.driver.rules)
    assert all(isinstance(r.help, om.MultiformatMessageString) for r in run.tool.driver.rules)
    assert all(isinstance(r.default_configuration, om.ReportingConfiguration) for r in run.tool.driver.rules)
    assert run.results and all(isinstance(r, om.Result) for r in run.results)
    for result in run.results:
        assert isinstance(result.message, om.Message)
        (location,) = result.locations
        assert isinstance(location, om.Location)
        assert isinstance(location.physical_location, om.PhysicalLocation)
        assert isinstance(location.physical_location.artifact_location, om.ArtifactLocation)
        assert isinstance(location.physical_location.region, om.Region)
    suppressed = [r for r in run.results if r.suppressions]
    assert len(suppressed) == 2
    assert all(isinstance(s, om.Suppression) for r in suppressed for s in r.suppressions)
    (invocation,) = run.invocations
    assert isinstance(invocation, om.Invocation)
    notes = invocation.tool_execution_notifications
    assert notes and all(isinstance(n, om.Notification) for n in notes)
    assert all(isinstance(n.descriptor, om.ReportingDescriptorReference) for n in notes)


def test_render_is_the_serialized_object_model():
    report = full_report()
    for include in (False, True):
        text = render_sarif(report, include_suppressed=include, repository_files=FILES)
        assert dumps(sarif_log(report, include_suppressed=include, repository_files=FILES)) == text


def test_object_model_is_cut_to_github_limits_too(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    log = sarif_log(make_report(), repository_files=FILES)
    assert len(log.runs[0].results) == 2
    ids = [n.descriptor.id for n in log.runs[0].invocations[0].tool_execution_notifications]
    assert "results-truncated" in ids


@pytest.mark.parametrize("schema_path", [SHARED_SCHEMA, LOCAL_SCHEMA], ids=["shared", "tests-data"])
def test_serialized_object_model_is_valid_sarif(schema_path):
    if not schema_path.exists():
        pytest.skip(f"{schema_path} is not in this checkout")
    schema = json.loads(schema_path.read_text("utf-8"))
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    data = json.loads(dumps(full_log()))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors


# --- level and sarif-om's defaults ----------------------------------------------------


def test_level_on_every_result_even_the_default_warning():
    log = json.loads(dumps(full_log()))
    results = log["runs"][0]["results"]
    assert all("level" in r for r in results)
    assert {r["level"] for r in results} == {"error", "warning", "note"}
    warning = [r for r in results if r["level"] == "warning"]
    assert warning and all(tuple(r)[:3] == ("ruleId", "ruleIndex", "level") for r in warning)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert all("level" in n for n in notes)
    assert "warning" in {n["level"] for n in notes}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert "warning" in {r["defaultConfiguration"]["level"] for r in rules}


def test_sarif_om_own_serialization_would_drop_warning():
    # The pitfall this module works around: "warning" is Result.level's attrs default, so the
    # usual default-dropping serializer (attr.asdict filtering values equal to the default)
    # leaves it out.
    result = om.Result(message=om.Message(text="m"), level="warning")
    dropped = attr.asdict(result, filter=lambda a, v: v is not None and v != a.default, recurse=False)
    assert "level" not in dropped
    assert to_json(result)["level"] == "warning"


def test_sarif_om_defaults_never_leak():
    text = dumps(full_log())
    for leaked in (
        '"language"',
        '"rank"',
        '"kind": "fail"',
        '"index": -1',
        '"newlineSequences"',
        '"contents"',
        '"enabled"',
        '"byteOffset"',
        '"charOffset"',
        '"id": -1',
        '"state"',
    ):
        assert leaked not in text


def test_suppression_status_has_its_final_2_1_0_name():
    log = full_log()
    suppression = next(r for r in log.runs[0].results if r.suppressions).suppressions[0]
    assert suppression.state == "accepted"  # sarif-om's pre-final attribute ...
    assert to_json(suppression) == {  # ... is written as final 2.1.0 "status"
        "kind": suppression.kind,
        "status": "accepted",
        "justification": suppression.justification,
    }


def test_serializer_omits_only_none_and_keeps_dict_entries():
    region = om.Region(start_line=1, start_column=None)  # byte_offset/char_offset keep -1 defaults
    assert to_json(region) == {"startLine": 1, "byteOffset": -1, "charOffset": -1}
    location = sarif._om(om.ArtifactLocation, uri="a", properties={"none": None, "zero": 0})
    assert to_json(location) == {"uri": "a", "properties": {"none": None, "zero": 0}}
    assert to_json(sarif._om(om.ReportingDescriptorReference, id="x", index=0)) == {"id": "x", "index": 0}


def test_om_helper_unsets_every_property_not_given():
    rule = sarif._om(om.ReportingConfiguration, level="warning")
    assert (rule.level, rule.enabled, rule.rank) == ("warning", None, None)
    assert to_json(rule) == {"level": "warning"}


def test_properties_outside_the_order_table_follow_in_field_order():
    result = sarif._om(
        om.Result,
        message=sarif._text("m"),
        level="note",
        rank=5.0,
        kind="fail",
        rule_id="R",
    )
    assert list(to_json(result)) == ["ruleId", "level", "message", "kind", "rank"]


# --- key order ------------------------------------------------------------------------


EXPECTED_ORDERS = {
    "": [("$schema", "version", "runs")],
    ".runs[]": [("tool", "automationDetails", "originalUriBaseIds", "columnKind", "results", "invocations")],
    ".runs[].tool": [("driver",)],
    ".runs[].tool.driver": [("name", "version", "semanticVersion", "informationUri", "rules")],
    ".runs[].tool.driver.rules[]": [
        (
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "helpUri",
            "help",
            "defaultConfiguration",
            "properties",
        )
    ],
    ".runs[].tool.driver.rules[].help": [("text", "markdown")],
    ".runs[].tool.driver.rules[].defaultConfiguration": [("level",)],
    ".runs[].automationDetails": [("id",)],
    ".runs[].originalUriBaseIds.*": [("description",)],
    ".runs[].results[]": [
        ("ruleId", "ruleIndex", "level", "message", "locations", "partialFingerprints", "properties"),
        ("ruleId", "ruleIndex", "level", "message", "locations", "partialFingerprints", "suppressions", "properties"),
    ],
    ".runs[].results[].locations[]": [("physicalLocation",), ("physicalLocation", "message")],
    ".runs[].results[].locations[].physicalLocation": [("artifactLocation", "region")],
    ".runs[].results[].locations[].physicalLocation.artifactLocation": [("uri", "uriBaseId")],
    ".runs[].results[].locations[].physicalLocation.region": [
        ("startLine", "startColumn", "endLine", "endColumn"),
        ("startLine", "startColumn"),
    ],
    ".runs[].results[].partialFingerprints": [("tcopLint/v1", "primaryLocationLineHash")],
    ".runs[].results[].suppressions[]": [("kind", "status", "justification")],
    ".runs[].invocations[]": [("executionSuccessful", "toolExecutionNotifications", "properties")],
    ".runs[].invocations[].toolExecutionNotifications[]": [
        ("locations", "message", "level", "descriptor"),
        ("locations", "message", "level", "descriptor", "associatedRule"),
    ],
    ".runs[].invocations[].toolExecutionNotifications[].locations[].physicalLocation": [
        ("artifactLocation", "region"),
        ("artifactLocation",),
    ],
    ".runs[].invocations[].toolExecutionNotifications[].associatedRule": [("id", "index")],
}


def test_key_order_is_fixed():
    found = key_orders(json.loads(dumps(full_log())))
    for path, orders in EXPECTED_ORDERS.items():
        assert sorted(found.get(path, [])) == sorted(orders), path


def test_key_order_does_not_depend_on_input_order():
    report = full_report()
    shuffled = replace(
        report,
        findings=tuple(reversed(report.findings)),
        checks=tuple(reversed(report.checks)),
        problems=tuple(reversed(report.problems)),
    )
    first = dumps(sarif_log(report, include_suppressed=True, repository_files=FILES))
    second = dumps(sarif_log(shuffled, include_suppressed=True, repository_files=FILES))
    assert first == second
    assert keys(json.loads(first)) == keys(json.loads(second))


def test_small_log_keeps_todays_exact_shape():
    check = make_check(
        "TCOP-03-REPO-001",
        level="warning",
        tcop_point=3,
        also_points=(),
        security_severity=None,
        tags=(),
    )
    finding = make_finding("TCOP-03-REPO-001", "LICENSE", 2, "LICENSE", suppressed="Added at release.")
    problem = ParseProblem("k8s/a.yaml", "bad", Position(3, 4))
    report = make_report(checks=(check,), findings=(finding,), problems=(problem,))
    text = render_sarif(report, include_suppressed=True, repository_files=("README.md",))
    assert text.startswith(
        "{\n"
        f'  "$schema": "{sarif.SCHEMA_URI}",\n'
        '  "version": "2.1.0",\n'
        '  "runs": [\n'
        "    {\n"
        '      "tool": {\n'
        '        "driver": {\n'
        '          "name": "tcop-lint",\n'
    )
    assert text.endswith("}\n")
    result_text = text[text.index('"results": [') : text.index('"invocations": [')]
    assert (
        '          "ruleId": "TCOP-03-REPO-001",\n'
        '          "ruleIndex": 0,\n'
        '          "level": "warning",\n'
        '          "message": {\n'
        '            "text": "LICENSE breaks TCOP-03-REPO-001."\n'
        "          },\n"
    ) in result_text
    assert (
        '          "suppressions": [\n'
        "            {\n"
        '              "kind": "external",\n'
        '              "status": "accepted",\n'
        '              "justification": "Added at release."\n'
        "            }\n"
        "          ],\n"
    ) in result_text
    assert (
        '                "region": {\n'
        '                  "startLine": 2,\n'
        '                  "startColumn": 3,\n'
        '                  "endLine": 2,\n'
        '                  "endColumn": 30\n'
        "                }\n"
    ) in result_text
    assert (
        '              "level": "warning",\n'
        '              "descriptor": {\n'
        '                "id": "file-not-parsed"\n'
        "              }\n"
    ) in text


def test_every_check_kind_in_catalogue_fixture_serializes():
    # All the shared fixture checks (security and not, several levels) pass through the model.
    log = sarif_log(make_report(checks=CHECKS), repository_files=FILES)
    data = to_json(log)
    assert [r["id"] for r in data["runs"][0]["tool"]["driver"]["rules"]] == sorted(c.id for c in CHECKS)
