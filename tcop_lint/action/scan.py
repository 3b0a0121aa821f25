"""The action's scan step: run ``tcop-lint scan`` once for every report the action needs.

One run writes annotations (workflow commands) or text to the log, SARIF for code scanning,
Markdown for the job summary and JSON for the ``findings`` count. The exit code is recorded
as a step output instead of failing the step, so the SARIF upload still happens; the last
step of the action (tcop_lint.action.finish) fails the job.

Paths: a scanned directory inside the workspace is scanned with ``--root`` set to the
workspace, so that every path in annotations and SARIF is relative to the repository root,
as GitHub needs; repository-level checks then look at the repository root too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tcop_lint.action import flag, workspace, write_outputs
from tcop_lint.report.github import escape_data

DEFAULT_CATEGORY = "tcop-lint"


@dataclass(frozen=True)
class Inputs:
    path: str = "."
    config: str = ""
    fail_on: str = "error"
    sarif_file: str = ""
    category: str = DEFAULT_CATEGORY
    diff_base: str = ""
    baseline: str = ""
    summary: bool = True
    annotations: bool = True


def read_inputs(env: Mapping[str, str]) -> Inputs:
    return Inputs(
        path=env.get("INPUT_PATH", "").strip() or ".",
        config=env.get("INPUT_CONFIG", "").strip(),
        fail_on=env.get("INPUT_FAIL_ON", "").strip() or "error",
        sarif_file=env.get("INPUT_SARIF_FILE", "").strip(),
        category=env.get("INPUT_CATEGORY", "").strip() or DEFAULT_CATEGORY,
        diff_base=env.get("INPUT_DIFF_BASE_REF", "").strip(),
        baseline=env.get("INPUT_BASELINE", "").strip(),
        summary=flag(env.get("INPUT_SUMMARY"), True),
        annotations=flag(env.get("INPUT_ANNOTATIONS"), True),
    )


@dataclass(frozen=True)
class Plan:
    argv: tuple[str, ...]
    cwd: Path
    sarif: Path
    markdown: Path
    json: Path


def plan(inputs: Inputs, work: Path, temp: Path, python: str = sys.executable) -> Plan:
    """The tcop-lint command line and the report files for these inputs."""
    target = Path(inputs.path)
    target = (target if target.is_absolute() else work / target).resolve()
    inside = target == work or work in target.parents
    sarif = Path(inputs.sarif_file) if inputs.sarif_file else temp / "tcop-lint.sarif"
    if not sarif.is_absolute():
        sarif = work / sarif
    markdown, json_file = temp / "tcop-lint-summary.md", temp / "tcop-lint.json"
    argv = [python, "-m", "tcop_lint", "scan", str(target)]
    if inside:
        argv += ["--root", str(work)]
    argv += ["--fail-on", inputs.fail_on]
    argv += ["--format", "github" if inputs.annotations else "text"]
    argv += ["--format", f"sarif={sarif}", "--format", f"markdown={markdown}", "--format", f"json={json_file}"]
    if inputs.config:
        argv += ["--config", inputs.config]
    if inputs.baseline:
        argv += ["--baseline", inputs.baseline]
    if inputs.diff_base:
        argv += ["--diff-base", inputs.diff_base]
    if inputs.category != DEFAULT_CATEGORY:
        argv += ["--category", inputs.category]
    return Plan(tuple(argv), work, sarif, markdown, json_file)


def count_findings(json_report: Path) -> tuple[int, int] | None:
    """Unsuppressed findings in a JSON report, and how many of them are new (not marked
    unchanged by pull-request mode), or None when there is no readable report."""
    try:
        data = json.loads(json_report.read_text(encoding="utf-8"))
        states = [finding.get("baseline_state") for finding in data["findings"] if not finding.get("suppressed")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return len(states), sum(1 for state in states if state != "unchanged")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")


def main(env: Mapping[str, str] = os.environ) -> int:
    try:
        inputs = read_inputs(env)
    except ValueError as error:
        print(f"::error title=tcop-lint::{escape_data(f'invalid action input: {error}')}")
        write_outputs(
            env.get("GITHUB_OUTPUT"),
            {"exit-code": "2", "findings": "", "new-findings": "", "sarif-file": "", "summary-file": ""},
        )
        return 0
    temp = Path(env.get("RUNNER_TEMP") or os.environ.get("TMPDIR") or "/tmp")
    run = plan(inputs, workspace(env), temp)
    for stale in (run.sarif, run.markdown, run.json):
        stale.unlink(missing_ok=True)
    run.sarif.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    completed = subprocess.run(run.argv, cwd=run.cwd, check=False)
    code = completed.returncode
    counts = count_findings(run.json)
    if inputs.summary and run.markdown.is_file():
        _append(env.get("GITHUB_STEP_SUMMARY"), run.markdown.read_text(encoding="utf-8"))
    write_outputs(
        env.get("GITHUB_OUTPUT"),
        {
            "exit-code": str(code),
            "findings": "" if counts is None else str(counts[0]),
            "new-findings": "" if counts is None else str(counts[1]),
            "sarif-file": str(run.sarif) if run.sarif.is_file() else "",
            "summary-file": str(run.markdown) if run.markdown.is_file() else "",
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
