"""Adopting tcop-lint on an existing repository: baselines and pull-request mode."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from repo_helpers import git

from tcop_lint.cli import main

OLD_DB = """\
resource "aws_db_instance" "legacy" {
  identifier          = "legacy"
  publicly_accessible = true
}
"""
NEW_DB = """\
resource "aws_db_instance" "fresh" {
  identifier          = "fresh"
  publicly_accessible = true
}
"""
MIT = "MIT License\n\nCopyright (c) 2026 Example\n"


def scan(root: Path, *args: str) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(main, ["scan", str(root), "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def places(findings: list[dict]) -> list[tuple]:
    return sorted((f["id"], f["file"], f["line"]) for f in findings)


def new_places(findings: list[dict]) -> list[tuple]:
    return places([f for f in findings if f["baseline_state"] != "unchanged"])


def test_with_a_baseline_old_findings_pass_and_a_new_one_fails_alone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "main.tf").write_text(OLD_DB, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    result = CliRunner().invoke(
        main, ["scan", str(repo), "--select", "TCOP-06-TF-005", "--write-baseline", str(baseline)]
    )
    assert result.exit_code == 1 and baseline.is_file()

    code, findings = scan(repo, "--select", "TCOP-06-TF-005", "--baseline", str(baseline))
    assert code == 0 and findings == []

    # The old problem moves down two lines and a new one appears: only the new one counts.
    (repo / "main.tf").write_text("# databases\n\n" + OLD_DB + "\n" + NEW_DB, encoding="utf-8")
    code, findings = scan(repo, "--select", "TCOP-06-TF-005", "--baseline", str(baseline))
    assert code == 1
    assert places(findings) == [("TCOP-06-TF-005", "main.tf", 10)]
    sarif = (
        CliRunner()
        .invoke(
            main, ["scan", str(repo), "--select", "TCOP-06-TF-005", "--baseline", str(baseline), "--format", "sarif"]
        )
        .stdout
    )
    assert [r["baselineState"] for r in json.loads(sarif)["runs"][0]["results"]] == ["new"]


def test_a_broken_baseline_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "baseline.json").write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--baseline", str(tmp_path / "baseline.json")])
    assert result.exit_code == 2 and "baseline" in result.output


def test_diff_base_reports_only_what_the_branch_added(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "main.tf").write_text(OLD_DB, encoding="utf-8")
    (tmp_path / "README.md").write_text("# Service\n", encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "start")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    (tmp_path / "main.tf").write_text(OLD_DB + "\n" + NEW_DB, encoding="utf-8")
    (tmp_path / "k8s.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: shell\n      image: "
        "busybox:latest\n",
        encoding="utf-8",
    )
    git(tmp_path, "add", "main.tf")
    git(tmp_path, "commit", "-qm", "add a database")

    _, everything = scan(
        tmp_path, "--select", "TCOP-06-TF-005", "--select", "TCOP-06-K8S-005", "--select", "TCOP-03-REPO-001"
    )
    assert len(everything) == 4

    _, changed = scan(
        tmp_path,
        "--diff-base",
        "main",
        "--select",
        "TCOP-06-TF-005",
        "--select",
        "TCOP-06-K8S-005",
        "--select",
        "TCOP-03-REPO-001",
    )
    # The JSON report keeps every finding of the head; the new database and the untracked
    # manifest are new, the old database and the licence missing on main already were there.
    assert places(changed) == places(everything)
    assert new_places(changed) == [("TCOP-06-K8S-005", "k8s.yaml", 8), ("TCOP-06-TF-005", "main.tf", 8)]


def test_diff_base_reports_a_repository_problem_the_branch_introduced(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "LICENCE").write_text(
        Path(__file__).parents[2].joinpath("LICENCE").read_text(encoding="utf-8"), encoding="utf-8"
    )
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "start")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    git(tmp_path, "rm", "-q", "LICENCE")
    git(tmp_path, "commit", "-qm", "drop the licence")
    code, changed = scan(tmp_path, "--diff-base", "main", "--select", "TCOP-03-REPO-001")
    assert code == 1 and new_places(changed) == [("TCOP-03-REPO-001", None, None)]


def test_diff_base_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--diff-base", "main"])
    assert result.exit_code == 2 and "git" in result.output
