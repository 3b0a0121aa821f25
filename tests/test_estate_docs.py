"""The organisation-wide workflow in docs/estate.md: the file it shows is the example file, which
validates against GitHub's workflow schema (check-jsonschema's copy: no network) and runs the
commands tcop-lint has."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / "docs/examples/estate-workflow.yml"


def test_the_documented_workflow_is_the_example_file() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "docs/estate.md").read_text(encoding="utf-8"), re.DOTALL)
    assert WORKFLOW.read_text(encoding="utf-8") in blocks


def test_the_workflow_validates_against_githubs_workflow_schema(tmp_path: Path) -> None:
    def validate(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(path)],
            capture_output=True,
            text=True,
        )

    done = validate(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1), encoding="utf-8")
    assert validate(broken).returncode == 1  # the validation can fail


def test_the_workflow_scans_with_json_and_merges_with_estate() -> None:
    workflow = YAML(typ="safe", pure=True).load(WORKFLOW.read_text(encoding="utf-8"))
    assert set(workflow["jobs"]) == {"list", "scan", "merge"}
    scan_steps = "\n".join(step.get("run", "") for step in workflow["jobs"]["scan"]["steps"])
    assert "tcop-lint scan" in scan_steps and '--format "json=' in scan_steps
    assert workflow["jobs"]["scan"]["strategy"]["max-parallel"] <= 256
    merge_steps = "\n".join(step.get("run", "") for step in workflow["jobs"]["merge"]["steps"])
    for output_format in ("html", "csv", "json"):
        assert f"tcop-lint estate reports/*.json --format {output_format}" in merge_steps
    uses = [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses)  # pinned to commits
