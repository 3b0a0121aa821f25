"""Compare the tree-sitter HCL reader with the python-hcl2 (Lark) reader it replaced, file by file.

    python benchmarks/compare_hcl_readers.py [--old-commit 375cdc9] DIR [DIR ...]

The old reader is ``tcop_lint/load/terraform.py`` at ``--old-commit`` (taken with ``git show``,
run beside today's code). Every .tf and .tfvars file below the folders is loaded by both; a file
is "same" when the results are equal, "cosmetic" when they differ only in end positions and in
comments inside an expression's text (the Lark reader's spans ran on to the next line after a
heredoc and took in trailing comments), and "differ" otherwise, which is printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tcop_lint.core.model import Position, Unresolved  # noqa: E402
from tcop_lint.load.terraform import load_terraform  # noqa: E402

_old: Any = None


def _load_old(commit: str) -> Any:
    source = subprocess.run(
        ["git", "-C", str(PROJECT), "show", f"{commit}:tcop_lint/load/terraform.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_terraform.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_terraform", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _init(commit: str) -> None:
    global _old
    _old = _load_old(commit)


def normal(value: Any) -> Any:
    if isinstance(value, Position):
        return (value.line, value.column)
    if isinstance(value, Unresolved):
        return ("unresolved", " ".join(re.sub(r"(#|//)[^\n]*", "", value.expression).split()))
    if isinstance(value, dict):
        return {key: normal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [normal(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [normal(getattr(value, f.name)) for f in dataclasses.fields(value)]
    return value


def compare(path: str) -> tuple[str, str]:
    data = Path(path).read_bytes()
    old, new = _old.load_terraform(path, data), load_terraform(path, data)
    if old == new:
        return "same", path
    return ("cosmetic" if normal(old) == normal(new) else "differ"), path


def files(roots: list[str]) -> list[str]:
    found = []
    for root in roots:
        for directory, subdirectories, names in os.walk(root):
            subdirectories[:] = [d for d in subdirectories if d not in (".git", ".terraform", "node_modules")]
            found += [os.path.join(directory, n) for n in names if n.endswith((".tf", ".tfvars"))]
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--old-commit", default="375cdc9")
    args = parser.parse_args()
    paths = files(args.folders)
    with multiprocessing.Pool(initializer=_init, initargs=(args.old_commit,)) as pool:
        results = pool.map(compare, paths, chunksize=32)
    print(f"{len(paths)} files:", dict(Counter(kind for kind, _ in results)))
    for kind, path in results:
        if kind == "differ":
            print("differ:", path)


if __name__ == "__main__":
    main()
