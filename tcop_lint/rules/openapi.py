"""OpenAPI rules, after the GOV.UK API technical and data standards and the CDDO Spectral
ruleset (co-cddo/api-standards-linting). Hits are addressed by JSON pointer (``#/paths/~1x``)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterator, Mapping
from urllib.parse import urlsplit

from tcop_lint.loaders.openapi import (
    METHODS,
    all_parameters,
    is_swagger2,
    json_pointer,
    resolve_ref,
    response_headers,
)
from tcop_lint.model import DataPath, Hit, OpenApiDocument
from tcop_lint.settings import RuleContext
from tcop_lint.subjects import Subject

_VARIABLE = re.compile(r"\{([^{}]+)\}")
_SEGMENT = re.compile(r"(?:[a-z0-9.\-]|\{[^{}/]+\})+")


def _hit(subject: Subject, message: str, path: DataPath, level: Any = None) -> Hit:
    return subject.hit(message, path, address_suffix=json_pointer(path)[1:], level=level)


def _is_local(host: str | None) -> bool:
    if not host:
        return False
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _expand(url: str, variables: Any) -> str:
    """A server URL with each {variable} replaced by its default."""
    variables = variables if isinstance(variables, Mapping) else {}

    def default(match: re.Match) -> str:
        spec = variables.get(match.group(1))
        value = spec.get("default") if isinstance(spec, Mapping) else None
        return str(value) if value is not None else match.group(0)

    return _VARIABLE.sub(default, url)


def _server_lists(doc: OpenApiDocument) -> Iterator[tuple[list, DataPath]]:
    data = doc.node.data
    if isinstance(data.get("servers"), list):
        yield data["servers"], ("servers",)
    paths = data.get("paths")
    for template, item in (paths.items() if isinstance(paths, Mapping) else ()):
        item, item_path = resolve_ref(doc, item, ("paths", template))
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("servers"), list):
            yield item["servers"], item_path + ("servers",)
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping) and isinstance(operation.get("servers"), list):
                yield operation["servers"], item_path + (method, "servers")


def servers_not_https(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Servers reached over plain HTTP (local development hosts excepted)."""
    doc: OpenApiDocument = subject.source
    data = doc.node.data
    if is_swagger2(doc):
        host = str(data.get("host") or "").rsplit(":", 1)[0] or None
        schemes = data.get("schemes")
        for i, scheme in enumerate(schemes if isinstance(schemes, list) else ()):
            if str(scheme).lower() in ("http", "ws") and not _is_local(host):
                yield _hit(subject, f"the API offers the plain {scheme} scheme; use https only", ("schemes", i))
        return
    seen: set[DataPath] = set()
    for servers, where in _server_lists(doc):
        if where in seen:
            continue
        seen.add(where)
        for i, server in enumerate(servers):
            if not isinstance(server, Mapping) or not isinstance(server.get("url"), str):
                continue
            url = _expand(server["url"].strip(), server.get("variables"))
            try:
                parts = urlsplit(url)
                host = parts.hostname
            except ValueError:
                continue
            if parts.scheme.lower() in ("http", "ws") and not _is_local(host):
                yield _hit(subject, f"server {server['url']} is reached over plain HTTP; use HTTPS", where + (i, "url"))


def api_metadata(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """info.description and info.contact (with an email or url) are present."""
    data = subject.data
    info = data.get("info")
    anchor: DataPath = ("info",) if "info" in data else (("openapi",) if "openapi" in data else ("swagger",))
    info = info if isinstance(info, Mapping) else {}
    description = info.get("description")
    if not isinstance(description, str) or not description.strip():
        yield subject.hit(
            "the API has no description (info.description): say what it does and who it is for",
            anchor,
            address_suffix="/info/description",
        )
    contact = info.get("contact")
    if not isinstance(contact, Mapping) or not contact:
        yield subject.hit(
            "the API gives no contact (info.contact): add the team's email address or support page",
            anchor,
            address_suffix="/info/contact",
        )
        return
    if not any(isinstance(contact.get(key), str) and contact[key].strip() for key in ("email", "url")):
        yield _hit(subject, "info.contact has neither an email nor a url, so users cannot reach the team", ("info", "contact"))


def _x_prefixed(name: Any) -> bool:
    return isinstance(name, str) and name[:2].lower() == "x-"


def x_prefixed_headers(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Request header parameters and response headers named X-Something."""
    doc: OpenApiDocument = subject.source
    for parameter, where in all_parameters(doc):
        name = parameter.get("name")
        if parameter.get("in") == "header" and _x_prefixed(name):
            yield _hit(subject, f"request header {name} uses the deprecated X- prefix", where + ("name",))
    for name, where in response_headers(doc):
        if _x_prefixed(name):
            yield _hit(subject, f"response header {name} uses the deprecated X- prefix", where)


def paths_not_kebab_case(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Path templates whose literal segments are not lower-case words joined by hyphens."""
    paths = subject.data.get("paths")
    if not isinstance(paths, Mapping):
        return
    for template in paths:
        if not isinstance(template, str) or not template.startswith("/"):
            continue
        bad = [segment for segment in template.split("/")[1:] if segment and not _SEGMENT.fullmatch(segment)]
        if bad:
            yield _hit(
                subject,
                f"path {template} is not lower-case kebab-case (segment {bad[0]!r}); use lower-case nouns joined by hyphens",
                ("paths", template),
            )


def described_with_openapi_3(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """A Swagger 2.0 description where OpenAPI 3 is recommended."""
    doc: OpenApiDocument = subject.source
    if is_swagger2(doc):
        yield _hit(subject, f"the API is described with Swagger {doc.version}; describe it with OpenAPI 3", ("swagger",))

