"""What every step of the script uses: the generated package reached by name, the clients and
operations of one run (`Script`), and the checks that raise `Mismatch`."""

from __future__ import annotations

import importlib
import os
import types
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

DEMO_LICENCE = "nvidia-h20-cn-2025"
DEMO_MEASURE = "bis-2025-04-h20"
END_OF_AUGUST_15 = datetime(2025, 8, 15, 23, 59, 59, 999999, tzinfo=UTC)

# The operations the script calls, by tag (openapi-python-client: api/<tag>/<operationId>.py).
OPERATIONS = {
    "get_chip_state": "chips",
    "get_chip_history": "chips",
    "list_chips": "chips",
    "append_event": "events",
    "append_event_batch": "events",
    "create_subscription": "webhooks",
    "list_deliveries": "webhooks",
}


class Mismatch(Exception):
    pass


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise Mismatch(f"environment variable {name} is not set")
    return value


def same(actual: Any, expected: Any, what: str) -> None:
    # Generated enums are str subclasses; compare their values so the message reads plainly.
    plain = (
        [a.value if isinstance(a, Enum) else a for a in actual]
        if isinstance(actual, list)
        else actual.value
        if isinstance(actual, Enum)
        else actual
    )
    if plain != expected:
        raise Mismatch(f"{what}: expected {expected!r}, got {plain!r}")


def check(ok: bool, why: str) -> None:
    if not ok:
        raise Mismatch(why)


class Generated:
    """The generated package, reached by name (the test chooses it)."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.root = importlib.import_module(package)
        self.models = importlib.import_module(f"{package}.models")

    def operation(self, tag: str, operation_id: str) -> types.ModuleType:
        # openapi-python-client: api/<tag>/<operationId in snake_case>.py
        try:
            return importlib.import_module(f"{self.package}.api.{tag}.{operation_id}")
        except ModuleNotFoundError as error:
            raise Mismatch(f"the generated client has no {tag}.{operation_id}: {error}") from None

    def answer(self, response: Any, what: str) -> Any:
        """The parsed success answer, which must be one of the generated models."""
        status = int(response.status_code)
        if not 200 <= status < 300:
            raise Mismatch(f"{what}: HTTP {status} {response.content[:500]!r}")
        parsed = response.parsed
        if parsed is None or not type(parsed).__module__.startswith(f"{self.package}.models."):
            raise Mismatch(
                f"{what}: the generated client parsed the answer as "
                f"{type(parsed).__name__}, not a model (is there a response schema?)"
            )
        return parsed

    def body_type(self, operation: types.ModuleType) -> Any:
        """The request body's generated model (named by the schema, not by us)."""
        hint = typing.get_type_hints(operation.sync_detailed)["body"]
        options = [t for t in typing.get_args(hint) or (hint,) if hasattr(t, "from_dict")]
        if len(options) != 1:
            raise Mismatch(f"{operation.__name__}: body is {hint}, not one model")
        return options[0]

    def enum(self, operation: types.ModuleType, parameter: str, value: str) -> Any:
        """A query parameter's value: the generated enum's member if it is one."""
        hint = typing.get_type_hints(operation.sync_detailed)[parameter]
        for option in typing.get_args(hint) or (hint,):
            if isinstance(option, type) and issubclass(option, Enum):
                return option(value)
        return value


@dataclass
class Script:
    """One run: the generated package, a client per key, the operations it calls, the ids it
    writes (REGTL_PREFIX) and the K its reads of the demo use."""

    gen: Generated
    prefix: str
    hook_url: str
    writer: Any
    subscriber: Any
    reader: Any
    known_at: str
    ops: dict[str, types.ModuleType]

    @classmethod
    def start(cls, package: str) -> Script:
        gen = Generated(package)
        prefix = env("REGTL_PREFIX")
        hook_url = env("REGTL_HOOK_URL")
        base = env("REGTL_URL")
        writer = gen.root.AuthenticatedClient(
            base_url=base, token=env("REGTL_WRITE_KEY"), raise_on_unexpected_status=False
        )
        subscriber = gen.root.AuthenticatedClient(
            base_url=base, token=env("REGTL_SUBSCRIBE_KEY"), raise_on_unexpected_status=False
        )
        reader = gen.root.Client(base_url=base)  # reads are public
        # after the demo was loaded, to the microsecond: all of it is known
        known_at = datetime.now(UTC).isoformat(timespec="microseconds")
        ops = {name: gen.operation(tag, name) for name, tag in OPERATIONS.items()}
        return cls(gen, prefix, hook_url, writer, subscriber, reader, known_at, ops)
