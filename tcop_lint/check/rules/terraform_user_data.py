"""Credentials written into the boot scripts of virtual machines (TCOP-06-TF-038): EC2
``user_data``, Azure ``custom_data`` and ``user_data``, Compute Engine startup scripts.

Secrets are judged by value, as everywhere (``secret_values``): a known credential format
anywhere in the script, or a secret-shaped literal assigned to a name that says it is a
password, token or key. A script Terraform cannot evaluate (a heredoc inside ``base64encode``,
a template) is read as the source text of its expression; interpolations in it are references,
not secrets (``${var.db_password}``). Base64-encoded literal scripts are decoded first.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.rules.secret_values import looks_like_secret
from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import DataPath, Hit, Unresolved
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.content import find_secrets

# resource type -> paths of its boot-script attributes (nested blocks as (block, 0, attribute))
_SCRIPTS: Mapping[str, tuple[DataPath, ...]] = {
    "aws_instance": (("user_data",), ("user_data_base64",)),
    "aws_launch_configuration": (("user_data",), ("user_data_base64",)),
    "aws_launch_template": (("user_data",),),
    "azurerm_linux_virtual_machine": (("custom_data",), ("user_data",)),
    "azurerm_windows_virtual_machine": (("custom_data",), ("user_data",)),
    "azurerm_linux_virtual_machine_scale_set": (("custom_data",), ("user_data",)),
    "azurerm_windows_virtual_machine_scale_set": (("custom_data",), ("user_data",)),
    "azurerm_virtual_machine": (("os_profile", 0, "custom_data"),),
    "google_compute_instance": (("metadata_startup_script",), ("metadata", "startup-script")),
    "google_compute_instance_template": (("metadata_startup_script",), ("metadata", "startup-script")),
}

_ASSIGNMENT = re.compile(
    r"""(?ix)
    \b[\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[\w.-]*
    ["']?\s*(?:=|:|\s)\s*
    (?P<q>["']?)(?P<value>[^\s"'`;&|]+)(?P=q)
    """
)


def _lookup(data: Any, path: DataPath) -> Any:
    for key in path:
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and len(data) > key else None
        else:
            data = data.get(key) if isinstance(data, Mapping) else None
    return data


_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_]\w*)\n(.*?)\n\s*\1\b", re.S)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _decoded(text: str) -> list[str]:
    stripped = "".join(text.split())
    if len(stripped) >= 16 and re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", stripped):
        try:
            return [base64.b64decode(stripped, validate=True).decode("utf-8")]
        except (binascii.Error, ValueError, UnicodeDecodeError):
            pass
    return []


def _texts(value: Any) -> tuple[list[str], list[str]]:
    """(script texts, other source text) of a boot-script attribute. A string is script (decoded
    from base64 if it is that); an expression Terraform could not evaluate (a heredoc inside
    base64encode(), a templatefile() call) is HCL whose heredocs and quoted strings are script and
    whose other text, names and references, is only searched for known credential formats."""
    if isinstance(value, str):
        return [value, *_decoded(value)], []
    if isinstance(value, Unresolved):
        source = value.expression
        scripts = [m.group(2) for m in _HEREDOC.finditer(source)]
        scripts += [m.group(1) for m in _QUOTED.finditer(_HEREDOC.sub("", source))]
        return scripts, [source]
    return [], []


def _known(text: str) -> str | None:
    for _, pattern, _ in find_secrets(text.encode("utf-8", "replace")):
        return pattern.description
    return None


def _found(scripts: list[str], source: list[str]) -> str | None:
    """What kind of credential the texts hold, or None."""
    for text in scripts + source:
        if kind := _known(text):
            return kind
    for text in scripts:
        for match in _ASSIGNMENT.finditer(text):
            value = match.group("value")
            if not value.startswith("$") and looks_like_secret(value):
                return "a literal password, secret or token"
    return None


def credentials_in_user_data(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    data = subject.data
    if not isinstance(data, Mapping):
        return
    for path in _SCRIPTS.get(str(subject.properties.get("resource_type", "")), ()):
        value = _lookup(data, path)
        kind = _found(*_texts(value))
        if kind:
            attribute = str(path[-1])
            yield subject.hit(
                f"{subject.address} has {kind} in its {attribute}: anyone who can read the instance's metadata or "
                "the Terraform can read it; fetch secrets at boot from a secrets manager instead",
                path,
                address_suffix="#/" + "/".join(str(p) for p in path),
                key=attribute,
            )
