"""Checks on the files a repository holds: dependency management, Dockerfiles, CODEOWNERS,
community files, open formats and data files.

The files are parsed in the load phase into views (tcop_lint.load.repository_files,
``Documents.content``); no check reads a file, and a file without a view keeps its check silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tcop_lint.core.model import FileContent, Hit, Manifest
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.content import HTML_SUFFIXES, IGNORED_DIRS, TEXT_SUFFIXES, content_of
from tcop_lint.load.repository_files import (
    DEPENDABOT,
    codeowners_path,
    dockerfile_paths,
    owned,
    position,
    uses_references,
    workflow_paths,
)

REPOSITORY = "<repository>"


def _repo(ctx: RuleContext):
    return ctx.documents.repository


def _base(name: str) -> str:
    return name.rpartition("/")[2]


def _directory(name: str) -> str:
    return name.rpartition("/")[0]


def _file_hit(path: str, line: int, message: str, level: str | None = None, *, key: str = "", **properties: Any) -> Hit:
    return Hit(path, position(line), path, message, properties, level, key=key)  # type: ignore[arg-type]


def _repository_hit(message: str, **properties: Any) -> Hit:
    return Hit(None, None, REPOSITORY, message, properties)


_IGNORED_DIRS = IGNORED_DIRS


# --- TCOP-06-REPO-001 / 002: dependencies -----------------------------------------------

# Manifest file name -> the Dependabot ecosystem that updates it.
_MANIFESTS: Mapping[str, str] = {
    "package.json": "npm",
    "pyproject.toml": "pip",
    "Pipfile": "pip",
    "setup.py": "pip",
    "setup.cfg": "pip",
    "Gemfile": "bundler",
    "go.mod": "gomod",
    "Cargo.toml": "cargo",
    "pom.xml": "maven",
    "build.gradle": "gradle",
    "build.gradle.kts": "gradle",
    "composer.json": "composer",
    "mix.exs": "mix",
    "pubspec.yaml": "pub",
}
_ALSO_COVERS: Mapping[str, tuple[str, ...]] = {"pip": ("pip", "uv", "pipenv", "poetry")}
_RENOVATE = (
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
)
_DEPENDABOT = DEPENDABOT


_REQUIREMENTS = re.compile(r"requirements[\w.-]*\.(?:txt|in)$")


def _ecosystems(ctx: RuleContext) -> dict[str, str]:
    """Ecosystem -> the first file that shows it is used."""
    repo = _repo(ctx)
    found: dict[str, str] = {}
    for name in repo.files:
        base = _base(name)
        ecosystem = _MANIFESTS.get(base)
        if ecosystem is None and base.startswith("requirements") and _REQUIREMENTS.match(base):
            ecosystem = "pip"
        if ecosystem is None and base.endswith((".csproj", ".fsproj", ".vbproj")):
            ecosystem = "nuget"
        if ecosystem and not _IGNORED_DIRS.search(name) and "/fixtures/" not in f"/{name}":
            found.setdefault(ecosystem, name)
    dockerfiles = [n for n in dockerfile_paths(repo.files) if "/fixtures/" not in f"/{n}"]
    if dockerfiles:
        found.setdefault("docker", dockerfiles[0])
    for name in workflow_paths(repo.files):
        workflow = _content(ctx, name).yaml
        if workflow is not None and any(not u.startswith("./") for _, u in uses_references(workflow)):
            found.setdefault("github-actions", name)
            break
    return found


def dependency_updates(ctx: RuleContext) -> Iterable[Hit]:
    repo = _repo(ctx)
    ecosystems = _ecosystems(ctx)
    if not ecosystems:
        return
    present = set(repo.files)
    if any(name in present for name in _RENOVATE):
        return
    dependabot = next((name for name in _DEPENDABOT if name in present), None)
    listed = ", ".join(sorted(ecosystems))
    if dependabot is None:
        yield _repository_hit(
            f"Nothing keeps the dependencies up to date ({listed}): add .github/dependabot.yml or a Renovate "
            "configuration so updates arrive little and often",
            ecosystems=sorted(ecosystems),
        )
        return
    config = _content(ctx, dependabot).yaml
    if config is None:
        return
    updates = config.data.get("updates")
    covered: set[str] = set()
    for entry in updates if isinstance(updates, list) else ():
        if isinstance(entry, Mapping) and isinstance(entry.get("package-ecosystem"), str):
            covered.add(entry["package-ecosystem"].strip().lower())
    for ecosystem, evidence in sorted(ecosystems.items()):
        if covered & set(_ALSO_COVERS.get(ecosystem, (ecosystem,))):
            continue
        yield _file_hit(
            dependabot,
            config.line(("updates",)),
            f"{dependabot} does not update the {ecosystem} dependencies used by {evidence}: add an updates entry "
            f"with package-ecosystem: {ecosystem}",
            ecosystem=ecosystem,
        )


_NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb", "bun.lock")


def _lock_nearby(present: set[str], directory: str, locks: Iterable[str]) -> bool:
    """A lockfile beside the manifest or in a parent directory (workspaces keep one at the top)."""
    locks = tuple(locks)
    current = directory
    while True:
        prefix = current + "/" if current else ""
        if any(prefix + lock in present for lock in locks):
            return True
        if not current:
            return False
        current = _directory(current)


def _manifest(ctx: RuleContext, name: str) -> Mapping[str, Any] | None:
    found: Manifest | None = _content(ctx, name).manifest
    return found.data if found is not None else None


def _needed_lock(ctx: RuleContext, name: str, present: set[str]) -> tuple[str, ...] | None:
    """The lockfiles that would satisfy this manifest, or None when it needs none."""
    base, directory = _base(name), _directory(name)
    prefix = directory + "/" if directory else ""
    if base == "package.json":
        data = _manifest(ctx, name)
        if not data or not any(
            isinstance(data.get(k), Mapping) and data[k] for k in ("dependencies", "devDependencies")
        ):
            return None
        return _NPM_LOCKS
    if base == "Pipfile":
        return ("Pipfile.lock",)
    if base == "pyproject.toml":
        tool = (_manifest(ctx, name) or {}).get("tool")
        tool = tool if isinstance(tool, Mapping) else {}
        if isinstance(tool.get("poetry"), Mapping):
            return ("poetry.lock",)
        if "uv" in tool:
            return ("uv.lock",)
        if "pdm" in tool:
            return ("pdm.lock",)
        return None
    if base == "Gemfile":
        if any(n.startswith(prefix) and n.count("/") == prefix.count("/") and n.endswith(".gemspec") for n in present):
            return None  # a gem: Bundler's convention is to leave Gemfile.lock out
        return ("Gemfile.lock",)
    if base == "go.mod":
        return ("go.sum",) if (_manifest(ctx, name) or {}).get("require") else None
    if base == "Cargo.toml":
        return ("Cargo.lock",) if prefix + "src/main.rs" in present else None
    if base == "composer.json":
        data = _manifest(ctx, name)
        return ("composer.lock",) if data and data.get("type") != "library" and data.get("require") else None
    return None


_LOCKED_MANIFESTS = frozenset(
    ("package.json", "Pipfile", "pyproject.toml", "Gemfile", "go.mod", "Cargo.toml", "composer.json")
)


def lockfiles_committed(ctx: RuleContext) -> Iterable[Hit]:
    repo = _repo(ctx)
    present = set(repo.files)
    for name in repo.files:
        if _base(name) not in _LOCKED_MANIFESTS or _IGNORED_DIRS.search(name):
            continue
        locks = _needed_lock(ctx, name, present)
        if locks is None or _lock_nearby(present, _directory(name), locks):
            continue
        yield _file_hit(
            name,
            1,
            f"{name} has no committed lockfile ({' or '.join(locks[:3])}): commit one so that builds and automated "
            "updates install exactly the versions that were tested",
        )


# --- TCOP-06-REPO-007: Dockerfile base images -------------------------------------------


def base_images_pinned(ctx: RuleContext) -> Iterable[Hit]:
    repo = _repo(ctx)
    for name in dockerfile_paths(repo.files):
        lines = _content(ctx, name).from_lines
        if lines is None:
            continue
        stages: set[str] = set()
        for entry in lines:
            image = entry.image
            lower = image.lower()
            if lower == "scratch" or lower in stages or "$" in image or "@sha256:" in lower:
                pass
            else:
                last = image.rpartition("/")[2]
                tag = last.partition(":")[2] if ":" in last else ""
                if not tag or tag == "latest":
                    yield _file_hit(
                        name,
                        entry.line,
                        f"base image {image} has {'no tag' if not tag else 'the tag latest'}, so each build may get a "
                        "different "
                        "image: pin it by digest (image:tag@sha256:...)",
                        image=image,
                        key=image,
                    )
                else:
                    yield _file_hit(
                        name,
                        entry.line,
                        f"base image {image} is pinned by tag only; tags can be moved: add its digest (@sha256:...) "
                        "and let "
                        "Dependabot or Renovate update it",
                        level="note",
                        image=image,
                        key=image,
                    )
            if entry.stage:
                stages.add(entry.stage.lower())


# --- TCOP-06-REPO-008: CODEOWNERS -------------------------------------------------------


def _protected_samples(ctx: RuleContext) -> dict[str, str]:
    """One file for each area that should have owners: label -> sample path."""
    repo = _repo(ctx)
    samples: dict[str, str] = {}
    workflows = workflow_paths(repo.files)
    if workflows:
        samples[".github/workflows/"] = workflows[0]
    for module in ctx.documents.terraform:
        for file in module.files:
            samples.setdefault(f"Terraform ({module.directory or 'root'})", file)
    for obj in ctx.documents.kubernetes:
        samples.setdefault(f"Kubernetes manifests ({_directory(obj.file) or 'root'})", obj.file)
    return samples


def codeowners_protects(ctx: RuleContext) -> Iterable[Hit]:
    repo = _repo(ctx)
    samples = _protected_samples(ctx)
    if not samples:
        return
    path = codeowners_path(repo.files)
    if path is None:
        yield _repository_hit(
            "No CODEOWNERS file: consider one that requires review by named owners for changes to "
            + ", ".join(sorted(samples))
        )
        return
    rules = _content(ctx, path).codeowners
    if rules is None:
        return
    missing = sorted(label for label, sample in samples.items() if not owned(sample, rules))
    if missing:
        yield _file_hit(
            path,
            1,
            f"{path} names no owners for {', '.join(missing)}: add a rule so changes there need an owner's review",
        )


# --- TCOP-03-REPO-010 / 011: community files --------------------------------------------


def contributing_present(ctx: RuleContext) -> Iterable[Hit]:
    repo = _repo(ctx)
    if repo.gathered and repo.contributing is None:
        yield _repository_hit(
            "No contribution guidelines: add a CONTRIBUTING.md saying how to propose changes and what is expected of "
            "them"
        )


_CHANGELOG = re.compile(
    r"^(?:changelog|changes|history|news|releases?)(?:\.(?:md|markdown|rst|txt|adoc))?$", re.IGNORECASE
)
_SEMVER = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def _published_package(ctx: RuleContext) -> tuple[str, str | None] | None:
    """(manifest, version or None when dynamic) of a root package made for publication."""
    repo = _repo(ctx)
    present = set(repo.files)
    if "package.json" in present:
        data = _manifest(ctx, "package.json")
        if (
            data
            and data.get("private") is not True
            and isinstance(data.get("name"), str)
            and isinstance(data.get("version"), str)
        ):
            return "package.json", data["version"]
    if "pyproject.toml" in present:
        data = _manifest(ctx, "pyproject.toml") or {}
        project = data.get("project")
        if isinstance(project, Mapping) and isinstance(project.get("name"), str):
            declared = project.get("classifiers")
            classifiers = declared if isinstance(declared, list) else []
            if "Private :: Do Not Upload" not in classifiers:
                if isinstance(project.get("version"), str):
                    return "pyproject.toml", project["version"]
                if "version" in (project.get("dynamic") or ()):
                    return "pyproject.toml", None
    if "Cargo.toml" in present:
        package = (_manifest(ctx, "Cargo.toml") or {}).get("package")
        if (
            isinstance(package, Mapping)
            and package.get("publish") is not False
            and isinstance(package.get("version"), str)
        ):
            return "Cargo.toml", package["version"]
    gemspec = next((n for n in sorted(present) if "/" not in n and n.endswith(".gemspec")), None)
    if gemspec:
        return gemspec, None
    return None


def changelog_for_library(ctx: RuleContext) -> Iterable[Hit]:
    repo = _repo(ctx)
    package = _published_package(ctx)
    if package is None:
        return
    manifest, version = package
    found = _content(ctx, manifest).manifest
    if version is not None and not _SEMVER.match(version.strip()):
        yield _file_hit(
            manifest,
            found.version_line if found is not None else 1,
            f"{manifest} gives version {version!r}, which is not a Semantic Versioning number (MAJOR.MINOR.PATCH)",
            kind="version",
            key="version",
        )
    has_changelog = any(_CHANGELOG.match(_base(n)) and _directory(n) in ("", "docs", ".github") for n in repo.files)
    if not has_changelog:
        yield _file_hit(
            manifest,
            1,
            f"{manifest} describes a package others can install, but there is no CHANGELOG: record what changes in "
            "each release",
            kind="changelog",
            key="changelog",
        )


# --- TCOP-04-REPO-001 / 002 / 003: open formats -----------------------------------------

MAX_TEXT_FILES = 20000


def text_files(ctx: RuleContext, suffixes: tuple[str, ...] = TEXT_SUFFIXES) -> list[str]:
    return [n for n in _repo(ctx).files if n.lower().endswith(suffixes) and not _IGNORED_DIRS.search(n)][
        :MAX_TEXT_FILES
    ]


def _content(ctx: RuleContext, name: str) -> FileContent:
    return content_of(ctx.documents.content, name)


def files_are_utf8(ctx: RuleContext) -> Iterable[Hit]:
    for name in text_files(ctx):
        problem = _content(ctx, name).encoding
        if problem is not None:
            line, description, is_note = problem
            yield _file_hit(name, line, f"{name} {description}: save it as UTF-8", level="note" if is_note else None)


_OFFICE = {
    ".doc": "an editable Microsoft Word document",
    ".docx": "an editable Microsoft Word document",
    ".xls": "an Excel spreadsheet",
    ".xlsx": "an Excel spreadsheet",
    ".ppt": "a PowerPoint presentation",
    ".pptx": "a PowerPoint presentation",
    ".docm": "a macro-enabled Word document",
    ".xlsm": "a macro-enabled Excel spreadsheet",
    ".pptm": "a macro-enabled PowerPoint presentation",
}
_ODF_FOR = {"doc": ".odt", "xls": ".ods", "ppt": ".odp"}


def editable_documents_odf(ctx: RuleContext) -> Iterable[Hit]:
    for name in _repo(ctx).files:
        suffix = "." + name.rpartition(".")[2].lower() if "." in _base(name) else ""
        described = _OFFICE.get(suffix)
        if described is None or _IGNORED_DIRS.search(name):
            continue
        odf = _ODF_FOR[suffix[1:4]]
        message = f"{name} is {described}: share editable documents in OpenDocument Format ({odf})"
        if suffix.endswith("m"):
            message += "; macros must not be in publicly shared documents"
        yield _file_hit(name, 1, message, format=suffix)


def pdfs_are_pdfa(ctx: RuleContext) -> Iterable[Hit]:
    for name in _repo(ctx).files:
        if not name.lower().endswith(".pdf") or _IGNORED_DIRS.search(name):
            continue
        part = _content(ctx, name).pdfa_part
        if part is None:
            continue
        part = part or None
        if part in ("1", "2"):
            continue
        if part == "3":
            message = (
                f"{name} is PDF/A-3, which allows embedded files of any format: "
                "use PDF/A-1 or PDF/A-2 for static documents"
            )
        else:
            message = f"{name} is not marked as PDF/A: export static documents for download or archiving as PDF/A"
        yield _file_hit(name, 1, message, part=part)


# --- TCOP-10-REPO-001 / 003: data files -------------------------------------------------


def csv_well_formed(ctx: RuleContext) -> Iterable[Hit]:
    for name in _repo(ctx).files:
        if not name.lower().endswith(".csv") or _IGNORED_DIRS.search(name):
            continue
        problem = _content(ctx, name).csv
        if problem is not None:
            yield _file_hit(name, problem[0], f"{name} {problem[1]}")


_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|spec|specs|__tests__|testdata|test-data|fixtures|examples?|node_modules)/", re.IGNORECASE
)
_METADATA = re.compile(
    r"^(?:datapackage\.(?:json|ya?ml)|.*-metadata\.json|csv-metadata\.json|.*\.csvw\.json|.*\.csv-metadata\.json"
    r"|dcat.*\.(?:json|jsonld|ttl|rdf|xml)|metadata\.(?:json|jsonld|ya?ml))$",
    re.IGNORECASE,
)
DATA_SUFFIXES = (".csv", ".tsv")


def dataset_metadata(ctx: RuleContext) -> Iterable[Hit]:
    files = _repo(ctx).files
    data_dirs: dict[str, str] = {}
    for name in files:
        if name.lower().endswith(DATA_SUFFIXES) and not _TEST_PATH.search(name) and not _IGNORED_DIRS.search(name):
            data_dirs.setdefault(_directory(name), name)
    if not data_dirs:
        return
    metadata_dirs = {_directory(n) for n in files if _METADATA.match(_base(n))}
    for directory, first in sorted(data_dirs.items()):
        current, covered = directory, False
        while True:
            if current in metadata_dirs:
                covered = True
                break
            if not current:
                break
            current = _directory(current)
        if not covered:
            place = directory or "the repository root"
            yield _file_hit(
                first,
                1,
                f"the data files in {place} have no machine-readable metadata: add a datapackage.json "
                "(Frictionless Data) or CSV on the Web (CSVW) metadata describing them",
            )


# --- TCOP-02-REPO-001: HTML language ----------------------------------------------------


def html_declares_language(ctx: RuleContext) -> Iterable[Hit]:
    for name in text_files(ctx, HTML_SUFFIXES):
        line = _content(ctx, name).html_line
        if line is not None:
            yield _file_hit(
                name,
                line,
                f"the <html> element in {name} does not say what language the page is in: add a lang attribute "
                '(lang="en")',
            )
