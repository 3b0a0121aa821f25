"""Per-check options: defaults in the registry, overridden by check.yaml and then by the user's
configuration, validated with the key path before any file is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tcop_lint.check.catalogue import builtin_checks_dir, load_catalogue
from tcop_lint.check.registry import check_options
from tcop_lint.cli import main
from tcop_lint.config import ConfigError, check_configuration, load_settings

BUILTIN = builtin_checks_dir()
CATALOGUE = {check.id: check for check in load_catalogue([BUILTIN], trusted=[BUILTIN])}
OPEN_SSH = """\
resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 2222
    to_port     = 2222
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""


def settings_from(tmp_path: Path, text: str):
    (tmp_path / ".tcop-lint.yaml").write_text(text, encoding="utf-8")
    settings, source = load_settings(tmp_path)
    check_configuration(settings, CATALOGUE.values(), source)
    return settings


def test_defaults_come_from_the_registry(tmp_path: Path) -> None:
    options = check_options(CATALOGUE["TCOP-06-TF-006"], settings_from(tmp_path, "exclude: []\n"))
    assert 22 in options["ports"] and 3389 in options["ports"]


def test_a_user_option_overrides_the_default_and_changes_the_verdict(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(OPEN_SSH, encoding="utf-8")
    args = ["scan", str(tmp_path), "--select", "TCOP-06-TF-006", "--format", "json", "--no-cache"]
    assert CliRunner().invoke(main, args).exit_code == 0  # 2222 is not an administrative port by default
    (tmp_path / ".tcop-lint.yaml").write_text(
        "checks:\n  TCOP-06-TF-006:\n    level: error\n    options: {ports: [2222]}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert '"TCOP-06-TF-006"' in result.output and '"error"' in result.output


def test_shared_options_take_the_top_level_setting_and_a_check_may_override_it(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        "regions: {aws: [eu-west-1]}\nchecks:\n  TCOP-05-TF-002:\n    options: {allowed_regions: {aws: [us-east-1]}}\n",
    )
    assert tuple(check_options(CATALOGUE["TCOP-05-TF-001"], settings)["allowed_regions"]["aws"]) == ("eu-west-1",)
    replication = check_options(CATALOGUE["TCOP-05-TF-002"], settings)["allowed_regions"]
    assert list(replication["aws"]) == ["us-east-1"]
    assert tuple(replication["azurerm"]) == ("uksouth", "ukwest")  # providers not given keep the shared value


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (
            "checks:\n  TCOP-06-TF-006:\n    options: {portz: [22]}\n",
            "checks.TCOP-06-TF-006.options: Additional properties",
        ),
        (
            "checks:\n  TCOP-06-TF-006:\n    options: {ports: [22, x]}\n",
            "checks.TCOP-06-TF-006.options.ports[1]: 'x' is not of type 'integer'",
        ),
        ("checks:\n  TCOP-06-TF-006:\n    options: {ports: [70000]}\n", "checks.TCOP-06-TF-006.options.ports[0]"),
        ("checks:\n  TCOP-06-TF-006:\n    levle: error\n", "checks.TCOP-06-TF-006.levle: unknown key"),
        ("checks:\n  TCOP-06-TF-006:\n    level: loud\n", "checks.TCOP-06-TF-006.level: level must be one of"),
        ("checks:\n  TCOP-99-TF-006:\n    options: {}\n", "unknown check id 'TCOP-99-TF-006'"),
    ],
)
def test_bad_options_are_refused_with_the_key_path(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from(tmp_path, text)
    assert named in str(raised.value)


def test_a_bad_option_exits_2_before_any_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("resource {{{", encoding="utf-8")
    (tmp_path / ".tcop-lint.yaml").write_text(
        "checks:\n  TCOP-07-TF-001:\n    options: {max_days: -1}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-cache"])
    assert result.exit_code == 2
    assert "checks.TCOP-07-TF-001.options.max_days" in result.output
