"""Licence checks for TCoP point 3 beyond the licence file itself: the preferred licence, the
documentation licence, the copyright line, the README, closed repositories, dependencies and
package manifests.

The rules read ``ctx.documents.repository`` (its file list, licence files and README) and the
views the load phase made of the few small files they need (``Documents.content``); none reads
a file. A file that was not read keeps them silent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tcop_lint.core.model import Hit, LicenceFile, Position, RepositoryFacts
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural
from tcop_lint.load.content import content_of
from tcop_lint.load.repository_files import is_lockfile, licence_value

READ_LIMIT = 256 * 1024
MAX_DEPENDENCY_HITS = 200
REPOSITORY = "<repository>"


# --- helpers ------------------------------------------------------------------------------


def _facts(ctx: RuleContext) -> RepositoryFacts:
    return ctx.documents.repository


def _files(ctx: RuleContext) -> tuple[str, ...]:
    return tuple(ctx.documents.repository.files or ())


def _read(ctx: RuleContext, name: str) -> str | None:
    """The whole text of a small file, from the load phase; None when it is larger or not loaded."""
    text = content_of(ctx.documents.content, name).text
    return text.text if text is not None and text.complete else None


def _hit(path: str, line: int, message: str, *, key: str = "", **properties: Any) -> Hit:
    return Hit(
        file=path,
        position=Position(max(1, int(line or 1)), 1),
        address=path,
        message=message,
        properties=properties,
        key=key,
    )


def _repository_hit(message: str, **properties: Any) -> Hit:
    return Hit(file=None, position=None, address=REPOSITORY, message=message, properties=properties)


def _line_of(text: str, pattern: re.Pattern[str], default: int = 1) -> int:
    found = pattern.search(text)
    return text.count("\n", 0, found.start()) + 1 if found else default


def _family(spdx_id: str) -> str:
    return re.sub(r"(?:-only|-or-later|\+)$", "", spdx_id.strip()).lower()


def _identified_root_licences(ctx: RuleContext) -> list[LicenceFile]:
    return [e for e in _facts(ctx).licence_files if e.location == "root" and e.spdx_id]


# --- TCOP-03-REPO-004 preferred code licence ---------------------------------------------


def preferred_code_licence(ctx: RuleContext) -> Iterable[Hit]:
    preferred = tuple(ctx.options["preferred"])
    wanted = {_family(p) for p in preferred}
    entries = _identified_root_licences(ctx)
    if not entries or any(_family(e.spdx_id or "") in wanted for e in entries):
        return
    first = entries[0]
    yield _hit(
        first.path,
        1,
        f"{first.path} uses {first.spdx_id}; the GDS Way and several departments prefer "
        f"{' or '.join(preferred)} for code",
        spdx_id=first.spdx_id,
    )


# --- TCOP-03-REPO-005 documentation under the OGL ----------------------------------------

_DOCS_SITE_FILES = (
    "mkdocs.yml",
    "mkdocs.yaml",
    "config/tech-docs.yml",
    "docs/conf.py",
    "doc/conf.py",
    "docs/source/conf.py",
    "docs/_config.yml",
    "docs/mkdocs.yml",
    "antora.yml",
    "docs/antora.yml",
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "book.toml",
    "docs/book.toml",
    "hugo.toml",
    "docs/hugo.toml",
)
_OGL_NAME = re.compile(r"(?:^|/)(?:licen[cs]e[-_.]?ogl|ogl[-_.]?licen[cs]e|ogl)(?:\.[a-z]+)?$", re.IGNORECASE)
_OGL_TEXT = re.compile(
    r"open government licen[cs]e|\bOGL(?:-UK)?(?:[- ]?v?3(?:\.0)?)?\b|open-government-licence", re.IGNORECASE
)


def _docs_site(files: tuple[str, ...]) -> str | None:
    present = set(files)
    for name in _DOCS_SITE_FILES:
        if name in present:
            return name
    return None


def documentation_under_ogl(ctx: RuleContext) -> Iterable[Hit]:
    files = _files(ctx)
    site = _docs_site(files)
    if site is None:
        return
    if any(_OGL_NAME.search(name) for name in files):
        return
    if any(e.spdx_id == "OGL-UK-3.0" for e in _facts(ctx).licence_files):
        return
    overrides = [n for n in files if n.startswith("source/layouts/")]
    if site == "config/tech-docs.yml" and not overrides:
        return  # the GOV.UK tech-docs template's footer states the Open Government Licence
    readme = _facts(ctx).readme
    places = [site] + ([readme] if readme else [])
    places += sorted(n for n in files if n.lower() in ("docs/index.md", "docs/licence.md", "docs/license.md"))
    places += [
        n for n in files if re.match(r"(?:source/)?layouts/.*footer", n) or n.endswith(("_footer.html", "footer.html"))
    ][:20]
    places += overrides[:20]
    for name in places:
        text = _read(ctx, name)
        if text and _OGL_TEXT.search(text):
            return
    yield _hit(
        site,
        1,
        f"{site} builds a documentation site, but nothing says the documentation is available under "
        "the Open Government Licence v3.0",
        docs_site=site,
    )


# --- TCOP-03-REPO-006 Crown copyright -----------------------------------------------------

_COPYRIGHT_LINE = re.compile(r"^[ \t#*>_-]*(?:copyright\b|\(c\)|©).*$", re.IGNORECASE | re.MULTILINE)
_CROWN = re.compile(
    r"crown[ -]copyright|©\s*crown|\(c\)\s*crown|copyright\s*(?:\(c\)|©)?\s*\d{4}(?:\s*[-–]\s*\d{4})?,?\s*crown",
    re.IGNORECASE,
)
_TEMPLATE_LINE = re.compile(
    r"copyright \d{4}-\d{4} free software foundation|copyright \(c\) <year>|\[yyyy\]|\[year\]|free software "
    r"foundation, inc",
    re.IGNORECASE,
)


def crown_copyright(ctx: RuleContext) -> Iterable[Hit]:
    for entry in _facts(ctx).licence_files:
        if entry.location != "root" or entry.empty:
            continue
        text = _read(ctx, entry.path)
        if not text:
            continue
        lines = [m for m in _COPYRIGHT_LINE.finditer(text[:20_000]) if not _TEMPLATE_LINE.search(m.group(0))]
        lines = [m for m in lines if re.search(r"\d{4}|crown", m.group(0), re.IGNORECASE)]
        if not lines or any(_CROWN.search(m.group(0)) for m in lines):
            continue
        first = lines[0]
        holder = first.group(0).strip(" \t#*>_-")[:120]
        yield _hit(
            entry.path,
            text.count("\n", 0, first.start()) + 1,
            f'{entry.path} names the copyright holder as "{holder}", not the Crown: code written by '
            "civil servants (and usually by contractors) is Crown copyright",
            copyright_line=holder,
        )


# --- TCOP-03-REPO-008 README states and links the licence --------------------------------

_LICENCE_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*|=+\s*|<h[1-6][^>]*>\s*)(?:licen[cs](?:e|ing)\b|copyright and licen[cs]e)"
    r"|^(?:licen[cs](?:e|ing)|copyright and licen[cs]e)\s*\n[-=~^]{3,}",
    re.IGNORECASE | re.MULTILINE,
)
_LICENCE_LINK = re.compile(
    r"\]\(\s*(?:\./|/|https?://\S*/)?(?:licen[cs]e|copying)[^)\s]*\)|href=[\"'][^\"']*(?:licen[cs]e|copying)[^\"']*[\"']"
    r"|<(?:\./)?(?:licen[cs]e|copying)[^>\s]*>`?_|\blicen[cs]e(?:\.md|\.txt)?\b\]",
    re.IGNORECASE,
)


def readme_states_licence(ctx: RuleContext) -> Iterable[Hit]:
    from tcop_lint.licences import identify_statement

    readme = _facts(ctx).readme
    if not readme:
        return
    text = _read(ctx, readme)
    if text is None:
        return
    heading = _LICENCE_HEADING.search(text) is not None
    link = _LICENCE_LINK.search(text) is not None
    named = identify_statement(text).spdx_id is not None
    if (heading or named) and link:
        return
    if heading or named:
        missing = "does not link to the licence file"
    elif link:
        missing = "links to a licence file but does not name the licence"
    else:
        missing = "does not say which licence the code is under"
    yield _hit(
        readme, 1, f"{readme} {missing}: add a Licence section naming the licence and linking to the LICENCE file"
    )


# --- TCOP-03-REPO-012 closed repositories explain why ------------------------------------

_PRIVATE_SIGNAL = re.compile(
    r"\b(?:this|the) (?:repository|repo|code(?:base)?) is (?:private|closed|not (?:public|open)|internal(?: only)?)\b"
    r"|\b(?:this|the) (?:repository|repo|code(?:base)?) (?:must|should|will) (?:not|never) be (?:made "
    r")?(?:public|open)",
    re.IGNORECASE,
)
_HANDLING_KEYS = ("classification", "handling_group", "last_reviewed_on", "review_in", "responsible_role")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_PERIOD = re.compile(r"^\s*(\d{1,3})\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


def _handling_file(files: tuple[str, ...]) -> str | None:
    for name in files:
        if "/" not in name and name.lower() in ("handling_instructions.md", "handling_instructions"):
            return name
    return None


def _review_due(last: Any, period: Any) -> dt.date | None:
    if isinstance(last, dt.datetime):
        last = last.date()
    if isinstance(last, str):
        try:
            last = dt.date.fromisoformat(last.strip())
        except ValueError:
            return None
    if not isinstance(last, dt.date) or not isinstance(period, str):
        return None
    found = _PERIOD.match(period)
    if found is None:
        return None
    count, unit = int(found.group(1)), found.group(2).lower()
    days = {"day": 1, "week": 7, "month": 31, "year": 366}[unit] * count
    return last + dt.timedelta(days=days)


def closed_repository_explained(ctx: RuleContext) -> Iterable[Hit]:
    files = _files(ctx)
    handling = _handling_file(files)
    if handling is None:
        readme = _facts(ctx).readme
        text = _read(ctx, readme) if readme else None
        if readme and text and _PRIVATE_SIGNAL.search(text):
            line = _line_of(text, _PRIVATE_SIGNAL)
            yield _hit(
                readme,
                line,
                f"{readme} says the repository is not public, but there is no HANDLING_INSTRUCTIONS.md "
                "explaining why the code cannot be open",
            )
        return
    text = _read(ctx, handling)
    if text is None:
        return
    found = _FRONT_MATTER.match(text)
    data: Any = None
    if found:
        try:
            import yaml

            data = yaml.safe_load(found.group(1))
        except Exception:
            data = None
    if not isinstance(data, dict):
        yield _hit(handling, 1, f"{handling} has no front matter: add {', '.join(_HANDLING_KEYS)}")
        return
    missing = [key for key in _HANDLING_KEYS if data.get(key) in (None, "")]
    if missing:
        yield _hit(handling, 1, f"{handling} front matter lacks {', '.join(missing)}")
        return
    due = _review_due(data.get("last_reviewed_on"), data.get("review_in"))
    if due is not None and due < dt.date.today():
        line = _line_of(text, re.compile(r"^last_reviewed_on\s*:", re.MULTILINE))
        yield _hit(
            handling,
            line,
            f"{handling} was due for review on {due.isoformat()}: review whether the code can now be opened",
        )


# --- TCOP-03-REPO-013 dependency licences --------------------------------------------------


OPEN_CONTENT_LICENCES = ("CC0-1.0", "CC-BY-3.0", "CC-BY-4.0", "ODC-By-1.0", "PDDL-1.0", "OGL-UK-3.0")


def dependency_licences(ctx: RuleContext) -> Iterable[Hit]:
    from tcop_lint.licences import is_allowed, parse_expression

    # Data packages (browser tables, licence lists) are under open content licences, which are
    # open for what they are even where a policy names only software licences.
    allowed = (*ctx.options["allowed_licences"], *OPEN_CONTENT_LICENCES)
    count = 0
    for name in _files(ctx):
        if not is_lockfile(name):
            continue
        packages = content_of(ctx.documents.content, name).packages or ()
        # A lockfile or SBOM that records no licence for a package says nothing about it (npm
        # leaves the field out for many packages that have one): unknown, not unlicensed.
        unknown = [locked for locked in packages if locked.licence is None]
        if unknown:
            yield Hit(
                file=name,
                position=Position(1, 1),
                address=name,
                message=f"{len(unknown)} of the {plural(len(packages), 'package')} in {name} "
                f"{'has' if len(unknown) == 1 else 'have'} no licence recorded there, so "
                f"{'its licence was' if len(unknown) == 1 else 'their licences were'} not checked; an SBOM "
                f"generated with licence data (CycloneDX or SPDX) would show {'it' if len(unknown) == 1 else 'them'}",
                level="note",
                key="unknown",
                properties={"unknown": len(unknown)},
            )
        for locked in packages:
            package, version, value, line = locked.name, locked.version, locked.licence, locked.line
            label = f"{package}@{version}" if version else package
            if value is None:
                continue
            if value.upper() == "UNLICENSED":
                message = f"{label} is marked UNLICENSED (proprietary): check you have the right to use it"
            else:
                expression = parse_expression(value.strip("()"))
                if expression is not None and is_allowed(expression, allowed):
                    continue
                if expression is None and re.search(r"\bSEE LICEN[CS]E IN\b", value, re.IGNORECASE):
                    message = f"{label} refers to its own licence file ({value}): check its terms are acceptable"
                elif expression is None:
                    message = f"{label} has a licence that is not an SPDX expression ({value}): check its terms"
                else:
                    message = f"{label} is under {expression}, which is not an open licence allowed by policy"
            yield _hit(name, line, message, package=package, version=version, licence=value, key=label)
            count += 1
            if count >= MAX_DEPENDENCY_HITS:
                return


# --- TCOP-03-REPO-014 declared licence consistent across manifests -------------------------


def _manifest_licences(ctx: RuleContext) -> Iterator[tuple[str, int, str]]:
    """(manifest, line, declared licence) for root manifests that declare one."""
    present = set(_files(ctx))
    for name in ("package.json", "pyproject.toml", "setup.cfg", "Cargo.toml"):
        manifest = content_of(ctx.documents.content, name).manifest if name in present else None
        if manifest is None:
            continue
        data = manifest.data
        value: Any = None
        if name == "package.json":
            value = licence_value(data.get("license", data.get("licenses")))
        elif name == "pyproject.toml":
            tool = data.get("tool")
            for table in (data.get("project"), tool.get("poetry") if isinstance(tool, Mapping) else None):
                if not isinstance(table, Mapping):
                    continue
                value = table.get("license")
                if isinstance(value, Mapping):
                    value = value.get("text") if isinstance(value.get("text"), str) else None
                if isinstance(value, str) and value.strip():
                    break
                value = None
        elif name == "setup.cfg":
            metadata = data.get("metadata")
            value = metadata.get("license") if isinstance(metadata, Mapping) else None
        else:
            package = data.get("package")
            value = package.get("license") if isinstance(package, Mapping) else None
        if isinstance(value, str) and value.strip():
            yield name, manifest.licence_line, value.strip()


def _expression_ids(expression: str) -> set[str]:
    return {_family(t) for t in re.findall(r"[A-Za-z0-9.+:-]+", expression) if t.upper() not in ("AND", "OR", "WITH")}


def declared_licence_consistent(ctx: RuleContext) -> Iterable[Hit]:
    from tcop_lint.licences import parse_expression

    file_ids = {_family(e.spdx_id or "") for e in _identified_root_licences(ctx)}
    licence_paths = ", ".join(e.path for e in _identified_root_licences(ctx))
    for manifest, line, declared in _manifest_licences(ctx):
        expression = parse_expression(declared)
        if expression is None:
            if file_ids or not re.search(r"\bsee licen[cs]e\b", declared, re.IGNORECASE):
                yield _hit(
                    manifest,
                    line,
                    f'{manifest} declares the licence as "{declared[:80]}", which is not an SPDX licence expression',
                    declared=declared,
                )
            continue
        if file_ids and not (file_ids & _expression_ids(expression)):
            yield _hit(
                manifest,
                line,
                f"{manifest} declares {expression} but {licence_paths} is "
                f"{', '.join(sorted(e.spdx_id or '' for e in _identified_root_licences(ctx)))}",
                declared=expression,
            )
