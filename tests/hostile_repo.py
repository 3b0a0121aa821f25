"""Builds a repository of hostile and broken input, for tests, the fuzz run and the benchmark.

``build(root, outside)`` writes the repository into ``root`` and a few files into ``outside``
(a folder that must not be read: links point there). It returns a ``Hostile`` naming every
file the scan must report, so a test can check each one is in the report's problems.

Run as a script to build one in a folder: ``python tests/hostile_repo.py DIR``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEEP = 100_000  # nesting levels in the deep files: far past any recursion limit, under 1 MB
OUTSIDE_MARKER = "OUTSIDE-THE-ROOT-9f3c"  # appears only in files outside the root
EXECUTED_MARKER = "executed.marker"  # created (in ``outside``) only if repository content ran
MAX_FILE_BYTES = 1024 * 1024  # the hostile repository's own limit, from its .tcop-lint.yaml


@dataclass(frozen=True)
class Hostile:
    root: Path
    outside: Path
    reported: frozenset[str]  # files that must appear in the report's problems
    links_out: frozenset[str]  # links leading out of the root (reported at note level)
    good_findings: frozenset[tuple[str, str]]  # (file, check id) still found beside broken input


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


PRIVILEGED_POD = """apiVersion: v1
kind: Pod
metadata:
  name: good-one
spec:
  containers:
    - name: app
      image: nginx:latest
      securityContext:
        privileged: true
"""

OPEN_BUCKET = f"""resource "aws_s3_bucket" "outside" {{
  bucket = "{OUTSIDE_MARKER}"
}}
"""


def _deep_files() -> dict[str, str]:
    n = DEEP
    return {
        "deep/flow.yaml": "apiVersion: v1\nkind: List\nitems: " + "[" * n + "]" * n + "\n",
        "deep/block.yaml": "apiVersion: v1\nkind: List\n"
        + "".join(" " * i + "a:\n" for i in range(1000))
        + " " * 1000
        + "a: 1\n",
        "deep/array.json": '{"apiVersion": "v1", "kind": "List", "items": ' + "[" * n + "]" * n + "}",
        "deep/object.json": '{"openapi": "3.0.0", "paths": ' + '{"a":' * n + "1" + "}" * n + "}",
        "deep/list.tf": "locals {\n  x = " + "[" * n + "]" * n + "\n}\n",
        "deep/object.tf": "locals {\n  x = " + "{a = " * n + "1" + "}" * n + "\n}\n",
        "deep/blocks.tf": 'resource "a" "b" {\n' + "a {\n" * 20_000 + "}\n" * 20_000 + "}\n",
        "deep/parens.tf": "locals {\n  x = " + "(" * n + "1" + ")" * n + "\n}\n",
        "deep/vars.tfvars": "x = " + "[" * n + "]" * n + "\n",
        "deep/main.tf.json": '{"locals": {"x": ' + "[" * n + "]" * n + "}}",
        "deep/vars.tfvars.json": '{"x": ' + '{"a":' * n + "1" + "}" * n + "}",
    }


def _alias_bomb() -> str:
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for i in range(1, 12):
        previous = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([previous] * 9)}]")
    return "\n".join(lines) + "\n"


OPENAPI_CYCLES = """openapi: 3.0.3
info:
  title: Cycles
  version: "1.0"
paths:
  /things:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/A"
  /remote:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "http://127.0.0.1:9/never-fetched.yaml#/Thing"
  /other-file:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "./cycle-b.yaml#/B"
components:
  schemas:
    A:
      $ref: "#/components/schemas/B"
    B:
      $ref: "#/components/schemas/A"
    Self:
      $ref: "#/components/schemas/Self"
    Tree:
      type: object
      properties:
        child:
          $ref: "#/components/schemas/Tree"
"""

CYCLE_B = """B:
  $ref: "./openapi.yaml#/components/schemas/A"
"""

MULTI_DOCUMENT = (
    """apiVersion: v1
kind: ConfigMap
metadata:
  name: fine
data:
  a: "1"
---
apiVersion: v1
kind: Service
metadata: {name: broken
  spec: [
---
"""
    + PRIVILEGED_POD
)


def _contents(outside: Path) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        ".tcop-lint.yaml": f"max_file_bytes: {MAX_FILE_BYTES}\n",
        "LICENCE": "MIT License\n\nCopyright (c) 2024 Crown Copyright\n",
        "broken/syntax.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = \n',
        "broken/syntax.tf.json": '{"resource": {"aws_s3_bucket": ',
        "broken/syntax.tfvars": "region = = \n",
        "broken/syntax.yaml": "apiVersion: v1\nkind: [unclosed\nother: {\n",
        "broken/syntax.json": '{"openapi": "3.0.0",, "paths": {}}',
        "broken/not-object.json": '["openapi", "swagger"]',
        "broken/tabs.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabbed\n",
        "binary/image.tf": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)),
        "binary/blob.yaml": b"\0\1\2\3" * 64,
        "binary/blob.json": b"{\0}",
        "encoding/latin1.tf": 'resource "aws_s3_bucket" "caf\xe9" {}\n'.encode("latin-1"),
        "encoding/latin1.yaml": "name: caf\xe9\n".encode("latin-1"),
        "encoding/utf16.json": '{"a": 1}'.encode("utf-16"),
        "empty/empty.tf": "",
        "empty/blank.yaml": "\n\n   \n",
        "empty/empty.json": "",
        "big/huge.yaml": "# padding\n" + ("x: " + "y" * 1000 + "\n") * (MAX_FILE_BYTES // 1000 + 10),
        "yaml/alias-bomb.yaml": _alias_bomb(),
        "yaml/python-tag.yaml": (
            "apiVersion: v1\nkind: ConfigMap\ndata: !!python/object/apply:os.system ['touch "
            f"{outside / EXECUTED_MARKER}']\n"
        ),
        "yaml/not-kubernetes.yaml": "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n",
        "yaml/multi.yaml": MULTI_DOCUMENT,
        "yaml/scalar.yaml": "just a string\n",
        "yaml/duplicate.yaml": "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: d}\n",
        "chart/Chart.yaml": "apiVersion: v2\nname: hostile\nversion: 0.1.0\n",
        "chart/templates/deployment.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
            "spec:\n  template:\n    spec:\n      containers:\n{{- toYaml .Values.containers | nindent 8 }}\n"
        ),
        "api/openapi.yaml": OPENAPI_CYCLES,
        "api/cycle-b.yaml": CYCLE_B,
        "names/with space.tf": 'resource "aws_s3_bucket" "spaced" {\n  bucket = "with-space"\n}\n',
        "names/naïve-ünïcode-名前.yaml": PRIVILEGED_POD.replace("good-one", "unicode"),
        "names/new\nline.tf": 'resource "aws_s3_bucket" "newline" {\n  bucket = "new-line"\n}\n',
        "terraform/external.tf": (
            'data "external" "run" {\n  program = ["sh", "-c", "touch %s"]\n}\n' % (outside / EXECUTED_MARKER)
        ),
    }
    files.update(_deep_files())
    return files


def _links(root: Path, outside: Path) -> frozenset[str]:
    os.symlink(outside / "secret.tf", root / "link-out-file.tf")
    os.symlink(outside / "secret.yaml", root / "link-out-file.yaml")
    os.symlink(outside, root / "link-out-dir")
    os.symlink(root / "loop-b.tf", root / "loop-a.tf")
    os.symlink(root / "loop-a.tf", root / "loop-b.tf")
    os.symlink(".", root / "self-dir")
    os.symlink(root / "names", root / "inside-dir")
    return frozenset({"link-out-file.tf", "link-out-file.yaml"})


def _hostile_git(root: Path, outside: Path) -> None:
    """A work tree whose configuration would run a program if git honoured it unguarded."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(outside)}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    hook = f"touch {outside / EXECUTED_MARKER}"
    subprocess.run(["git", "-C", str(root), "config", "core.fsmonitor", hook], check=True, env=env)


def _near_limit() -> dict[str, str]:
    """Valid files just under the size limit: the slowest input the limit lets through."""
    block = 'resource "aws_s3_bucket" "b%d" {\n  bucket = "name-%d"\n  tags   = { Name = "x", Env = "y" }\n}\n'
    terraform, i = [], 0
    while sum(map(len, terraform)) < MAX_FILE_BYTES - 200:
        terraform.append(block % (i, i))
        i += 1
    entries = "".join(f"  key-{n}: value-{n}\n" for n in range(MAX_FILE_BYTES // 24))
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n" + entries
    return {
        "big/near-limit.tf": "".join(terraform[:-1]),
        "big/near-limit.yaml": manifest[: MAX_FILE_BYTES - 100].rpartition("\n")[0] + "\n",
    }


def build(root: Path, outside: Path, git: bool = True, big: bool = False) -> Hostile:
    root.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    _write(outside / "secret.tf", OPEN_BUCKET)
    _write(outside / "secret.yaml", f"kind: Secret\ndata: {{token: {OUTSIDE_MARKER}}}\n")
    _write(outside / "nested" / "deeper.tf", OPEN_BUCKET)
    contents = _contents(outside)
    if big:
        contents.update(_near_limit())
    for name, data in contents.items():
        _write(root / name, data)
    links = _links(root, outside)
    if git:
        _hostile_git(root, outside)
    reported = {
        name
        for name in contents
        if name.split("/")[0] in {"broken", "binary", "encoding", "big", "deep"}
        and name not in {"broken/not-object.json", "big/near-limit.tf", "big/near-limit.yaml"}
        or name in {"yaml/alias-bomb.yaml", "yaml/duplicate.yaml", "chart/templates/deployment.yaml", "yaml/multi.yaml"}
    }
    return Hostile(
        root=root,
        outside=outside,
        reported=frozenset(reported | links),
        links_out=links,
        good_findings=frozenset({("yaml/multi.yaml", "TCOP-06-K8S"), ("names/naïve-ünïcode-名前.yaml", "TCOP-06-K8S")}),
    )


# --- running tcop-lint with the network off and its reach recorded ---------------------------

GUARD = r'''
"""Loaded at start-up from PYTHONPATH: the network is off, and what the process reaches for
(sockets, files or folders below TCOP_GUARD_OUTSIDE, new processes) is written to
TCOP_GUARD_RECORD, one line each."""
import os
import socket
import sys
import threading

_record = os.environ["TCOP_GUARD_RECORD"]
_outside = os.path.realpath(os.environ.get("TCOP_GUARD_OUTSIDE") or "/nonexistent-outside")
_state = threading.local()


def _note(kind, detail):
    if getattr(_state, "busy", False):
        return
    _state.busy = True
    try:
        fd = os.open(_record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, ("%s\t%r\n" % (kind, detail)).encode("utf-8", "backslashreplace"))
        finally:
            os.close(fd)
    finally:
        _state.busy = False


def _outside_path(path):
    if isinstance(path, int) or path is None:
        return False
    try:
        real = os.path.realpath(os.fsdecode(path))
    except Exception:
        return False
    return real == _outside or real.startswith(_outside + os.sep)


def _hook(event, args):
    if getattr(_state, "busy", False):
        return
    if event.startswith("socket.") and event not in ("socket.__new__",):
        _note("network", (event, args[1:] if event == "socket.connect" else args))
    elif event in ("open", "os.scandir", "os.listdir") and args and _outside_path(args[0]):
        _note("outside", (event, os.fsdecode(args[0])))
    elif event in ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.spawn", "os.fork"):
        _note("process", (event, [os.fsdecode(a) if isinstance(a, (str, bytes)) else a for a in (args[1] if len(args) > 1 and isinstance(args[1], (list, tuple)) else args)]))


class _NoNetwork(socket.socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None and family not in (getattr(socket, "AF_UNIX", None),):
            _note("network", ("socket.socket", family))
            raise OSError("network disabled in this test")
        super().__init__(family, type, proto, fileno)


def _no_connection(*args, **kwargs):
    _note("network", ("socket.create_connection", args))
    raise OSError("network disabled in this test")


socket.socket = _NoNetwork
socket.create_connection = _no_connection
sys.addaudithook(_hook)
'''


def guard(folder: Path, outside: Path | None = None) -> tuple[dict[str, str], Path]:
    """An environment running Python with the guard loaded, and the file it records to."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    record = folder / "reached.txt"
    record.write_text("", encoding="utf-8")
    main = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), str(main)]),
        "TCOP_GUARD_RECORD": str(record),
        "TCOP_GUARD_OUTSIDE": str(outside or folder / "no-outside"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
        "SOURCE_DATE_EPOCH": "1780000000",  # the report's date: the same bytes on every run
    }
    return env, record


def reached(record: Path) -> list[tuple[str, str]]:
    lines = record.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line]  # type: ignore[misc]


def start_scan(root: Path, env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tcop_lint", "scan", str(root), "--format", "json", "--fail-on", "never", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=str(root.parent),
    )


def finish(process: subprocess.Popen, timeout: float = 300) -> subprocess.CompletedProcess:
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def scan(root: Path, env: dict[str, str], *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return finish(start_scan(root, env, *extra), timeout)


if __name__ == "__main__":
    target = Path(sys.argv[1]).resolve()
    made = build(target / "repo", target / "outside")
    print(json.dumps({"root": str(made.root), "reported": sorted(made.reported)}, indent=1))
