"""OpenAPI documents and the walks rules make over them."""

from __future__ import annotations

from tcop_lint.core.model import json_pointer
from tcop_lint.load.documents import load_yaml
from tcop_lint.load.openapi import (
    all_parameters,
    operation_parameters,
    operations,
    parse_pointer,
    resolve_ref,
    response_headers,
)

SPEC = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a~b/{id}:
    parameters:
      - $ref: "#/components/parameters/Id"
      - {name: trace, in: header}
    get:
      parameters:
        - {name: trace, in: header, required: true}
        - $ref: "#/components/parameters/Missing"
      responses:
        "200":
          $ref: "#/components/responses/Ok"
    post:
      responses:
        "201":
          description: made
          headers:
            Location: {schema: {type: string}}
  /loop:
    $ref: "#/paths/~1loop"
components:
  parameters:
    Id: {name: id, in: path, required: true}
    Alias: {$ref: "#/components/parameters/Id"}
  responses:
    Ok:
      description: ok
      headers:
        ETag: {schema: {type: string}}
  headers:
    Shared: {schema: {type: string}}
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/A"}
    "x/y~z": {type: string}
"""


def doc():
    return load_yaml("api.yaml", SPEC).openapi[0]


def test_pointers_round_trip():
    path = ("paths", "/a~b/{id}", "get")
    assert json_pointer(path) == "/paths/~1a~0b~1{id}/get"
    assert parse_pointer("#" + json_pointer(path)) == path
    assert parse_pointer("#/paths/~1users~1%7Bid%7D") == ("paths", "/users/{id}")
    assert parse_pointer("other.yaml#/x") is None
    assert parse_pointer("#") == ()


def test_resolve_ref():
    d = doc()
    assert resolve_ref(d, {"$ref": "#/components/schemas/x~1y~0z"}) == (
        {"type": "string"},
        ("components", "schemas", "x/y~z"),
    )
    assert resolve_ref(d, {"$ref": "#/components/parameters/Alias"})[1] == ("components", "parameters", "Id")
    assert resolve_ref(d, {"$ref": "#/components/schemas/A"})[0] is None  # a cycle
    assert resolve_ref(d, {"$ref": "#/nowhere"}, ("p",)) == (None, ("p",))
    assert resolve_ref(d, {"$ref": "common.yaml#/Thing"}, ("q",)) == (None, ("q",))
    assert resolve_ref(d, {"type": "integer"}, ("r",)) == ({"type": "integer"}, ("r",))
    assert resolve_ref(d, {"$ref": "#/paths/~1a~0b~1{id}/parameters/0"})[0]["name"] == "id"


def test_operations_and_their_parameters():
    d = doc()
    found = [(template, method, path) for template, method, _, path in operations(d)]
    assert found == [
        ("/a~b/{id}", "get", ("paths", "/a~b/{id}", "get")),
        ("/a~b/{id}", "post", ("paths", "/a~b/{id}", "post")),
    ]
    params = list(operation_parameters(d, ("paths", "/a~b/{id}", "get")))
    assert [(p["name"], p.get("required")) for p, _ in params] == [("id", True), ("trace", True)]
    assert params[0][1] == ("components", "parameters", "Id")
    assert params[1][1] == ("paths", "/a~b/{id}", "get", "parameters", 0)


def test_every_parameter_once_and_every_header():
    d = doc()
    wheres = [where for _, where in all_parameters(d)]
    assert wheres == [
        ("components", "parameters", "Id"),
        ("paths", "/a~b/{id}", "parameters", 1),
        ("paths", "/a~b/{id}", "get", "parameters", 0),
    ]
    headers = list(response_headers(d))
    assert headers == [
        ("ETag", ("components", "responses", "Ok", "headers", "ETag")),
        ("Location", ("paths", "/a~b/{id}", "post", "responses", "201", "headers", "Location")),
        ("Shared", ("components", "headers", "Shared")),
    ]
    assert d.node.locate(headers[1][1]).line == 20
