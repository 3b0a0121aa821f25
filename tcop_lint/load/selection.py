"""Which files a scan loads: its targets and the context they need."""

from __future__ import annotations

from tcop_lint.discover.discovery import ScanScope
from tcop_lint.load.loading import loader_for


def files_to_load(scope: ScanScope, with_repository: bool = True) -> tuple[str, ...]:
    """Files to parse or to look into: targets plus the context they need (the other files of
    their kind in their directories). With repository checks, also every file a content check
    (secrets, encoding, licence...) reads."""
    from tcop_lint.load.content import repository_file, view_wanted
    from tcop_lint.load.content import wanted as content_wanted

    installed = scope.module_files  # modules terraform init installed: read to follow calls into them
    if not scope.explicit:
        listed = tuple(name for name in scope.files if loader_for(name) or (with_repository and content_wanted(name)))
        return tuple(sorted((*listed, *installed))) if installed else listed
    wanted = {name for name in scope.targets if loader_for(name)}
    wanted.update(installed)
    # Terraform needs its module's other files to resolve variables; manifests need their
    # neighbours for relations (an HPA or PodDisruptionBudget beside a Deployment).
    directories = {(loader_for(name) == "terraform", name.rpartition("/")[0]) for name in wanted}
    wanted.update(
        name
        for name in scope.files
        if loader_for(name) and (loader_for(name) == "terraform", name.rpartition("/")[0]) in directories
    )
    if with_repository:
        # Findings on other files are left out of a partial scan, so only targets need content
        # facts; and the licence files and README, which the repository facts read.
        wanted.update(name for name in scope.targets if content_wanted(name))
        wanted.update(name for name in scope.files if repository_file(name) and not loader_for(name))
        # Workflows, Dependabot, CODEOWNERS, manifests and lockfiles are repository-wide evidence
        # (TCOP-06-REPO-001 counts the ecosystems of every manifest), read whatever the targets.
        wanted.update(name for name in scope.files if view_wanted(name))
    return tuple(sorted(wanted))
