"""REGTL_LOG_FORMAT=json (docs/configuration.md): one JSON object per request, with the
request id, the key's id (never its secret), the route template, status and latency."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from domain.clocks import utc_now
from services.api.server import server_config
from services.operations.request_logs import REQUEST_LOGGER, JsonFormatter
from services.settings import Settings
from tests.operations.conftest import OpenOps
from tests.support import builders as b

FIELDS = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "key_id",
    "method",
    "route",
    "status",
    "latency_ms",
    "client",
}


class Lines:
    """The request logger's records, through the JSON formatter, parsed line by line."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def read(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def lines() -> Iterator[Lines]:
    captured = Lines()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(REQUEST_LOGGER)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield captured
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_one_object_per_request_with_the_key_id_and_never_the_secret(
    ops: OpenOps, lines: Lines
) -> None:
    service = ops(log_format="json")
    key, token = service.container.keys.create("write", "logged-writer", utc_now())
    response = service.client.post(
        "/v1/events",
        json=b.company(),
        headers={"Authorization": f"Bearer {token}", "X-Request-Id": "req-42.a:b"},
    )
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req-42.a:b"
    assert service.client.get("/v1/chips/h20").status_code == 404
    logged = lines.read()
    assert len(logged) == 2
    first, second = logged
    assert set(first) == FIELDS
    assert first["request_id"] == "req-42.a:b" and first["level"] == "info"
    assert (first["method"], first["route"], first["status"]) == ("POST", "/v1/events", 201)
    assert first["key_id"] == key.id and isinstance(first["latency_ms"], float)
    assert first["time"].endswith("Z")
    assert (second["route"], second["status"], second["key_id"]) == ("/v1/chips/{chip}", 404, None)
    text = json.dumps(logged)
    secret = token.rsplit("_", 1)[1]
    assert secret not in text and "Bearer" not in text and token not in text


@pytest.mark.parametrize("incoming", ["a b", "x" * 129, "ünïcode".encode("latin-1"), ""])
def test_an_insane_request_id_is_replaced(
    ops: OpenOps, lines: Lines, incoming: str | bytes
) -> None:
    service = ops(log_format="json")
    response = service.client.get("/healthz", headers={"X-Request-Id": incoming})
    made = response.headers["x-request-id"]
    assert len(made) == 32 and made != incoming
    assert [line["request_id"] for line in lines.read()] == [made]


def test_text_format_logs_no_request_lines_but_echoes_the_id(ops: OpenOps, lines: Lines) -> None:
    service = ops()  # uvicorn's access log covers requests in text
    response = service.client.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32
    assert lines.read() == []


def test_other_records_are_json_with_the_request_id_in_effect() -> None:
    from services.operations.request_logs import REQUEST_ID

    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("regtimeline.api").makeRecord(
            "regtimeline.api",
            logging.ERROR,
            __file__,
            1,
            "unhandled %s",
            ("error",),
            exc_info=__import__("sys").exc_info(),
        )
    token = REQUEST_ID.set("abc")
    try:
        line = json.loads(formatter.format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["message"] == "unhandled error" and line["level"] == "error"
    assert line["request_id"] == "abc" and "ValueError: boom" in line["exception"]


def test_uvicorn_logs_json_without_its_access_log() -> None:
    config = server_config(object(), Settings(log_format="json"), host="127.0.0.1", port=0)
    assert config.access_log is False
    assert isinstance(config.log_config, dict)
    assert config.log_config["formatters"]["json"]["()"].endswith("JsonFormatter")
    text = server_config(object(), Settings(), host="127.0.0.1", port=0)
    assert text.access_log is True and "JsonFormatter" not in str(text.log_config)
