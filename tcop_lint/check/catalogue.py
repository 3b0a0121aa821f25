"""Loading and validating the check catalogue (checks/tcop-PP/ID/check.yaml)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, cast

from tcop_lint.core.model import Check, Level
from tcop_lint.core.text import key_path

ID_PATTERN = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]{1,15})-(?P<point>0[1-9]|1[0-3])-(REPO|GIT|TF|K8S|OAS)-\d{3}$")
BUILTIN_PREFIX = "TCOP"
READS = ("terraform", "kubernetes", "openapi", "repository", "git")
SCHEMA_FILE = Path(__file__).with_name("check.schema.json")


class CatalogueError(ValueError):
    """A check file that does not follow the catalogue format."""


def builtin_checks_dir() -> Path:
    """The catalogue shipped in the wheel, or the source tree's checks/ folder."""
    package = Path(__file__).parents[1]
    packaged = package / "checks"
    if packaged.is_dir():
        return packaged
    return package.parent / "checks"


def _fail(source: Path, message: str) -> CatalogueError:
    return CatalogueError(f"{source}: {message}")


def schema_errors(instance: Any, schema: Mapping[str, Any], where: str) -> str | None:
    """The first error of ``instance`` against ``schema`` as ``where.key.path: message``, or None."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(schema, registry=_schemas()).iter_errors(instance))
    if error is None:
        return None
    # Inside a oneOf, name the branch that failed deepest rather than "is not valid under any".
    while error.context:
        error = best_match(error.context)
    path = key_path((*([where] if where else []), *error.absolute_path))
    return f"{path}: {error.message}" if path else error.message


def _schemas() -> Any:
    """The declarative rule form's schema, which check.schema.json refers to by its $id."""
    from referencing import Registry, Resource

    from tcop_lint.check.declarative import rule_schema

    declarative = rule_schema()
    return Registry().with_resource(declarative["$id"], Resource.from_contents(declarative))


@cache
def check_schema() -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def _validate_python_rule(rule: Mapping[str, Any], reads: str, source: Path, check_options: bool) -> None:
    from tcop_lint.check.registry import RULES, options_schema

    name = rule["function"]
    if name not in RULES:
        raise _fail(source, f"rule.function: unknown rule function {name!r} (see tcop_lint/check/registry.py)")
    registered = RULES[name]
    if registered.reads != reads:
        raise _fail(source, f"reads: {name} reads {registered.reads}, not {reads}")
    target = rule.get("target")
    if registered.targets and target not in registered.targets:
        raise _fail(source, f"rule.target: {name} runs on {' or '.join(registered.targets)}")
    if not registered.targets and target is not None:
        raise _fail(source, f"rule.target: {name} reads the whole scan and takes no target")
    if not check_options:  # built-in checks: the test suite validates their options
        return
    problem = schema_errors(rule.get("options") or {}, options_schema(registered), "rule.options")
    if problem:
        raise _fail(source, problem)


def _validate_declarative_rule(rule: Mapping[str, Any], reads: str, source: Path, check_schemas: bool) -> None:
    if check_schemas:
        from tcop_lint.check.declarative import rule_problems

        problems = rule_problems(rule)  # placeholders and the JSON Schemas inside the rule
        if problems:
            raise _fail(source, problems[0])
    if not rule["target"].startswith(reads + "."):
        raise _fail(source, f"rule.target: a check that reads {reads} needs a {reads}.* target")


def parse_check(raw: Any, source: Path, builtin: bool = False) -> Check:
    """A check from its parsed check.yaml. Built-in checks are trusted to match the schema (the
    project's tests validate them): validating costs a jsonschema import on every start."""
    if not isinstance(raw, Mapping):
        raise _fail(source, "a check file must hold a mapping")
    if not builtin:
        rule = raw.get("rule")
        if isinstance(rule, Mapping) and "function" not in rule and isinstance(rule.get("target"), str):
            # The rule form's own messages name a misspelt key first, where the whole file's
            # schema would report the required key the misspelling left missing.
            _validate_declarative_rule(rule, str(raw.get("reads")), source, check_schemas=True)
        problem = schema_errors(raw, check_schema(), "")
        if problem:
            raise _fail(source, problem)
    check_id = raw["id"]
    matched = ID_PATTERN.match(check_id)
    if matched is None:
        raise _fail(source, f"id: {check_id!r} is not of the form PREFIX-<01-13>-<REPO|GIT|TF|K8S|OAS>-<NNN>")
    if builtin and matched["prefix"] != BUILTIN_PREFIX:
        raise _fail(source, f"id: built-in checks use the {BUILTIN_PREFIX} prefix")
    point = raw["tcop_point"]
    if int(matched["point"]) != point:
        raise _fail(source, f"tcop_point: {point!r} does not match the id {check_id}")
    if builtin and not str(raw["help_uri"]).startswith("https://www.gov.uk/"):
        raise _fail(source, "help_uri: must be a https://www.gov.uk/ guidance page")
    tags = tuple(str(tag) for tag in raw.get("tags") or ())
    severity = raw.get("security_severity")
    if "security" in tags and severity is None:
        raise _fail(source, "security_severity: a check tagged 'security' needs one")
    rule = raw["rule"]
    if "function" in rule:
        _validate_python_rule(rule, raw["reads"], source, check_options=not builtin)
    else:
        _validate_declarative_rule(rule, raw["reads"], source, check_schemas=not builtin)
    return Check(
        id=check_id,
        name=str(raw["name"]),
        title=raw["title"].strip(),
        tcop_point=point,
        level=raw["level"],
        reads=raw["reads"],
        help_uri=str(raw["help_uri"]),
        rationale=" ".join(raw["rationale"].split()),
        remediation=" ".join(raw["remediation"].split()),
        precision=raw["precision"],
        rule=rule,
        folder=str(source.parent),
        also_points=tuple(raw.get("also_points") or ()),
        security_severity=float(severity) if severity is not None else None,
        tags=tags,
        deprecated=bool(raw.get("deprecated", False)),
        service_standard=tuple(raw.get("service_standard") or ()),
        secure_by_design=tuple(raw.get("secure_by_design") or ()),
    )


def _plain(value: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists, so checks are picklable."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_check_file(path: Path, builtin: bool = False) -> Check:
    # libyaml's safe loader reads the catalogue ~8x faster than a pure-Python parser, which
    # matters for a pre-commit scan of one file; check files use no YAML 1.1/1.2 differences.
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _fail(path, f"cannot be read: {error}") from None
    return parse_check(_plain(raw), path, builtin)


def load_catalogue(
    directories: Sequence[Path], trusted: Sequence[Path] = (), keep_in: Path | None = None
) -> tuple[Check, ...]:
    """Every check under the directories, sorted by id; ids must be unique across them all.

    ``trusted`` folders (the built-in catalogue) are not validated against the schema at load:
    the project's own tests do that. Any other folder must hold at least one check, each in
    the layout ``<group>/<ID>/check.yaml``. ``keep_in``: a cache folder where the trusted
    folders' parsed checks are kept while their files are unchanged (parsing 97 files is a
    quarter of a pre-commit run)."""
    checks: dict[str, Check] = {}
    for directory in directories:
        if not directory.is_dir():
            raise CatalogueError(f"{directory}: checks folder not found")
        builtin = directory in trusted
        # The layout is fixed (<group>/ID/check.yaml), so the fixtures below are never walked.
        paths = sorted(directory.glob("*/*/check.yaml"))
        if not builtin:
            _require_layout(directory, paths)
        parsed = _parsed_trusted(paths, keep_in) if builtin and keep_in is not None else None
        for path in paths:
            check = parsed[path] if parsed is not None else load_check_file(path, builtin)
            if path.parent.name != check.id:
                raise _fail(path, f"folder name must be the check id {check.id}")
            if check.id in checks:
                raise _fail(path, f"duplicate check id {check.id} (also in {checks[check.id].folder})")
            checks[check.id] = check
    return tuple(checks[key] for key in sorted(checks))


def _parsed_trusted(paths: Sequence[Path], folder: Path) -> dict[Path, Check]:
    """The checks of trusted files, parsed once and kept in ``folder`` under a key of the files'
    and the parsing code's stats; any trouble with the kept copy means parsing again."""
    import hashlib
    import pickle

    from tcop_lint import __version__
    from tcop_lint.core.storage import write_atomically

    code = [Path(__file__), Path(__file__).parents[1] / "core" / "model.py"]
    stats = [(str(p), st.st_size, st.st_mtime_ns) for p in (*paths, *code) for st in (p.stat(),)]
    key = hashlib.sha256(repr((__version__, stats)).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    kept = folder / f"catalogue-{key}.pickle"
    try:
        with open(kept, "rb") as handle:
            found = pickle.load(handle)  # written by tcop-lint only, in the user's own cache
        if isinstance(found, dict) and set(found) == set(paths):
            return found
    except Exception:  # noqa: BLE001 - absent or damaged: parse the files
        pass
    parsed = {path: load_check_file(path, builtin=True) for path in paths}
    if write_atomically(kept, parsed):
        for stale in folder.glob("catalogue-*.pickle"):  # an older catalogue or tcop-lint
            if stale != kept:
                stale.unlink(missing_ok=True)
    return parsed


def _require_layout(directory: Path, found: Sequence[Path]) -> None:
    """A folder of a team's own checks that the loader would read nothing from is an error."""
    elsewhere = sorted(
        path
        for path in directory.rglob("check.y*ml")
        if path not in found and "fixtures" not in path.relative_to(directory).parts
    )
    if elsewhere:
        raise _fail(elsewhere[0], "not read: a check file must be at <group>/<ID>/check.yaml below the checks folder")
    if not found:
        raise CatalogueError(f"{directory}: holds no checks (expected <group>/<ID>/check.yaml files)")


def select_checks(
    checks: Iterable[Check],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    levels: Mapping[str, str] | None = None,
) -> tuple[Check, ...]:
    """Checks that run: matching --select (all if empty), not --ignore, not configured off,
    not retired; each with its configured level applied."""
    from dataclasses import replace

    levels = levels or {}
    chosen = []
    for check in checks:
        if check.deprecated:
            continue
        if select and not any(matches(check, sel) for sel in select):
            continue
        if any(matches(check, ign) for ign in ignore):
            continue
        level = levels.get(check.id, check.level)
        if level == "off":
            continue
        chosen.append(
            replace(check, level=cast(Level, level)) if level != check.level else check
        )  # config validated it
    return tuple(chosen)


def matches(check: Check, selector: str) -> bool:
    """A selector is a check id, an id prefix (TCOP-06, TCOP-06-TF) or a point (tcop-6)."""
    text = selector.strip()
    point = re.fullmatch(r"(?i)tcop-(\d{1,2})", text)
    if point:
        return check.tcop_point == int(point.group(1))
    return check.id.upper().startswith(text.upper())


def is_known_selector(checks: Iterable[Check], selector: str) -> bool:
    return any(matches(check, selector) for check in checks)
