"""A finding's identity: check, file, logical address and the rule's key, never message text.

Adding a resource anywhere must leave every existing finding's fingerprint alone, so that a
baseline and pull-request mode report exactly what is new.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from repo_helpers import git

from tcop_lint.cli import main

ESTATE = """\
provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_sqs_queue" "retries" {
  name = "retries"
}

resource "aws_sqs_queue" "dead_letters" {
  name = "dead-letters"
}

resource "aws_db_instance" "claims" {
  identifier          = "claims"
  publicly_accessible = true
  storage_encrypted   = false
}
"""
API = """\
openapi: 3.0.3
info:
  title: Claims
  version: 1.0.0
paths:
  /claims:
    get:
      responses:
        "200":
          description: the claims
"""
UNRELATED = """\
resource "aws_security_group" "{name}" {{
  name = "{name}"
}}
"""
INSECURE_DB = """\
resource "aws_db_instance" "reports" {
  identifier          = "reports"
  publicly_accessible = true
}
"""


def run(root: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["scan", str(root), "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def fingerprints(report: dict) -> dict[str, tuple]:
    return {f["fingerprint"]: (f["id"], f["file"], f["resource"], f["message"]) for f in report["findings"]}


def write_estate(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(ESTATE, encoding="utf-8")
    (root / "openapi.yaml").write_text(API, encoding="utf-8")


def test_adding_a_resource_keeps_every_existing_fingerprint(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_estate(repo)
    _, before = run(repo)
    old = fingerprints(before)
    messages = " ".join(message for *_, message in old.values())
    # The shapes that used to carry counts and lists in their identity are all here.
    assert "budget" in messages and "more" in messages and "operationId" in messages
    assert len(old) == len(before["findings"]), "two findings share a fingerprint"

    # New resources sort before and after the old ones, in a file of their own and in main.tf.
    (repo / "a_network.tf").write_text(UNRELATED.format(name="aaa"), encoding="utf-8")
    with (repo / "main.tf").open("a", encoding="utf-8") as handle:
        handle.write("\n" + UNRELATED.format(name="zzz"))
    _, after = run(repo)
    new = fingerprints(after)
    assert set(old) <= set(new), [old[f] for f in set(old) - set(new)]
    # Messages with counts did change: the identity did not follow them.
    assert {m for *_, m in old.values()} != {m for *_, m in new.values()}


def test_a_baseline_written_before_a_change_reports_exactly_the_new_finding(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_estate(repo)
    baseline = tmp_path / "baseline.json"
    CliRunner().invoke(main, ["scan", str(repo), "--write-baseline", str(baseline)])
    code, report = run(repo, "--baseline", str(baseline))
    assert code == 0 and report["findings"] == []

    (repo / "a_network.tf").write_text(UNRELATED.format(name="aaa"), encoding="utf-8")
    (repo / "reports.tf").write_text(INSECURE_DB, encoding="utf-8")
    code, report = run(repo, "--baseline", str(baseline))
    assert code == 1
    assert {f["file"] for f in report["findings"]} == {"reports.tf"}
    assert all(f["resource"].startswith("aws_db_instance.reports") for f in report["findings"])
    assert {f["baseline_state"] for f in report["findings"]} == {"new"}


def test_a_baseline_entry_does_not_absorb_the_same_check_in_another_file(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "one.tf").write_text(INSECURE_DB, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    CliRunner().invoke(main, ["scan", str(repo), "--select", "TCOP-06-TF-005", "--write-baseline", str(baseline)])
    # The same resource, word for word, in another file is another finding.
    (repo / "two.tf").write_text(INSECURE_DB, encoding="utf-8")
    code, report = run(repo, "--select", "TCOP-06-TF-005", "--baseline", str(baseline))
    assert code == 1 and {f["file"] for f in report["findings"]} == {"two.tf"}


def branch_adding(root: Path, name: str, text: str) -> None:
    """main holds the estate; the branch feature adds one file to it."""
    write_estate(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    git(root, "checkout", "-q", "-b", "feature")
    (root / name).write_text(text, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-qm", f"add {name}")


def test_pull_request_mode_reports_only_the_new_database_as_new_and_sarif_holds_everything(tmp_path: Path) -> None:
    branch_adding(tmp_path, "reports.tf", INSECURE_DB)
    _, everything = run(tmp_path)
    code, changed = run(tmp_path, "--diff-base", "main")
    assert code == 1
    new = [f for f in changed["findings"] if f["baseline_state"] == "new"]
    assert new and all(f["file"] == "reports.tf" for f in new), [(f["id"], f["file"]) for f in new]
    # The missing budget and audit notes were on main already: not new, though the branch
    # changed their message ("declares 6 AWS resources").
    assert not any(f["file"] is None for f in new)
    assert fingerprints(changed).keys() == fingerprints(everything).keys()

    sarif = CliRunner().invoke(main, ["scan", str(tmp_path), "--diff-base", "main", "--format", "sarif"]).stdout
    results = json.loads(sarif)["runs"][0]["results"]
    assert len(results) == len(everything["findings"])
    states = {r["baselineState"] for r in results}
    assert states == {"new", "unchanged"}

    text = CliRunner().invoke(main, ["scan", str(tmp_path), "--diff-base", "main"]).stdout
    listed = [line for line in text.splitlines() if line.startswith(("main.tf", "reports.tf"))]
    assert listed and all(line.startswith("reports.tf") for line in listed)
    assert "already there before this branch" in text

    markdown = CliRunner().invoke(main, ["scan", str(tmp_path), "--diff-base", "main", "--format", "markdown"]).stdout
    assert f"{len(new)} new finding" in markdown
    assert f"{len(everything['findings']) - len(new)} findings already there" in markdown


def test_pull_request_mode_does_not_gate_on_findings_already_on_the_base(tmp_path: Path) -> None:
    branch_adding(tmp_path, "README.md", "# Claims\n")
    code, report = run(tmp_path, "--diff-base", "main", "--select", "TCOP-06-TF-005")
    assert report["findings"] and code == 0
