"""Loading over several processes gives what loading file by file gives, in the same order."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import tcop_lint.load.parallel as parallel
from tcop_lint.load.cache import Cache
from tcop_lint.load.loading import load_file
from tcop_lint.load.parallel import load_all

MAX = 5 * 1024 * 1024
GENERATE = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def _generate():
    spec = importlib.util.spec_from_file_location("tcop_bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def platform_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("platform").resolve()
    _generate().platform(root, namespaces=40, git=False)
    (root / "namespaces/broken.tf").write_text('resource "aws_s3_bucket" "x" {\n  bucket = \n', encoding="utf-8")
    (root / "namespaces/binary.yaml").write_bytes(b"kind: \0\0\0")
    (root / "namespaces/empty.yaml").write_text("", encoding="utf-8")
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    return root, names


@pytest.fixture(scope="module")
def serial(platform_tree: tuple[Path, list[str]]) -> list:
    root, names = platform_tree
    return [load_file(root, name, MAX) for name in names]


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_FILES", 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 0)


def test_tree_is_a_few_hundred_files_of_both_kinds(platform_tree: tuple[Path, list[str]], serial: list) -> None:
    _, names = platform_tree
    assert len(names) > 300
    assert sum(r.terraform is not None for r in serial) > 200
    assert sum(bool(r.kubernetes) for r in serial) > 100
    assert any(r.problems for r in serial)


def test_parallel_equals_serial(platform_tree, serial, always_parallel) -> None:
    root, names = platform_tree
    assert load_all(root, names, MAX, jobs=2) == serial


def test_order_follows_names_not_completion(platform_tree, serial, always_parallel) -> None:
    root, names = platform_tree
    reordered = list(reversed(names))
    assert load_all(root, reordered, MAX, jobs=3) == list(reversed(serial))


def test_parallel_with_cache_equals_serial_cold_and_warm(
    platform_tree, serial, always_parallel, tmp_path: Path
) -> None:
    root, names = platform_tree
    cache = Cache(tmp_path / "cache")
    assert load_all(root, names, MAX, jobs=2, cache=cache) == serial
    assert load_all(root, names, MAX, jobs=2, cache=cache) == serial


def test_chunks_cover_every_file_once() -> None:
    pending = list(range(1000))
    sizes = [(i * 7919) % 20000 for i in pending]
    chunks = parallel._chunks(pending, sizes, sum(sizes), 2)
    assert sorted(i for chunk in chunks for i in chunk) == pending
    assert len(chunks) >= 2 * parallel.CHUNKS_PER_JOB - 1


def test_small_jobs_stay_in_process(platform_tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root, names = platform_tree

    def no_pool(*_args, **_kwargs):
        raise AssertionError("a process pool was started for a handful of files")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_pool)
    few = names[:3]
    assert load_all(root, few, MAX, jobs=4) == [load_file(root, n, MAX) for n in few]


def test_checks_shared_over_processes_give_what_one_process_gives(monkeypatch) -> None:
    from tcop_lint.assemble.assembly import load_documents
    from tcop_lint.check import engine
    from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
    from tcop_lint.core.settings import Settings
    from tcop_lint.discover.discovery import discover

    example = Path(__file__).parents[2] / "examples" / "service-repo"
    scope = discover([str(example)], use_git=False)
    documents = load_documents(scope, Settings())
    checks = load_catalogue([builtin_checks_dir()])
    serial = engine.run_checks(checks, documents, Settings(), jobs=1)
    monkeypatch.setattr(engine, "PARALLEL_CHECK_FILES", 0)  # the example is small: force the pool
    groups_here = []
    real_group = engine._run_group
    monkeypatch.setattr(engine, "_run_group", lambda group: groups_here.append(len(group)) or real_group(group))
    shared = engine.run_checks(checks, documents, Settings(), jobs=3)
    assert groups_here and groups_here[0] < len(checks)  # this process ran only its share
    assert serial.findings and shared == serial
