"""Repository facts: licence files, README, security contact, community files, secrets, git."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from repo_helpers import write_files as make
from test_licences import GDS_MIT, GDS_README, shipped

from tcop_lint.assemble.repository import repository_facts
from tcop_lint.check.rules import repository as rules
from tcop_lint.core.files import READ_LIMIT
from tcop_lint.core.model import Documents, GitState, Position, ReadmeLicence, RepositoryFacts, SecurityContact
from tcop_lint.core.settings import RuleContext, Settings
from tcop_lint.load.loading import load_file
from tcop_lint.testing import rule_context


def facts_of(root: Path, files: tuple[str, ...], is_git: bool = False) -> RepositoryFacts:
    """The repository facts as a scan makes them: each file loaded first, then assembled."""
    loaded = {name: load_file(root, name, 1_000_000).content for name in files}
    return repository_facts(root, files, is_git, {n: c for n, c in loaded.items() if c is not None})


def test_a_well_kept_repository(tmp_path: Path) -> None:
    files = make(
        tmp_path,
        {
            "LICENCE": GDS_MIT,
            "LICENSES/OGL-UK-3.0.txt": shipped("OGL-UK-3.0.txt"),
            "README.md": GDS_README,
            ".github/SECURITY.md": "# Security\n\nEmail security@example.gov.uk\n",
            ".github/CODEOWNERS": "* @alphagov/example-team\n",
            ".github/workflows/ci.yml": "on: push\n",
            ".github/workflows/scripts/helper.yml": "not a workflow\n",
            "docs/CONTRIBUTING.md": "# Contributing\n",
            "src/app.py": "print('hello')\n",
        },
    )
    facts = repo = facts_of(tmp_path, files)
    assert repo.root == str(tmp_path) and repo.files == files and repo.is_git is False and repo.gathered
    assert [(f.path, f.location, f.spdx_id, f.method) for f in facts.licence_files] == [
        ("LICENCE", "root", "MIT", "exact"),
        ("LICENSES/OGL-UK-3.0.txt", "LICENSES", "OGL-UK-3.0", "exact"),
    ]
    assert facts.readme == "README.md" and facts.readme_chars > 200
    assert facts.readme_licence == ReadmeLicence("MIT", 0.6, "statement", 9)
    assert facts.security_contacts == (SecurityContact(".github/SECURITY.md", "security-policy", 1),)
    assert facts.codeowners == ".github/CODEOWNERS"
    assert facts.contributing == "docs/CONTRIBUTING.md"
    assert facts.workflows == (".github/workflows/ci.yml",)
    assert facts.secret_files == ()
    assert facts.git is None


@pytest.mark.parametrize(
    ("name", "is_licence"),
    [
        ("LICENSE", True),
        ("licence.md", True),
        ("License.txt", True),
        ("LICENCE.rst", True),
        ("COPYING", True),
        ("COPYING.LESSER", True),
        ("UNLICENSE", True),
        ("LICENSE-MIT", True),
        ("LICENCE-OGL.md", True),
        ("license.py", False),
        ("licenses.json", False),
        ("LICENSE.html", False),
        ("docs/LICENSE", False),
        ("README.md", False),
        ("licensing-notes.md", False),
    ],
)
def test_licence_file_names(tmp_path: Path, name: str, is_licence: bool) -> None:
    files = make(tmp_path, {name: GDS_MIT})
    found = [f.path for f in facts_of(tmp_path, files, False).licence_files]
    assert found == ([name] if is_licence else [])


def test_empty_and_unknown_licence_files(tmp_path: Path) -> None:
    files = make(tmp_path, {"LICENSE": "", "COPYING": "You may look but not touch.\n"})
    entries = {f.path: f for f in facts_of(tmp_path, files, False).licence_files}
    assert entries["LICENSE"].empty is True and entries["LICENSE"].method == "empty"
    assert entries["COPYING"].empty is False and entries["COPYING"].spdx_id is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_links_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "repo"
    make(outside, {"secret-licence.txt": GDS_MIT, "id_rsa": "-----BEGIN RSA PRIVATE KEY-----\nx\n"})
    root.mkdir()
    (root / "LICENSE").symlink_to(outside / "secret-licence.txt")
    (root / "README.md").symlink_to(outside / "secret-licence.txt")
    (root / "id_rsa").symlink_to(outside / "id_rsa")
    facts = facts_of(root, ("LICENSE", "README.md", "id_rsa"), False)
    assert facts.licence_files[0].method == "unreadable"
    assert facts.readme_chars == 0
    assert facts.secret_files == ()


def test_large_files_are_read_only_up_to_the_limit(tmp_path: Path) -> None:
    files = make(tmp_path, {"LICENSE": GDS_MIT + "x" * (READ_LIMIT * 2)})
    entry = facts_of(tmp_path, files, False).licence_files[0]
    assert entry.spdx_id is None and entry.method == "none"


def test_missing_and_odd_files_never_raise(tmp_path: Path) -> None:
    make(tmp_path, {"LICENSE": b"\xff\xfe\x00binary\x00"})
    (tmp_path / "README.md").mkdir()
    facts = facts_of(tmp_path, ("LICENSE", "README.md", "gone/.env", "COPYING"), False)
    assert facts.error is None
    assert [f.method for f in facts.licence_files] == ["unreadable", "none"]


@pytest.mark.parametrize(
    ("readme", "line"),
    [
        ("# Tool\n\n## Security\n\nPlease email security@example.gov.uk about problems.\n", 5),
        ("# Tool\n\nTo report a vulnerability, use\nhttps://vdp.cabinetoffice.gov.uk\n", 4),
        ("# Tool\n\nSee [our policy](SECURITY.md) about vulnerabilities.\n", 3),
        ("# Tool\n\nSecurity is important to us.\n\n## Usage\n\n\n\nSee https://example.org/docs\n", None),
        ("# Tool\n\nContact us at team@example.gov.uk\n", None),
    ],
)
def test_security_contact_in_readme(tmp_path: Path, readme: str, line: int | None) -> None:
    files = make(tmp_path, {"README.md": readme})
    contacts = facts_of(tmp_path, files, False).security_contacts
    assert contacts == (() if line is None else (SecurityContact("README.md", "readme-section", line),))


def test_security_txt_locations(tmp_path: Path) -> None:
    files = make(
        tmp_path,
        {
            "security.txt": "Contact: mailto:security@example.gov.uk\n",
            "app/static/.well-known/security.txt": "Contact: https://vdp.cabinetoffice.gov.uk\n",
            "docs/SECURITY.md": "# Security\n",
            "src/security.md": "not a policy\n",
        },
    )
    contacts = facts_of(tmp_path, files, False).security_contacts
    assert [(c.path, c.kind) for c in contacts] == [
        ("app/static/.well-known/security.txt", "security-txt"),
        ("docs/SECURITY.md", "security-policy"),
        ("security.txt", "security-txt"),
    ]


def test_secret_files(tmp_path: Path) -> None:
    files = make(
        tmp_path,
        {
            "infra/prod.tfstate": "{}",
            "infra/prod.tfstate.backup": "{}",
            "keys/deploy.pem": "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----\nabc\n",
            "keys/ca.pem": "-----BEGIN CERTIFICATE-----\nabc\n",
            "keys/client.p12": b"\x30\x82\x01\x00",
            "home/.ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n",
            ".env": "PORT=3000\nAPI_TOKEN=ghp_Jx7Rk2Vq9Lm4Tw8Nc3Bh6Pz1Sd5Fg0YaEuKo\n",
            "app/.env.production": "DATABASE_URL=postgres://app:s3cr3t-pw@db.internal:5432/app\n",
            "app/.env.example": "API_TOKEN=real-looking-but-example\n",
            "app/.env.test": "SECRET_KEY=\nPASSWORD=changeme\nTOKEN=${TOKEN}\nDEBUG=true\n",
        },
    )
    found = {(s.path, s.kind, s.line) for s in facts_of(tmp_path, files, False).secret_files}
    assert found == {
        ("infra/prod.tfstate", "terraform-state", 1),
        ("infra/prod.tfstate.backup", "terraform-state", 1),
        ("keys/deploy.pem", "private-key", 4),
        ("keys/client.p12", "key-store", 1),
        ("home/.ssh/id_ed25519", "private-key", 1),
        (".env", "dotenv", 2),
        ("app/.env.production", "dotenv", 1),
    }


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git executable")
def test_git_facts(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(tmp_path)], check=True, env=env)
    assert facts_of(tmp_path, (), True).git == GitState("trunk", False, None)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "first",
        ],
        check=True,
        env=env,
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    assert facts_of(sub, (), True).git == GitState("trunk", True, None)


def test_git_facts_outside_a_repository_do_not_raise(tmp_path: Path) -> None:
    git = facts_of(tmp_path, (), True).git
    assert git is not None and git.branch is None and git.has_commits is False and git.error


# --- rules on the facts ------------------------------------------------------------------


def context(
    root: Path, files: tuple[str, ...], allowed: tuple[str, ...] = ("@osi-approved", "OGL-UK-3.0")
) -> RuleContext:
    loaded = {name: load_file(root, name, 1_000_000).content for name in files}
    content = {n: c for n, c in loaded.items() if c is not None}
    return rule_context(
        rules.licence_is_open,
        Documents(repository=repository_facts(root, files, False, content), content=content),
        Settings(allowed_licences=allowed),
    )


def test_licence_is_open_uses_the_readme_when_no_licence_file_is_identified(tmp_path: Path) -> None:
    files = make(
        tmp_path, {"README.md": "# X\n\n## Licence\n\nThis project is licensed under the Elastic License 2.0.\n"}
    )
    hits = list(rules.licence_is_open(context(tmp_path, files)))
    assert [(h.file, h.position, h.properties["spdx_id"]) for h in hits] == [
        ("README.md", Position(5, 1), "Elastic-2.0")
    ]
    assert list(rules.licence_is_open(context(tmp_path, files, ("Elastic-2.0",)))) == []


def test_licence_is_open_passes_when_any_identified_licence_is_allowed(tmp_path: Path) -> None:
    files = make(tmp_path, {"LICENSE": GDS_MIT, "LICENSE-docs": shipped("CC-BY-NC-4.0.txt")})
    assert list(rules.licence_is_open(context(tmp_path, files))) == []
    only_nc = make(tmp_path / "nc", {"LICENSE": shipped("CC-BY-NC-4.0.txt")})
    hits = list(rules.licence_is_open(context(tmp_path / "nc", only_nc)))
    assert len(hits) == 1 and hits[0].properties["licence_class"] == "non-open"


def test_rules_stay_silent_when_facts_are_missing(tmp_path: Path) -> None:
    documents = Documents(repository=RepositoryFacts(str(tmp_path), (), False))
    for rule in (
        rules.licence_file_present,
        rules.licence_identifiable,
        rules.licence_is_open,
        rules.readme_present,
        rules.vulnerability_reporting_route,
        rules.secret_files,
    ):
        assert list(rule(rule_context(rule, documents))) == []


def test_repository_level_hits_have_no_file(tmp_path: Path) -> None:
    hits = list(rules.licence_file_present(context(tmp_path, ())))
    assert len(hits) == 1 and hits[0].file is None and hits[0].position is None
