"""The GitHub Action: its metadata, its safety rules, and its run: steps executed for real.

The steps run under bash as the runner would run them (``bash --noprofile --norc -eo
pipefail``, a fresh GITHUB_OUTPUT per step, the env: blocks evaluated), on a bad and a good
repository made in tmp_path, with a pull_request event. The SARIF upload step (a ``uses:``
step) is not run, but its ``if:`` condition is evaluated.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from repo_helpers import GIT_ENV, git
from ruamel.yaml import YAML

from tcop_lint.action import diff_base, flag, write_outputs
from tcop_lint.action.scan import Inputs, count_findings, plan

REPO = Path(__file__).resolve().parents[1]
ACTION_TEXT = (REPO / "action.yml").read_text(encoding="utf-8")
ACTION = YAML(typ="safe").load(ACTION_TEXT)
SCHEMA = json.loads((Path(__file__).parent / "data" / "github-action-schema.json").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)


def steps() -> list[dict[str, Any]]:
    return ACTION["runs"]["steps"]


# --- metadata and safety ------------------------------------------------------------------


def test_action_metadata_is_valid_against_githubs_schema() -> None:
    errors = sorted(Draft7Validator(SCHEMA).iter_errors(ACTION), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert ACTION["runs"]["using"] == "composite"


def test_schema_catches_a_broken_action() -> None:
    broken = {**ACTION, "runs": {"using": "composite", "steps": [{"run": "echo hi"}]}}  # no shell
    assert list(Draft7Validator(SCHEMA).iter_errors(broken))


def test_no_expression_is_spliced_into_a_shell_script() -> None:
    for step in steps():
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert step.get("shell") == "bash"


def test_every_action_used_is_pinned_to_a_full_commit_with_a_version_comment() -> None:
    used = [step["uses"] for step in steps() if "uses" in step]
    assert used
    for reference in used:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", reference), reference
        line = next(line for line in ACTION_TEXT.splitlines() if reference in line)
        assert re.search(r"#\s*v\d+\.\d+\.\d+\s*$", line), line


def test_expressions_name_only_declared_inputs_and_earlier_steps() -> None:
    declared = set(ACTION["inputs"])
    seen_steps: set[str] = set()
    texts: list[tuple[str, set[str]]] = []
    for step in steps():
        values = [str(v) for v in (step.get("env") or {}).values()] + [
            str(v) for v in (step.get("with") or {}).values()
        ]
        values.append(str(step.get("if", "")))
        texts.append(("\n".join(values), set(seen_steps)))
        if "id" in step:
            seen_steps.add(step["id"])
    texts.append(("\n".join(str(o["value"]) for o in ACTION["outputs"].values()), seen_steps))
    for text, earlier in texts:
        for name in re.findall(r"inputs\.([\w-]+)", text):
            assert name in declared, name
        for name in re.findall(r"steps\.([\w-]+)\.", text):
            assert name in earlier, name
    assert set(ACTION["outputs"]) >= {"sarif-file", "findings", "exit-code"}


def test_documented_permissions_and_usage_mention_the_needed_scopes() -> None:
    docs = (REPO / "docs" / "github-action.md").read_text(encoding="utf-8")
    for text in (ACTION_TEXT, docs):
        assert "contents: read" in text and "security-events: write" in text


# --- the step entry points as functions ---------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "event_name", "event", "base_ref", "expected"),
    [
        ("auto", "pull_request", {"pull_request": {"base": {"sha": "a" * 40, "ref": "main"}}}, "main", "a" * 40),
        ("auto", "pull_request", {}, "main", "origin/main"),
        ("", "pull_request", {"pull_request": {"base": "odd"}}, "", None),
        ("auto", "push", {"before": "b" * 40}, "", None),
        ("auto", "merge_group", {"merge_group": {"base_sha": "c" * 40}}, "", "c" * 40),
        ("none", "pull_request", {"pull_request": {"base": {"sha": "a" * 40}}}, "main", None),
        ("origin/release", "push", {}, "", "origin/release"),
    ],
)
def test_diff_base_resolution(requested, event_name, event, base_ref, expected) -> None:
    assert diff_base.resolve(requested, event_name, event, base_ref) == expected


def test_flags_and_outputs(tmp_path: Path) -> None:
    assert flag("TRUE", False) and not flag("false", True) and flag("", True)
    with pytest.raises(ValueError):
        flag("sometimes", True)
    output = tmp_path / "out"
    write_outputs(str(output), {"a": "1", "b": "two\nlines"})
    text = output.read_text()
    assert text.startswith("a=1\nb<<tcop_lint_") and "\ntwo\nlines\ntcop_lint_" in text
    assert parse_outputs(output) == {"a": "1", "b": "two\nlines"}


def test_scan_plan_makes_paths_relative_to_the_workspace(tmp_path: Path) -> None:
    work = tmp_path / "ws"
    (work / "infra").mkdir(parents=True)
    run = plan(
        Inputs(path="infra", config="cfg.yaml", diff_base="abc", category="tcop-lint/infra"), work, tmp_path, "py"
    )
    argv = list(run.argv)
    assert argv[:5] == ["py", "-m", "tcop_lint", "scan", str(work / "infra")]
    assert argv[argv.index("--root") + 1] == str(work)
    assert ["--diff-base", "abc"] == argv[argv.index("--diff-base") : argv.index("--diff-base") + 2]
    assert "--category" in argv and "github" in argv
    elsewhere = plan(Inputs(path=str(tmp_path), annotations=False), work, tmp_path, "py")
    assert "--root" not in elsewhere.argv and "text" in elsewhere.argv and "--category" not in elsewhere.argv
    (tmp_path / "r.json").write_text(
        '{"findings": [{"suppressed": null}, {"suppressed": "ok"}, {}, {"baseline_state": "unchanged"}]}'
    )
    assert count_findings(tmp_path / "r.json") == (3, 2) and count_findings(tmp_path / "missing.json") is None


# --- running the steps --------------------------------------------------------------------


def parse_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        index += 1
    return outputs


@dataclass
class Context:
    inputs: dict[str, str]
    runner_temp: Path
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)

    def lookup(self, path: str) -> str:
        parts = path.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "runner" and parts[1] == "temp":
            return str(self.runner_temp)
        if parts[0] == "steps":
            step = self.steps.get(parts[1], {})
            if parts[2] == "outputs":
                return step.get("outputs", {}).get(parts[3], "")
            return step.get(parts[2], "")
        raise AssertionError(f"expression the test harness does not know: {path}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.lookup(m.group(1)), str(text))

    def condition(self, text: str | None) -> bool:
        if not text:
            return True
        match = EXPRESSION.fullmatch(text.strip())
        expression = match.group(1) if match else text
        result = True
        for term in (t.strip() for t in expression.split("&&")):
            if term in ("!cancelled()", "always()", "success()"):
                continue
            found = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
            assert found, f"condition the test harness does not know: {term}"
            value = self.lookup(found.group(1)).lower()
            equal = value == found.group(3).lower()
            result = result and (equal if found.group(2) == "==" else not equal)
        return result


@dataclass
class ActionRun:
    outputs: dict[str, str]
    stdout: str
    ran: list[str]
    skipped: list[str]
    failed_step: str | None
    failed_code: int | None
    summary: str


def run_action(workspace: Path, tmp: Path, event: dict[str, Any], inputs: dict[str, str] | None = None) -> ActionRun:
    temp = tmp / "runner-temp"
    temp.mkdir(exist_ok=True)
    context = Context({}, temp)
    for name, spec in ACTION["inputs"].items():
        context.inputs[name] = context.substitute(spec.get("default", ""))
    context.inputs.update(inputs or {})
    event_path = tmp / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    summary = tmp / "step-summary.md"
    base_env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp),
        "PYTHONPATH": str(REPO),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "feature",
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
        "TCOP_LINT_SKIP_INSTALL": "1",
        **GIT_ENV,
    }
    stdout: list[str] = []
    ran, skipped = [], []
    failed_step, failed_code = None, None
    for number, step in enumerate(steps()):
        name = step["name"]
        if not context.condition(step.get("if")):
            skipped.append(name)
            continue
        if "uses" in step:
            skipped.append(name)  # the SARIF upload: its condition held, but it is not run here
            context.steps.setdefault(step.get("id", ""), {})
            continue
        output_file = temp / f"output-{number}"
        script = temp / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = {**base_env, "GITHUB_OUTPUT": str(output_file)}
        env.update({key: context.substitute(value) for key, value in (step.get("env") or {}).items()})
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        stdout.append(completed.stdout)
        ran.append(name)
        if "id" in step:
            context.steps[step["id"]] = {
                "outputs": parse_outputs(output_file),
                "outcome": "success" if completed.returncode == 0 else "failure",
            }
        if completed.returncode != 0:
            assert name == "Fail on findings", f"step {name} failed: {completed.stderr}"
            failed_step, failed_code = name, completed.returncode
    outputs = {name: context.substitute(spec["value"]) for name, spec in ACTION["outputs"].items()}
    return ActionRun(
        outputs,
        "".join(stdout),
        ran,
        skipped,
        failed_step,
        failed_code,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
    )


def pull_request(tmp: Path, example: str) -> tuple[Path, dict[str, Any]]:
    """A repository whose pull request adds the example's files on top of a README-only main."""
    repo = tmp / "repo"
    source = REPO / "examples" / example
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(source / "README.md", repo / "README.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    shutil.copytree(source, repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the change")
    event = {
        "action": "opened",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": {"ref": "main", "sha": base},
            "head": {"ref": "feature", "sha": git(repo, "rev-parse", "HEAD")},
        },
    }
    return repo, event


def formats_wired() -> bool:
    from tcop_lint.cli import SCAN_FORMATS

    return {"github", "markdown"} <= set(SCAN_FORMATS)


needs_formats = pytest.mark.skipif(not formats_wired(), reason="github/markdown formats not yet wired into the CLI")


@needs_formats
def test_action_on_a_bad_pull_request_annotates_summarises_and_fails(tmp_path: Path) -> None:
    repo, event = pull_request(tmp_path, "service-repo")
    run = run_action(repo, tmp_path, event, {"upload-sarif": "true"})
    assert run.ran == ["Install tcop-lint", "Work out the diff base", "Scan", "Fail on findings"]
    assert run.skipped == ["Upload SARIF to code scanning"]  # condition held; uses: steps are not run here
    assert run.outputs["exit-code"] == "1" and (run.failed_step, run.failed_code) == ("Fail on findings", 1)
    assert int(run.outputs["findings"]) > 0
    sarif = json.loads(Path(run.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert Path(run.outputs["sarif-file"]) == tmp_path / "runner-temp" / "tcop-lint.sarif"
    assert len(sarif["runs"][0]["results"]) == int(run.outputs["findings"])
    assert f"files changed since {event['pull_request']['base']['sha']}" in run.stdout
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::error file=")]
    assert annotations and any("file=infra/aws/main.tf" in line for line in annotations)
    assert run.summary.startswith("## tcop-lint: ") and "| TCoP point |" in run.summary
    assert Path(run.outputs["summary-file"]).read_text(encoding="utf-8") in run.summary


@needs_formats
def test_action_on_a_good_pull_request_passes(tmp_path: Path) -> None:
    repo, event = pull_request(tmp_path, "well-configured-service")
    run = run_action(repo, tmp_path, event, {"upload-sarif": "false", "annotations": "false"})
    assert run.failed_step is None
    # The twin is clean: its only findings are the note-level cloud inventory (TCOP-05-TF-006).
    assert run.outputs["exit-code"] == "0" and run.outputs["findings"] == "2"
    assert run.skipped == ["Upload SARIF to code scanning"]
    assert not [line for line in run.stdout.splitlines() if line.startswith(("::error", "::warning"))]
    assert run.summary.startswith("## tcop-lint: 2 notes")


@needs_formats
def test_action_reports_a_usage_error_without_uploading(tmp_path: Path) -> None:
    repo, event = pull_request(tmp_path, "well-configured-service")
    run = run_action(repo, tmp_path, event, {"fail-on": "sometimes", "summary": "false"})
    assert run.outputs["exit-code"] == "2" and run.outputs["sarif-file"] == ""
    assert run.skipped == ["Upload SARIF to code scanning"] and (run.failed_step, run.failed_code) == (
        "Fail on findings",
        2,
    )
    assert run.summary == ""


def test_a_missing_diff_base_falls_back_to_a_full_scan_with_a_warning(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    output = tmp_path / "out"
    env = {
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_OUTPUT": str(output),
        "INPUT_DIFF_BASE": "auto",
        "GITHUB_BASE_REF": "main",
        "GITHUB_EVENT_PATH": str(tmp_path / "none.json"),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "tcop_lint.action.diff_base"],
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.startswith("::warning title=tcop-lint::diff base origin/main is not in the checkout")
    assert parse_outputs(output) == {"ref": ""}


def pull_request_on_an_existing_estate(tmp: Path) -> tuple[Path, dict[str, Any]]:
    """main already holds the example service with its findings; the branch adds one database."""
    repo = tmp / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copytree(REPO / "examples" / "service-repo", repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "reports.tf").write_text(
        'resource "aws_db_instance" "reports" {\n  identifier          = "reports"\n  publicly_accessible = true\n}\n',
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a reports database")
    event = {
        "action": "opened",
        "number": 8,
        "pull_request": {
            "number": 8,
            "base": {"ref": "main", "sha": base},
            "head": {"ref": "feature", "sha": git(repo, "rev-parse", "HEAD")},
        },
    }
    return repo, event


@needs_formats
def test_pull_request_sarif_holds_every_finding_while_annotations_and_gate_follow_the_change(tmp_path: Path) -> None:
    repo, event = pull_request_on_an_existing_estate(tmp_path)
    run = run_action(repo, tmp_path, event, {"upload-sarif": "true"})
    sarif = json.loads(Path(run.outputs["sarif-file"]).read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    files = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results if r.get("locations")}
    # Findings outside the changed lines stay in the upload, or code scanning would close them.
    assert "reports.tf" in files and "infra/aws/main.tf" in files
    assert len(results) == int(run.outputs["findings"]) > int(run.outputs["new-findings"]) > 0
    unchanged = [r for r in results if r.get("baselineState") == "unchanged"]
    assert len(unchanged) == int(run.outputs["findings"]) - int(run.outputs["new-findings"])
    annotations = [
        line
        for line in run.stdout.splitlines()
        if line.startswith(("::error file=", "::warning file=", "::notice file="))
    ]
    assert annotations and all("file=reports.tf," in line for line in annotations), annotations
    assert (run.failed_step, run.failed_code) == ("Fail on findings", 1)  # the new public database gates
    assert f"{run.outputs['new-findings']} new finding" in run.summary
    assert f"{len(unchanged)} findings already there before this branch" in run.summary
