"""Configuration: `.tcop-lint.yaml` or `[tool.tcop-lint]` in pyproject.toml, validated once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tcop_lint.core.model import LEVELS, Check, Directive
from tcop_lint.core.settings import DEFAULT_ALLOWED_REGIONS, OPENAPI_PROFILES, Settings

CONFIG_FILES = (".tcop-lint.yaml", ".tcop-lint.yml")
KNOWN_PROVIDERS = ("aws", "azurerm", "google")


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names the file and the key."""


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a mapping")
    return value


def _regions(value: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    regions = dict(DEFAULT_ALLOWED_REGIONS)
    for provider, allowed in _mapping(value, where).items():
        if provider not in KNOWN_PROVIDERS:
            raise ConfigError(f"{where}.{provider}: unknown provider (known: {', '.join(KNOWN_PROVIDERS)})")
        regions[provider] = tuple(region.lower() for region in _string_list(allowed, f"{where}.{provider}"))
    return regions


CHECK_KEYS = ("level", "options")


def _level(level: Any, where: str) -> str:
    if level is False:  # YAML 1.1 readers turn a bare `off` into false
        level = "off"
    if level not in (*LEVELS, "off"):
        raise ConfigError(f"{where}: level must be one of off, note, warning, error")
    return str(level)


def _checks(value: Any, where: str) -> tuple[Mapping[str, str], Mapping[str, Mapping[str, Any]]]:
    """``ID: level`` or ``ID: {level: ..., options: {...}}``; options are checked against each
    check's rule once the catalogue is known (``check_configuration``)."""
    levels: dict[str, str] = {}
    options: dict[str, Mapping[str, Any]] = {}
    for check_id, entry in _mapping(value, where).items():
        at = f"{where}.{check_id}"
        if not isinstance(entry, Mapping):
            levels[str(check_id)] = _level(entry, at)
            continue
        unknown = sorted(set(entry) - set(CHECK_KEYS))
        if unknown:
            raise ConfigError(f"{at}.{unknown[0]}: unknown key (known: {', '.join(CHECK_KEYS)})")
        if "level" in entry:
            levels[str(check_id)] = _level(entry["level"], f"{at}.level")
        if "options" in entry:
            options[str(check_id)] = dict(_mapping(entry["options"], f"{at}.options"))
    return levels, options


def _licences(value: Any, where: str) -> tuple[str, ...]:
    section = _mapping(value, where)
    unknown = sorted(set(section) - {"allowed"})
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key")
    return _string_list(section.get("allowed", []), f"{where}.allowed")


IGNORE_KEYS = ("id", "paths", "resource", "reason", "until")


def _ignores(value: Any, where: str) -> tuple[Directive, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of entries")
    entries = []
    for index, entry in enumerate(value):
        at = f"{where}[{index}]"
        entry = _mapping(entry, at)
        unknown = sorted(set(entry) - set(IGNORE_KEYS))
        if unknown:
            raise ConfigError(f"{at}.{unknown[0]}: unknown key (known: {', '.join(IGNORE_KEYS)})")
        if not isinstance(entry.get("id"), str) or not entry["id"].strip():
            raise ConfigError(f"{at}.id: a check id or prefix is required")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{at}.reason: a reason is required for every suppression")
        until = entry.get("until")
        if until is not None:
            try:
                until = dt.date.fromisoformat(str(until)).isoformat()
            except ValueError:
                raise ConfigError(f"{at}.until: expected a date as YYYY-MM-DD") from None
        resource = entry.get("resource")
        if resource is not None and not isinstance(resource, str):
            raise ConfigError(f"{at}.resource: expected a string")
        entries.append(
            Directive(
                ids=(entry["id"].strip().upper(),),
                reason=reason.strip(),
                until=until,
                paths=_string_list(entry["paths"], f"{at}.paths") if "paths" in entry else (),
                resource=resource,
            )
        )
    return tuple(entries)


TEST_CODE_KEYS = ("paths", "level")
TEST_CODE_LEVELS = ("note", "warning", "error", "keep")


def _test_code(value: Any, where: str) -> dict[str, Any]:
    """``test_code: {paths: [...], level: note|warning|error|keep}``: where test, example and
    fixture code is, and the highest level its findings keep (``keep``: unchanged)."""
    section = _mapping(value, where)
    unknown = sorted(set(section) - set(TEST_CODE_KEYS))
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key (known: {', '.join(TEST_CODE_KEYS)})")
    parsed: dict[str, Any] = {}
    if "paths" in section:
        parsed["test_code_paths"] = _string_list(section["paths"], f"{where}.paths")
    if "level" in section:
        if section["level"] not in TEST_CODE_LEVELS:
            raise ConfigError(f"{where}.level: must be one of {', '.join(TEST_CODE_LEVELS)}")
        parsed["test_code_level"] = section["level"]
    return parsed


def _openapi(value: Any, where: str) -> str:
    """``openapi: {profile: base|medium|high}``: which level of the GOV.UK API ruleset the
    OpenAPI checks judge by (default medium)."""
    section = _mapping(value, where)
    unknown = sorted(set(section) - {"profile"})
    if unknown:
        raise ConfigError(f"{where}.{unknown[0]}: unknown key (known: profile)")
    profile = section.get("profile", "medium")
    if profile not in OPENAPI_PROFILES:
        raise ConfigError(f"{where}.profile: must be one of {', '.join(OPENAPI_PROFILES)}")
    return str(profile)


def _max_bytes(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{where}: expected a positive whole number of bytes")
    return value


def settings_from_mapping(raw: Any, source: str, base: Path) -> Settings:
    """Validate a configuration mapping; ``base`` resolves relative folder names."""
    if raw is None:
        return Settings()
    raw = _mapping(raw, source)
    parsers = {
        "exclude": lambda v, w: ("exclude", _string_list(v, w)),
        "checks": lambda v, w: ("checks", _checks(v, w)),
        "regions": lambda v, w: ("allowed_regions", _regions(v, w)),
        "licences": lambda v, w: ("allowed_licences", _licences(v, w)),
        "required_tags": lambda v, w: ("required_tags", _string_list(v, w)),
        "max_file_bytes": lambda v, w: ("max_file_bytes", _max_bytes(v, w)),
        "max_plan_bytes": lambda v, w: ("max_plan_bytes", _max_bytes(v, w)),
        "test_code": lambda v, w: ("test_code", _test_code(v, w)),
        "ignore": lambda v, w: ("ignores", _ignores(v, w)),
        "openapi": lambda v, w: ("openapi_profile", _openapi(v, w)),
        "not_ignorable": lambda v, w: ("not_ignorable", tuple(i.upper() for i in _string_list(v, w))),
        "extra_checks": lambda v, w: ("extra_check_dirs", tuple(str((base / d).resolve()) for d in _string_list(v, w))),
    }
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in parsers:
            raise ConfigError(f"{source}: unknown key '{key}' (known: {', '.join(sorted(parsers))})")
        field_name, parsed = parsers[key](value, f"{source}: {key}")
        values[field_name] = parsed
    if "checks" in values:
        values["check_levels"], values["check_options"] = values.pop("checks")
    values.update(values.pop("test_code", {}))
    return Settings(**values)


def _read_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML, YAMLError

    try:
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None


def _read_pyproject(path: Path) -> Any:
    from tcop_lint.core.tomlfile import TOMLDecodeError, tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    return data.get("tool", {}).get("tcop-lint")


def load_settings(root: Path, explicit: Path | None = None) -> tuple[Settings, str | None]:
    """The settings in force and the file they came from (None: defaults)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        raw = _read_pyproject(explicit) if explicit.name == "pyproject.toml" else _read_yaml(explicit)
        return settings_from_mapping(raw, str(explicit), explicit.parent), str(explicit)
    for name in CONFIG_FILES:
        path = root / name
        if path.is_file():
            return settings_from_mapping(_read_yaml(path), name, root), name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            raw = _read_pyproject(pyproject)
        except ConfigError:
            # A broken pyproject.toml that does not mention us is the project's problem, not a
            # reason to refuse the scan; one with our section is a configuration error.
            if "tool.tcop-lint" in pyproject.read_text(encoding="utf-8", errors="replace"):
                raise
            return Settings(), None
        if raw is not None:
            return settings_from_mapping(raw, "pyproject.toml [tool.tcop-lint]", root), "pyproject.toml"
    return Settings(), None


def check_configuration(settings: Settings, catalogue: Iterable[Check], source: str | None) -> None:
    """Every configured check exists, and every option given for one is an option of its rule,
    of the right type: errors name the key path."""
    if not settings.check_levels and not settings.check_options:
        return  # nothing configured (the rule registry's import is not needed)
    from tcop_lint.check.catalogue import schema_errors
    from tcop_lint.check.registry import RULES, options_schema
    from tcop_lint.core.text import key_path

    where = f"{source or 'configuration'}: checks"
    by_id = {check.id: check for check in catalogue}
    for check_id in (*settings.check_levels, *settings.check_options):
        if check_id not in by_id:
            raise ConfigError(f"{where}: unknown check id '{check_id}'")
    for check_id, options in settings.check_options.items():
        function = by_id[check_id].rule.get("function")
        if function is None:
            raise ConfigError(f"{key_path((where, check_id, 'options'))}: {check_id} takes no options")
        problem = schema_errors(options, options_schema(RULES[function]), key_path((where, check_id, "options")))
        if problem:
            raise ConfigError(problem)
