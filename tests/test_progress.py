"""Progress on standard error: drawn on a terminal, never on a pipe, in CI or with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the CLI with no delay before the bar, so a small scan shows it.
RUNNER = "import sys, tcop_lint.progress as p; p.DELAY_SECONDS = 0; from tcop_lint.cli import main; main(sys.argv[1:])"


def _repo(tmp_path: Path) -> Path:
    for index in range(3):
        (tmp_path / f"s3_{index}.tf").write_text(f'resource "aws_s3_bucket" "b{index}" {{\n  bucket = "b{index}"\n}}\n')
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    return {**env, **extra}


def _stderr_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closed when the process ended
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals as on Linux")
def test_progress_appears_on_a_terminal(tmp_path):
    shown = _stderr_on_terminal(["scan", ".", "--no-cache"], _repo(tmp_path), _env())
    assert "tcop-lint: loading files" in shown
    assert "tcop-lint: running checks" in shown


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals as on Linux")
@pytest.mark.parametrize(
    ("extra_args", "env"),
    [(["--quiet"], {}), ([], {"CI": "true"}), (["--format", "json"], {})],
    ids=["quiet", "ci", "json-on-stdout"],
)
def test_no_progress_with_quiet_in_ci_or_machine_output(tmp_path, extra_args, env):
    shown = _stderr_on_terminal(["scan", ".", "--no-cache", *extra_args], _repo(tmp_path), _env(**env))
    assert "tcop-lint: loading files" not in shown
    assert "running checks" not in shown


def test_no_progress_on_a_pipe(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "scan", ".", "--no-cache"],
        cwd=_repo(tmp_path),
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "loading files" not in done.stderr
    assert "running checks" not in done.stderr
