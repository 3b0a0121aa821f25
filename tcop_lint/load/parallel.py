"""Loading many files: from the cache where it can, over several processes where it pays.

``load_all`` gives exactly what loading each file in turn with ``loading.load_file`` gives,
in the order of ``names``.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tcop_lint.core.model import LoadResult
from tcop_lint.core.settings import DEFAULT_MAX_PLAN_BYTES
from tcop_lint.load.cache import (
    Cache,
    Entry,
    Pack,
    PackWriter,
    cacheable,
    decode,
    digest,
    encode,
    pack_path,
    read_pack,
    settings_key,
    stat_key,
    trusted_stat,
    write_pack,
)
from tcop_lint.load.loading import load_file, loader_for

if TYPE_CHECKING:
    from tcop_lint.progress import Progress

# Below these, starting worker processes (35-50 ms with fork) costs more than the second core
# saves: ~100 KB of Terraform takes ~0.25 s to parse in one process (benchmarks/README.md).
MIN_PARALLEL_FILES = 32
MIN_PARALLEL_BYTES = 128 * 1024
CHUNKS_PER_JOB = 6  # several chunks per worker, so one slow file does not leave the others idle
MAX_CHUNK_FILES = 256

# What one file gives a worker: the result itself, or (when caching) an entry whose payload
# is the pickled result, so the parent unpickles it once and stores the bytes as they are.
Loaded = tuple[LoadResult | None, Entry | None]


def default_jobs() -> int:
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Probe:
    """What the cache already holds for a scan's files: ``hits`` (by index in ``names``) are
    unchanged since their entry was made, ``pending`` must be loaded."""

    pack: Pack
    names: tuple[str, ...]
    hits: Mapping[int, Entry]
    pending: tuple[int, ...]

    def digest(self) -> str | None:
        """One digest of every file's content, when every file is a hit (else None)."""
        if self.pending:
            return None
        combined = hashlib.sha256(self.pack.path.name.encode())
        for index, name in enumerate(self.names):
            combined.update(name.encode("utf-8", "surrogateescape") + b"\0" + self.hits[index].digest)
        return combined.hexdigest()


def probe(
    root: Path, names: Sequence[str], max_bytes: int, cache: Cache, plan_bytes: int = DEFAULT_MAX_PLAN_BYTES
) -> Probe:
    """Read the pack and compare every file with its entry (an lstat, or a hash when the stat
    cannot be trusted)."""
    pack = read_pack(pack_path(cache, root, names, settings_key(max_bytes, plan_bytes)))
    hits: dict[int, Entry] = {}
    pending: list[int] = []
    for index, name in enumerate(names):
        entry = _reusable(root, name, pack.entries.get(name), max_bytes)
        if entry is None:
            pending.append(index)
        else:
            hits[index] = entry
    return Probe(pack, tuple(names), hits, tuple(pending))


def keep_probe(cache: Cache, probed: Probe) -> None:
    """Record the stats of files that had to be hashed (their entry's stat was not trusted), so
    the next run need not hash them again."""
    if all(probed.pack.entries.get(probed.names[i]) is e for i, e in probed.hits.items()):
        return
    entries = dict(probed.pack.entries)
    entries.update((probed.names[i], e) for i, e in probed.hits.items())
    write_pack(cache, probed.pack.path, entries)


def load_all(
    root: Path,
    names: Sequence[str],
    max_bytes: int,
    jobs: int | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    plan_bytes: int = DEFAULT_MAX_PLAN_BYTES,
    probed: Probe | None = None,
) -> list[LoadResult]:
    """Load every file, reusing cached results for unchanged files; results in ``names`` order.
    ``progress`` is told how many of them are loaded as chunks finish. ``probed``: this scan's
    ``probe``, when the caller has made it already."""
    names = list(names)
    tell = _teller(progress, len(names))
    jobs = default_jobs() if jobs is None or jobs < 1 else jobs
    results: list[LoadResult | None] = [None] * len(names)
    if cache is None:
        for index, (result, _) in _start(
            root, names, list(range(len(names))), max_bytes, jobs, False, tell, plan_bytes=plan_bytes
        )():
            results[index] = result
        return results  # type: ignore[return-value]

    found = probed if probed is not None else probe(root, names, max_bytes, cache, plan_bytes)
    pack, hits = found.pack, dict(found.hits)
    writer = PackWriter(cache, pack.path, pack.entries)
    finish = _start(root, names, list(found.pending), max_bytes, jobs, True, tell, len(hits), plan_bytes)
    # Unpickling builds millions of small objects and none of them is garbage: collecting
    # meanwhile only slows it down (by about a third).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _gather(root, names, max_bytes, hits, finish, results, writer, plan_bytes)
    finally:
        if collecting:
            gc.enable()

    seen = set(names)
    for name, entry in pack.entries.items():  # files this scan did not look at, kept if present
        if name not in seen and os.path.lexists(os.path.join(root, name)):
            writer.add(name, entry)
    writer.close()
    pack.release()
    return results  # type: ignore[return-value]


def _gather(
    root: Path,
    names: Sequence[str],
    max_bytes: int,
    hits: dict[int, Entry],
    finish: Finish,
    results: list[LoadResult | None],
    writer: PackWriter,
    plan_bytes: int = DEFAULT_MAX_PLAN_BYTES,
) -> None:
    late: dict[int, Loaded] = {}
    for index, hit in hits.items():
        result = decode(hit)
        if result is None:  # a damaged payload: load that file again
            late[index] = load_one(root, names[index], max_bytes, True, plan_bytes)
            continue
        results[index] = result
        writer.add(names[index], hit)
    for index, (result, entry) in itertools.chain(finish(), late.items()):
        if entry is not None:
            writer.add(names[index], entry)  # its payload goes to disk now, not kept
            result = decode(entry) if result is None else result
        results[index] = result if result is not None else load_file(root, names[index], max_bytes, plan_bytes)


def _reusable(root: Path, name: str, entry: Entry | None, max_bytes: int) -> Entry | None:
    """The cached entry if the file is unchanged: same stat, or else same content."""
    if entry is None:
        return None
    path = os.path.join(root, name)
    try:
        st = os.lstat(path)
        if not cacheable(st, max_bytes):
            return None
        if entry.stat is not None and entry.stat == stat_key(st):
            return entry
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return None
    if digest(data) != entry.digest:
        return None
    return Entry(trusted_stat(st, time.time_ns()), entry.digest, entry.stored)


def load_one(
    root: Path, name: str, max_bytes: int, want_entry: bool, plan_bytes: int = DEFAULT_MAX_PLAN_BYTES
) -> Loaded:
    """Load one file; with ``want_entry``, also make its cache entry when the file is a plain
    file that did not change while it was read."""
    if not want_entry:
        return load_file(root, name, max_bytes, plan_bytes), None
    path = os.path.join(root, name)
    try:
        before = os.lstat(path)
        if not cacheable(before, max_bytes):
            return load_file(root, name, max_bytes, plan_bytes), None
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return load_file(root, name, max_bytes, plan_bytes), None
    result = load_file(root, name, max_bytes, plan_bytes)
    try:
        after = os.lstat(path)
    except OSError:
        return result, None
    if stat_key(after) != stat_key(before) or len(data) != after.st_size:
        return result, None
    return result, Entry(trusted_stat(after, time.time_ns()), digest(data), encode(result))


def load_batch(
    root: str, names: Sequence[str], max_bytes: int, want_entry: bool, plan_bytes: int = DEFAULT_MAX_PLAN_BYTES
) -> list[Loaded]:
    """A worker's share. With an entry, the result travels only as the entry's payload."""
    out: list[Loaded] = []
    for name in names:
        result, entry = load_one(Path(root), name, max_bytes, want_entry, plan_bytes)
        out.append((None, entry) if entry is not None else (result, None))
    return out


Finish = Callable[[], Iterator[tuple[int, Loaded]]]  # each file's result as its chunk is done


def _teller(progress: Progress | None, total: int) -> Callable[[int], None]:
    if progress is None:
        return lambda done: None
    return lambda done: progress("loading files", done, total)


def _start(
    root: Path,
    names: Sequence[str],
    pending: list[int],
    max_bytes: int,
    jobs: int,
    want_entry: bool = True,
    tell: Callable[[int], None] = lambda done: None,
    already: int = 0,
    plan_bytes: int = DEFAULT_MAX_PLAN_BYTES,
) -> Finish:
    """Begin loading ``pending``; the returned function waits for and returns the results.
    Worker processes start at once, so the caller can decode cache hits meanwhile. ``tell`` is
    given the number of files loaded so far (``already``: those from the cache)."""
    sizes = [_size(root, names[i]) for i in pending] if jobs > 1 and len(pending) >= MIN_PARALLEL_FILES else []
    if not sizes or sum(sizes) < MIN_PARALLEL_BYTES:

        def here() -> Iterator[tuple[int, Loaded]]:
            for count, i in enumerate(pending, 1):
                yield i, load_one(root, names[i], max_bytes, want_entry, plan_bytes)
                if count % 64 == 0:
                    tell(already + count)
            tell(already + len(pending))

        return here
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunks = _chunks(pending, sizes, sum(sizes), jobs)
    context, initializer = _context(names, chunks)
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=context, initializer=initializer)
    futures = [
        (chunk, executor.submit(load_batch, str(root), [names[i] for i in chunk], max_bytes, want_entry, plan_bytes))
        for chunk in chunks
    ]

    def finish() -> Iterator[tuple[int, Loaded]]:
        done = 0
        try:
            while futures:  # popped: a done future would hold its chunk's payloads to the end
                chunk, future = futures.pop(0)
                try:
                    loaded = future.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory): do its share here
                    loaded = [load_one(root, names[i], max_bytes, want_entry, plan_bytes) for i in chunk]
                done += len(chunk)
                tell(already + done)
                yield from zip(chunk, loaded)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    return finish


def _size(root: Path, name: str) -> int:
    try:
        return os.stat(os.path.join(root, name)).st_size
    except OSError:
        return 0


def _chunks(pending: Sequence[int], sizes: Sequence[int], total: int, jobs: int) -> list[list[int]]:
    """Neighbouring files together (same directory, warm disk cache), about equal bytes per
    chunk, biggest chunks first so that the last to finish is a small one."""
    target = max(1, total // (jobs * CHUNKS_PER_JOB))
    chunks: list[tuple[int, list[int]]] = []
    current: list[int] = []
    weight = 0
    for index, size in zip(pending, sizes):
        current.append(index)
        weight += size + 512  # a file costs something to open even when small
        if weight >= target or len(current) >= MAX_CHUNK_FILES:
            chunks.append((weight, current))
            current, weight = [], 0
    if current:
        chunks.append((weight, current))
    chunks.sort(key=lambda c: -c[0])
    return [chunk for _, chunk in chunks]


def _context(names: Sequence[str], chunks: list[list[int]]) -> tuple[Any, Any]:
    """fork where it is safe (Linux, this process has no other thread): workers start in
    milliseconds with the loaders imported and the HCL grammar already built. Elsewhere
    forkserver or spawn, with each worker loading the grammar from python-hcl2's cache."""
    import multiprocessing

    needs_hcl = any(loader_for(names[i]) == "terraform" for chunk in chunks for i in chunk)
    forking = fork_context()
    if forking is not None:
        _warm(needs_hcl)
        return forking, None
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method), (_warm_terraform if needs_hcl else _warm_documents)


def fork_context() -> Any | None:
    """The fork start method where it is safe (Linux, no other thread in this process)."""
    import multiprocessing

    if (
        sys.platform.startswith("linux")
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    ):
        return multiprocessing.get_context("fork")
    return None


def _warm(needs_hcl: bool) -> None:
    _warm_documents()
    if needs_hcl:
        _warm_terraform()


def _warm_documents() -> None:
    import tcop_lint.load.directives  # noqa: F401
    import tcop_lint.load.documents  # noqa: F401 - imported once, before workers start


def _warm_terraform() -> None:
    from tcop_lint.load.terraform import warm_parser

    _warm_documents()
    warm_parser()
