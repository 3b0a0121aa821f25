"""The end-of-support data TCOP-06-TF-039 reads: dated, sourced and well formed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tcop_lint.check.rules.terraform_lifecycle import _major, end_of_support
from tcop_lint.testing import scan_folder


def _dates(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [d for v in value.values() for d in _dates(v)]
    return []


def test_every_platform_names_its_source_and_every_date_parses() -> None:
    data = end_of_support()
    compiled = dt.date.fromisoformat(data["compiled"])
    for platform in ("eks", "lambda", "rds"):
        assert data[platform]["source"].startswith("https://docs.aws.amazon.com/")
        table = {k: v for k, v in data[platform].items() if k not in ("source", "note")}
        dates = _dates(table)
        assert dates, platform
        assert all(dt.date.fromisoformat(d) for d in dates)
    assert compiled.year >= 2026
    for entry in data["eks"]["versions"].values():
        assert entry["standard"] <= entry["extended"]


def test_major_versions_are_read_the_way_rds_dates_them() -> None:
    assert _major("mysql", "5.7.44") == "5.7"
    assert _major("aurora-mysql", "5.7.mysql_aurora.2.11.2") == "5.7"
    assert _major("postgres", "11.22") == "11"
    assert _major("postgres", "9.6.24") == "9.6"
    assert _major("aurora-postgresql", "13") == "13"
    assert _major("postgres", "latest") is None


def test_without_as_of_the_dates_are_compared_with_today(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n  function_name = "f"\n  runtime = "python2.7"\n}\n'
        'resource "aws_lambda_function" "g" {\n  function_name = "g"\n  runtime = "python3.13"\n}\n',
        encoding="utf-8",
    )
    findings = scan_folder(tmp_path, ["TCOP-06-TF-039"])
    assert [f.address for f in findings] == ["aws_lambda_function.f#/runtime"]
