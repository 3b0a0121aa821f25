"""The catalogue checks added last: OpenAPI validity and design, README, personal data,
dataset licences and secrets in git history, on real parsers and real git repositories."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest
from repo_helpers import git

from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.check.rules.openapi_catalogue import case_style
from tcop_lint.check.rules.repo_data import licence_id, personal_value, read_small
from tcop_lint.testing import scan_checks, scan_folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- TCOP-04-OAS-002 ----------------------------------------------------------------------

REMOTE_REFS = """openapi: 3.0.3
info: {title: Remote, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'https://example.com/schemas/thing.yaml#/Thing'
  /b:
    $ref: 'http://127.0.0.1:9/paths.yaml#/b'
  /c:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                default: {x: 1}
                properties:
                  x: {$ref: 'ftp://example.com/x.json'}
"""


def test_validation_never_fetches_a_remote_reference(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, "openapi.yaml", REMOTE_REFS)
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert scan_folder(tmp_path, ["TCOP-04-OAS-002"]) == ()
    assert attempts == []


def test_openapi_3_1_errors_are_placed_at_the_offending_key(tmp_path: Path) -> None:
    write(
        tmp_path, "api.yaml", "openapi: 3.1.0\ninfo:\n  title: T\n  version: '1'\n  licence: {name: MIT}\npaths: {}\n"
    )
    found = scan_folder(tmp_path, ["TCOP-04-OAS-002"])
    assert [(f.position.line, "licence" in f.message) for f in found] == [(5, True)]


def test_an_unknown_version_is_reported_at_the_version_key(tmp_path: Path) -> None:
    write(tmp_path, "api.yaml", "info: {title: T, version: '1'}\nopenapi: 4.0.0\npaths: {}\n")
    found = scan_folder(tmp_path, ["TCOP-04-OAS-002"])
    assert [f.position.line for f in found] == [2]


def test_deep_schemas_do_not_crash_the_check(tmp_path: Path) -> None:
    nested = "{type: object, properties: {a: " * 150 + "{type: string}" + "}}" * 150
    write(
        tmp_path,
        "api.yaml",
        f"openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    Deep: {nested}\n",
    )
    scan_folder(tmp_path, ["TCOP-04-OAS-002"])  # no crash is the assertion (scan_folder raises on one)


# --- TCOP-09-OAS-008 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, style",
    [
        ("first_name", "snake_case"),
        ("firstName", "camelCase"),
        ("FirstName", "PascalCase"),
        ("first-name", "kebab-case"),
        ("FIRST_NAME", "SCREAMING_SNAKE_CASE"),
        ("postcode", None),
        ("user_Name", None),
        ("addressLine1", "camelCase"),
        ("address_line_1", "snake_case"),
    ],
)
def test_case_styles(name: str, style: str | None) -> None:
    assert case_style(name) == style


def test_an_enforced_style_reports_every_other_style(tmp_path: Path) -> None:
    checks = tmp_path / "checks"
    source = Path(builtin_checks_dir()) / "tcop-09" / "TCOP-09-OAS-008" / "check.yaml"
    write(
        checks,
        "tcop-09/TCOP-09-OAS-901/check.yaml",
        source.read_text(encoding="utf-8")
        .replace("TCOP-09-OAS-008", "TCOP-09-OAS-901")
        .replace("  target: openapi.document\n", "  target: openapi.document\n  options: {style: camelCase}\n"),
    )
    repo = tmp_path / "repo"
    write(
        repo,
        "api.yaml",
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n"
        "      properties:\n        first_name: {type: string}\n        last_name: {type: string}\n        ageYears: "
        "{type: integer}\n",
    )
    check = load_catalogue([checks])
    assert [c.rule["options"] for c in check] == [{"style": "camelCase"}]
    found = scan_folder(repo, ["TCOP-09-OAS-901"], checks_dir=checks)
    assert sorted(f.position.line for f in found) == [8, 9]


# --- TCOP-07-REPO-001 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, value, personal",
    [
        ("email address", "sam.jones@gmail.com", True),
        ("email address", "sam@example.com", False),
        ("email address", "sam@mail.example.org", False),
        ("email address", "not an address", False),
        ("National Insurance number", "AB 12 34 56 C", True),
        ("National Insurance number", "QQ123456C", False),
        ("National Insurance number", "GB123456A", False),
        ("NHS number", "943 476 5919", True),
        ("NHS number", "9434765918", False),
        ("NHS number", "9990001234", False),
        ("phone number", "07912 345678", True),
        ("phone number", "07700 900123", False),
        ("phone number", "+44 20 7946 0123", False),
        ("postcode", "LS1 4AP", True),
        ("postcode", "not a postcode", False),
    ],
)
def test_personal_values(kind: str, value: str, personal: bool) -> None:
    assert personal_value(kind, value) is personal


def test_one_contact_address_in_a_manifest_is_not_personal_data(tmp_path: Path) -> None:
    write(tmp_path, "catalog-info.yaml", "metadata:\n  owner:\n    email: team.lead@gmail.com\n")
    write(tmp_path, "people.json", '[{"email": "a.person@gmail.com"}]')
    assert scan_folder(tmp_path, ["TCOP-07-REPO-001"]) == ()


# --- the bounded reader -------------------------------------------------------------------


def test_the_reader_refuses_links_and_caps_size(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.csv", "email\nx@gmail.com\n")
    root = tmp_path / "repo"
    write(root, "big.csv", "a" * 5000)
    os.symlink(outside, root / "linked.csv")
    os.symlink(outside.parent, root / "linked-dir")
    assert read_small(str(root), "linked.csv") is None
    assert read_small(str(root), "linked-dir/secret.csv") is None
    assert read_small(str(root), "../outside/secret.csv") is None
    assert read_small(str(root), "missing.csv") is None
    assert len(read_small(str(root), "big.csv", 100) or b"") == 100


# --- TCOP-10-REPO-002 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, spdx",
    [
        ("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "OGL-UK-3.0"),
        ("OGL-UK-3.0", "OGL-UK-3.0"),
        ("Open Government Licence v3.0", "OGL-UK-3.0"),
        ("CC-BY-4.0", "CC-BY-4.0"),
        ("", None),
    ],
)
def test_licence_ids(value: str, spdx: str | None) -> None:
    assert licence_id(value) == spdx


def test_the_code_licence_at_the_root_does_not_cover_a_data_folder(tmp_path: Path) -> None:
    write(tmp_path, "LICENCE", "Open Government Licence v3.0\n")
    write(tmp_path, "data/rates.csv", "year,rate\n2024,1.5\n")
    assert [f.file for f in scan_folder(tmp_path, ["TCOP-10-REPO-002"])] == ["data/rates.csv"]


# --- TCOP-08-REPO-001 ---------------------------------------------------------------------


def test_a_contributing_file_counts_as_saying_how_to_contribute(tmp_path: Path) -> None:
    write(
        tmp_path,
        "README.md",
        "# Tool\n\nThis tool checks the format of the files that councils send us each month.\n\n"
        "## Usage\n\nRun it with a folder name.\n",
    )
    write(tmp_path, "CONTRIBUTING.md", "Open a pull request.\n")
    assert scan_folder(tmp_path, ["TCOP-08-REPO-001"]) == ()


# --- TCOP-03-GIT-001 ----------------------------------------------------------------------

AWS_KEY = "AKIAQ7RZ3XKD5PLM2WNY"


def make_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "Dev")
    return path


def commit(repo: Path, message: str, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        if text is None:
            (repo / name).unlink()
        else:
            write(repo, name, text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def test_secrets_still_in_head_are_left_to_the_file_check(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit(repo, "one", {"deploy/upload.sh": f"KEY={AWS_KEY}\n"})
    commit(repo, "two", {"deploy/upload.sh": f"# upload\nKEY={AWS_KEY}\n", "README.md": "# R\n"})
    assert scan_folder(repo, ["TCOP-03-GIT-001"], use_git=True) == ()


def test_a_secret_in_a_file_moved_to_another_folder_is_still_in_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit(repo, "add", {"deploy/upload.sh": f"KEY={AWS_KEY}\n"})
    commit(repo, "move", {"deploy/upload.sh": None, "scripts/upload.sh": f"# moved\nKEY={AWS_KEY}\n"})
    assert scan_folder(repo, ["TCOP-03-GIT-001"], use_git=True) == ()
    commit(repo, "rotate", {"scripts/upload.sh": "KEY=${AWS_KEY_FROM_VAULT}\n"})
    found = scan_folder(repo, ["TCOP-03-GIT-001"], use_git=True)  # gone from HEAD: history holds it
    assert sorted(f.properties["path"] for f in found) == ["deploy/upload.sh", "scripts/upload.sh"]


def test_a_removed_secret_is_reported_once_with_its_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit(repo, "add", {"deploy/upload.sh": f"KEY={AWS_KEY}\n"})
    commit(repo, "edit", {"deploy/upload.sh": f"# upload\nKEY={AWS_KEY}\n"})
    commit(repo, "remove", {"deploy/upload.sh": None, "README.md": "# R\n"})
    found = scan_folder(repo, ["TCOP-03-GIT-001"], use_git=True)
    assert len(found) == 1
    assert found[0].file is None and "deploy/upload.sh" in found[0].message
    assert AWS_KEY not in found[0].message
    first = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--max-parents=0", "HEAD"], capture_output=True, text=True
    ).stdout
    assert first[:8] in found[0].message


def history_check_bounded(folder: Path, max_commits: int) -> tuple:
    """TCOP-03-GIT-001 as a local check that reads only the newest ``max_commits`` commits."""
    source = Path(builtin_checks_dir()) / "tcop-03" / "TCOP-03-GIT-001" / "check.yaml"
    write(
        folder,
        "tcop-03/TCOP-03-GIT-901/check.yaml",
        source.read_text(encoding="utf-8")
        .replace("TCOP-03-GIT-001", "TCOP-03-GIT-901")
        .replace(
            "function: secrets_in_history\n",
            f"function: secrets_in_history\n  options: {{max_commits: {max_commits}}}\n",
        ),
    )
    bounded = load_catalogue([folder])
    assert [c.rule["options"] for c in bounded] == [{"max_commits": max_commits}]
    return bounded


def test_history_beyond_the_commit_bound_is_not_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit(repo, "add", {"key.txt": f"{AWS_KEY}\n"})
    commit(repo, "remove", {"key.txt": None, "a.txt": "a\n"})
    commit(repo, "more", {"b.txt": "b\n"})
    commit(repo, "more", {"c.txt": "c\n"})
    bounded = history_check_bounded(tmp_path / "checks", 2)
    assert scan_checks(repo, bounded, use_git=True) == ()
    assert len(scan_folder(repo, ["TCOP-03-GIT-001"], use_git=True)) == 1


def test_the_oldest_commit_within_the_bound_stands_for_its_whole_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit(repo, "add", {"key.txt": f"{AWS_KEY}\n"})
    commit(repo, "unrelated", {"a.txt": "a\n"})
    commit(repo, "remove", {"key.txt": None})
    (found,) = scan_checks(repo, history_check_bounded(tmp_path / "checks", 2), use_git=True)
    # the key came in before the window: the window's first commit still held it
    assert git(repo, "rev-parse", "HEAD~1")[:8] in found.message


def test_a_secret_brought_in_on_a_merged_branch_names_the_branch_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    commit(repo, "base", {"README.md": "# R\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "add key", {"deploy/key.txt": f"{AWS_KEY}\n"})
    added = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    commit(repo, "main moves on", {"a.txt": "a\n"})
    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    commit(repo, "remove key", {"deploy/key.txt": None})
    (found,) = scan_folder(repo, ["TCOP-03-GIT-001"], use_git=True)
    assert found.properties["path"] == "deploy/key.txt" and found.properties["commit"] == added
