"""The load-result cache: hits, misses, damage, concurrent writers, size bound, keys."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from pathlib import Path

import pytest
from repo_helpers import write_files

import tcop_lint.load.parallel as parallel
from tcop_lint.load.cache import Cache, Entry, decode, pack_path, prune, read_pack, settings_key, write_pack
from tcop_lint.load.loading import load_file
from tcop_lint.load.parallel import load_all

MAX = 5 * 1024 * 1024

MAIN_TF = """provider "aws" {
  region = "eu-west-2"
}

resource "aws_s3_bucket" "logs" {
  bucket = "${var.namespace}-logs"
  tags = {
    owner = "platform"
  }
}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-a
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0.0
"""


def _tree(root: Path) -> list[str]:
    files = {
        "infra/main.tf": MAIN_TF,
        "infra/variables.tf": 'variable "namespace" {\n  default = "team-a"\n}\n',
        "k8s/deployment.yaml": DEPLOYMENT,
        "api/openapi.json": '{"openapi": "3.0.3", "info": {"title": "A", "version": "1"}, "paths": {}}\n',
        "broken.tf": 'resource "aws_s3_bucket" {\n',
    }
    return list(write_files(root, files))


def _cached_tree(tmp_path: Path) -> tuple[Path, list[str], Cache, Path]:
    """The test tree loaded once with a cache: its root, names, cache and the pack written."""
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    cache = Cache(tmp_path / "cache")
    load_all(root, names, MAX, jobs=1, cache=cache)
    return root, names, cache, next((tmp_path / "cache").glob("*.pack"))


def _serial(root: Path, names: list[str], max_bytes: int = MAX) -> list:
    return [load_file(root, name, max_bytes) for name in names]


def _no_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("a file was parsed although its cached result was valid")

    monkeypatch.setattr(parallel, "load_file", refuse)


def test_second_run_is_served_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    cache = Cache(tmp_path / "cache")
    expected = _serial(root, names)
    assert load_all(root, names, MAX, jobs=1, cache=cache) == expected
    assert len(list((tmp_path / "cache").glob("*.pack"))) == 1
    _no_loading(monkeypatch)
    assert load_all(root, names, MAX, jobs=1, cache=cache) == expected


def test_unchanged_stat_is_trusted_once_the_file_is_old_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    old = 1_600_000_000
    for name in names:
        os.utime(root / name, (old, old))
    cache = Cache(tmp_path / "cache")
    load_all(root, names, MAX, jobs=1, cache=cache)
    pack = read_pack(next((tmp_path / "cache").glob("*.pack")))
    assert all(entry.stat is not None for entry in pack.entries.values())
    # A trusted stat means the file is not even read: hashing is skipped too.
    monkeypatch.setattr(parallel, "digest", lambda data: (_ for _ in ()).throw(AssertionError("hashed")))
    _no_loading(monkeypatch)
    assert load_all(root, names, MAX, jobs=1, cache=cache) == _serial(root, names)


def test_changed_file_is_loaded_again(tmp_path: Path) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    cache = Cache(tmp_path / "cache")
    load_all(root, names, MAX, jobs=1, cache=cache)
    (root / "infra/main.tf").write_text(MAIN_TF.replace("eu-west-2", "us-east-1"), encoding="utf-8")
    results = load_all(root, names, MAX, jobs=1, cache=cache)
    assert results == _serial(root, names)
    assert "us-east-1" in repr(results[names.index("infra/main.tf")])


def test_same_size_same_mtime_edit_is_caught_by_the_content_hash(tmp_path: Path) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    cache = Cache(tmp_path / "cache")
    load_all(root, names, MAX, jobs=1, cache=cache)
    path = root / "infra/main.tf"
    before = path.stat()
    path.write_text(MAIN_TF.replace("eu-west-2", "eu-west-1"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the racy case: stat unchanged
    results = load_all(root, names, MAX, jobs=1, cache=cache)
    assert "eu-west-1" in repr(results[names.index("infra/main.tf")])


def test_truncated_pack_is_ignored_and_rewritten(tmp_path: Path) -> None:
    root, names, cache, pack = _cached_tree(tmp_path)
    pack.write_bytes(pack.read_bytes()[: pack.stat().st_size // 2])
    assert read_pack(pack).entries == {}
    assert load_all(root, names, MAX, jobs=1, cache=cache) == _serial(root, names)
    assert set(read_pack(pack).entries) == set(names)


def test_damaged_entry_is_reloaded(tmp_path: Path) -> None:
    root, names, cache, path = _cached_tree(tmp_path)
    entries = dict(read_pack(path).entries)
    good = entries["infra/main.tf"]
    entries["infra/main.tf"] = Entry(good.stat, good.digest, good.payload[:10])
    entries["k8s/deployment.yaml"] = Entry(
        None, entries["k8s/deployment.yaml"].digest, pickle.dumps({"not": "a result"})
    )
    write_pack(cache, path, entries)
    assert load_all(root, names, MAX, jobs=1, cache=cache) == _serial(root, names)
    assert read_pack(path).entries["infra/main.tf"].payload != good.payload[:10]


def test_garbage_in_the_cache_folder_is_harmless(tmp_path: Path) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    cache = Cache(tmp_path / "cache")
    path = pack_path(cache, root, names, settings_key(MAX))
    path.parent.mkdir(parents=True)
    path.write_bytes(b"tcop-lint-pack\n" + b"\x80\x05garbage")
    assert load_all(root, names, MAX, jobs=1, cache=cache) == _serial(root, names)


def _scan_repeatedly(root: str, names: list[str], cache_dir: str, rounds: int) -> bool:
    expected = [load_file(Path(root), name, MAX) for name in names]
    return all(
        load_all(Path(root), names, MAX, jobs=1, cache=Cache(Path(cache_dir))) == expected for _ in range(rounds)
    )


def test_concurrent_writers_never_leave_a_broken_pack(tmp_path: Path) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    for i in range(30):  # enough files that writes take a moment
        (root / f"extra/m{i}.tf").parent.mkdir(exist_ok=True)
        (root / f"extra/m{i}.tf").write_text(MAIN_TF.replace("logs", f"logs{i}"), encoding="utf-8")
    names = sorted(names + [f"extra/m{i}.tf" for i in range(30)])
    cache_dir = tmp_path / "cache"
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(4) as pool:
        # Half the scans see an edited file, so the writers disagree about the content.
        outcomes = []
        for round_ in range(3):
            (root / "infra/main.tf").write_text(MAIN_TF.replace("eu-west-2", f"eu-west-{round_ + 1}"), encoding="utf-8")
            outcomes += pool.starmap(_scan_repeatedly, [(str(root), names, str(cache_dir), 3)] * 4)
    assert all(outcomes)
    packs = list(cache_dir.glob("*.pack"))
    assert len(packs) == 1 and not list(cache_dir.glob(".tmp-*"))
    assert set(read_pack(packs[0]).entries) == set(names)
    assert load_all(root, names, MAX, jobs=1, cache=Cache(cache_dir)) == _serial(root, names)


def test_cache_folder_is_pruned_least_recently_used_first(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", max_total_bytes=250_000)
    cache.directory.mkdir()
    for i in range(6):
        pack = cache.directory / f"{i:040d}.pack"
        pack.write_bytes(b"x" * 100_000)
        os.utime(pack, (1_600_000_000 + i, 1_600_000_000 + i))
    stale = cache.directory / ".tmp-killed.pack"
    stale.write_bytes(b"x")
    os.utime(stale, (1_600_000_000, 1_600_000_000))
    prune(cache)
    left = sorted(p.name for p in cache.directory.iterdir())
    assert left == [f"{4:040d}.pack", f"{5:040d}.pack"]


def test_writing_keeps_the_folder_within_its_bound(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", max_total_bytes=20_000)
    for i in range(8):
        root = (tmp_path / f"repo{i}").resolve()
        names = _tree(root)
        load_all(root, names, MAX, jobs=1, cache=cache)
    sizes = [p.stat().st_size for p in cache.directory.glob("*.pack")]
    assert 0 < len(sizes) < 8
    assert sum(sizes) <= 20_000 or len(sizes) == 1


def test_settings_and_file_set_give_different_packs(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    root = Path("/repo")
    assert settings_key(1000) != settings_key(2000)
    assert settings_key(1000) == settings_key(1000)
    names = ["a.tf", "b.tf"]
    assert pack_path(cache, root, names, settings_key(1000)) != pack_path(cache, root, names, settings_key(2000))
    assert pack_path(cache, root, names, "k") != pack_path(cache, Path("/other"), names, "k")
    assert pack_path(cache, root, names, "k") != pack_path(cache, root, ["a.tf"], "k")


def test_a_smaller_size_limit_does_not_reuse_results(tmp_path: Path) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    cache = Cache(tmp_path / "cache")
    load_all(root, names, MAX, jobs=1, cache=cache)
    small = load_all(root, names, 64, jobs=1, cache=cache)
    assert small == _serial(root, names, 64)
    assert any(problem.skipped for result in small for problem in result.problems)


def test_links_and_unreadable_names_bypass_the_cache(tmp_path: Path) -> None:
    root = (tmp_path / "repo").resolve()
    names = _tree(root)
    outside = tmp_path / "outside.tf"
    outside.write_text(MAIN_TF, encoding="utf-8")
    (root / "link.tf").symlink_to(outside)
    names = sorted(names + ["link.tf", "missing.tf"])
    cache = Cache(tmp_path / "cache")
    for _ in range(2):
        assert load_all(root, names, MAX, jobs=1, cache=cache) == _serial(root, names)
    entries = read_pack(next((tmp_path / "cache").glob("*.pack"))).entries
    assert "link.tf" not in entries and "missing.tf" not in entries


def test_cached_positions_are_packed_and_read_back_on_first_look_up() -> None:
    import datetime

    from tcop_lint.load.cache import PackedPositions, decode, encode
    from tcop_lint.load.documents import load_yaml

    result = load_yaml(
        "k8s/app.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  colour: blue\n"
    )
    back = decode(Entry(None, b"", encode(result)))
    node = back.kubernetes[0].node
    assert isinstance(node.positions, PackedPositions) and node.positions._found is None
    assert node.locate(("data", "colour")).line == 6 and node.positions._found is not None
    assert back == result
    # A key marshal cannot write (a YAML date) keeps the plain dict.
    odd = load_yaml("k8s/odd.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\ndata:\n  2024-01-01: x\n")
    if any(isinstance(k, datetime.date) for k in odd.kubernetes[0].node.data.get("data", {})):
        assert type(decode(Entry(None, b"", encode(odd))).kubernetes[0].node.positions) is dict


def test_a_pack_replaced_after_its_index_was_read_gives_no_payloads(tmp_path: Path) -> None:
    root, names, cache, path = _cached_tree(tmp_path)
    first = read_pack(path).entries  # the index only: payloads are read when first wanted
    entries = dict(read_pack(path).entries)
    entries["infra/main.tf"] = Entry(None, b"", pickle.dumps("a longer payload that shifts every offset after it"))
    write_pack(cache, path, entries)  # another scan rewrites the pack meanwhile
    assert decode(first["k8s/deployment.yaml"]) is None  # never another file's result
    assert load_all(root, names, MAX, jobs=1, cache=cache) == _serial(root, names)
