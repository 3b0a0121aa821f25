"""OpenAPI rules, after the GOV.UK API technical and data standards and the CDDO Spectral
ruleset (co-cddo/api-standards-linting). Hits are addressed by JSON pointer (``#/paths/~1x``)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import DataPath, Hit, OpenApiDocument, json_pointer
from tcop_lint.core.settings import RuleContext, openapi_profile_at_least
from tcop_lint.load.openapi import (
    METHODS,
    all_parameters,
    is_swagger2,
    resolve_ref,
    response_headers,
)

_VARIABLE = re.compile(r"\{([^{}]+)\}")
_SEGMENT = re.compile(r"(?:[a-z0-9.\-]|\{[^{}/]+\})+")


def _hit(subject: Subject, message: str, path: DataPath, level: Any = None, key: str = "") -> Hit:
    return subject.hit(message, path, address_suffix=json_pointer(path), level=level, key=key)


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
    for template, item in paths.items() if isinstance(paths, Mapping) else ():
        item, item_path = resolve_ref(doc, item, ("paths", template))
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("servers"), list):
            yield item["servers"], item_path + ("servers",)
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping) and isinstance(operation.get("servers"), list):
                yield operation["servers"], item_path + (method, "servers")


def _servers(doc: OpenApiDocument) -> Iterator[tuple[str, str, DataPath]]:
    """(URL as written, URL with its variables' defaults, where) for each OpenAPI 3 server,
    document-, path- and operation-level, each list once even when reached by several $refs."""
    seen: set[DataPath] = set()
    for servers, where in _server_lists(doc):
        if where in seen:
            continue
        seen.add(where)
        for i, server in enumerate(servers):
            if isinstance(server, Mapping) and isinstance(server.get("url"), str):
                yield server["url"], _expand(server["url"].strip(), server.get("variables")), where + (i, "url")


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
    for written, url, where in _servers(doc):
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            continue
        if parts.scheme.lower() in ("http", "ws") and not _is_local(host):
            yield _hit(subject, f"server {written} is reached over plain HTTP; use HTTPS", where)


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
        yield _hit(
            subject, "info.contact has neither an email nor a url, so users cannot reach the team", ("info", "contact")
        )


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
    """Path templates whose literal segments are not lower-case words joined by hyphens (from
    the medium profile on, as the GOV.UK ruleset's paths-kebab-case)."""
    paths = subject.data.get("paths")
    if not isinstance(paths, Mapping) or not openapi_profile_at_least(ctx.settings, "medium"):
        return
    for template in paths:
        if not isinstance(template, str) or not template.startswith("/"):
            continue
        bad = [segment for segment in template.split("/")[1:] if segment and not _SEGMENT.fullmatch(segment)]
        if bad:
            yield _hit(
                subject,
                f"path {template} is not lower-case kebab-case (segment {bad[0]!r}); use lower-case nouns joined by "
                "hyphens",
                ("paths", template),
            )


# --- server host names (the .gov.uk domain naming rules the CDDO ruleset applies) ---------

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", re.IGNORECASE)
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})", re.IGNORECASE)
# Registries below which a new name is registered, so the label in front is the chosen name.
_UK_SUFFIXES = (
    "api.gov.uk",
    "service.gov.uk",
    "gov.uk",
    "nhs.uk",
    "police.uk",
    "mod.uk",
    "parliament.uk",
    "co.uk",
    "org.uk",
    "ac.uk",
    "ltd.uk",
    "plc.uk",
    "me.uk",
    "net.uk",
    "sch.uk",
)


def _server_hosts(doc: OpenApiDocument) -> Iterator[tuple[str, str, DataPath]]:
    """(host, URL as written, where) for every server whose host is a domain name."""
    data = doc.node.data
    found: list[tuple[str, str, DataPath]] = []
    if is_swagger2(doc):
        if isinstance(data.get("host"), str):
            found.append((data["host"].rsplit(":", 1)[0], data["host"], ("host",)))
    else:
        for written, url, where in _servers(doc):
            try:
                host = urlsplit(url).hostname
            except ValueError:
                continue
            if host:
                found.append((host, written, where))
    for host, written, where in found:
        host = host.rstrip(".")
        if not host or "{" in host or "}" in host or _is_local(host):
            continue
        try:
            ipaddress.ip_address(host.strip("[]"))
            continue
        except ValueError:
            pass
        yield host, written, where


def _registered_label(labels: list[str]) -> int:
    """Index of the label chosen at registration (the one in front of the registry suffix)."""
    lowered = ".".join(labels).lower()
    for suffix in _UK_SUFFIXES:
        if lowered.endswith("." + suffix):
            return len(labels) - suffix.count(".") - 2
    return len(labels) - 2


def host_name_characters(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Server host names with characters other than letters, digits and inner hyphens."""
    for host, written, where in _server_hosts(subject.source):
        labels = host.split(".")
        bad = [label for label in labels if label and not _LABEL.fullmatch(label)]
        if bad or "" in labels:
            yield _hit(
                subject,
                f"server {written}: host name label {bad[0] if bad else '(empty)'!r} may use only letters, digits and "
                "hyphens (not at either end)",
                where,
            )
        elif len(labels) > 1 and not _TLD.fullmatch(labels[-1]):
            yield _hit(subject, f"server {written}: top-level domain {labels[-1]!r} is not a valid domain", where)


def host_name_lengths(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Server domain names whose chosen name is under 3 characters, or any label over 63."""
    for host, written, where in _server_hosts(subject.source):
        labels = host.split(".")
        long = [label for label in labels if len(label) > 63]
        if long:
            yield _hit(
                subject,
                f"server {written}: domain label {long[0][:20]}... is {len(long[0])} characters; the limit is 63",
                where,
            )
            continue
        index = _registered_label(labels)
        if len(labels) > 1 and index >= 0 and 0 < len(labels[index]) < 3:
            yield _hit(subject, f"server {written}: domain name {labels[index]!r} is shorter than 3 characters", where)


# --- licence ----------------------------------------------------------------------------


def _licence_id(licence: Mapping[str, Any]) -> tuple[str | None, DataPath]:
    from tcop_lint.licences.match import identify_statement, parse_expression
    from tcop_lint.licences.reference import canonical_id

    for key in ("identifier", "x-oai-license-identifier"):
        value = licence.get(key)
        if isinstance(value, str) and value.strip():
            return parse_expression(value), (key,)
    name = licence.get("name")
    if isinstance(name, str) and name.strip():
        found = canonical_id(name) or identify_statement(f"Licensed under the {name.strip()}").spdx_id
        return found, ("name",)
    return None, ()


# Words of open licence families; a name carrying one (OGL, "Creative Commons", BSD) without
# a version tcop-lint identifies is open or ambiguous, never reported. Anything else that names
# no licence on the SPDX list (EULA, Proprietary, Terms of use) does not state an open licence.
_OPEN_FAMILY = re.compile(
    r"\b(?:open government|OGL|creative commons|CC[- ](?:BY|0)|CC0|BSD|GPL|LGPL|AGPL|MIT|Apache|Mozilla|MPL"
    r"|EUPL|ISC|Unlicense|public domain|open data commons|ODbL|ODC|PDDL|open source|OSI)\b",
    re.IGNORECASE,
)
_OPEN_URL = re.compile(
    r"open-government-licence|opensource\.org/licen[cs]es/|creativecommons\.org/(?:licenses|publicdomain)/"
    r"|apache\.org/licenses/|gnu\.org/licenses/|mozilla\.org/(?:en-US/)?MPL|spdx\.org/licenses/",
    re.IGNORECASE,
)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def licence_not_open(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """A missing licence (note), or a licence that is not open (warning)."""
    from tcop_lint.licences.match import is_allowed
    from tcop_lint.licences.reference import licence_info

    data = subject.data
    info = data.get("info") if isinstance(data.get("info"), Mapping) else None
    licence = info.get("license") if info else None
    if not isinstance(licence, Mapping) or not licence:
        anchor: DataPath = ("info",) if info is not None else ("openapi",) if "openapi" in data else ("swagger",)
        yield subject.hit(
            "the API does not state a licence (info.license)", anchor, address_suffix="/info/license", level="note"
        )
        return
    spdx_id, key = _licence_id(licence)
    if spdx_id is None:
        name = licence.get("name")
        url = licence.get("url")
        if not isinstance(name, str) or not name.strip():
            return
        if _OPEN_FAMILY.search(name) or (isinstance(url, str) and _OPEN_URL.search(url)):
            return  # an open licence written in a way tcop-lint does not identify: never a finding by guess
        yield _hit(
            subject,
            f"the API's licence {_short(name)!r} is not an open licence tcop-lint recognises: "
            "name an open licence by its SPDX identifier",
            ("info", "license", "name"),
        )
        return
    open_content = all(
        (found := licence_info(part)) is not None and found.licence_class in ("open-content", "public-domain-like")
        for part in re.split(r"\s+(?:AND|OR)\s+", spdx_id)
    )
    if not (is_allowed(spdx_id, tuple(ctx.options["allowed_licences"])) or open_content):
        yield _hit(subject, f"the API's licence {spdx_id} is not an open licence", ("info", "license") + key)
    elif openapi_profile_at_least(ctx.settings, "high"):
        yield from _licence_not_apache(subject, licence)


_APACHE_ID = re.compile(r"Apache-2\.0")
_APACHE_URL = re.compile(r"https://www\.apache\.org/licenses/LICENSE-2\.0")


def _licence_not_apache(subject: Subject, licence: Mapping[str, Any]) -> Iterator[Hit]:
    """The high profile's license-strict and license-url: an identifier, where given, is
    Apache-2.0 and a url, where given, is Apache's page for it."""
    identifier, url = licence.get("identifier"), licence.get("url")
    if isinstance(identifier, str) and not _APACHE_ID.search(identifier):
        yield _hit(
            subject,
            f"the high profile asks for the Apache-2.0 licence; info.license.identifier is {identifier}",
            ("info", "license", "identifier"),
            key="strict",
        )
    if isinstance(url, str) and not _APACHE_URL.search(url):
        yield _hit(
            subject,
            f"the high profile asks for https://www.apache.org/licenses/LICENSE-2.0 as info.license.url, not {url}",
            ("info", "license", "url"),
            key="url",
        )


# --- operations -------------------------------------------------------------------------


def operations_undocumented(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Operations without an operationId, or without a summary or description. A repeated
    operationId breaks the specification: TCOP-04-OAS-002 reports it, once."""
    from tcop_lint.load.openapi import operations

    for template, method, operation, where in operations(subject.source):
        name = f"{method.upper()} {template}"
        op_id = operation.get("operationId")
        if not isinstance(op_id, str) or not op_id.strip():
            yield _hit(subject, f"{name} has no operationId", where, key="operationId")
        if not any(isinstance(operation.get(k), str) and operation[k].strip() for k in ("summary", "description")):
            yield _hit(subject, f"{name} has neither a summary nor a description", where, key="summary")


_ERROR_CODE = re.compile(r"^(?:[45](?:\d\d|XX)|default)$", re.IGNORECASE)


def _has_body(doc: OpenApiDocument, operation: Mapping[str, Any], where: DataPath) -> bool:
    from tcop_lint.load.openapi import operation_parameters

    if "requestBody" in operation:
        return True
    return any(p.get("in") in ("body", "formData") for p, _ in operation_parameters(doc, where))


def _returns_content(doc: OpenApiDocument, answers: Mapping[str, Any], where: DataPath) -> bool:
    for code, answer in answers.items():
        answer, _ = resolve_ref(doc, answer, where + (code,))
        if isinstance(answer, Mapping) and (answer.get("content") or answer.get("schema")):
            return True
    return False


def error_responses_undocumented(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Operations that document only success; 406 and 415 where content is negotiated (note)."""
    from tcop_lint.load.openapi import operations

    doc: OpenApiDocument = subject.source
    strict = openapi_profile_at_least(ctx.settings, "high")
    for template, method, operation, where in operations(doc):
        answers = operation.get("responses")
        if method not in ("get", "put", "post", "patch", "delete") or not isinstance(answers, Mapping):
            continue
        codes = {str(code).upper() for code in answers}
        name = f"{method.upper()} {template}"
        at = where + ("responses",)
        if strict:
            yield from _strict_negotiation(subject, name, method, codes, at)
            if not any(_ERROR_CODE.match(code) for code in codes):
                yield _hit(subject, f"{name} documents no error responses (4xx, 5xx or default)", at)
            continue
        if not any(_ERROR_CODE.match(code) for code in codes):
            yield _hit(subject, f"{name} documents no error responses (4xx, 5xx or default)", at)
            continue
        if "4XX" in codes:
            continue
        if "406" not in codes and _returns_content(doc, answers, at):
            yield _hit(
                subject, f"{name} returns content but does not document 406 Not Acceptable", at, level="note", key="406"
            )
        if method in ("put", "post", "patch") and "415" not in codes and _has_body(doc, operation, where):
            yield _hit(
                subject,
                f"{name} takes a request body but does not document 415 Unsupported Media Type",
                at,
                level="note",
                key="415",
            )


def _strict_negotiation(subject: Subject, name: str, method: str, codes: set[str], at: DataPath) -> Iterator[Hit]:
    """The high profile's not-acceptable and unsupported-media-type rules: every operation that
    can answer with a body declares 406, every one that takes a body declares 415."""
    if "406" not in codes:
        yield _hit(
            subject, f"{name} does not document 406 Not Acceptable (the high profile asks for it)", at, key="406"
        )
    if method in ("put", "post", "patch") and "415" not in codes:
        yield _hit(
            subject,
            f"{name} does not document 415 Unsupported Media Type (the high profile asks for it)",
            at,
            key="415",
        )


# --- versions ---------------------------------------------------------------------------

_BELOW_3 = re.compile(r"^\s*[0-2]\.")


def openapi_version_outdated(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Swagger 2.0 or an openapi below 3 (from the medium profile on, as the GOV.UK ruleset's
    oas3-minimum); with the high profile, any version but 3.1.0 (its oas3-strict)."""
    if not openapi_profile_at_least(ctx.settings, "medium"):
        return
    data = subject.data
    if "openapi" not in data:
        yield _hit(
            subject,
            f"the API is described with Swagger {data.get('swagger')}; describe it with OpenAPI 3",
            ("swagger",),
        )
        return
    version = data["openapi"]
    if (isinstance(version, str) and _BELOW_3.match(version)) or (
        isinstance(version, (int, float)) and not isinstance(version, bool) and version < 3
    ):
        yield _hit(subject, f"the document declares openapi {version}; describe it with OpenAPI 3", ("openapi",))
    elif openapi_profile_at_least(ctx.settings, "high") and not re.search(r"3\.1\.0", str(version)):
        yield _hit(subject, f"the document declares openapi {version}; the high profile asks for 3.1.0", ("openapi",))


_URL_VERSION = re.compile(r"^v\d+(?:[._-]\d+)+$", re.IGNORECASE)
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


def versioning(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """URL versions that are not whole numbers (warning); info.version not semantic (note)."""
    doc: OpenApiDocument = subject.source
    data = subject.data
    places: list[tuple[str, DataPath]] = []
    if not is_swagger2(doc):
        places += [(written, where) for written, _, where in _servers(doc)]
    elif isinstance(data.get("basePath"), str):
        places.append((data["basePath"], ("basePath",)))
    paths = data.get("paths")
    places += [(t, ("paths", t)) for t in (paths if isinstance(paths, Mapping) else ()) if isinstance(t, str)]
    for text, where in places:
        segment = next((s for s in urlsplit(text).path.split("/") if _URL_VERSION.match(s)), None)
        if segment:
            yield _hit(
                subject, f"{text} carries version {segment}; version URLs with whole numbers (/v1/, /v2/)", where
            )
    info = data.get("info")
    version = info.get("version") if isinstance(info, Mapping) else None
    if version is not None and not _SEMVER.match(str(version)) and openapi_profile_at_least(ctx.settings, "medium"):
        yield _hit(
            subject,
            f"info.version {version!r} is not a semantic version (MAJOR.MINOR.PATCH)",
            ("info", "version"),
            level="note",
        )
