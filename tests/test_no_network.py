"""tcop-lint never uses the network: scans run in a process whose sockets raise, and every
attempt is recorded (the guard in hostile_repo.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hostile_repo  # noqa: E402
from repo_helpers import write_files  # noqa: E402

MAIN = Path(__file__).resolve().parents[1]

TEMPTING = {
    "LICENCE": "MIT License\n\nSee https://opensource.org/licenses/MIT\n",
    "README.md": "# Service\n\nDocs: https://example.gov.uk/docs\n",
    "main.tf": (
        'provider "aws" {\n  region = "us-east-1"\n}\n\n'
        'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n\n'
        'module "remote" {\n  source = "git::https://github.com/example/module.git?ref=v1.0.0"\n}\n\n'
        'module "bucket" {\n  source = "https://example.com/module.zip"\n}\n\n'
        'data "http" "ip" {\n  url = "https://checkip.amazonaws.com"\n}\n\n'
        'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n'
    ),
    "api/openapi.yaml": (
        "openapi: 3.0.3\ninfo:\n  title: Remote refs\n  version: '1'\n  license:\n    name: MIT\n"
        "    url: https://opensource.org/licenses/MIT\nservers:\n  - url: https://api.example.gov.uk\n"
        "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n              schema:\n"
        "                $ref: 'https://example.com/schemas/thing.yaml#/Thing'\n"
        "  /b:\n    $ref: 'http://127.0.0.1:9/paths.yaml#/b'\n"
    ),
    "k8s/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n          image: registry.example.com/web:1.0\n"
    ),
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
    ),
}


def _run_guarded(tmp_path: Path, code: str) -> list[tuple[str, str]]:
    env, record = hostile_repo.guard(tmp_path / "guard", tmp_path / "outside")
    (tmp_path / "outside").mkdir(exist_ok=True)
    (tmp_path / "outside" / "secret.txt").write_text("x", encoding="utf-8")
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    return hostile_repo.reached(record)


def test_the_guard_blocks_and_records_a_connection(tmp_path):
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('127.0.0.1', 9), timeout=1)\nexcept OSError:\n    pass\n"
        "try:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\nexcept OSError:\n    pass\n"
        "import urllib.request\n"
        "try:\n    urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)\nexcept Exception:\n    pass\n"
    )
    kinds = [kind for kind, _ in _run_guarded(tmp_path, code)]
    assert kinds.count("network") >= 3


def test_the_guard_records_reading_outside_and_running_programs(tmp_path):
    code = f"open({str(tmp_path / 'outside' / 'secret.txt')!r}).read()\nimport subprocess\nsubprocess.run(['true'])\n"
    kinds = {kind for kind, _ in _run_guarded(tmp_path, code)}
    assert {"outside", "process"} <= kinds


def _scan_guarded(tmp_path: Path, root: Path) -> tuple[dict, list[tuple[str, str]]]:
    env, record = hostile_repo.guard(tmp_path / "guard")
    done = hostile_repo.scan(root, env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return json.loads(done.stdout), hostile_repo.reached(record)


def test_scanning_the_example_repository_uses_no_network(tmp_path):
    report, reached = _scan_guarded(tmp_path, MAIN / "examples" / "service-repo")
    assert report["findings"] and report["crashes"] == []
    assert [r for r in reached if r[0] == "network"] == []


def test_remote_references_are_never_fetched(tmp_path):
    root = tmp_path / "repo"
    write_files(root, TEMPTING)
    report, reached = _scan_guarded(tmp_path, root)
    assert report["crashes"] == []
    assert {f["file"] for f in report["findings"]} >= {"main.tf", "api/openapi.yaml", "k8s/deploy.yaml"}
    assert [r for r in reached if r[0] == "network"] == []
    assert [r for r in reached if r[0] == "process"] == []  # not a git work tree: no program at all
