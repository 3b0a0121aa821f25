"""TCOP-03-GIT-001: secrets in the git history that are no longer in HEAD.

The commits reachable from any ref are read through GitPython (git rev-list and cat-file, no
other process and nothing that runs hooks), newest first up to a bound, oldest of those
visited first so each secret is named with the commit that brought it in. Blobs that HEAD
still holds are TCOP-03-REPO-016's to report. Values are redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tcop_lint.core.model import Hit
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.content import BINARY_SUFFIXES, find_secrets

MAX_BLOBS = 20000
MAX_TREES = 50000


def _tree_blobs(tree: Any, seen_trees: set[str], budget: list[int]) -> Iterator[tuple[str, Any]]:
    """(path, blob) for every blob below ``tree`` in subtrees not yet visited; iterative."""
    stack = [tree]
    while stack:
        current = stack.pop()
        if current.hexsha in seen_trees or budget[0] <= 0:
            continue
        seen_trees.add(current.hexsha)
        budget[0] -= 1
        for item in current:
            if item.type == "tree":
                stack.append(item)
            elif item.type == "blob":
                yield item.path, item


def _head_blobs(repo: Any, seen_trees: set[str]) -> dict[str, Any]:
    """path -> blob for every file in HEAD. HEAD's trees join ``seen_trees``: a tree HEAD has
    holds only blobs HEAD has, which are not this check's to report."""
    try:
        tree = repo.head.commit.tree
    except Exception:  # no commit yet, or a detached HEAD pointing nowhere
        return {}
    found: dict[str, Any] = {}
    budget = [MAX_TREES]
    for path, blob in _tree_blobs(tree, seen_trees, budget):
        found[path] = blob
    return found


def _read(blob: Any, limit: int) -> bytes | None:
    try:
        if blob.size > limit:
            return None
        return blob.data_stream.read(limit)
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
    commits = list(repo.iter_commits(all=True, max_count=max_commits, reverse=True))
    if len(commits) <= 1:
        return  # no history beyond what the working tree's checks already read
    seen_trees: set[str] = set()
    head = _head_blobs(repo, seen_trees)
    head_shas = {blob.hexsha for blob in head.values()}
    # A file moved to another folder keeps its name: its secrets are still in HEAD there.
    by_name: dict[str, list[str]] = {}
    for head_path in head:
        by_name.setdefault(head_path.rpartition("/")[2], []).append(head_path)
    seen_blobs: set[str] = set()
    budget = [MAX_TREES]
    reported: set[tuple[str, str, str]] = set()
    still_in_head: dict[str, set[tuple[str, str]]] = {}
    for commit in commits:
        for path, blob in _tree_blobs(commit.tree, seen_trees, budget):
            if blob.hexsha in seen_blobs or blob.hexsha in head_shas or path.lower().endswith(BINARY_SUFFIXES):
                continue
            seen_blobs.add(blob.hexsha)
            if len(seen_blobs) > MAX_BLOBS:
                return
            for pattern, shown in _secrets(_read(blob, limit), path):
                key = (path, pattern.kind, shown)
                if key in reported:
                    continue
                reported.add(key)
                places = [path] if path in head else []
                places += [p for p in by_name.get(path.rpartition("/")[2], ()) if p != path]
                for place in places:
                    if place not in still_in_head:
                        still_in_head[place] = {(p.kind, s) for p, s in _secrets(_read(head[place], limit), place)}
                if any((pattern.kind, shown) in still_in_head[place] for place in places):
                    continue  # the same value is in HEAD: TCOP-03-REPO-016 reports it
                short = commit.hexsha[:8]
                yield Hit(
                    file=None,
                    position=None,
                    address=f"git:{path}:{pattern.kind}:{shown}",
                    message=(
                        f"commit {short} added {description(pattern)} to {path} ({shown}); it is no longer in the "
                        "latest version but anyone with the history can read it: rotate it now, then consider "
                        "rewriting the history"
                    ),
                    properties={"commit": commit.hexsha, "path": path, "kind": pattern.kind},
                )


def description(pattern: Any) -> str:
    return str(getattr(pattern, "description", "a secret"))
