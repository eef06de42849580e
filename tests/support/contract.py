"""Every answer the tests receive is checked against the published OpenAPI document
(docs/api.md, "The contract"): its status must be one the operation documents, and its body
must match that status's schema exactly — an undocumented field is a failure too.

`checked_client(app)` is the TestClient every API test uses; `check_response` serves the
live-server client as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, ValidationError, validators

BODILESS = {204, 304}


class ContractBroken(AssertionError):
    """An answer the OpenAPI document does not describe."""


def checked_client(app: FastAPI) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    document = app.openapi()
    client.event_hooks["response"].append(lambda response: check_response(document, response))
    return client


def _closed(schema: Any) -> Any:
    """The schema with `additionalProperties: false` wherever an object lists its properties
    and says nothing else: the document stays open for additive changes, the tests do not.
    A `oneOf` with a discriminator mapping is checked against the branch its tag names."""
    if isinstance(schema, dict):
        closed = {k: _closed(v) for k, v in schema.items()}
        if "properties" in closed and "additionalProperties" not in closed:
            closed["additionalProperties"] = False
        if "oneOf" in closed and "mapping" in closed.get("discriminator", {}):
            return _by_tag(closed)
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


def _by_tag(schema: dict[str, Any]) -> dict[str, Any]:
    """`oneOf` by its discriminator (the `x-by-tag` keyword below): the tag must be one the
    mapping names and the body must match that tag's branch. The same verdict for a document
    whose branches differ in their tag (ours: an event's `type`), but one branch checked
    instead of all 31 — JSON Schema itself ignores `discriminator`, and trying every branch
    cost seconds a page of events."""
    rest = {k: v for k, v in schema.items() if k not in ("oneOf", "discriminator")}
    return {**rest, "x-by-tag": schema["discriminator"]}


def _check_by_tag(
    validator: Any, discriminator: dict[str, Any], instance: Any, _schema: Any
) -> Iterator[ValidationError]:
    tag = discriminator["propertyName"]
    mapping: dict[str, str] = discriminator["mapping"]
    if not isinstance(instance, dict) or instance.get(tag) not in mapping:
        found = instance.get(tag) if isinstance(instance, dict) else instance
        yield ValidationError(f"{tag} {found!r} is not one of {sorted(mapping)}")
        return
    yield from validator.descend(instance, {"$ref": mapping[instance[tag]]})


Validator = validators.extend(Draft202012Validator, {"x-by-tag": _check_by_tag})


@lru_cache(maxsize=8)
def _prepared(document_json: str) -> tuple[dict[str, Any], list[tuple[re.Pattern[str], str]]]:
    document = json.loads(document_json)
    document["components"] = _closed(document["components"])
    templates = [
        (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
        for path in document["paths"]
    ]
    return document, templates


def _operation(
    document: dict[str, Any], templates: list[tuple[re.Pattern[str], str]], method: str, path: str
) -> dict[str, Any] | None:
    # A literal path wins over a template (/v1/events/batch over /v1/events/{event_id}).
    matches = [t for pattern, t in templates if pattern.match(path)]
    for template in sorted(matches, key=lambda t: t.count("{")):
        operation = document["paths"][template].get(method.lower())
        if operation is not None:
            return operation  # type: ignore[no-any-return]
    return None


# The document an app serves is one object for the app's life: prepared once per object (the
# entry keeps it alive, so its id is not reused), not dumped to JSON on every answer.
_BY_DOCUMENT: dict[int, tuple[dict[str, Any], Any]] = {}


def _prepared_for(document: dict[str, Any]) -> Any:
    held = _BY_DOCUMENT.get(id(document))
    if held is None or held[0] is not document:
        held = (document, _prepared(json.dumps(document, sort_keys=True)))
        _BY_DOCUMENT[id(document)] = held
    return held[1]


def check_response(document: dict[str, Any], response: httpx.Response) -> None:
    request = response.request
    prepared, templates = _prepared_for(document)
    operation = _operation(prepared, templates, request.method, request.url.path)
    if operation is None or request.method == "HEAD":
        return  # not part of the API (/docs, /problems/…, an unknown path)
    where = f"{request.method} {request.url.path} → {response.status_code}"
    documented = operation["responses"].get(str(response.status_code))
    if documented is None:
        raise ContractBroken(
            f"{where}: status not documented (documented: {sorted(operation['responses'])})"
        )
    if response.status_code in BODILESS:
        return
    response.read()
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    content = documented.get("content", {})
    if media_type not in content:
        raise ContractBroken(f"{where}: {media_type!r} not documented ({sorted(content)})")
    schema = content[media_type].get("schema", {})
    if media_type == "text/event-stream" or not schema:
        return
    _validate(prepared, schema, response.json(), where)


_VALIDATORS: dict[tuple[int, str], Any] = {}


def _validate(document: dict[str, Any], schema: dict[str, Any], body: Any, where: str) -> None:
    key = (id(document), json.dumps(schema, sort_keys=True))
    validator = _VALIDATORS.get(key)
    if validator is None:  # `document` is a prepared one, kept alive by _prepared's cache
        validator = Validator({**schema, "components": document["components"]})
        _VALIDATORS[key] = validator
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        at = "/" + "/".join(str(p) for p in first.absolute_path)
        raise ContractBroken(f"{where}: the body breaks the schema at {at}: {first.message[:300]}")
