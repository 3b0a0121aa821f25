"""Entry points for the steps of the GitHub Action (action.yml), so its shell stays minimal.

Each module is run as ``python -m tcop_lint.action.<name>`` and reads only the environment
the action's ``env:`` blocks and the runner provide; nothing here is imported by the CLI.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path


def write_outputs(path: str | None, values: Mapping[str, str]) -> None:
    """Append step outputs to the file named by GITHUB_OUTPUT (multi-line safe)."""
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            if "\n" in value or "\r" in value:
                delimiter = f"tcop_lint_{uuid.uuid4().hex}"
                handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                handle.write(f"{name}={value}\n")


def flag(value: str | None, default: bool) -> bool:
    """An action input as a boolean: true/false (any case); empty means the default."""
    text = (value or "").strip().lower()
    if not text:
        return default
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ValueError(f"expected true or false, got '{value}'")


def workspace(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve()
