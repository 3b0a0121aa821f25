"""Path items and operations kept in other files are inlined, with their own files' positions."""

from __future__ import annotations

import os
from pathlib import Path

from tcop_lint.load.documents import load_yaml
from tcop_lint.load.openapi import operations, resolve_ref
from tcop_lint.load.openapi_refs import file_reader, inline_all, inline_file_refs

ROOT_DOC = """\
openapi: 3.0.3
info: {title: Fishing licences, version: 1.0.0}
paths:
  /licences:
    $ref: paths/licences.yaml
  /licences/{id}:
    get:
      $ref: operations/get-licence.yaml#/operation
components:
  schemas:
    Licence: {type: object}
"""
FILES = {
    "api/paths/licences.yaml": """\
get:
  operationId: listLicences
  summary: List licences
  responses:
    "200":
      description: Licences
      content:
        application/json:
          schema: {$ref: '../openapi.yaml#/components/schemas/Licence'}
post:
  $ref: ../operations/create-licence.yaml
""",
    "api/operations/create-licence.yaml": """\
responses:
  "201": {description: Created}
  "400": {$ref: '#/components/responses/Invalid'}
components:
  responses:
    Invalid: {description: Invalid}
""",
    "api/operations/get-licence.yaml": """\
operation:
  operationId: getLicence
  summary: One licence
  responses:
    "200": {description: Licence}
""",
}


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def root_document(text: str = ROOT_DOC, file: str = "api/openapi.yaml"):
    (doc,) = load_yaml(file, text).openapi
    return doc


def test_path_items_and_operations_from_other_files_are_inlined(tmp_path):
    root = tree(tmp_path, FILES)
    doc, problems = inline_file_refs(root_document(), file_reader(root, 1 << 20))
    assert problems == ()
    found = {(template, method): operation for template, method, operation, _ in operations(doc)}
    assert sorted(found) == [("/licences", "get"), ("/licences", "post"), ("/licences/{id}", "get")]
    assert found[("/licences", "get")]["operationId"] == "listLicences"
    assert found[("/licences/{id}", "get")]["summary"] == "One licence"


def test_positions_and_files_point_into_the_referenced_file(tmp_path):
    doc, _ = inline_file_refs(root_document(), file_reader(tree(tmp_path, FILES), 1 << 20))
    assert doc.file_at(("paths", "/licences")) == "api/openapi.yaml"  # the template is written here
    assert doc.file_at(("paths", "/licences", "get", "summary")) == "api/paths/licences.yaml"
    assert doc.node.locate(("paths", "/licences", "get", "summary")).line == 3
    assert doc.file_at(("paths", "/licences", "post")) == "api/operations/create-licence.yaml"
    assert doc.node.locate(("paths", "/licences", "post", "responses", "201")).line == 2
    assert doc.file_at(("paths", "/licences/{id}", "get", "operationId")) == "api/operations/get-licence.yaml"
    assert doc.node.locate(("paths", "/licences/{id}", "get", "operationId")).line == 2
    assert doc.file_at(("info",)) == "api/openapi.yaml"


def test_references_inside_inlined_content_keep_their_meaning(tmp_path):
    doc, _ = inline_file_refs(root_document(), file_reader(tree(tmp_path, FILES), 1 << 20))
    get = doc.node.data["paths"]["/licences"]["get"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Licence"}  # back into the document: local
    assert resolve_ref(doc, schema)[0] == {"type": "object"}
    post = doc.node.data["paths"]["/licences"]["post"]
    # a local ref of the other file becomes a reference to that file, never one into this document
    assert post["responses"]["400"] == {"$ref": "operations/create-licence.yaml#/components/responses/Invalid"}


def test_missing_broken_circular_outside_and_remote_targets(tmp_path):
    text = """\
openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /missing:
    $ref: paths/nope.yaml
  /broken:
    $ref: paths/broken.yaml
  /nothing:
    $ref: paths/ok.yaml#/not/there
  /loop:
    $ref: paths/loop-a.yaml
  /outside:
    $ref: ../../secret.yaml
  /remote:
    $ref: https://example.com/paths.yaml
"""
    files = {
        "api/paths/broken.yaml": "get: [unclosed\n",
        "api/paths/ok.yaml": "get: {}\n",
        "api/paths/loop-a.yaml": "$ref: loop-b.yaml\n",
        "api/paths/loop-b.yaml": "$ref: loop-a.yaml\n",
    }
    doc, problems = inline_file_refs(root_document(text), file_reader(tree(tmp_path, files), 1 << 20))
    said = {p.position.line if p.position else 0: p.message for p in problems}
    assert "nope.yaml no such file" in said[5]
    assert "paths/broken.yaml is not valid YAML" in said[7]
    assert "points at nothing in api/paths/ok.yaml" in said[9]
    assert "is circular" in said[11]
    assert "points outside the scanned root" in said[13]
    assert 15 not in said  # a URL is never fetched, and not a problem
    assert doc.node.data["paths"]["/remote"] == {"$ref": "https://example.com/paths.yaml"}
    assert all(p.file == "api/openapi.yaml" for p in problems)


def test_a_link_out_of_the_root_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "paths.yaml").write_text("get: {summary: secret}\n", encoding="utf-8")
    root = tmp_path / "repo"
    (root / "api").mkdir(parents=True)
    os.symlink(outside / "paths.yaml", root / "api" / "linked.yaml")
    text = "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n  /x:\n    $ref: linked.yaml\n"
    docs, problems = inline_all([root_document(text)], root, 1 << 20)
    assert "link out of the scanned root" in problems[0].message
    assert problems[0].position is not None and problems[0].position.line == 5
    assert docs[0].node.data["paths"]["/x"] == {"$ref": "linked.yaml"}


def test_a_document_without_file_references_is_returned_as_it_is(tmp_path):
    doc = root_document("openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n  /x: {get: {}}\n")
    assert inline_file_refs(doc, file_reader(tmp_path, 1 << 20)) == (doc, ())


def test_a_scan_places_findings_and_suppressions_in_the_referenced_file(tmp_path):
    from tcop_lint.run import ScanRequest, execute

    root = tree(
        tmp_path,
        {
            "openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n"
            "  /a: {$ref: paths/a.yaml}\n  /b: {$ref: paths/b.yaml}\n",
            "paths/a.yaml": 'get:\n  operationId: getA\n  responses: {"200": {description: ok}}\n',
            "paths/b.yaml": "get:\n  x-tcop-lint-ignore:\n    - {id: TCOP-08-OAS-003, reason: named by the gateway}\n"
            '  responses: {"200": {description: ok}}\n',
        },
    )
    report = execute(ScanRequest(paths=(str(root),), root=root, select=("TCOP-08-OAS-003",), jobs=1))
    shown = [(f.file, f.position.line if f.position else 0, f.address) for f in report.findings if not f.suppressed]
    assert shown == [("paths/a.yaml", 1, "#/paths/~1a/get")]
    assert {f.file for f in report.findings if f.suppressed} == {"paths/b.yaml"}


def test_a_paths_object_kept_in_another_file_is_inlined_too(tmp_path):
    files = {
        "api/paths/index.yaml": "/hello:\n  get:\n    $ref: hello.yaml\n",
        "api/paths/hello.yaml": "operationId: sayHello\nresponses: {'200': {description: ok}}\n",
    }
    text = "openapi: 3.0.3\ninfo: {title: t, version: 1.0.0}\npaths:\n  $ref: paths/index.yaml\n"
    doc, problems = inline_file_refs(root_document(text), file_reader(tree(tmp_path, files), 1 << 20))
    assert problems == ()
    ((template, method, operation, where),) = list(operations(doc))
    assert (template, method, operation["operationId"]) == ("/hello", "get", "sayHello")
    assert doc.file_at(where + ("operationId",)) == "api/paths/hello.yaml"
    assert doc.file_at(("paths", "/hello")) == "api/paths/index.yaml"
