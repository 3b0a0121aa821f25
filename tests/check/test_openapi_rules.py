"""The OpenAPI rule functions on real-shaped documents, called directly."""

from __future__ import annotations

import pytest

from tcop_lint.check.rules import openapi as rules
from tcop_lint.check.subjects import subjects
from tcop_lint.core.model import Documents, RepositoryFacts
from tcop_lint.load.documents import load_json, load_yaml
from tcop_lint.testing import rule_context


def run(function, text: str, name: str = "api.yaml"):
    loaded = load_json(name, text) if name.endswith(".json") else load_yaml(name, text)
    assert loaded.problems == ()
    documents = Documents(RepositoryFacts("/r", (name,), False), openapi=loaded.openapi)
    context = rule_context(function, documents)
    hits = [
        hit for subject in subjects(documents, {"target": "openapi.document"}) for hit in function(subject, context)
    ]
    return [(hit.position.line, hit.address) for hit in hits], hits


def test_https_servers_with_variables_and_local_hosts():
    text = """\
openapi: 3.0.3
info: {title: t, version: "1"}
servers:
  - url: http://localhost:3000
  - url: http://127.0.0.1/v1
  - url: http://[::1]:8080
  - url: http://api.service.local
  - url: "{scheme}://api.example.gov.uk"
    variables: {scheme: {default: http, enum: [http, https]}}
  - url: "{base}"
    variables: {base: {default: "https://api.example.gov.uk"}}
  - url: HTTP://API.EXAMPLE.GOV.UK
  - url: /relative
paths:
  /a:
    servers: [{url: "http://files.example.gov.uk"}]
    get:
      responses: {"200": {description: ok}}
"""
    places, hits = run(rules.servers_not_https, text)
    assert places == [(8, "#/servers/4/url"), (12, "#/servers/6/url"), (16, "#/paths/~1a/servers/0/url")]
    assert "{scheme}://api.example.gov.uk" in hits[0].message


def test_swagger_schemes():
    places, _ = run(rules.servers_not_https, 'swagger: "2.0"\ninfo: {}\nschemes: [https, http, ws]\npaths: {}\n')
    assert places == [(3, "#/schemes/1"), (3, "#/schemes/2")]
    local, _ = run(rules.servers_not_https, 'swagger: "2.0"\nhost: localhost:8080\nschemes: [http]\npaths: {}\n')
    assert local == []


def test_metadata_reports_each_missing_part_where_it_belongs():
    places, _ = run(rules.api_metadata, "openapi: 3.1.0\npaths: {}\n")
    assert places == [(1, "#/info/description"), (1, "#/info/contact")]
    places, _ = run(
        rules.api_metadata,
        "openapi: 3.1.0\ninfo:\n  title: t\n  description: '  '\n  contact: {email: a@example.gov.uk}\n",
    )
    assert places == [(2, "#/info/description")]
    places, _ = run(
        rules.api_metadata,
        "openapi: 3.1.0\ninfo:\n  title: t\n  description: Does things.\n  contact:\n    name: Team\n",
    )
    assert places == [(5, "#/info/contact")]
    assert (
        run(rules.api_metadata, "openapi: 3.1.0\ninfo:\n  description: d\n  contact: {url: https://x.gov.uk}\n")[0]
        == []
    )


def test_x_headers_are_reported_once_where_they_are_defined():
    text = """\
{
  "openapi": "3.0.3",
  "paths": {
    "/a": {
      "get": {
        "parameters": [{"$ref": "#/components/parameters/Corr"}, {"name": "X-Id", "in": "query"}],
        "responses": {"200": {"$ref": "#/components/responses/Ok"}}
      },
      "put": {
        "parameters": [{"$ref": "#/components/parameters/Corr"}],
        "responses": {"200": {"$ref": "#/components/responses/Ok"}}
      }
    }
  },
  "components": {
    "parameters": {"Corr": {"name": "X-Correlation-Id", "in": "header"}},
    "responses": {"Ok": {"description": "ok", "headers": {"x-powered-by": {}, "Xylophone": {}}}}
  }
}
"""
    places, hits = run(rules.x_prefixed_headers, text, "api.json")
    assert places == [
        (16, "#/components/parameters/Corr/name"),
        (17, "#/components/responses/Ok/headers/x-powered-by"),
    ]
    assert hits[0].message.startswith("request header X-Correlation-Id")


@pytest.mark.parametrize(
    "path,bad",
    [
        ("/", False),
        ("/v1/user-accounts/{userAccountId}", False),
        ("/files/{name}.json", False),
        ("/healthcheck/", False),
        ("/userAccounts", True),
        ("/user_accounts", True),
        ("/Users/{id}", True),
        ("/users/{id}/Addresses", True),
        ("/search:run", True),
    ],
)
def test_kebab_case_paths(path, bad):
    text = f"openapi: 3.0.3\ninfo: {{}}\npaths:\n  x-note: ignored\n  {path!r}: {{}}\n"
    places, _ = run(rules.paths_not_kebab_case, text)
    pointer = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
    assert places == ([(5, pointer)] if bad else [])


def openapi_3_findings(tmp_path, text: str) -> list[tuple[int, str, str]]:
    from tcop_lint.testing import scan_folder

    (tmp_path / "api.yaml").write_text(text, encoding="utf-8")
    found = scan_folder(tmp_path, ["TCOP-04-OAS-001"])
    return [(f.position.line if f.position else 0, f.address, f.message) for f in found]


def test_openapi_3_is_asked_for(tmp_path):
    assert openapi_3_findings(tmp_path, "info: {}\nswagger: '2.0'\npaths: {}\n") == [
        (2, "#/swagger", "the API is described with Swagger 2.0; describe it with OpenAPI 3")
    ]
    assert openapi_3_findings(tmp_path, "openapi: 3.0.0\npaths: {}\n") == []


from tcop_lint.check.rules import openapi_design as design  # noqa: E402
from tcop_lint.check.rules import openapi_security as security  # noqa: E402


@pytest.mark.parametrize(
    "url,bad_chars,bad_length",
    [
        ("https://api.example.gov.uk/v1", False, False),
        ("https://api.co.uk", False, False),
        ("https://ab.gov.uk", False, True),
        ("https://x.service.gov.uk", False, True),
        ("https://api.a_b.gov.uk", True, False),
        ("https://api-.example.com", True, False),
        ("https://example.c0m", True, False),
        ("https://" + "a" * 64 + ".gov.uk", False, True),
        ("https://127.0.0.1:8443", False, False),
        ("http://localhost:3000", False, False),
        ("https://{tenant}.example.gov.uk", False, False),
    ],
)
def test_host_names(url, bad_chars, bad_length):
    text = f"openapi: 3.0.3\ninfo: {{}}\nservers:\n  - url: '{url}'\npaths: {{}}\n"
    assert bool(run(rules.host_name_characters, text)[0]) is bad_chars
    assert bool(run(rules.host_name_lengths, text)[0]) is bad_length


@pytest.mark.parametrize(
    "name,date_like",
    [
        ("createdAt", True),
        ("created_at", True),
        ("dateOfBirth", True),
        ("DOB", True),
        ("validFrom", True),
        ("timestamp", True),
        ("update", False),
        ("timeout", False),
        ("format", False),
        ("chat", False),
        ("at", False),
    ],
)
def test_date_names(name, date_like):
    assert design.is_date_name(name) is date_like


def test_dates_follow_refs_no_further_and_report_the_offending_key():
    text = """\
openapi: 3.1.0
paths: {}
components:
  schemas:
    Event:
      type: object
      properties:
        occurredAt: {$ref: "#/components/schemas/Instant"}
        updated_at:
          type: [integer, "null"]
        example:
          properties:
            reviewDate: {type: integer}
"""
    places, _ = run(design.dates_not_iso8601, text)
    assert places == [(10, "#/components/schemas/Event/properties/updated_at/type")]


def test_depth_counts_resources_not_segments():
    assert design._depth("/v1/a/{id}/b/{id}/c") == 3
    assert design._depth("/a/{id}/b/{id}/c/{id}/d") == 4
    assert design._depth("/reports/annual/summary/pdf") == 1


def test_licence_identified_from_name_or_identifier():
    places, hits = run(rules.licence_not_open, "openapi: 3.1.0\ninfo:\n  license:\n    name: CC-BY-NC-4.0\n")
    assert places == [(4, "#/info/license/name")] and "CC-BY-NC-4.0" in hits[0].message
    # a name on no licence list and of no open family states no open licence (EULA, own terms)
    places, hits = run(rules.licence_not_open, "openapi: 3.1.0\ninfo:\n  license: {name: Our own terms}\n")
    assert places == [(3, "#/info/license/name")] and "'Our own terms' is not an open licence" in hits[0].message
    # an open family without a version, or an open licence's URL: never a finding by guess
    assert run(rules.licence_not_open, "openapi: 3.1.0\ninfo:\n  license: {name: BSD}\n")[0] == []
    unversioned = "openapi: 3.1.0\ninfo:\n  license: {name: Terms, url: 'https://opensource.org/licenses/MIT'}\n"
    assert run(rules.licence_not_open, unversioned)[0] == []
    assert run(rules.licence_not_open, "openapi: 3.1.0\ninfo:\n  license: {name: x, identifier: CC-BY-4.0}\n")[0] == []


def test_authentication_inherits_and_overrides_document_security():
    text = """\
openapi: 3.0.3
security: [{}]
paths:
  /a:
    get: {responses: {}}
    put:
      security: [{}, {oauth: [write]}]
      responses: {}
    options: {responses: {}}
  /healthcheck:
    get: {responses: {}}
"""
    places, _ = run(security.operations_without_authentication, text)
    assert places == [(5, "#/paths/~1a/get")]


def test_openapi_2_declared_as_openapi_is_not_openapi_3(tmp_path):
    assert openapi_3_findings(tmp_path, "openapi: 2.0.0\npaths: {}\n") == [
        (1, "#/openapi", "the document declares openapi 2.0.0; describe it with OpenAPI 3")
    ]
