"""Structured logs (REGTL_LOG_FORMAT=json, docs/configuration.md): one JSON object per line,
one line per request, and every other record of the process in the same form.

A request line says who asked (the key's id, never its secret or the Authorization header),
what (method and route template), the status and the latency, under a request id: the
caller's `X-Request-Id` when it is a sane token, otherwise one made here; the answer echoes
it. Bodies are never logged.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from services.settings import Settings

REQUEST_LOGGER = "regtimeline.requests"
# The id rule of docs/api.md ("Errors"): URL-safe ASCII, at most 128 characters. Anything
# else (spaces, quotes, control characters) could forge a line in a text log downstream.
_SANE_ID = re.compile(r"[A-Za-z0-9._~:-]{1,128}")
REQUEST_ID: ContextVar[str | None] = ContextVar("regtl_request_id", default=None)
_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "fields"}

log = logging.getLogger(REQUEST_LOGGER)


def request_id(incoming: str | None) -> str:
    if incoming is not None and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, the request id in effect, and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = REQUEST_ID.get()
        if current is not None:
            line["request_id"] = current
        line.update(getattr(record, "fields", None) or {})
        # `extra=` given by libraries (uvicorn's color_message…) lands as plain attributes
        line.update(
            {
                k: v
                for k, v in record.__dict__.items()
                if k not in _ATTRIBUTES and not k.startswith("_") and k != "color_message"
            }
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def log_request(
    *,
    request_id: str,
    key_id: str | None,
    method: str,
    route: str,
    status: int,
    latency_ms: float,
    client: str | None,
) -> None:
    fields = {
        "request_id": request_id,
        "key_id": key_id,
        "method": method,
        "route": route,
        "status": status,
        "latency_ms": latency_ms,
        "client": client,
    }
    log.info("%s %s %s", method, route, status, extra={"fields": fields})


def log_config(settings: Settings) -> dict[str, Any] | None:
    """uvicorn's `log_config` for REGTL_LOG_FORMAT=json (None: uvicorn's own text format).
    Its access log is turned off beside it: the request line above replaces it."""
    if settings.log_format != "json":
        return None
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"handlers": ["stdout"], "level": level},
    }


def configure(settings: Settings) -> None:
    """For processes without uvicorn (`regtl worker`)."""
    config = log_config(settings)
    if config is not None:
        logging.config.dictConfig(config)
