"""Modules terraform init installed: found from each root's modules.json, never outside the root."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tcop_lint.discover.discovery import discover


def manifest(*entries: tuple[str, str]) -> str:
    return json.dumps({"Modules": [{"Key": "", "Dir": "."}, *({"Key": k, "Dir": d} for k, d in entries)]})


def test_installed_modules_and_their_files_are_listed_apart_from_the_repository(tmp_path: Path) -> None:
    (tmp_path / "live/.terraform/modules/vpc/modules/sub").mkdir(parents=True)
    (tmp_path / "live/main.tf").write_text('module "vpc" {\n  source = "x/vpc/aws"\n}\n')
    (tmp_path / "live/.terraform/modules/modules.json").write_text(
        manifest(("vpc", ".terraform/modules/vpc"), ("vpc.sub", ".terraform/modules/vpc/modules/sub"), ("own", "mod"))
    )
    (tmp_path / "live/.terraform/modules/vpc/main.tf").write_text("")
    (tmp_path / "live/.terraform/modules/vpc/README.md").write_text("")
    (tmp_path / "live/.terraform/modules/vpc/modules/sub/main.tf").write_text("")
    scope = discover([str(tmp_path)], use_git=False)
    assert scope.files == ("live/main.tf",)
    assert scope.installed_modules == (
        ("live", (("vpc", "live/.terraform/modules/vpc"), ("vpc.sub", "live/.terraform/modules/vpc/modules/sub"))),
    )
    assert scope.module_files == (
        "live/.terraform/modules/vpc/main.tf",
        "live/.terraform/modules/vpc/modules/sub/main.tf",
    )


def test_a_manifest_leading_out_of_the_root_or_broken_is_ignored(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "m").mkdir(parents=True)
    (outside / "m/main.tf").write_text("")
    repo = tmp_path / "repo"
    (repo / "a/.terraform/modules").mkdir(parents=True)
    (repo / "a/main.tf").write_text("")
    (repo / "a/.terraform/modules/modules.json").write_text(manifest(("m", "../../outside/m")))
    (repo / "b/.terraform/modules").mkdir(parents=True)
    (repo / "b/main.tf").write_text("")
    (repo / "b/.terraform/modules/modules.json").write_text("{not json")
    (repo / "c/.terraform").mkdir(parents=True)
    (repo / "c/main.tf").write_text("")
    os.symlink(outside, repo / "c/.terraform/modules")
    scope = discover([str(repo)], use_git=False)
    assert scope.module_files == ()
    assert scope.installed_modules == (("a", ()),)
