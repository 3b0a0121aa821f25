"""Documents from the load results: Terraform modules assembled, repository facts gathered."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tcop_lint.core.model import Documents, LoadResult, ParseProblem, RepositoryFacts
from tcop_lint.core.settings import DEFAULT_MAX_FILE_BYTES, Settings
from tcop_lint.discover.discovery import ScanScope
from tcop_lint.load.loading import links_out_of_root
from tcop_lint.load.selection import files_to_load

if TYPE_CHECKING:
    from tcop_lint.load.cache import Cache
    from tcop_lint.load.parallel import Probe
    from tcop_lint.progress import Progress


def assemble(
    scope: ScanScope,
    results: Sequence[LoadResult],
    names: Sequence[str] | None = None,
    with_repository: bool = True,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> Documents:
    """Documents from the load results of ``names`` (by default ``files_to_load(scope)``).
    Without repository checks the repository facts (licences, README ...) are not gathered.
    OpenAPI path items and operations kept in other files are inlined (load.openapi_refs)."""
    from tcop_lint.assemble.repository import repository_facts
    from tcop_lint.assemble.terraform_modules import assemble_modules
    from tcop_lint.assemble.terraform_plan import plan_modules
    from tcop_lint.load.openapi_refs import inline_all

    names = files_to_load(scope, with_repository) if names is None else names
    installed = {root: dict(keys) for root, keys in scope.installed_modules}
    content = {name: result.content for name, result in zip(names, results) if result.content is not None}
    openapi, reference_problems = inline_all(
        (doc for result in results for doc in result.openapi), scope.root, max_file_bytes
    )
    tf_files = [result.terraform for result in results if result.terraform is not None]
    settled = {
        r.terraform.file: r.terraform_settled for r in results if r.terraform is not None and r.terraform_settled
    }
    return Documents(
        repository=(
            repository_facts(scope.root, scope.files, scope.is_git, content)
            if with_repository
            else RepositoryFacts(str(scope.root), scope.files, scope.is_git)
        ),
        terraform=(
            *(assemble_modules(tf_files, settled, installed) if tf_files else ()),
            *plan_modules([r.terraform_plan for r in results if r.terraform_plan is not None], tf_files),
        ),
        kubernetes=tuple(obj for result in results for obj in result.kubernetes),
        openapi=openapi,
        problems=(
            *(p for result in results for p in result.problems),
            *links_out_of_root(scope.root, scope.files),
            *reference_problems,
        ),
        scanned_files=scope.targets,
        directives=tuple(directive for result in results for directive in result.directives),
        content=content,
    )


def load_documents(
    scope: ScanScope,
    settings: Settings,
    jobs: int | None = 1,
    cache: Cache | None = None,
    with_repository: bool = True,
    progress: Progress | None = None,
    probed: Probe | None = None,
) -> Documents:
    """Every file parsed once: in worker processes when there are enough, from the cache
    when unchanged since the last scan."""
    from tcop_lint.core.storage import keep_data_in
    from tcop_lint.load.loading import forget_real_dirs
    from tcop_lint.load.parallel import load_all

    forget_real_dirs()
    keep_data_in(cache.directory if cache is not None else None)  # where licence reference texts are kept
    # ``probed`` was made by the caller for this scope and selection: its names are these.
    names = probed.names if probed is not None else files_to_load(scope, with_repository)
    # Loading builds millions of small objects that live until the scan ends, and none is
    # garbage: with the collector running, each full collection walks them all (seconds on a
    # large repository). Collect nothing meanwhile, then leave them out of later collections.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return assemble(
            scope,
            load_all(
                scope.root,
                names,
                settings.max_file_bytes,
                jobs,
                cache,
                progress,
                plan_bytes=settings.max_plan_bytes,
                probed=probed,
            ),
            names,
            with_repository,
            settings.max_file_bytes,
        )
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def problems_in_scope(documents: Documents) -> tuple[ParseProblem, ...]:
    scanned = frozenset(documents.scanned_files)
    return tuple(sorted((p for p in documents.problems if p.file in scanned), key=lambda p: (p.file, p.message)))
