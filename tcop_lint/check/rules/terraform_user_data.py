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


def _texts(value: Any) -> list[str]:
    """The literal text of a script: the whole string, or a template's known start and end."""
    if isinstance(value, str):
        texts = [value]
    elif isinstance(value, Unresolved):
        # The expression's own source (a heredoc inside base64encode(), a template) is text in the
        # repository too; interpolations in it are references, skipped by _found.
        texts = [value.expression]
    else:
        return []
    out = []
    for text in texts:
        out.append(text)
        stripped = "".join(text.split())
        if len(stripped) >= 16 and re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", stripped):
            try:
                out.append(base64.b64decode(stripped, validate=True).decode("utf-8"))
            except (binascii.Error, ValueError, UnicodeDecodeError):
                pass
    return out


def _found(text: str) -> str | None:
    """What kind of credential ``text`` holds, or None."""
    for _, pattern, _ in find_secrets(text.encode("utf-8", "replace")):
        return pattern.description
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
        kind = next((k for k in map(_found, _texts(value)) if k), None)
        if kind:
            attribute = str(path[-1])
            yield subject.hit(
                f"{subject.address} has {kind} in its {attribute}: anyone who can read the instance's metadata or "
                "the Terraform can read it; fetch secrets at boot from a secrets manager instead",
                path,
                address_suffix="#/" + "/".join(str(p) for p in path),
                key=attribute,
            )
