"""Validated configuration, as the checks see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tcop_lint.core.model import Directive, Documents

# The UK regions of each provider; a team may widen this in configuration.
DEFAULT_ALLOWED_REGIONS: Mapping[str, tuple[str, ...]] = {
    "aws": ("eu-west-2",),
    "azurerm": ("uksouth", "ukwest"),
    "google": ("europe-west2",),
}
# "@osi-approved" stands for every licence SPDX marks as OSI-approved.
DEFAULT_ALLOWED_LICENCES: tuple[str, ...] = ("@osi-approved", "OGL-UK-3.0")
# Parsing cost grows steeply with size: a 5 MiB .tf file takes over a minute and 1.4 GB.
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
# Terraform plan JSON is walked, not parsed whole, and a large estate's plan runs to tens of MB.
DEFAULT_MAX_PLAN_BYTES = 256 * 1024 * 1024


# Test, example and fixture code (gitignore-style): its findings are notes by default.
DEFAULT_TEST_PATHS: tuple[str, ...] = (
    "test/",
    "tests/",
    "testdata/",
    "test-data/",
    "__tests__/",
    "spec/",
    "fixtures/",
    "examples/",
    "example/",
    "mock/",
    "mocks/",
    "mock-*/",
    "stubs/",
    "*_test.go",
    "*.test.ts",
    "*.test.js",
    "test_*.py",
    "*_test.py",
)


# The levels of the GOV.UK public API ruleset (co-cddo/api-standards-linting): base, medium,
# high (each the one before and more). The OpenAPI rules judge as the chosen level does.
OPENAPI_PROFILES: tuple[str, ...] = ("base", "medium", "high")


@dataclass(frozen=True)
class Settings:
    allowed_regions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_ALLOWED_REGIONS))
    allowed_licences: tuple[str, ...] = DEFAULT_ALLOWED_LICENCES
    required_tags: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    check_levels: Mapping[str, str] = field(default_factory=dict)  # id -> level or "off"
    check_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # id -> options, validated
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    extra_check_dirs: tuple[str, ...] = ()
    ignores: tuple[Directive, ...] = ()  # `ignore:` entries
    not_ignorable: tuple[str, ...] = ()  # check ids or prefixes no suppression may hide
    test_code_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    test_code_level: Literal["note", "warning", "error", "keep"] = "note"  # "keep": levels unchanged
    openapi_profile: Literal["base", "medium", "high"] = "medium"
    max_plan_bytes: int = DEFAULT_MAX_PLAN_BYTES  # Terraform plan JSON (terraform show -json)


@dataclass(frozen=True)
class RuleContext:
    """What a Python rule function receives besides its subject: the scan's documents, the
    settings, and the check's options with every default filled in."""

    documents: Documents
    settings: Settings
    options: Mapping[str, Any] = field(default_factory=dict)


def openapi_profile_at_least(settings: Settings, level: str) -> bool:
    """True when the OpenAPI profile in force includes ``level`` (high includes medium and base)."""
    return OPENAPI_PROFILES.index(settings.openapi_profile) >= OPENAPI_PROFILES.index(level)
