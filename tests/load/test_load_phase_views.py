"""Load, then check: repository files are parsed once, in the load phase, into views that the
cache keeps; the checks themselves touch no file."""

from __future__ import annotations

import builtins
import io
import os
import pathlib
import shutil
from pathlib import Path

import pytest
from repo_helpers import write_files

from tcop_lint.assemble.assembly import load_documents
from tcop_lint.check import registry
from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.check.engine import run_checks
from tcop_lint.core.model import CodeownersRule, FromLine, YamlView
from tcop_lint.core.settings import Settings
from tcop_lint.discover.discovery import discover
from tcop_lint.load import documents as documents_module
from tcop_lint.load import repository_files
from tcop_lint.load.cache import Cache

ROOT = Path(__file__).resolve().parents[2]
CHECKS = tuple(load_catalogue([builtin_checks_dir()]))
WORKFLOW = ".github/workflows/ci.yml"
REPOSITORY = {
    WORKFLOW: (
        "on: [push, pull_request_target]\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"
        "      - uses: someone/setup-thing@v1\n"
        '      - run: echo "${{ github.event.issue.title }}"\n'
        "      - run: pytest\n"
    ),
    "action.yml": "runs:\n  using: composite\n  steps:\n    - uses: other/tool@main\n",
    ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n",
    ".github/CODEOWNERS": "/terraform/ @team\n",
    "Dockerfile": "FROM python:3.12\nFROM scratch AS final\n",
    "package.json": '{"name": "x", "version": "one", "license": "MIT", "dependencies": {"a": "1"}}\n',
    "package-lock.json": '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1.0.0", "license": "BUSL-1.1"}}}\n',
    "pyproject.toml": '[project]\nname = "x"\nversion = "1.0"\nlicense = "Apache-2.0"\n[tool.poetry]\nname = "x"\n',
    "README.md": "# X\n\nThis repository is private and holds a tool that does a number of useful things.\n",
    "LICENSE": "Copyright 2024 Some Company Ltd\n\nAll rights reserved.\n",
    "data/people.csv": "name,email,phone\nAda Lovelace,ada@realmail.co.uk,07912345678\nAlan Turing,alan@realmail.co.uk,07912345679\n",
    "docs/paper.pdf": b"%PDF-1.7\n%binary\n",
    ".env": "API_TOKEN=abcdef123456\n",
    "terraform/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n',
}


def _scan_documents(root: Path, cache: Cache | None = None):
    settings = Settings()
    scope = discover([str(root)], root=root, use_git=False)
    return load_documents(scope, settings, jobs=1, cache=cache), settings


def test_a_scan_parses_each_workflow_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, REPOSITORY)
    real = documents_module.yaml_documents
    calls: list[str] = []

    def counting(name, text, *args, **kwargs):
        calls.append(name)
        return real(name, text, *args, **kwargs)

    monkeypatch.setattr(documents_module, "yaml_documents", counting)
    monkeypatch.setattr(repository_files, "yaml_documents", counting)
    documents, settings = _scan_documents(tmp_path)
    run = run_checks(CHECKS, documents, settings)
    assert not run.crashes, run.crashes
    assert calls.count(WORKFLOW) == 1
    assert calls.count("action.yml") == 1
    # the workflow checks did see the view: the pull_request_target checkout is reported
    assert any(f.check_id == "TCOP-06-REPO-005" and f.file == WORKFLOW for f in run.findings)


def _refuse(*_args, **_kwargs):
    raise AssertionError("a check touched the disk")


DISK = [
    (builtins, "open"),
    (io, "open"),
    (os, "open"),
    (os, "stat"),
    (os, "lstat"),
    (os, "scandir"),
    (os, "listdir"),
    (pathlib.Path, "read_text"),
    (pathlib.Path, "read_bytes"),
    (pathlib.Path, "open"),
    (pathlib.Path, "exists"),
    (pathlib.Path, "is_file"),
]


def _repositories(tmp_path: Path) -> list[Path]:
    """The examples, a few check fixtures and the repository above, copied out of any git tree."""
    sources = sorted((ROOT / "examples").iterdir())
    sources += [p for p in sorted((ROOT / "checks").glob("tcop-0[36]/*/fixtures/*/*")) if p.is_dir()][:12]
    roots = []
    for index, source in enumerate(sources):
        if source.is_dir():
            roots.append(Path(shutil.copytree(source, tmp_path / f"r{index}", symlinks=True)))
    made = tmp_path / "made"
    write_files(made, REPOSITORY)
    return roots + [made]


def test_no_check_touches_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = _repositories(tmp_path)
    assert len(roots) > 5
    for root in roots:
        documents, settings = _scan_documents(root)
        first = run_checks(CHECKS, documents, settings)  # imports every rule module and its lazy imports
        assert not first.crashes, (root, first.crashes)
        with monkeypatch.context() as patch:
            for owner, name in DISK:
                patch.setattr(owner, name, _refuse)
            again = run_checks(CHECKS, documents, settings)
        assert not again.crashes, (root, again.crashes)
        assert again.findings == first.findings
    assert registry.rule_function.cache_info().currsize > 0


def test_views_are_built_identically_cold_and_from_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write_files(root, REPOSITORY)
    cache = Cache(tmp_path / "cache")
    cold, _ = _scan_documents(root, cache)
    warm, _ = _scan_documents(root, cache)
    uncached, _ = _scan_documents(root)
    assert cold.content is not None and warm.content is not None
    assert set(cold.content) == set(warm.content) == set(uncached.content or {})
    for name in cold.content:
        assert warm.content[name] == cold.content[name] == uncached.content[name], name  # type: ignore[index]
    assert warm.repository == cold.repository
    workflow = warm.content[WORKFLOW].yaml
    assert isinstance(workflow, YamlView) and workflow.line(("jobs", "test", "steps", 1, "uses")) == 9
    assert warm.content["Dockerfile"].from_lines == (FromLine(1, "python:3.12", None), FromLine(2, "scratch", "final"))
    assert warm.content[".github/CODEOWNERS"].codeowners == (CodeownersRule("/terraform/", True),)
    assert [(p.name, p.licence, p.line) for p in warm.content["package-lock.json"].packages or ()] == [
        ("a", "BUSL-1.1", 1)
    ]
    assert (
        warm.content["package.json"].manifest is not None
        and warm.content["package.json"].manifest.data["version"] == "one"
    )


def test_a_partial_scan_judges_repository_checks_on_the_whole_repository(tmp_path: Path) -> None:
    """Naming one file must not hide the workflows and manifests the repository checks read."""
    import json

    from click.testing import CliRunner

    from tcop_lint.cli import main

    write_files(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
            "package.json": '{"name": "x", "version": "1.0.0"}\n',
            "main.tf": 'resource "aws_s3_bucket" "b" {}\n',
        },
    )

    def messages(*paths: str) -> list[str]:
        args = [
            "scan",
            *paths,
            "--root",
            str(tmp_path),
            "--select",
            "TCOP-06-REPO-001",
            "--format",
            "json",
            "--no-cache",
        ]
        result = CliRunner().invoke(main, args)
        return [f["message"] for f in json.loads(result.output)["findings"]]

    whole = messages(str(tmp_path))
    assert whole and "github-actions" in whole[0] and "npm" in whole[0]
    assert messages(str(tmp_path / "main.tf")) == whole
