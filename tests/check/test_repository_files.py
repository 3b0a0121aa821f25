"""Repository-file checks: the parsing helpers on real-shaped input, and the rules through the
engine on small repositories built in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from repo_helpers import write_files as write

from tcop_lint.assemble.assembly import load_documents
from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.check.engine import run_checks
from tcop_lint.core.files import read_prefix
from tcop_lint.core.settings import Settings
from tcop_lint.discover.discovery import discover
from tcop_lint.load.content import csv_problem, find_secrets, redact, utf8_problem
from tcop_lint.load.repository_files import (
    codeowners_rules,
    from_lines,
    owned,
    triggers,
    uses_references,
    yaml_view,
)
from tcop_lint.testing import scan_folder

CHECKS = {check.id: check for check in load_catalogue([builtin_checks_dir()])}


def findings(root: Path, check_id: str):
    # Default settings: the scanned folder's own pyproject.toml may be broken on purpose.
    return scan_folder(root, [check_id], settings=Settings())


# --- helpers ------------------------------------------------------------------------------


def test_from_lines_joins_continuations_and_reads_stage_names() -> None:
    text = "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM \\\n  golang:1.22 AS build\nRUN go build\nfrom alpine:3.20\n"
    lines = from_lines(text)
    assert [(f.line, f.image, f.stage) for f in lines] == [(2, "golang:1.22", "build"), (5, "alpine:3.20", None)]


def test_workflow_on_key_read_as_yaml_1_1_boolean_still_gives_triggers(tmp_path: Path) -> None:
    workflow = yaml_view(
        "w.yml", "on:\n  pull_request_target:\n  push:\njobs:\n  a:\n    uses: org/repo/.github/workflows/x.yml@main\n"
    )
    assert workflow is not None
    assert triggers(workflow) == ("pull_request_target", "push")
    assert [(workflow.line(path), value) for path, value in uses_references(workflow)] == [
        (6, "org/repo/.github/workflows/x.yml@main")
    ]


def test_codeowners_last_matching_rule_wins_and_ownerless_rule_unowns() -> None:
    rules = codeowners_rules(
        "* @dept/devs\n/.github/workflows/ @dept/platform\n/.github/workflows/generated.yml\n[Docs]\n"
    )
    assert owned(".github/workflows/ci.yml", rules)
    assert not owned(".github/workflows/generated.yml", rules)
    assert not owned("src/app.py", codeowners_rules("/docs/ @dept/writers\n"))


def test_read_prefix_refuses_a_link_out_of_the_root_and_caps_size(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.txt").write_bytes(b"x" * 5000)
    os.symlink(outside, root / "link.txt")
    assert read_prefix(root, "link.txt") is None
    assert read_prefix(root, "missing.txt") is None
    assert read_prefix(root, "big.txt", 100) == b"x" * 100


@pytest.mark.parametrize(
    ("data", "truncated", "expected"),
    [
        ("café\n".encode(), False, None),
        (b"ok\n\xa3 5\n", False, (2, "is not valid UTF-8 (byte 3)", False)),
        ("hi".encode("utf-16"), False, (1, "is encoded as UTF-16", False)),
        (b"\xef\xbb\xbfhi", False, (1, "starts with a byte order mark, which UTF-8 does not need", True)),
        ("ab£".encode()[:-1], True, None),  # cut inside a character by the read limit: not an error
    ],
)
def test_utf8_problem(data: bytes, truncated: bool, expected) -> None:
    assert utf8_problem(data, truncated) == expected


@pytest.mark.parametrize(
    ("text", "expected_line"),
    [
        ('a,b\r\n1,"x, y"\r\n2,"multi\r\nline"\r\n', None),
        ("a,b\n1,2\n3\n", 3),
        ("a,a\n1,2\n", 1),
        ("2024-01-01,5\n2024-01-02,6\n", 1),
    ],
)
def test_csv_problem(text: str, expected_line) -> None:
    problem = csv_problem(text.encode(), truncated=False)
    assert (problem[0] if problem else None) == expected_line


def test_secret_patterns_match_real_shapes_and_skip_documentation_examples() -> None:
    data = (
        b'key = "AKIAIOSFODNN7EXAMPLE"\n'
        b'key = "AKIAQ3EGRD7UXN2LKP4M"\n'
        b"const header = '-----BEGIN RSA PRIVATE KEY-----';\n"
        b"token: xoxb-429183750264-8302917465013-Qm7TzR2kWp9LxV4cNb8HsJ3d\n"
    )
    found = [(line, pattern.kind) for line, pattern, _ in find_secrets(data)]
    assert found == [(2, "aws-access-key-id"), (4, "slack-token")]
    assert "AKIAQ3EGRD7UXN2LKP4M" not in redact("AKIAQ3EGRD7UXN2LKP4M")


@pytest.mark.parametrize(
    "value",
    [
        "https://hooks.slack.com/services/T0GQ4W8S2/B01RZK7M3/xxxxxxxxxxxxxxxxxxxxxxxx",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "ghp_000000R8d2Kq9ZpL4mW7xT1vN6bY3cH5jF0g",
        "not_a_real_key-3f2b9c1e-7a4d-4e8b-9c2f-1d5e6a7b8c9d-5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b",
        "notreal_key-3f2b9c1e-7a4d-4e8b-9c2f-1d5e6a7b8c9d-5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b",
        "Fake-Key-3f2b9c1e-7a4d-4e8b-9c2f-1d5e6a7b8c9d-5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b",
    ],
)
def test_placeholders_are_not_secrets(value: str) -> None:
    assert not list(find_secrets(f'value = "{value}"\n'.encode()))


@pytest.mark.parametrize(
    ("name", "text", "reported"),
    [
        # an example in a comment, in each language's own comment syntax
        ("main.tf", '/* for example:\n  url = "{v}"\n*/\n', False),
        ("main.tf", '# e.g. url = "{v}"\n', False),
        ("app.js", '// replace with your webhook: "{v}"\n', False),
        ("deploy.yaml", "# sample: {v}\n", False),
        ("README.md", "<!-- example {v} -->\n", False),
        # not a comment in that language: a URL fragment in YAML, a string holding '#' or '//'
        ("deploy.yaml", "url: x#example {v}\n", True),
        ("app.py", 'HOOK = "#example {v}"\n', True),
        ("app.js", 'const hook = "// example {v}";\n', True),
        ("app.py", '"""example"""\nHOOK = "{v}"  # see the example\n', True),
        # commented-out code with a real-looking value is still a value in the repository
        ("main.tf", '# url = "{v}"\n', True),
        # a language whose comments are not known: no comment is assumed
        ("notes.unknown", "# example {v}\n", True),
    ],
)
def test_only_values_a_comment_calls_examples_are_passed_over(name: str, text: str, reported: bool) -> None:
    value = "https://hooks.slack.com/services/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"
    assert bool(list(find_secrets(text.replace("{v}", value).encode(), name))) is reported


# --- rules through the engine -------------------------------------------------------------


def test_secret_messages_never_carry_the_whole_value(tmp_path: Path) -> None:
    token = "ghp_" + "R8d2Kq9ZpL4mW7xT1vN6bY3cH5jF0gAeUsQo"
    write(tmp_path, {"ci/run.sh": f"export GITHUB_TOKEN={token}\n"})
    (finding,) = findings(tmp_path, "TCOP-03-REPO-016")
    assert finding.position.line == 1 and token not in finding.message and "ghp_" in finding.message


def test_first_party_actions_are_trusted_by_default_and_others_reported_at_uses(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - name: lint\n        uses: github/super-linter@v6\n"
            "      - uses: Some-Org/Action/sub@v2\n",
        },
    )
    (finding,) = findings(tmp_path, "TCOP-06-REPO-003")
    assert finding.position.line == 9 and "some-org/action" in finding.message


def test_tagged_base_image_is_a_note_and_untagged_a_warning(tmp_path: Path) -> None:
    write(tmp_path, {"Dockerfile": "FROM python:3.12-slim AS base\nFROM base\nFROM ubuntu\n"})
    assert [(f.position.line, f.level) for f in findings(tmp_path, "TCOP-06-REPO-007")] == [(1, "note"), (3, "warning")]


def test_workflow_write_scope_at_top_is_only_a_note(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".github/workflows/a.yml": "on: push\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        },
    )
    assert [(f.position.line, f.level) for f in findings(tmp_path, "TCOP-06-REPO-004")] == [(2, "note")]


def test_broken_or_hostile_files_do_not_crash_the_checks(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".github/workflows/bad.yml": "on: [push\njobs: {",
            ".github/workflows/list.yml": "- just\n- a list\n",
            ".github/dependabot.yml": "updates: 7\n",
            "package.json": "[1, 2",
            "pyproject.toml": "[project\nname=",
            "Dockerfile": "FROM\nFROM \\\n",
            "data/x.csv": b"\xff\xfe\x00\x00",
            "docs/a.pdf": b"%PDF-1.4 pdfaid:part=",
            "CODEOWNERS": "[unclosed\n!*** @x\n",
            "index.html": "<html",
        },
    )
    for check_id in CHECKS:
        if CHECKS[check_id].reads == "repository":
            findings(tmp_path, check_id)


def test_content_checks_read_facts_from_the_load_phase_not_the_disk(tmp_path: Path, monkeypatch) -> None:
    import dataclasses

    from tcop_lint.core import files
    from tcop_lint.load.parallel import load_all

    token = "ghp_" + "R8d2Kq9ZpL4mW7xT1vN6bY3cH5jF0gAeUsQo"
    write(
        tmp_path,
        {
            "ci/run.sh": f"echo start\nexport GITHUB_TOKEN={token}\n",
            "docs/notes.md": b"caf\xe9\n",
            "data/rows.csv": "a,b\n1,2\n3\n",
            "web/index.html": "<!doctype html>\n<html>\n<body></body></html>\n",
            "LICENSE": "All rights reserved.\n",
        },
    )
    scope = discover([str(tmp_path)], root=tmp_path)
    settings = Settings()
    checks = [
        c
        for c in load_catalogue([builtin_checks_dir()])
        if c.id in ("TCOP-03-REPO-016", "TCOP-04-REPO-001", "TCOP-10-REPO-001", "TCOP-02-REPO-001")
    ]
    documents = load_documents(scope, settings)
    assert set(documents.content) == {"ci/run.sh", "docs/notes.md", "data/rows.csv", "web/index.html", "LICENSE"}
    assert token not in repr(documents.content)

    def no_reading(*_args, **_kwargs):
        raise AssertionError("a content check read a file again")

    monkeypatch.setattr(files, "read_file", no_reading)
    from_facts = sorted((f.check_id, f.file, f.position.line) for f in run_checks(checks, documents, settings).findings)
    assert from_facts == [
        ("TCOP-02-REPO-001", "web/index.html", 2),
        ("TCOP-03-REPO-016", "ci/run.sh", 2),
        ("TCOP-04-REPO-001", "docs/notes.md", 1),
        ("TCOP-10-REPO-001", "data/rows.csv", 3),
    ]
    monkeypatch.undo()
    # Documents without the facts (assembled elsewhere): the checks read nothing, so find nothing.
    bare = dataclasses.replace(documents, content=None)
    assert run_checks(checks, bare, settings).findings == ()
    # Clean files carry no facts, so a warm cache holds nothing for them.
    names = ("docs/guide.md",)
    (tmp_path / "docs/guide.md").write_text("# Guide\n", encoding="utf-8")
    assert load_all(tmp_path, names, settings.max_file_bytes)[0].content is None


def test_the_teams_own_organisation_is_not_third_party(tmp_path: Path) -> None:
    """Reusable workflows and actions of the repository's own organisation (its origin remote)
    are the team's code, not third-party; another organisation's still are."""
    import subprocess

    from tcop_lint.testing import scan_folder

    workflow = (
        "on: push\njobs:\n  shared:\n    uses: alphagov/govuk-infrastructure/.github/workflows/deploy.yml@main\n"
        "  other:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: someone/setup-thing@v1\n"
    )
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/ci.yml").write_text(workflow, encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["remote", "add", "origin", "git@github.com:alphagov/my-service.git"]):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True)
    found = scan_folder(tmp_path, ["TCOP-06-REPO-003"], use_git=True)
    assert [f.properties.get("action") for f in found] == ["someone/setup-thing"]


def test_a_missing_readme_is_a_warning_and_a_short_one_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"main.py": "print('hello')\n"})
    assert [f.level for f in findings(tmp_path, "TCOP-03-REPO-007")] == ["warning"]
    write(tmp_path, {"README.md": "# Tool\n\nA small tool.\n"})
    assert [(f.file, f.level) for f in findings(tmp_path, "TCOP-03-REPO-007")] == [("README.md", "note")]


def test_workflow_run_levels_follow_how_certain_the_exposure_is(tmp_path: Path) -> None:
    head = "${{ github.event.workflow_run.head_sha }}"
    job = (
        "on:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\n{permissions}jobs:\n  a:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n"
        f"          ref: {head}\n      - uses: actions/download-artifact@v4\n"
    )
    write(
        tmp_path,
        {
            ".github/workflows/writes.yml": job.replace("{permissions}", "permissions:\n  contents: write\n"),
            ".github/workflows/default.yml": job.replace("{permissions}", ""),
        },
    )
    found = sorted((f.file, f.position.line, f.level) for f in findings(tmp_path, "TCOP-06-REPO-005"))
    assert found == [
        (".github/workflows/default.yml", 11, "warning"),  # the default token may be read-only
        (".github/workflows/default.yml", 12, "warning"),  # artifacts downloaded, not yet run
        (".github/workflows/writes.yml", 13, "error"),
        (".github/workflows/writes.yml", 14, "warning"),
    ]


def test_script_injection_is_an_error_only_under_a_privileged_trigger(tmp_path: Path) -> None:
    body = 'jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.head_ref }}"\n'
    write(
        tmp_path,
        {
            ".github/workflows/fork.yml": "on: pull_request\n" + body,  # a fork's run has a read-only token
            ".github/workflows/target.yml": "on: pull_request_target\n" + body,
        },
    )
    found = sorted((f.file, f.level) for f in findings(tmp_path, "TCOP-06-REPO-005"))
    assert found == [(".github/workflows/fork.yml", "warning"), (".github/workflows/target.yml", "error")]
