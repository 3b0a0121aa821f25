"""The OpenAPI rule functions on real-shaped documents, called directly."""

from __future__ import annotations

import pytest

from tcop_lint.loaders.documents import load_json, load_yaml
from tcop_lint.model import Documents, RepositoryFacts
from tcop_lint.rules import openapi as rules
from tcop_lint.settings import RuleContext, Settings
from tcop_lint.subjects import subjects


def run(function, text: str, name: str = "api.yaml"):
    loaded = load_json(name, text) if name.endswith(".json") else load_yaml(name, text)
    assert loaded.problems == ()
    documents = Documents(RepositoryFacts("/r", (name,), False), openapi=loaded.openapi)
    context = RuleContext(documents, Settings())
    hits = [hit for subject in subjects(documents, {"target": "openapi.document"}) for hit in function(subject, context)]
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
    places, _ = run(rules.api_metadata, "openapi: 3.1.0\ninfo:\n  title: t\n  description: '  '\n  contact: {email: a@example.gov.uk}\n")
    assert places == [(2, "#/info/description")]
    places, _ = run(rules.api_metadata, "openapi: 3.1.0\ninfo:\n  title: t\n  description: Does things.\n  contact:\n    name: Team\n")
    assert places == [(5, "#/info/contact")]
    assert run(rules.api_metadata, "openapi: 3.1.0\ninfo:\n  description: d\n  contact: {url: https://x.gov.uk}\n")[0] == []


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


def test_openapi_3_is_asked_for():
    assert run(rules.described_with_openapi_3, "info: {}\nswagger: '2.0'\npaths: {}\n")[0] == [(2, "#/swagger")]
    assert run(rules.described_with_openapi_3, "openapi: 3.0.0\npaths: {}\n")[0] == []
