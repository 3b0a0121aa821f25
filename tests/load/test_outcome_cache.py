"""The whole-scan outcome cache: a warm re-run with nothing changed gives the cold run's bytes
without running the checks; any change to a file, a ref, the settings or the selection runs
them again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from repo_helpers import git, write_files

import tcop_lint.check.engine as engine
from tcop_lint.load.cache import Cache
from tcop_lint.run import ScanRequest, execute

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # the shape of a GitHub token, made up

FILES = {
    "README.md": "# Demo\n\nA service.\n",
    "infra/main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "${var.name}-logs"\n}\n',
    "infra/variables.tf": 'variable "name" {\n  default = "demo"\n}\n',
    "k8s/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n          image: registry.example/web:latest\n"
    ),
}


def _repository(root: Path) -> Path:
    write_files(root, {**FILES, "settings.env": f"TOKEN={TOKEN}\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    (root / "settings.env").unlink()  # a secret left in the history: the git check reports it
    git(root, "commit", "-q", "-am", "second")
    return root


def _cli(root: Path, cache: Path, *args: str) -> bytes:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "SOURCE_DATE_EPOCH": "1764720000"}
    done = subprocess.run(
        [sys.executable, "-m", "tcop_lint", "scan", ".", "--fail-on", "never", *args],
        cwd=root,
        env=env,
        capture_output=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_a_warm_run_gives_the_cold_runs_bytes(tmp_path: Path, output_format: str) -> None:
    root = _repository(tmp_path / "repo")
    cold = _cli(root, tmp_path / "cache", "--format", output_format)
    assert b"TCOP-03-GIT-001" in cold
    assert list((tmp_path / "cache" / "tcop-lint").glob("*.outcome.pack"))
    warm = _cli(root, tmp_path / "cache", "--format", output_format)
    assert warm == cold
    assert _cli(root, tmp_path / "uncached", "--format", output_format, "--no-cache") == cold


def test_nothing_changed_runs_no_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repository(tmp_path / "repo")
    request = ScanRequest(paths=(str(root),), cache=Cache(tmp_path / "cache"))
    first = execute(request)

    def refuse(*args, **kwargs):
        raise AssertionError("the checks ran again")

    monkeypatch.setattr(engine, "run_checks", refuse)
    second = execute(request)
    assert second.findings == first.findings
    assert second.problems == first.problems
    assert second.inventory == first.inventory


def _changes(root: Path) -> list:
    """Each a change after which the outcome must be worked out again."""
    return [
        lambda: (root / "infra" / "main.tf").write_text(
            'resource "aws_s3_bucket" "logs" {\n  bucket = "other"\n}\n', encoding="utf-8"
        ),
        lambda: (git(root, "add", "."), git(root, "commit", "-q", "-m", "third")),
        lambda: (root / ".tcop-lint.yaml").write_text("checks:\n  TCOP-03-GIT-001: off\n", encoding="utf-8"),
        lambda: (root / "k8s" / "service.yaml").write_text(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n", encoding="utf-8"
        ),
    ]


def test_every_change_is_seen(tmp_path: Path) -> None:
    root = _repository(tmp_path / "repo")
    cache = tmp_path / "cache"
    _cli(root, cache, "--format", "json")
    for number, change in enumerate(_changes(root)):
        change()
        warm = _cli(root, cache, "--format", "json")
        fresh = _cli(root, tmp_path / f"fresh-{number}", "--format", "json", "--no-cache")
        assert warm == fresh, f"change {number}"


def test_a_selection_has_its_own_outcome(tmp_path: Path) -> None:
    root = _repository(tmp_path / "repo")
    cache = tmp_path / "cache"
    everything = _cli(root, cache, "--format", "json")
    terraform = _cli(root, cache, "--format", "json", "--kinds", "terraform")
    assert terraform != everything
    assert _cli(root, cache, "--format", "json") == everything
    assert _cli(root, cache, "--format", "json", "--kinds", "terraform") == terraform
