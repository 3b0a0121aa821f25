"""Managed platforms on versions their provider no longer supports (TCOP-06-TF-039): EKS
Kubernetes versions, Lambda runtimes and RDS and Aurora engine versions.

The dates are data (``tcop_lint/check/data/end_of_support.json``, with its sources and the date
it was compiled), compared with the ``as_of`` option or, when that is unset, today. A version
that is not a literal, or that the data does not list, is never judged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import Hit
from tcop_lint.core.settings import RuleContext


@cache
def end_of_support() -> Mapping[str, Any]:
    text = resources.files("tcop_lint.check").joinpath("data/end_of_support.json").read_text(encoding="utf-8")
    data: Mapping[str, Any] = json.loads(text)
    return data


def _today(option: Any) -> dt.date:
    return dt.date.fromisoformat(option) if isinstance(option, str) else dt.date.today()


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None  # 1.30 as a number reads 1.3: not judged


def _major(engine: str, version: str) -> str | None:
    """The major version RDS dates support by: 5.7 and 8.0 for MySQL, 13 (or 9.6) for PostgreSQL."""
    if engine in ("mysql", "aurora", "aurora-mysql"):
        match = re.match(r"^(\d+\.\d+)", version)
    else:
        match = re.match(r"^(9\.\d+|\d{2,})", version)
    return match.group(1) if match else None


def platform_versions_unsupported(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    data: Any = subject.data
    if not isinstance(data, Mapping):
        return
    today = _today(ctx.options.get("as_of"))
    kind = str(subject.properties.get("resource_type", ""))
    dates = end_of_support()
    if kind == "aws_eks_cluster":
        version = _text(data.get("version"))
        entry = dates["eks"]["versions"].get(version) if version else None
        if entry is None:
            return
        standard, extended = dt.date.fromisoformat(entry["standard"]), dt.date.fromisoformat(entry["extended"])
        if today > extended:
            message = (
                f"{subject.address} runs Kubernetes {version}, which EKS stopped supporting on {extended}; "
                "EKS upgrades such clusters itself"
            )
        elif today > standard:
            message = (
                f"{subject.address} runs Kubernetes {version}, out of EKS standard support since {standard}; "
                f"extended support is charged and ends on {extended}"
            )
        else:
            return
        yield _hit(subject, "version", message)
    elif kind == "aws_lambda_function":
        runtime = _text(data.get("runtime"))
        deprecated = dates["lambda"]["runtimes"].get(runtime) if runtime else None
        if deprecated and today > dt.date.fromisoformat(deprecated):
            yield _hit(
                subject,
                "runtime",
                f"{subject.address} uses the {runtime} runtime, which Lambda stopped patching on {deprecated}",
            )
    elif kind in ("aws_db_instance", "aws_rds_cluster"):
        engine, version = _text(data.get("engine")), _text(data.get("engine_version"))
        versions = dates["rds"]["engines"].get(engine) if engine else None
        major = _major(engine, version) if engine and version else None
        ended = versions.get(major) if versions and major else None
        if ended and today > dt.date.fromisoformat(ended):
            yield _hit(
                subject,
                "engine_version",
                f"{subject.address} runs {engine} {version}, out of RDS standard support since {ended}; it now runs "
                "on charged RDS Extended Support or is upgraded by AWS",
            )


def _hit(subject: Subject, key: str, message: str) -> Hit:
    return subject.hit(message, (key,), address_suffix=f"#/{key}", key=key)
