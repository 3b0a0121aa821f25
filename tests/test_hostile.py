"""A repository of hostile and broken input is scanned end to end, with the network off: every
bad file is reported, the good ones are still checked, nothing outside the root is read and
nothing from the repository runs. (Time and memory: benchmarks/hostile.py.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hostile_repo  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
FORMATS = ("text", "sarif", "github", "markdown", "junit", "gitlab")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    made = hostile_repo.build(base / "repo", base / "outside")
    walked = hostile_repo.build(base / "walked" / "repo", made.outside, git=False)
    env, record = hostile_repo.guard(base / "guard", made.outside)
    # three scans at once: the repository, the same again, and a copy that is not a git work tree
    reports = [f"{kind}={base / ('report.' + kind)}" for kind in FORMATS]
    extra = [("--format", report) for report in reports]
    running = [
        hostile_repo.start_scan(made.root, env, *(arg for pair in extra for arg in pair)),
        hostile_repo.start_scan(made.root, env),
        hostile_repo.start_scan(walked.root, env),
    ]
    done, again, without_git = (hostile_repo.finish(process) for process in running)
    return made, done, record, env, again, without_git, base


def _report(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return json.loads(done.stdout)


def test_the_scan_finishes_without_crashes(hostile):
    _, done, *_ = hostile
    report = _report(done)
    assert report["crashes"] == []
    assert b"Traceback" not in done.stderr


def test_every_bad_file_is_reported(hostile):
    made, done, *_ = hostile
    problems = {p["file"] for p in _report(done)["problems"]}
    assert sorted(made.reported - problems) == []


def test_each_kind_of_trouble_gets_a_clear_message(hostile):
    _, done, *_ = hostile
    messages = {p["file"]: (p["level"], p["message"]) for p in _report(done)["problems"]}
    expected = {
        "big/huge.yaml": ("note", "max_file_bytes"),
        "binary/image.tf": ("warning", "binary content"),
        "encoding/latin1.yaml": ("warning", "not valid UTF-8"),
        "broken/tabs.yaml": ("warning", "tab"),
        "yaml/alias-bomb.yaml": ("warning", "aliases expand"),
        "chart/templates/deployment.yaml": ("note", "template"),
        "link-out-file.tf": ("note", "outside the scanned root"),
    }
    for name in hostile_repo._deep_files():
        expected.setdefault(name, ("warning", "nest"))
    for name, (level, words) in expected.items():
        assert name in messages, name
        assert messages[name][0] == level, (name, messages[name])
        assert words in messages[name][1], (name, messages[name])


def test_good_input_beside_bad_input_is_still_checked(hostile):
    made, done, *_ = hostile
    findings = _report(done)["findings"]
    for file, prefix in made.good_findings:
        assert any(f["file"] == file and f["id"].startswith(prefix) for f in findings), file
    # the privileged pod is the document after the broken one in yaml/multi.yaml
    broken_at = hostile_repo.MULTI_DOCUMENT.count("\n", 0, hostile_repo.MULTI_DOCUMENT.index("kind: Service"))
    assert any(f["file"] == "yaml/multi.yaml" and f["line"] > broken_at + 5 for f in findings)


def test_awkward_file_names_are_scanned(hostile):
    _, done, *_ = hostile
    files = {f["file"] for f in _report(done)["findings"]}
    assert {"names/with space.tf", "names/new\nline.tf", "names/naïve-ünïcode-名前.yaml"} <= files


def test_nothing_outside_the_root_is_read_and_nothing_runs(hostile):
    made, done, record, *_ = hostile
    reached = hostile_repo.reached(record)
    assert [r for r in reached if r[0] == "outside"] == []
    assert [r for r in reached if r[0] == "network"] == []
    processes = [r[1] for r in reached if r[0] == "process"]
    # Only git runs; os.fork is tcop-lint's own parsing workers (no exec follows).
    assert processes and all(p.startswith("('subprocess.Popen', ['git'") or p == "('os.fork', [])" for p in processes)
    assert any("core.fsmonitor=false" in p for p in processes)
    assert not (made.outside / hostile_repo.EXECUTED_MARKER).exists()
    assert hostile_repo.OUTSIDE_MARKER.encode() not in done.stdout


def test_a_link_to_a_folder_outside_is_reported(hostile):
    _, done, *_ = hostile
    problems = {p["file"]: p for p in _report(done)["problems"]}
    assert problems["link-out-dir"]["level"] == "note"


def test_the_same_input_gives_the_same_bytes(hostile):
    made, done, _, env, again, *_ = hostile
    assert again.stdout == done.stdout
    help_text = subprocess.run(
        [sys.executable, "-m", "tcop_lint", "scan", "--help"], capture_output=True, text=True, env=env
    ).stdout
    if "--jobs" not in help_text:
        pytest.skip("tcop-lint scan has no --jobs option yet")
    for jobs in ("1", "4"):
        assert hostile_repo.scan(made.root, env, "--jobs", jobs).stdout == done.stdout, jobs


def test_without_git_the_same_problems_are_reported(hostile):
    _, done, *_, without_git, _ = hostile
    report = _report(without_git)
    assert {(p["file"], p["message"]) for p in report["problems"]} == {
        (p["file"], p["message"]) for p in _report(done)["problems"]
    }


def test_every_report_format_copes_with_hostile_names(hostile):
    *_, base = hostile
    for kind in FORMATS:
        assert (base / f"report.{kind}").stat().st_size > 0, kind
    sarif = json.loads((base / "report.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"]
    annotations = (base / "report.github").read_text(encoding="utf-8").splitlines()
    assert all(line.startswith("::") or not line.strip() for line in annotations if "line.tf" in line)
    issues = json.loads((base / "report.gitlab").read_text(encoding="utf-8"))
    assert {i["fingerprint"] for i in issues} == {
        r["partialFingerprints"]["tcopLint/v1"] for r in sarif["runs"][0]["results"]
    }
    assert all(isinstance(i["location"]["path"], str) and i["location"]["path"] for i in issues)
