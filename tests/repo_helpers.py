"""Building small repositories for tests: files and git commands."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# A fixed identity, so commits work on machines with no git configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; its output, stripped."""
    done = subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout.strip()


def write_files(root: Path, files: dict[str, str | bytes]) -> tuple[str, ...]:
    """Write each name -> text or bytes below ``root``; the names, sorted."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tuple(sorted(files))


# A team's own check in the catalogue format, for tests of local catalogues.
LOCAL_CHECK = """\
id: TCOP-06-TF-900
name: LocalPolicy
title: A local policy check
tcop_point: 6
level: warning
reads: terraform
help_uri: https://www.gov.uk/guidance/make-things-secure
rationale: Because.
remediation: Fix it.
precision: high
rule:
  target: terraform.resource
  types: [aws_s3_bucket]
  require: {required: [bucket]}
  message: "{address} has no bucket name"
"""
