"""The files `regtl load` reads and `regtl export` writes, and what is wrong with a bad one.

A load reads a JSON array or NDJSON (one value a line). Every value keeps its place in the
file ("line 3", "item 2"), so a refusal names it; every way the file itself can be wrong
is one line that says what to do (docs/cli.md). The CLI reads the whole file before it
opens the database, so a bad file changes nothing.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.write.parsing import InputError, MalformedJson, parse_strict_json

CSV_COLUMNS = (
    "position",
    "id",
    "type",
    "effective_at",
    "reported_at",
    "recorded_at",
    "recorded_by",
    "version",
    "schema_version",
    "summary",
    "sources",
    "data",
)


class FileProblem(Exception):
    """The file cannot be loaded as a whole; the message is one line, starting with its name."""


@dataclass(frozen=True)
class Entry:
    where: str  # "line 3" in NDJSON (from 1, blank lines counted), "item 2" in an array (from 0)
    value: Any


def read_items(path: Path) -> list[Entry]:
    """Every value of a JSON array or NDJSON file, parsed strictly, with its place."""
    raw = _read_bytes(path).removeprefix(codecs.BOM_UTF8)  # editors on Windows add one
    if _looks_like_csv(raw):
        raise FileProblem(
            f"{path} looks like CSV (regtl export --format csv is for "
            "spreadsheets); load takes JSON or NDJSON: regtl export --format ndjson"
        )
    if raw.lstrip().startswith(b"["):
        return _array(path, raw)
    return _ndjson(path, raw)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise FileProblem(f"{path} is a directory: give a JSON or NDJSON file") from None
    except FileNotFoundError:
        raise FileProblem(f"{path} does not exist: give a JSON or NDJSON file") from None
    except PermissionError:
        raise FileProblem(
            f"{path} cannot be read (permission denied): check its permissions or run as its owner"
        ) from None
    except OSError as error:
        raise FileProblem(f"{path} cannot be read: {error.strerror or error}") from None


def _looks_like_csv(raw: bytes) -> bool:
    """The header line `regtl export --format csv` writes (its first columns are enough)."""
    first = raw.lstrip().split(b"\n", 1)[0].strip().decode("utf-8", "replace")
    return first.split(",")[:3] == list(CSV_COLUMNS[:3])


def _array(path: Path, raw: bytes) -> list[Entry]:
    try:
        value = parse_strict_json(raw)
    except InputError as problem:
        raise FileProblem(_json_problem(path, problem)) from None
    return [Entry(f"item {index}", item) for index, item in enumerate(value)]


def _ndjson(path: Path, raw: bytes) -> list[Entry]:
    entries = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(Entry(f"line {number}", parse_strict_json(line)))
        except InputError as problem:
            raise FileProblem(_json_problem(path, problem, number, line)) from None
    return entries


def _json_problem(
    path: Path, problem: InputError, line_number: int | None = None, line: bytes = b""
) -> str:
    if isinstance(problem, MalformedJson):
        # In NDJSON each line is parsed alone: its column is the file's, its line is ours.
        where = f"line {line_number or problem.line} column {problem.column}"
        return f"{path} {where}: not valid JSON: {problem.reason}{_spread_hint(line)}"
    where = "" if line_number is None else f" line {line_number}"
    detail = problem.errors[0]["detail"] if problem.errors else problem.detail
    return f"{path}{where}: not valid JSON: {detail}"


def _spread_hint(line: bytes) -> str:
    """A pretty-printed object read as NDJSON fails on its first line, a lone `{`."""
    if line.strip() == b"{":
        return " (NDJSON takes one whole event a line; for a pretty-printed file put the events in a JSON array [ … ])"
    return ""
