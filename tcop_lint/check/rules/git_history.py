"""TCOP-03-GIT-001: secrets in the git history that are no longer in HEAD.

The commits reachable from any ref are read through GitPython (git log's raw diff, ls-tree and
cat-file; nothing that runs hooks or drivers), newest first up to a bound, oldest of those
visited first so each secret is named with the commit that brought it in. git lists what each
commit added: walking every commit's trees in Python took 18 s on a 21,000-file repository. Blobs that HEAD
still holds are TCOP-03-REPO-016's to report. Values are redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from tcop_lint.core.model import Hit
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.content import BINARY_SUFFIXES, find_secrets

MAX_BLOBS = 20000
_BLOB_MODES = frozenset({b"100644", b"100755", b"120000"})
# git's raw diff of what each commit added or changed, oldest first; no external diff or
# textconv driver (those would run the repository's own commands).
_LOG = ("--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=AM", "--no-ext-diff", "--no-textconv")


def _git(repo: Any, command: str, *args: str) -> bytes:
    return cast(bytes, getattr(repo.git, command)(*args, stdout_as_string=False))


def _tree_listing(repo: Any, commit: str) -> Iterator[tuple[str, str]]:
    """(path, blob sha) for every file in a commit's tree."""
    for entry in _git(repo, "ls_tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob" and parts[0] in _BLOB_MODES:
            yield path.decode("utf-8", "surrogateescape"), parts[2].decode()


def _raw_entry(meta: bytes, path: bytes) -> tuple[str, str] | None:
    """(path, new blob sha) of one entry of git's raw diff output (":old new sha sha status")."""
    parts = meta[1:].split()
    if len(parts) >= 4 and parts[1] in _BLOB_MODES:
        return path.decode("utf-8", "surrogateescape"), parts[3].decode()
    return None


def _not_in_head(repo: Any, commit: str) -> Iterator[tuple[str, str]]:
    """(path, blob sha) for each file of a commit's tree that HEAD does not hold as it is. git
    compares the trees by id, so what the two share is never listed (listing the whole tree
    of each such commit took 3 s on the real platform repository)."""
    tokens = _git(repo, "diff_tree", "-r", *_LOG, "HEAD", commit).split(b"\0")
    for index in range(0, len(tokens) - 1, 2):
        found = _raw_entry(tokens[index].lstrip(b"\n"), tokens[index + 1])
        if found is not None:
            yield found


def _introduced(repo: Any, max_commits: int) -> Iterator[tuple[str, str, str]]:
    """(commit, path, blob sha) for each file the newest ``max_commits`` commits (of every
    ref) added or changed, parents before children. A commit whose first parent is outside that
    window stands for its whole tree (less what HEAD holds as it is), so a secret removed within
    the window is still seen; a merge counts what it brings to its first parent."""
    args = ["--all", "--reverse", "--topo-order", f"--max-count={max_commits}", "--format=commit %H %P", *_LOG]
    try:
        listing = _git(repo, "log", "--diff-merges=first-parent", *args)
    except Exception:  # git older than 2.31: merges then show no changes of their own
        listing = _git(repo, "log", *args)
    tokens = listing.split(b"\0")
    in_window: set[str] = set()
    commit = ""
    whole_tree = False
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if token.startswith(b"commit "):
            shas = token[7:].decode().split()
            commit, parents = shas[0], shas[1:]
            in_window.add(commit)
            whole_tree = not parents or parents[0] not in in_window
            if whole_tree:
                yield from ((commit, path, sha) for path, sha in _not_in_head(repo, commit))
        elif token.startswith(b":") and index < len(tokens):
            found = _raw_entry(token, tokens[index])
            index += 1
            if not whole_tree and found is not None:
                yield commit, *found


def _read(repo: Any, sha: str, limit: int) -> bytes | None:
    try:
        binary = bytes.fromhex(sha)
        if repo.odb.info(binary).size > limit:
            return None
        return cast(bytes, repo.odb.stream(binary).read())
    except Exception:
        return None


def _secrets(data: bytes | None, name: str) -> list[tuple[Any, str]]:
    if not data or b"\0" in data[:8192]:
        return []
    return [(pattern, shown) for _, pattern, shown in find_secrets(data, name)]


def secrets_in_history(ctx: RuleContext) -> Iterable[Hit]:
    repo_facts = ctx.documents.repository
    if not repo_facts.is_git:
        return
    try:
        import git  # GitPython
    except Exception:
        return
    try:
        repo = git.Repo(repo_facts.root, search_parent_directories=True)
    except Exception:
        return
    try:
        yield from _history_hits(repo, ctx)
    except Exception:  # a repository git cannot read (shallow, corrupt, refused): nothing to say
        return
    finally:
        try:
            repo.close()
        except Exception:
            pass


def _history_hits(repo: Any, ctx: RuleContext) -> Iterator[Hit]:
    max_commits = int(ctx.options["max_commits"])
    limit = min(int(ctx.options["max_blob_bytes"]), ctx.settings.max_file_bytes)
    if len(list(repo.iter_commits(all=True, max_count=2))) <= 1:
        return  # no history beyond what the working tree's checks already read
    try:
        head = dict(_tree_listing(repo, "HEAD"))
    except Exception:  # no commit yet, or a detached HEAD pointing nowhere
        head = {}
    head_shas = set(head.values())
    # A file moved to another folder keeps its name: its secrets are still in HEAD there.
    by_name: dict[str, list[str]] = {}
    for head_path in head:
        by_name.setdefault(head_path.rpartition("/")[2], []).append(head_path)
    seen_blobs: set[str] = set()
    reported: set[tuple[str, str, str]] = set()
    still_in_head: dict[str, set[tuple[str, str]]] = {}
    for commit, path, sha in _introduced(repo, max_commits):
        if sha in seen_blobs or sha in head_shas or path.lower().endswith(BINARY_SUFFIXES):
            continue
        seen_blobs.add(sha)
        if len(seen_blobs) > MAX_BLOBS:
            return
        for pattern, shown in _secrets(_read(repo, sha, limit), path):
            key = (path, pattern.kind, shown)
            if key in reported:
                continue
            reported.add(key)
            places = [path] if path in head else []
            places += [p for p in by_name.get(path.rpartition("/")[2], ()) if p != path]
            for place in places:
                if place not in still_in_head:
                    still_in_head[place] = {(p.kind, s) for p, s in _secrets(_read(repo, head[place], limit), place)}
            if any((pattern.kind, shown) in still_in_head[place] for place in places):
                continue  # the same value is in HEAD: TCOP-03-REPO-016 reports it
            yield Hit(
                file=None,
                position=None,
                address=f"git:{path}:{pattern.kind}:{shown}",
                message=(
                    f"commit {commit[:8]} added {description(pattern)} to {path} ({shown}); it is no longer in the "
                    "latest version but anyone with the history can read it: rotate it now, then consider "
                    "rewriting the history"
                ),
                properties={"commit": commit, "path": path, "kind": pattern.kind},
            )


def description(pattern: Any) -> str:
    return str(getattr(pattern, "description", "a secret"))
