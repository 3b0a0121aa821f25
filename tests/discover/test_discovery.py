"""Discovery: git-aware listing, excludes, explicit files, never outside the root."""

from __future__ import annotations

from pathlib import Path

import pytest
from repo_helpers import git

from tcop_lint.discover.discovery import DiscoveryError, discover, start_listing
from tcop_lint.load.loading import read_text


def make_tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def test_a_plain_folder_is_walked_without_tool_folders(tmp_path: Path) -> None:
    make_tree(
        tmp_path, ["main.tf", ".terraform/modules/x/main.tf", "node_modules/a/b.yaml", "k8s/app.yaml", ".git/config"]
    )
    scope = discover([str(tmp_path)])
    assert scope.files == ("k8s/app.yaml", "main.tf") and not scope.is_git and not scope.explicit


def test_a_git_work_tree_lists_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    make_tree(tmp_path, ["main.tf", "secret.tfvars", "new.yaml", "build/out.json"])
    (tmp_path / ".gitignore").write_text("build/\n*.tfvars\n", encoding="utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "main.tf", ".gitignore")
    git(tmp_path, "commit", "-qm", "start")
    scope = discover([str(tmp_path)])
    assert scope.is_git
    assert scope.files == (".gitignore", "main.tf", "new.yaml")


def test_a_sub_folder_of_a_work_tree_is_its_own_root(tmp_path: Path) -> None:
    make_tree(tmp_path, ["top.tf", "service/main.tf", "service/k8s/app.yaml"])
    git(tmp_path, "init", "-q")
    scope = discover([str(tmp_path / "service")])
    assert scope.root == (tmp_path / "service").resolve()
    assert scope.files == ("k8s/app.yaml", "main.tf")


def test_excludes_use_gitignore_patterns(tmp_path: Path) -> None:
    make_tree(tmp_path, ["main.tf", "legacy/old.tf", "docs/a.yaml", "deep/docs/b.yaml"])
    scope = discover([str(tmp_path)], exclude=["legacy/", "/docs/"])
    assert scope.files == ("deep/docs/b.yaml", "main.tf")


def test_explicit_files_are_targets_inside_the_whole_repository(tmp_path: Path, monkeypatch) -> None:
    make_tree(tmp_path, ["infra/main.tf", "infra/variables.tf", "k8s/app.yaml", "README.md"])
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    scope = discover(["infra/main.tf", "k8s/app.yaml"])
    assert scope.explicit and scope.root == tmp_path.resolve()
    assert scope.targets == ("infra/main.tf", "k8s/app.yaml")
    assert "README.md" in scope.files


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="no such file"):
        discover([str(tmp_path / "absent")])


def test_links_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, ["secret.tf"])
    root = tmp_path / "repo"
    make_tree(root, ["main.tf"])
    (root / "linked.tf").symlink_to(outside / "secret.tf")
    (root / "linked-dir").symlink_to(outside, target_is_directory=True)
    scope = discover([str(root)])
    assert "linked-dir/secret.tf" not in scope.files
    text, problem = read_text(scope.root, "linked.tf", 1000)
    assert text is None and problem is not None and "outside the scanned root" in problem.message


def test_files_over_the_size_limit_are_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "big.tf").write_text("x" * 50, encoding="utf-8")
    text, problem = read_text(tmp_path.resolve(), "big.tf", 10)
    assert text is None and problem.skipped and "limit" in problem.message


def test_binary_and_non_utf8_files_are_problems(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"\x00\x01binary")
    (tmp_path / "b.yaml").write_bytes(b"name: caf\xe9\n")
    assert "binary" in read_text(tmp_path.resolve(), "a.yaml", 1000)[1].message
    assert "UTF-8" in read_text(tmp_path.resolve(), "b.yaml", 1000)[1].message


def test_a_listing_started_early_gives_what_discovery_would_list(tmp_path: Path) -> None:
    make_tree(tmp_path, ["main.tf", "infra/app/main.tf", "k8s/app.yaml"])
    git(tmp_path, "init", "-q")
    early = start_listing([str(tmp_path / "infra")])
    assert early is not None and early.root == tmp_path.resolve() / "infra"
    assert discover([str(tmp_path / "infra")], listing=early) == discover([str(tmp_path / "infra")])
    # a listing of another root is not used, and its process is reaped
    other = start_listing([str(tmp_path)])
    assert other is not None
    assert discover([str(tmp_path / "k8s")], listing=other).files == ("app.yaml",)
    assert other.process.returncode is not None


def test_nothing_is_started_outside_a_work_tree(tmp_path: Path) -> None:
    make_tree(tmp_path / "plain", ["main.tf"])
    assert start_listing([str(tmp_path / "plain")]) is None


def test_an_unused_listing_is_stopped(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    listing = start_listing([str(tmp_path)])
    assert listing is not None
    listing.stop()
    assert listing.process.returncode is not None
    listing.stop()  # twice is harmless
