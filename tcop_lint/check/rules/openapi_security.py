"""OpenAPI rules on authentication and authorisation, after the GOV.UK API technical and data
standards. Hits are addressed by JSON pointer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import DataPath, Hit, OpenApiDocument, json_pointer
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.openapi import is_swagger2, operations

_OPEN_PATHS = frozenset(
    {
        "health",
        "healthcheck",
        "healthz",
        "ping",
        "status",
        "ready",
        "readiness",
        "live",
        "liveness",
        ".well-known",
        "openapi.json",
        "openapi.yaml",
    }
)


def _hit(subject: Subject, message: str, path: DataPath, level: Any = None) -> Hit:
    return subject.hit(message, path, address_suffix=json_pointer(path), level=level)


def _requires_credentials(requirements: Any) -> bool | None:
    """True when a security requirement list asks for a scheme; None when it is not a list."""
    if not isinstance(requirements, list):
        return None
    return any(isinstance(r, Mapping) and len(r) > 0 for r in requirements)


def _open_data(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("x-open-data") is True


def operations_without_authentication(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Operations that neither they nor the document protect with a security scheme."""
    doc: OpenApiDocument = subject.source
    data = doc.node.data
    if ctx.options["open_data"] or _open_data(data) or _open_data(data.get("info")):
        return
    default = _requires_credentials(data.get("security"))
    for template, method, operation, where in operations(doc):
        if method in ("options", "head") or _open_data(operation):
            continue
        segments = [s.lower() for s in template.split("/") if s]
        if segments and segments[-1] in _OPEN_PATHS:
            continue
        own = _requires_credentials(operation.get("security"))
        if own is True or (own is None and default is True):
            continue
        why = "sets security: [] (anonymous)" if own is False else "has no security requirement"
        yield _hit(
            subject,
            f"{method.upper()} {template} {why}; declare how clients authenticate",
            where + (("security",) if own is not None else ()),
        )


def _schemes(doc: OpenApiDocument) -> Iterator[tuple[str, Mapping[str, Any], DataPath]]:
    data = doc.node.data
    holder: DataPath = ("securityDefinitions",) if is_swagger2(doc) else ("components", "securitySchemes")
    found: Any = data
    for part in holder:
        found = found.get(part) if isinstance(found, Mapping) else None
    for name, scheme in found.items() if isinstance(found, Mapping) else ():
        if isinstance(scheme, Mapping):
            yield str(name), scheme, holder + (name,)


def weak_authentication_schemes(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """HTTP Basic, API keys in the query string, and the OAuth 2.0 implicit and password flows."""
    for name, scheme, where in _schemes(subject.source):
        kind = str(scheme.get("type", "")).lower()
        if kind == "basic" or (kind == "http" and str(scheme.get("scheme", "")).lower() == "basic"):
            yield _hit(
                subject,
                f"security scheme {name} uses HTTP Basic authentication",
                where + ("scheme" if kind == "http" else "type",),
            )
        elif kind == "apikey" and scheme.get("in") == "query":
            yield _hit(
                subject,
                f"security scheme {name} sends an API key in the query string, where logs and caches keep it",
                where + ("in",),
            )
        elif kind == "oauth2":
            flows = scheme.get("flows")
            for flow in ("implicit", "password"):
                if isinstance(flows, Mapping) and flow in flows:
                    yield _hit(
                        subject, f"security scheme {name} allows the OAuth 2.0 {flow} flow", where + ("flows", flow)
                    )
            if scheme.get("flow") in ("implicit", "password"):
                yield _hit(
                    subject, f"security scheme {name} uses the OAuth 2.0 {scheme['flow']} flow", where + ("flow",)
                )


def oauth_scopes_missing(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """OAuth 2.0 flows that define no scopes."""
    for name, scheme, where in _schemes(subject.source):
        if str(scheme.get("type", "")).lower() != "oauth2":
            continue
        flows = scheme.get("flows")
        holders = (
            [(f, v, where + ("flows", f)) for f, v in flows.items() if isinstance(v, Mapping)]
            if isinstance(flows, Mapping)
            else [(str(scheme.get("flow", "")), scheme, where)]
        )
        for flow, holder, at in holders:
            scopes = holder.get("scopes")
            if not isinstance(scopes, Mapping) or not scopes:
                yield _hit(
                    subject,
                    f"OAuth 2.0 {flow} flow of {name} defines no scopes",
                    at + (("scopes",) if "scopes" in holder else ()),
                )
