"""Configuration is validated once, before any file is read, and errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.config import ConfigError, check_configuration, load_settings
from tcop_lint.core.settings import DEFAULT_ALLOWED_REGIONS, Settings


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_no_configuration_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == (Settings(), None)


def test_yaml_configuration_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".tcop-lint.yaml",
        """\
exclude: ["legacy/**"]
checks:
  TCOP-05-TF-001: error
  TCOP-06-K8S-005: off
regions:
  aws: [eu-west-2, eu-west-1]
licences:
  allowed: [MIT, OGL-UK-3.0]
required_tags: [Owner]
max_file_bytes: 1000
""",
    )
    settings, source = load_settings(tmp_path)
    assert source == ".tcop-lint.yaml"
    assert settings.exclude == ("legacy/**",)
    assert settings.check_levels == {"TCOP-05-TF-001": "error", "TCOP-06-K8S-005": "off"}
    assert settings.allowed_regions["aws"] == ("eu-west-2", "eu-west-1")
    assert settings.allowed_regions["azurerm"] == DEFAULT_ALLOWED_REGIONS["azurerm"]
    assert settings.allowed_licences == ("MIT", "OGL-UK-3.0")
    assert settings.max_file_bytes == 1000


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.tcop-lint]\nexclude = ["build/"]\n')
    settings, source = load_settings(tmp_path)
    assert source == "pyproject.toml" and settings.exclude == ("build/",)


def test_pyproject_without_a_section_is_no_configuration(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert load_settings(tmp_path) == (Settings(), None)


@pytest.mark.parametrize(
    "text, named",
    [
        ("regons:\n  aws: [eu-west-2]\n", "unknown key 'regons'"),
        ("regions:\n  oracle: [uk-london-1]\n", "regions.oracle"),
        ("regions:\n  aws: eu-west-2\n", "regions.aws: expected a list"),
        ("checks:\n  TCOP-05-TF-001: loud\n", "checks.TCOP-05-TF-001"),
        ("licences:\n  permitted: [MIT]\n", "licences.permitted"),
        ("max_file_bytes: -3\n", "max_file_bytes"),
        ("exclude: 12\n", "exclude"),
        ("- just\n- a list\n", "expected a mapping"),
        ("key: [unclosed\n", "cannot be read"),
        ("openapi:\n  profile: strict\n", "openapi.profile: must be one of base, medium, high"),
        ("openapi:\n  level: high\n", "openapi.level: unknown key"),
        ("openapi: high\n", "openapi: expected a mapping"),
    ],
)
def test_bad_configuration_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    write(tmp_path, ".tcop-lint.yaml", text)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.").replace("[", r"\[")):
        load_settings(tmp_path)


def test_the_openapi_profile_is_read_and_defaults_to_medium(tmp_path: Path) -> None:
    assert Settings().openapi_profile == "medium"
    write(tmp_path, ".tcop-lint.yaml", "openapi:\n  profile: high\n")
    assert load_settings(tmp_path)[0].openapi_profile == "high"


def test_unknown_check_ids_are_named(tmp_path: Path) -> None:
    write(tmp_path, ".tcop-lint.yaml", "checks:\n  TCOP-99-TF-001: off\n")
    settings, source = load_settings(tmp_path)
    with pytest.raises(ConfigError, match="unknown check id 'TCOP-99-TF-001'"):
        check_configuration(settings, load_catalogue([builtin_checks_dir()], trusted=[builtin_checks_dir()]), source)


def test_an_explicit_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path, tmp_path / "nope.yaml")


def test_a_broken_pyproject_without_our_section_does_not_stop_a_scan(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project\nname = \n")
    assert load_settings(tmp_path) == (Settings(), None)
    write(tmp_path, "pyproject.toml", "[tool.tcop-lint]\nexclude = [\n")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings(tmp_path)
