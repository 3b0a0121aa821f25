"""Findings in test, example and fixture code are notes by default; configuration names the
paths and the level."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tcop_lint.cli import main
from tcop_lint.config import ConfigError, load_settings

OPEN_DB = 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'


def scan(root: Path, *extra: str) -> tuple[int, dict[str, tuple[str, bool]]]:
    args = ["scan", str(root), "--select", "TCOP-06-TF-005", "--format", "json", "--no-cache", *extra]
    result = CliRunner().invoke(main, args)
    report = json.loads(result.output)
    return result.exit_code, {
        f["file"]: (f["level"], f["properties"].get("test_code", False)) for f in report["findings"]
    }


CODE = (
    "tests/fixtures/main.tf",
    "modules/db/examples/basic/main.tf",
    "spec/main.tf",
    "mock-integrations/db/main.tf",
    "stubs/main.tf",
)


def make(root: Path, config: str = "") -> Path:
    for name in (*CODE, "infra/main.tf"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(OPEN_DB, encoding="utf-8")
    if config:
        (root / ".tcop-lint.yaml").write_text(config, encoding="utf-8")
    return root


def test_findings_in_test_and_example_code_are_notes_and_do_not_gate(tmp_path: Path) -> None:
    code, found = scan(make(tmp_path))
    assert found["infra/main.tf"] == ("error", False)
    for name in CODE:
        assert found[name] == ("note", True)
    assert code == 1  # the production finding still fails the scan


def test_only_test_code_findings_do_not_fail_the_scan(tmp_path: Path) -> None:
    root = make(tmp_path)
    (root / "infra/main.tf").unlink()
    code, found = scan(root)
    assert code == 0 and {level for level, _ in found.values()} == {"note"}


def test_configuration_names_the_paths_and_the_level(tmp_path: Path) -> None:
    _, found = scan(make(tmp_path, "test_code:\n  paths: [spec/]\n  level: warning\n"))
    assert found["spec/main.tf"] == ("warning", True)
    assert found["tests/fixtures/main.tf"] == ("error", False)  # the paths given replace the defaults
    _, kept = scan(make(tmp_path / "kept", "test_code: {level: keep}\n"))
    assert kept["tests/fixtures/main.tf"] == ("error", False)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("test_code: {level: loud}\n", "test_code.level: must be one of note, warning, error, keep"),
        ("test_code: {path: [x/]}\n", "test_code.path: unknown key"),
        ("test_code: {paths: [1]}\n", "test_code.paths: expected a list of strings"),
    ],
)
def test_bad_test_code_configuration_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    (tmp_path / ".tcop-lint.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(tmp_path)
