"""A cache of per-file load results, so that a re-run parses only the files that changed.

Entries are content-addressed: an entry is reused only for the same file name with the same
content (SHA-256), under the same tool version, model schema, loader code, parser libraries and
``max_file_bytes``. To avoid reading and hashing every file on a re-run, an entry also records
the file's (mtime, size, inode); when those match, the content is taken as unchanged, as git's
index does. An entry whose file was modified within ``RACY_NS`` of being read records no stat,
so the next run hashes that file again ("racy git").

Entries live in packs, one file per scanned root (and per small file set, for pre-commit runs
naming a few files): a warm re-run of a 21,000-file repository reads one file, where one file
per entry would cost ~8 s of file creation on a cold run (measured: benchmarks/README.md).
Packs are written to a temporary file and renamed into place, so two scans running at once
never see half a pack (the last writer wins); a pack that cannot be read is ignored and
rewritten. The folder is kept under ``max_total_bytes`` by deleting the least recently used
packs (a read bumps the pack's mtime).

Payloads are pickles in which each Node's positions are packed into one marshalled string,
unpacked on first look-up (PackedPositions): a re-run looks up few of them.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import marshal
import os
import pickle
import stat
import struct
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from tcop_lint import __version__
from tcop_lint.core.model import DataPath, LoadResult, Node, Position
from tcop_lint.core.settings import DEFAULT_MAX_PLAN_BYTES
from tcop_lint.core.storage import write_atomically

# Bump when LoadResult or anything inside it changes shape or meaning.
SCHEMA_VERSION = 8
DEFAULT_MAX_TOTAL_BYTES = 500 * 1024 * 1024
RACY_NS = 2_000_000_000
SMALL_SCAN = 200  # scans of fewer files get a pack of their own, not the root's big pack
_MAGIC = b"tcop-lint-pack 2\n"
_FOOTER = struct.Struct("<Q")  # where the index starts
_PACK_SUFFIX = ".pack"

# (mtime_ns, size, inode) of a file when its entry was made; None: hash it next time.
StatKey = tuple[int, int, int]


@dataclass(frozen=True)
class Cache:
    directory: Path
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES


class _Region:
    """The payloads of a pack as read: one read of the file's tail, made on the first payload
    wanted, so a run that only compares stats (a warm re-run, the probe after a scan) reads the
    index alone. A pack replaced meanwhile (another scan wrote it) reads as damaged."""

    __slots__ = ("path", "start", "identity", "_data")

    def __init__(self, path: Path, start: int, identity: tuple[int, int, int]) -> None:
        self.path, self.start, self.identity = path, start, identity
        self._data: bytes | None = None

    def release(self) -> None:
        self._data = None

    def data(self) -> bytes:
        if self._data is None:
            try:
                with open(self.path, "rb") as handle:
                    if _identity(os.fstat(handle.fileno())) != self.identity:
                        self._data = b""
                    else:
                        handle.seek(self.start)
                        self._data = handle.read()
            except OSError:
                self._data = b""
        return self._data


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    """Which file a pack is: a rewrite is a new file (renamed into place), so a new inode. Not
    the mtime: every reader touches it (least recently used)."""
    return (st.st_dev, st.st_ino, st.st_size)


@dataclass(frozen=True)
class Stored:
    """Where a payload lies in a pack's region."""

    region: _Region
    offset: int
    length: int

    def read(self) -> bytes:
        return self.region.data()[self.offset : self.offset + self.length]


@dataclass(frozen=True)
class Entry:
    stat: StatKey | None
    digest: bytes  # SHA-256 of the file's bytes
    stored: bytes | Stored  # the pickled LoadResult, or where a pack holds it

    @property
    def payload(self) -> bytes:
        return self.stored if isinstance(self.stored, bytes) else self.stored.read()


@dataclass(frozen=True)
class Pack:
    """The entries of one pack as read, and where it lives."""

    path: Path
    entries: Mapping[str, Entry] = field(default_factory=dict)
    region: _Region | None = None

    def release(self) -> None:
        """Let go of the payloads read (69 MB for a 21,000-file repository) once the scan has
        decoded what it needs; one wanted later is read again, and is missing (decodes as
        damaged) if the pack was rewritten meanwhile."""
        if self.region is not None:
            self.region.release()


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """$XDG_CACHE_HOME/tcop-lint, else ~/.cache/tcop-lint (Library/Caches on macOS,
    %LOCALAPPDATA% on Windows). The caller passes the environment: only the CLI reads it."""
    xdg = environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "tcop-lint"
    if sys.platform == "win32" and environ.get("LOCALAPPDATA"):
        return Path(environ["LOCALAPPDATA"]) / "tcop-lint" / "Cache"
    home = Path(environ.get("HOME") or Path.home())
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "tcop-lint"
    return home / ".cache" / "tcop-lint"


def stat_key(st: os.stat_result) -> StatKey:
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def trusted_stat(st: os.stat_result, now_ns: int) -> StatKey | None:
    """The stat to record, or None when the file changed too recently for its mtime to prove
    anything (a second write in the same clock tick would keep mtime and perhaps size)."""
    return stat_key(st) if now_ns - st.st_mtime_ns > RACY_NS else None


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def cacheable(st: os.stat_result, max_bytes: int) -> bool:
    """Regular files (not links) the loader will read whole; anything else is loaded afresh."""
    return stat.S_ISREG(st.st_mode) and st.st_size <= max_bytes


def _code_stamp() -> list[object]:
    """What besides the file decides a LoadResult: the loader code and the parser libraries.

    Stats, not contents: cheap, and any reinstall or edit changes them."""
    import importlib.util

    package = Path(__file__).parents[1]
    files = [package / "core" / "model.py", *sorted((package / "load").glob("*.py"))]
    for library in ("tree_sitter", "tree_sitter_hcl", "hcl2", "lark", "ruamel.yaml", "yaml"):
        try:
            spec = importlib.util.find_spec(library)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    stamp: list[object] = []
    for path in files:
        try:
            st = path.stat()
            stamp.append((path.name, st.st_size, st.st_mtime_ns))
        except OSError:
            stamp.append((path.name, None))
    return stamp


def settings_key(max_bytes: int, plan_bytes: int = DEFAULT_MAX_PLAN_BYTES) -> str:
    """Everything an entry's validity depends on besides the file itself."""
    limits = (max_bytes, plan_bytes)
    parts = (__version__, SCHEMA_VERSION, sys.version_info[:2], pickle.HIGHEST_PROTOCOL, limits, _code_stamp())
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def pack_path(cache: Cache, root: Path, names: Sequence[str], key: str) -> Path:
    scope = "" if len(names) >= SMALL_SCAN else "\0".join(sorted(names))
    identity = "\0".join((key, str(root), scope))
    return cache.directory / (
        hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:40] + _PACK_SUFFIX
    )


def read_pack(path: Path) -> Pack:
    """The pack's entries; an absent, foreign, truncated or corrupt pack reads as empty.

    A pack is the magic line, the payloads one after another, a pickled index (name -> stat,
    digest, offset, length) and the index's offset (8 bytes): written as entries arrive, read
    index first."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_MAGIC)) != _MAGIC:
                return Pack(path)
            handle.seek(-_FOOTER.size, os.SEEK_END)
            (index_at,) = _FOOTER.unpack(handle.read(_FOOTER.size))
            handle.seek(index_at)
            # Pickle is safe here: packs are only ever written by tcop-lint itself, in the
            # user's own cache folder, and read back by the same user.
            index = pickle.load(handle)
            try:
                os.utime(path)  # least recently used is what pruning removes
            except OSError:
                pass
            region = _Region(path, len(_MAGIC), _identity(os.fstat(handle.fileno())))
    except Exception:  # noqa: BLE001 - any damage means "no cache", never a failed scan
        return Pack(path)
    if not isinstance(index, dict):
        return Pack(path)
    entries = {}
    for name, value in index.items():
        if isinstance(name, str) and isinstance(value, tuple) and len(value) == 4:
            stat_value, digest_value, offset, length = value
            if offset + length > index_at - region.start:  # not all there: a damaged pack
                return Pack(path)
            entries[name] = Entry(stat_value, digest_value, Stored(region, offset, length))
    return Pack(path, entries, region)


def decode(entry: Entry) -> LoadResult | None:
    """The entry's LoadResult, or None when its payload is damaged."""
    try:
        result = pickle.loads(entry.payload)  # written by tcop-lint only (see read_pack)
    except Exception:  # noqa: BLE001
        return None
    return result if isinstance(result, LoadResult) else None


def encode(result: LoadResult) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer).dump(result)
    return buffer.getvalue()


class PackedPositions(Mapping[DataPath, Position]):
    """A Node's positions as the cache keeps them: one marshalled string, turned back into a
    dict on the first look-up. A re-run looks up the positions of few nodes (where a check
    reports), and unpickling them all was most of its time (benchmarks/README.md)."""

    __slots__ = ("packed", "_found")

    def __init__(self, packed: bytes) -> None:
        self.packed = packed
        self._found: dict[DataPath, Position] | None = None

    def _map(self) -> dict[DataPath, Position]:
        found = self._found
        if found is None:
            paths, numbers = marshal.loads(self.packed)  # written by tcop-lint only (see read_pack)
            found = self._found = {path: Position(*numbers[4 * i : 4 * i + 4]) for i, path in enumerate(paths)}
        return found

    def __getitem__(self, key: DataPath) -> Position:
        return self._map()[key]

    def get(self, key: DataPath, default: Any = None) -> Any:
        return self._map().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._map()

    def __iter__(self) -> Iterator[DataPath]:
        return iter(self._map())

    def __len__(self) -> int:
        return len(self._map())

    def __reduce__(self) -> tuple[Any, ...]:
        return (PackedPositions, (self.packed,))


def _pack_positions(positions: Mapping[DataPath, Position]) -> PackedPositions | None:
    numbers: list[int | None] = []
    for value in positions.values():
        if type(value) is not Position:
            return None
        numbers += (value.line, value.column, value.end_line, value.end_column)
    try:
        return PackedPositions(marshal.dumps((tuple(positions), tuple(numbers))))
    except ValueError:  # a key marshal cannot write (a YAML date as a mapping key): keep the dict
        return None


class _Pickler(pickle.Pickler):
    """Pickles Nodes with their positions packed (PackedPositions); everything else as usual."""

    def __init__(self, file: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._packed: dict[int, tuple[PackedPositions | None, Any]] = {}  # by id; keeps the dict alive

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is not Node or type(obj.positions) is not dict:
            return NotImplemented
        known = self._packed.get(id(obj.positions))
        if known is None:
            known = self._packed[id(obj.positions)] = (_pack_positions(obj.positions), obj.positions)
        if known[0] is None:
            return NotImplemented
        return (
            copyreg.__newobj__,  # type: ignore[attr-defined]  # exists at runtime, not in typeshed
            (Node,),
            {"data": obj.data, "positions": known[0], "base": obj.base},
        )


class PackWriter:
    """A pack written as a scan's entries arrive, so that the payloads of new entries are not all
    held in memory at once (69 MB for a 21,000-file repository). Entries reused from the pack
    read (``previous``) are written at the end, and only if something changed; ``close`` puts
    the pack in place atomically. A cache that cannot be written is silently skipped."""

    def __init__(self, cache: Cache, path: Path, previous: Mapping[str, Entry]) -> None:
        self.cache, self.path, self.previous = cache, path, previous
        self.index: dict[str, tuple[StatKey | None, bytes, int, int]] = {}
        self.reused: dict[str, Entry] = {}
        self.offset = 0
        self.handle: Any = None
        self.temporary: str | None = None
        self.failed = False

    def add(self, name: str, entry: Entry) -> None:
        if self.previous.get(name) is entry:
            self.reused[name] = entry
        else:
            self._write(name, entry)

    def _write(self, name: str, entry: Entry) -> None:
        if self.failed:
            return
        payload = entry.payload
        try:
            self._open().write(payload)
        except OSError:
            self._abandon()
            return
        self.index[name] = (entry.stat, entry.digest, self.offset, len(payload))
        self.offset += len(payload)

    def _open(self) -> Any:
        if self.handle is None:
            self.cache.directory.mkdir(parents=True, exist_ok=True)
            descriptor, self.temporary = tempfile.mkstemp(dir=self.cache.directory, prefix=".tmp-", suffix=_PACK_SUFFIX)
            self.handle = os.fdopen(descriptor, "wb")
            self.handle.write(_MAGIC)
        return self.handle

    def close(self) -> None:
        if self.handle is None and not self.failed and len(self.reused) == len(self.previous):
            return  # every entry as it was: the pack stays as it is
        for name, entry in self.reused.items():
            self._write(name, entry)
        if self.failed:
            return
        try:
            self._open()  # a pack left with no entries is written too
            index_at = self.handle.tell()
            pickle.dump(self.index, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
            self.handle.write(_FOOTER.pack(index_at))
            self.handle.close()
            self.handle = None
            os.replace(cast(str, self.temporary), self.path)
        except OSError:
            self._abandon()
            return
        prune(self.cache, keep=self.path)

    def _abandon(self) -> None:
        self.failed = True
        if self.handle is not None:
            try:
                self.handle.close()
            except OSError:
                pass
            self.handle = None
        if self.temporary is not None:
            try:
                os.unlink(self.temporary)
            except OSError:
                pass
            self.temporary = None


def write_pack(cache: Cache, path: Path, entries: Mapping[str, Entry]) -> None:
    """Replace the pack with ``entries``."""
    writer = PackWriter(cache, path, {})
    for name, entry in entries.items():
        writer.add(name, entry)
    writer.close()


def prune(cache: Cache, keep: Path | None = None) -> int:
    """Delete least recently used packs (and stale temporary files) until the folder fits its
    limit. One directory listing: packs are few. Returns the bytes deleted."""
    now = time.time()
    packs: list[tuple[float, int, Path]] = []
    removed = 0
    try:
        listing = list(os.scandir(cache.directory))
    except OSError:
        return 0
    for item in listing:
        try:
            st = item.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or not item.name.endswith(_PACK_SUFFIX):
            continue
        path = Path(item.path)
        if item.name.startswith(".tmp-"):
            if now - st.st_mtime > 3600:  # left by a scan that was killed mid-write
                removed += _unlink(path, st.st_size)
            continue
        packs.append((st.st_mtime, st.st_size, path))
    total = sum(size for _, size, _ in packs)
    for _, size, path in sorted(packs, key=lambda p: (p[0], str(p[2]))):
        if total <= cache.max_total_bytes:
            break
        if path == keep:
            continue
        removed += _unlink(path, size)
        total -= size
    return removed


def _unlink(path: Path, size: int) -> int:
    try:
        path.unlink()
    except OSError:
        return 0
    return size


# --- whole-scan outcomes ----------------------------------------------------------------
#
# When no input of a scan changed (every file a hit, same refs, settings, checks and code),
# its outcome (findings and what the report needs of the documents) is the same as last time:
# a warm re-run reads it back instead of unpickling every file's views and running the checks.

_OUTCOME_MAGIC = b"tcop-lint-outcome\n"


def code_stamp() -> str:
    """The stats of every file of the installed package (checks, rules, data) and of the
    parsers: any edit or reinstall changes it."""
    package = Path(__file__).parents[1]
    stamp: list[object] = [_code_stamp()]
    for directory, subdirectories, files in os.walk(package):
        subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            stamp.append((directory[len(str(package)) :], name, st.st_size, st.st_mtime_ns))
    return hashlib.sha256(repr(stamp).encode("utf-8", "surrogateescape")).hexdigest()


def outcome_path(cache: Cache, slot: str) -> Path:
    """One outcome per slot (a root with one selection of checks and targets): the newest."""
    name = hashlib.sha256(("outcome\0" + slot).encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return cache.directory / (name + ".outcome" + _PACK_SUFFIX)


def read_outcome(path: Path, key: str) -> Any | None:
    """The outcome stored under ``key``, or None (absent, damaged, or made from other inputs)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(len(_OUTCOME_MAGIC)) != _OUTCOME_MAGIC:
                return None
            stored_key = pickle.load(handle)  # written by tcop-lint only (see read_pack)
            if stored_key != key:
                return None
            value = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any damage means "no outcome", never a failed scan
        return None
    try:
        os.utime(path)
    except OSError:
        pass
    return value


def write_outcome(cache: Cache, path: Path, key: str, value: Any) -> None:
    try:
        header = _OUTCOME_MAGIC + pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
        written = write_atomically(path, value, header)
    except Exception:  # noqa: BLE001 - a value pickle cannot write: no outcome kept
        return
    if written:
        prune(cache, keep=path)
