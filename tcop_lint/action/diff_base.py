"""Which git revision a pull request's findings are compared against (input ``diff-base``).

``auto`` (the default): on ``pull_request`` events the commit the pull request targets
(``pull_request.base.sha`` from GITHUB_EVENT_PATH, else ``origin/$GITHUB_BASE_REF``); on
``merge_group`` events the queue's base commit; otherwise none (a full scan). ``none``
always scans everything; any other value is used as given. When the revision is not in the
local clone (a shallow checkout), the scan falls back to the whole repository with a
warning, rather than fetch anything itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tcop_lint.action import workspace, write_outputs
from tcop_lint.report.github import escape_data

AUTO, NONE = "auto", "none"


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def read_event(path: str | None) -> Mapping[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, Mapping) else {}


def resolve(requested: str, event_name: str, event: Mapping[str, Any], base_ref: str) -> str | None:
    """The revision to diff against, or None for a full scan."""
    requested = requested.strip()
    if requested.lower() == NONE:
        return None
    if requested and requested.lower() != AUTO:
        return requested
    if event_name == "pull_request":
        sha = _get(event, "pull_request", "base", "sha")
        if isinstance(sha, str) and sha:
            return sha
        return f"origin/{base_ref}" if base_ref else None
    if event_name == "merge_group":
        sha = _get(event, "merge_group", "base_sha")
        return sha if isinstance(sha, str) and sha else None
    return None


def available(revision: str, repository: Path) -> bool:
    """True when ``revision`` names a commit in the local clone."""
    if revision.startswith("-"):
        return False
    try:
        completed = subprocess.run(
            [
                "git",
                "-c",
                "core.fsmonitor=false",
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{revision}^{{commit}}",
            ],
            cwd=repository,
            capture_output=True,
            check=False,
        )
    except OSError:
        return False
    return completed.returncode == 0


def main(env: Mapping[str, str] = os.environ) -> int:
    try:
        revision = resolve(
            env.get("INPUT_DIFF_BASE", AUTO),
            env.get("GITHUB_EVENT_NAME", ""),
            read_event(env.get("GITHUB_EVENT_PATH")),
            env.get("GITHUB_BASE_REF", ""),
        )
    except Exception as error:  # a malformed event must not stop the scan
        print(f"tcop-lint: cannot work out the diff base ({error}); scanning everything")
        revision = None
    if revision and not available(revision, workspace(env)):
        message = (
            f"diff base {revision} is not in the checkout, so every file is scanned. "
            "Check out with fetch-depth: 0 to report only what a pull request changes."
        )
        print(f"::warning title=tcop-lint::{escape_data(message)}")
        revision = None
    if revision:
        print(f"tcop-lint: reporting findings in files changed since {revision}")
    write_outputs(env.get("GITHUB_OUTPUT"), {"ref": revision or ""})
    return 0


if __name__ == "__main__":
    sys.exit(main())
