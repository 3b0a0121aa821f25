"""Loading and validating the check catalogue (checks/tcop-PP/ID/check.yaml)."""

from __future__ import annotations

import re
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Iterable, Sequence

from tcop_lint.model import LEVELS, Check

ID_PATTERN = re.compile(r"^TCOP-(0[1-9]|1[0-3])-(REPO|GIT|TF|K8S|OAS)-\d{3}$")
NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]+$")
READS = ("terraform", "kubernetes", "openapi", "repository", "git")
PRECISIONS = ("very-high", "high", "medium", "low")
REQUIRED = ("id", "name", "title", "tcop_point", "level", "reads", "help_uri", "rationale",
            "remediation", "precision", "rule")
OPTIONAL = ("also_points", "security_severity", "tags", "deprecated")
RULE_KEYS = ("target", "types", "kinds", "block_types", "when", "require", "message", "python", "params",
             "cases", "message_missing", "report_at", "unless_resource")


class CatalogueError(ValueError):
    """A check file that does not follow the catalogue format."""


def builtin_checks_dir() -> Path:
    """The catalogue shipped in the wheel, or the source tree's checks/ folder."""
    packaged = Path(__file__).parent / "checks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "checks"


def _fail(source: Path, message: str) -> CatalogueError:
    return CatalogueError(f"{source}: {message}")


def _validate_rule(rule: Any, source: Path, check_schemas: bool = True) -> Mapping[str, Any]:
    # Imported here so that `checks list` need not pay for the targets table's imports.
    from tcop_lint.subjects import TARGETS

    if not isinstance(rule, Mapping):
        raise _fail(source, "rule must be a mapping")
    unknown = sorted(set(rule) - set(RULE_KEYS))
    if unknown:
        raise _fail(source, f"unknown rule key {unknown[0]!r}")
    target = rule.get("target")
    if target is not None and target not in TARGETS:
        raise _fail(source, f"unknown rule target {target!r}")
    if "python" in rule:
        ref = rule["python"]
        if not isinstance(ref, str) or not re.fullmatch(r"tcop_lint(\.\w+)+:\w+", ref):
            raise _fail(source, "rule.python must name a function inside tcop_lint, as 'tcop_lint.module:function'")
    else:  # declarative: tcop_lint/rules/declarative_rule.schema.json
        if target is None:
            raise _fail(source, "a declarative rule needs a target")
        if check_schemas:
            from tcop_lint.rules.declarative import rule_problems

            problems = rule_problems(rule)
            if problems:
                raise _fail(source, problems[0])
    return rule


def parse_check(raw: Any, source: Path, check_schemas: bool = True) -> Check:
    if not isinstance(raw, Mapping):
        raise _fail(source, "a check file must hold a mapping")
    missing = [key for key in REQUIRED if key not in raw]
    if missing:
        raise _fail(source, f"missing key {missing[0]!r}")
    unknown = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(source, f"unknown key {unknown[0]!r}")
    check_id = raw["id"]
    if not isinstance(check_id, str) or not ID_PATTERN.match(check_id):
        raise _fail(source, f"id {check_id!r} is not of the form TCOP-<01-13>-<REPO|GIT|TF|K8S|OAS>-<NNN>")
    point = raw["tcop_point"]
    if not isinstance(point, int) or int(check_id[5:7]) != point:
        raise _fail(source, f"tcop_point {point!r} does not match the id {check_id}")
    if raw["level"] not in LEVELS:
        raise _fail(source, f"level must be one of {', '.join(LEVELS)}")
    if raw["reads"] not in READS:
        raise _fail(source, f"reads must be one of {', '.join(READS)}")
    if raw["precision"] not in PRECISIONS:
        raise _fail(source, f"precision must be one of {', '.join(PRECISIONS)}")
    if not str(raw["help_uri"]).startswith("https://www.gov.uk/"):
        raise _fail(source, "help_uri must be a https://www.gov.uk/ guidance page")
    if not NAME_PATTERN.match(str(raw["name"])):
        raise _fail(source, "name must be PascalCase")
    for key in ("title", "rationale", "remediation"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise _fail(source, f"{key} must be non-empty text")
    tags = tuple(str(tag) for tag in raw.get("tags") or ())
    severity = raw.get("security_severity")
    if "security" in tags and not isinstance(severity, (int, float)):
        raise _fail(source, "a check tagged 'security' needs a numeric security_severity")
    if severity is not None and not (isinstance(severity, (int, float)) and 0 <= severity <= 10):
        raise _fail(source, "security_severity must be a number from 0.0 to 10.0")
    also = tuple(raw.get("also_points") or ())
    if any(not isinstance(p, int) or not 1 <= p <= 13 for p in also):
        raise _fail(source, "also_points must be TCoP point numbers 1-13")
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
        rule=_validate_rule(raw["rule"], source, check_schemas),
        folder=str(source.parent),
        also_points=also,
        security_severity=float(severity) if severity is not None else None,
        tags=tags,
        deprecated=bool(raw.get("deprecated", False)),
    )


def _plain(value: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists, so checks are picklable."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_check_file(path: Path, check_schemas: bool = True) -> Check:
    # libyaml's safe loader reads the catalogue ~8x faster than a pure-Python parser, which
    # matters for a pre-commit scan of one file; check files use no YAML 1.1/1.2 differences.
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _fail(path, f"cannot be read: {error}") from None
    return parse_check(_plain(raw), path, check_schemas)


def load_catalogue(directories: Sequence[Path], trusted: Sequence[Path] = ()) -> tuple[Check, ...]:
    """Every check under the directories, sorted by id; ids must be unique across them all.

    The JSON Schemas in rules are checked as schemas except in ``trusted`` folders (the
    built-in catalogue, whose schemas the project's own tests check): that check costs a
    jsonschema import on every start."""
    checks: dict[str, Check] = {}
    for directory in directories:
        if not directory.is_dir():
            raise CatalogueError(f"{directory}: checks folder not found")
        # The layout is fixed (tcop-PP/ID/check.yaml), so the fixtures below are never walked.
        for path in sorted(directory.glob("*/*/check.yaml")):
            check = load_check_file(path, check_schemas=directory not in trusted)
            if path.parent.name != check.id:
                raise _fail(path, f"folder name must be the check id {check.id}")
            if check.id in checks:
                raise _fail(path, f"duplicate check id {check.id} (also in {checks[check.id].folder})")
            checks[check.id] = check
    return tuple(checks[key] for key in sorted(checks))


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
        chosen.append(replace(check, level=level) if level != check.level else check)
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
