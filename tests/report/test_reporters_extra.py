"""The CI-facing reporters: GitHub workflow commands, Markdown summaries and JUnit XML."""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from tcop_lint.core.model import Check, CheckCrash, Finding, ParseProblem, Position, Report
from tcop_lint.report.github import ANNOTATIONS_PER_LEVEL, render_github
from tcop_lint.report.junit import render_junit
from tcop_lint.report.markdown import MAX_ROWS, VERDICT, render_markdown

HOSTILE_FILE = "infra/a,b:c%41 .tf"
HOSTILE_MESSAGE = "listener allows TLS 1.0 | see @platform-team\r\n::set-output name=pwned::yes\n%0A<script>x</script> *bold* [link](http://evil)"


def make_check(check_id: str, point: int, level: str = "error", reads: str = "terraform") -> Check:
    return Check(
        id=check_id,
        name="SomeCheck",
        title=f"Title of {check_id}",
        tcop_point=point,
        level=level,
        reads=reads,
        help_uri=f"https://www.gov.uk/guidance/{check_id.lower()}",
        rationale="Why.",
        remediation="Fix.",
        precision="high",
        rule={},
        folder="/checks/" + check_id,
    )


TLS = make_check("TCOP-06-TF-001", 6)
REGION = make_check("TCOP-05-TF-001", 5, "warning")
LICENCE = make_check("TCOP-03-REPO-001", 3, "warning", "repository")
TAGS = make_check("TCOP-08-TF-002", 8, "note")
CHECKS = (LICENCE, REGION, TLS, TAGS)


def finding(
    check: Check,
    file: str | None,
    line: int | None,
    message: str = "problem",
    *,
    level: str | None = None,
    suppressed: str | None = None,
    address: str = "aws_lb_listener.http",
) -> Finding:
    position = Position(line, 3, line, 30) if line is not None else None
    return Finding(
        check_id=check.id,
        level=level or check.level,
        tcop_point=check.tcop_point,
        file=file,
        position=position,
        address=address,
        message=message,
        fingerprint=f"{check.id}-{file}-{line}-{message}",
        suppressed=suppressed,
    )


def report(findings, problems=(), crashes=(), checks=CHECKS) -> Report:
    return Report(
        tool_version="0.1.0",
        root="/src/service",
        checks=tuple(sorted(checks, key=lambda c: c.id)),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        problems=tuple(problems),
        crashes=tuple(crashes),
        files_scanned=7,
    )


# --- GitHub workflow commands -------------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def unescape(text: str, property_value: bool) -> str:
    if property_value:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one line the way the Actions runner does."""
    match = COMMAND.match(line)
    assert match, line
    properties = {}
    for pair in (match.group(2) or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            properties[key] = unescape(value, True)
    return match.group(1), properties, unescape(match.group(3), False)


def test_hostile_paths_and_messages_cannot_inject_workflow_commands() -> None:
    text = render_github(report([finding(TLS, HOSTILE_FILE, 12, HOSTILE_MESSAGE)]))
    lines = text.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 1
    assert all(line.startswith("::") or line.startswith("tcop-lint:") for line in lines)
    kind, properties, message = parse_command(commands[0])
    assert kind == "error"
    assert properties == {
        "file": HOSTILE_FILE,
        "line": "12",
        "col": "3",
        "endLine": "12",
        "endColumn": "30",
        "title": "TCOP-06-TF-001: Title of TCOP-06-TF-001",
    }
    assert message.startswith(HOSTILE_MESSAGE + "\n")
    assert message.endswith("TCoP 6: Make things secure. https://www.gov.uk/guidance/tcop-06-tf-001")
    assert "\r" not in commands[0] and "::set-output" not in commands[0].split("::", 2)[1]


def test_unicode_line_separators_never_start_a_line() -> None:
    text = render_github(report([finding(TLS, "main.tf", 1, "a\u2028::error::b\x85c")]))
    assert all(line.startswith(("::error file=", "tcop-lint:")) for line in text.splitlines())


def test_most_severe_first_within_githubs_caps_and_the_rest_in_the_log() -> None:
    findings = (
        [finding(TAGS, f"tags/{i:02}.tf", 1) for i in range(12)]
        + [finding(REGION, f"region/{i}.tf", 2) for i in range(3)]
        + [finding(TLS, f"tls/{i:02}.tf", 3) for i in range(25)]
    )
    lines = render_github(report(findings)).splitlines()
    kinds = [parse_command(line)[0] for line in lines if line.startswith("::")]
    assert kinds == ["error"] * ANNOTATIONS_PER_LEVEL + ["warning"] * 3 + ["notice"] * ANNOTATIONS_PER_LEVEL
    annotated_errors = [parse_command(line)[1]["file"] for line in lines if line.startswith("::error")]
    assert annotated_errors == [f"tls/{i:02}.tf" for i in range(10)]
    plain = [line for line in lines if line.startswith("tcop-lint:")]
    assert len(plain) == 15 + 2 + 1
    assert plain[0] == "tcop-lint: tls/10.tf:3:3: error TCOP-06-TF-001 problem"
    assert plain[-1].startswith("tcop-lint: 25 errors, 3 warnings, 12 notes. 17 not shown as annotations")


def test_repository_findings_have_no_file_and_come_after_file_findings() -> None:
    lines = render_github(
        report([finding(LICENCE, None, None, "No licence file"), finding(REGION, "main.tf", 4)])
    ).splitlines()
    first, second = (parse_command(line) for line in lines if line.startswith("::"))
    assert first[1]["file"] == "main.tf"
    assert second[0] == "warning" and "file" not in second[1] and "line" not in second[1]
    assert second[2].startswith("No licence file\n")


def test_suppressed_findings_are_left_out_and_problems_use_spare_slots() -> None:
    problems = [
        ParseProblem("k8s/bad.yaml", "mapping values are not allowed here", Position(4)),
        ParseProblem("chart/templates/x.yaml", "Helm template skipped", skipped=True, level="note"),
    ]
    text = render_github(report([finding(TLS, "main.tf", 1, suppressed="accepted risk: internal only")], problems))
    commands = [parse_command(line) for line in text.splitlines() if line.startswith("::")]
    assert [(kind, props.get("file"), props.get("line")) for kind, props, _ in commands] == [
        ("warning", "k8s/bad.yaml", "4"),
        ("notice", "chart/templates/x.yaml", None),
    ]
    assert text.splitlines()[-1].startswith("tcop-lint: no findings.")


def test_github_output_is_deterministic_whatever_the_input_order() -> None:
    findings = [finding(TLS, f"f{i % 4}.tf", i, f"m{i}") for i in range(30)] + [finding(TAGS, None, None, "n")]
    shuffled = findings[:]
    random.Random(4).shuffle(shuffled)
    base = report(findings)
    assert render_github(base) == render_github(replace(base, findings=tuple(shuffled)))


# --- Markdown -----------------------------------------------------------------------------


def cells(row: str) -> list[str]:
    """Split a GFM table row on unescaped pipes."""
    assert row.startswith("| ") and row.endswith(" |"), row
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row[1:-1])]


def test_markdown_counts_per_point_and_a_table_of_findings() -> None:
    findings = [
        finding(TLS, "infra/lb.tf", 9, "listener allows TLS 1.0"),
        finding(TLS, "infra/lb.tf", 20),
        finding(REGION, "infra/main.tf", 2),
        finding(LICENCE, None, None, "No licence file"),
        finding(TAGS, "infra/s3.tf", 5, suppressed="tags come from the module"),
    ]
    text = render_markdown(report(findings))
    lines = text.splitlines()
    assert lines[0] == "## tcop-lint: 2 errors, 2 warnings"
    assert f"> {VERDICT}" in lines
    assert "4 checks ran on 7 files; 1 suppressed finding not shown." in lines
    point_rows = [cells(line) for line in lines if line.startswith("| [TCoP")]
    assert point_rows == [
        [
            "[TCoP 3: Be open and use open source](https://www.gov.uk/guidance/be-open-and-use-open-source)",
            "0",
            "1",
            "0",
        ],
        ["[TCoP 5: Use cloud first](https://www.gov.uk/guidance/use-cloud-first)", "0", "1", "0"],
        ["[TCoP 6: Make things secure](https://www.gov.uk/guidance/make-things-secure)", "2", "0", "0"],
    ]
    rows = [cells(line) for line in lines if line.startswith(("| error", "| warning", "| note"))]
    assert rows[0] == [
        "error",
        "[TCOP-06-TF-001](<https://www.gov.uk/guidance/tcop-06-tf-001>)",
        "`infra/lb.tf:9`",
        "listener allows TLS 1.0",
    ]
    assert [row[0] for row in rows] == ["error", "error", "warning", "warning"]
    assert rows[2][2] == "(repository)" and rows[3][2] == "`infra/main.tf:2`"


def test_markdown_escapes_what_a_pull_request_could_put_in_a_message() -> None:
    text = render_markdown(report([finding(TLS, "a|b.tf", 1, HOSTILE_MESSAGE)]))
    row = next(line for line in text.splitlines() if line.startswith("| error"))
    level, check, where, message = cells(row)
    assert where == "`a\\|b.tf:1`"
    for raw in ("<script>", "*bold*", "[link](", "@platform"):
        assert raw not in message
    assert "\\<script\\>" in message and "\\*bold\\*" in message and "@\u200bplatform-team" in message
    assert "\n" not in message and "\r" not in message


def test_markdown_caps_the_table_at_the_most_severe_findings() -> None:
    findings = [finding(TAGS, f"n{i:03}.tf", 1) for i in range(40)] + [
        finding(TLS, f"e{i:03}.tf", 1) for i in range(30)
    ]
    text = render_markdown(report(findings))
    rows = [line for line in text.splitlines() if line.startswith(("| error", "| note"))]
    assert len(rows) == MAX_ROWS
    assert all(row.startswith("| error") for row in rows[:30]) and rows[30].startswith("| note")
    assert f"### Most severe findings ({MAX_ROWS} of 70)" in text
    assert "20 more findings not listed here" in text
    assert len(text) < 65_536


def test_markdown_without_findings_lists_problems_and_crashes() -> None:
    text = render_markdown(
        report(
            [],
            [ParseProblem("api/openapi.yaml", "not valid YAML", Position(3))],
            [CheckCrash("TCOP-06-TF-001", "main.tf", "KeyError: 'x'")],
        )
    )
    assert text.startswith("## tcop-lint: no findings\n")
    assert "| TCoP point" not in text
    assert "- `api/openapi.yaml:3`: not valid YAML" in text
    assert "- TCOP\\-06\\-TF\\-001" not in text and "- TCOP-06-TF-001 on `main.tf`: KeyError: 'x'" in text


# --- JUnit XML ----------------------------------------------------------------------------


def test_junit_suites_per_point_with_failures_notes_crashes_and_problems() -> None:
    findings = [
        finding(TLS, "infra/lb.tf", 9, "first"),
        finding(TLS, "infra/lb.tf", 20, "second"),
        finding(TLS, "infra/api.tf", 1, "third"),
        finding(TAGS, "infra/s3.tf", 5, "untagged bucket"),
        finding(REGION, "infra/x.tf", 2, suppressed="accepted"),
    ]
    problems = [ParseProblem("k8s/bad.yaml", "not YAML\x00\x1b here", Position(1))]
    crashes = [CheckCrash("TCOP-03-REPO-001", None, "boom", "Traceback ...")]
    root = ET.fromstring(render_junit(report(findings, problems, crashes)))
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert list(suites) == [
        "TCoP 3: Be open and use open source",
        "TCoP 5: Use cloud first",
        "TCoP 6: Make things secure",
        "TCoP 8: Share, reuse and collaborate",
        "Files that could not be checked",
    ]
    tls = suites["TCoP 6: Make things secure"]
    assert (tls.get("tests"), tls.get("failures"), tls.get("errors")) == ("2", "2", "0")
    cases = {case.get("file"): case for case in tls.findall("testcase")}
    failure = cases["infra/lb.tf"].find("failure")
    assert failure.get("type") == "error" and failure.get("message") == "first (and 1 more finding)"
    assert "infra/lb.tf:9:3: error: first [aws_lb_listener.http]" in failure.text
    assert "https://www.gov.uk/guidance/tcop-06-tf-001" in failure.text
    region = suites["TCoP 5: Use cloud first"]
    assert region.get("failures") == "0" and region.find("testcase").get("name") == "Title of TCOP-05-TF-001"
    tags = suites["TCoP 8: Share, reuse and collaborate"].find("testcase")
    assert tags.find("failure") is None and "untagged bucket" in tags.find("system-out").text
    crash = suites["TCoP 3: Be open and use open source"]
    assert crash.get("errors") == "1" and crash.find("testcase/error").get("message") == "boom"
    skipped = suites["Files that could not be checked"].find("testcase/skipped")
    assert skipped.get("message") == "not YAML\ufffd\ufffd here"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("7", "2", "1", "1")


def test_junit_is_deterministic_and_escapes_markup() -> None:
    findings = [finding(TLS, "a&b<c>.tf", 1, 'say "hi" & <bye>'), finding(TAGS, None, None, "repo note")]
    first = render_junit(report(findings))
    assert first == render_junit(report(list(reversed(findings))))
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    case = ET.fromstring(first).find(".//testcase[@file='a&b<c>.tf']")
    assert case.find("failure").get("message") == 'say "hi" & <bye>'
