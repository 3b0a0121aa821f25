"""The pre-commit hooks, run by the real pre-commit against a copy of this working tree.

pre-commit builds the hook's environment by pip-installing the hook repository, so the first
run reaches the package registry for dependencies; PRE_COMMIT_HOME is shared by the session
so that environment is built once. The working tree is copied into a temporary git
repository and committed there, so uncommitted changes are what is tested.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from repo_helpers import GIT_ENV, git
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
HOOKS = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
    "*.egg-info",
    "build",
    "dist",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
)


def committed_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=COPY_IGNORE)
    git(target, "init", "-q", "-b", "main")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot")
    return target


def hook(hook_id: str) -> dict:
    return next(h for h in HOOKS if h["id"] == hook_id)


def test_hook_definitions() -> None:
    files = hook("tcop-lint")
    assert files["language"] == "python" and files["entry"].startswith("tcop-lint scan")
    assert files["types_or"] == ["terraform", "yaml", "json"]
    assert files["pass_filenames"] is True and files["require_serial"] is True
    assert "--kinds terraform,kubernetes,openapi" in files["entry"]
    repository = hook("tcop-lint-repo")
    assert "--kinds repository,git" in repository["entry"]
    assert repository["pass_filenames"] is False and repository["always_run"] is True


def test_identify_tags_cover_the_files_tcop_lint_reads() -> None:
    identify = pytest.importorskip("identify.identify")
    wanted = set(hook("tcop-lint")["types_or"])
    for name in ("main.tf", "prod.tfvars", "x.auto.tfvars", "main.tf.json", "deploy.yaml", "k8s.yml", "openapi.json"):
        assert identify.tags_from_filename(name) & wanted, name
    assert not identify.tags_from_filename("README.md") & wanted


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("pre_commit")
    base = tmp_path_factory.mktemp("precommit")
    return committed_copy(REPO, base / "hooks"), base / "home"


def try_repo(target: Path, hooks: tuple[Path, Path], hook_id: str) -> subprocess.CompletedProcess:
    repository, home = hooks
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)  # the hook must run from the environment pre-commit built
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repository), hook_id, "--all-files", "--verbose"],
        cwd=target,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_file_hook_fails_on_a_bad_repository_and_names_file_findings_only(tmp_path: Path, hook_repository) -> None:
    target = committed_copy(REPO / "examples" / "service-repo", tmp_path / "bad")
    result = try_repo(target, hook_repository, "tcop-lint")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TCOP-06-TF-001" in result.stdout and "infra/aws/main.tf" in result.stdout
    assert "TCOP-03-REPO" not in result.stdout and "(repository)" not in result.stdout


@pytest.mark.slow
def test_repository_hook_reports_only_repository_findings(tmp_path: Path, hook_repository) -> None:
    target = committed_copy(REPO / "examples" / "service-repo", tmp_path / "bad")
    result = try_repo(target, hook_repository, "tcop-lint-repo")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TCOP-03-REPO-001" in result.stdout and "TCOP-06-TF" not in result.stdout


@pytest.mark.slow
def test_both_hooks_pass_on_a_good_repository(tmp_path: Path, hook_repository) -> None:
    target = committed_copy(REPO / "examples" / "well-configured-service", tmp_path / "good")
    for hook_id in ("tcop-lint", "tcop-lint-repo"):
        result = try_repo(target, hook_repository, hook_id)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Passed" in result.stdout
