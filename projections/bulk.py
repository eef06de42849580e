"""Bulk inserts for the projections: one round trip per table and page, not one per row.

PostgreSQL: `COPY … FROM STDIN` for plain inserts (a duplicate key still fails the whole
statement, which the projector reads as a lost race), and `INSERT … SELECT FROM unnest(…)
ON CONFLICT DO NOTHING` with one array per column where duplicates are expected. Both are
fed text built here a column at a time (psycopg's per-value adaptation costs more than the
server's parsing). SQLite: the driver's own `executemany` over tuples (its loop runs in C).
Rows are dicts with the same keys (the first row's keys name the columns, as SQLAlchemy's
executemany does). Errors surface as SQLAlchemy's exceptions (`IntegrityError`, …).

`prepare` builds a statement's payload without a connection, so a pipelined writer (the
rebuild) can have it built by another thread before its transaction starts: the database
then never waits on Python between one table's rows and the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, LargeBinary, Table
from sqlalchemy.exc import DBAPIError

Row = dict[str, Any]
COPY_CHUNK = 2000  # rows per write: bounds the text held at once


@dataclass(frozen=True)
class Batch:
    """One table's rows, ready to send: `write` does no more than the round trip."""

    table: Table
    columns: list[str]
    mode: str  # "copy" | "unnest" (PostgreSQL) | "sqlite"
    payload: Any

    def write(self, conn: Connection) -> None:
        if self.mode == "copy":
            _pg_copy(conn, self.table, self.columns, self.payload)
        elif self.mode == "unnest":
            _pg_unnest(conn, self.table, self.columns, self.payload)
        else:
            names = ", ".join(_quote(conn, c) for c in self.columns)
            marks = ", ".join("?" for _ in self.columns)
            conn.exec_driver_sql(
                f"INSERT INTO {_quote(conn, self.table.name)} ({names}) "
                f"VALUES ({marks}){self.payload[0]}",
                self.payload[1],
            )


def prepare(
    dialect: str, table: Table, rows: list[Row], *, ignore_duplicates: bool = False
) -> Batch | None:
    """The statement that inserts `rows` on a `dialect` database (None: no rows)."""
    if not rows:
        return None
    columns = list(rows[0])
    if dialect == "postgresql":
        kinds = [_kind(table, c) for c in columns]
        if ignore_duplicates:
            return Batch(
                table,
                columns,
                "unnest",
                {
                    f"c{i}": _array_literal(k, [row[c] for row in rows])
                    for i, (k, c) in enumerate(zip(kinds, columns, strict=True))
                },
            )
        return Batch(table, columns, "copy", _copy_text(kinds, columns, rows))
    conflict = " ON CONFLICT DO NOTHING" if ignore_duplicates else ""
    return Batch(
        table, columns, "sqlite", (conflict, [tuple(row[c] for c in columns) for row in rows])
    )


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _kind(table: Table, column: str) -> str:
    kind = table.c[column].type
    if isinstance(kind, (BigInteger, Integer)):
        return "bigint"
    if isinstance(kind, LargeBinary):
        return "bytea"
    return "text"


# -- COPY text format -------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_cells(kind: str, values: Sequence[Any]) -> list[str]:
    """One column's values as COPY text cells (NULL is \\N)."""
    if kind == "bigint":
        return ["\\N" if v is None else str(int(v)) for v in values]
    if kind == "bytea":  # hex form, its backslash escaped for COPY
        return ["\\N" if v is None else "\\\\x" + v.hex() for v in values]
    cells = ["\\N" if v is None else str(v) for v in values]
    joined = "".join(cells)
    if any(c in joined for c in "\\\t\n\r"):
        cells = ["\\N" if v is None else str(v).translate(_COPY_ESCAPES) for v in values]
    return cells


def _copy_text(kinds: list[str], columns: list[str], rows: list[Row]) -> list[bytes]:
    """COPY text, in chunks of COPY_CHUNK rows."""
    chunks = []
    for start in range(0, len(rows), COPY_CHUNK):
        chunk = rows[start : start + COPY_CHUNK]
        cells = [
            _copy_cells(k, [row[c] for row in chunk]) for k, c in zip(kinds, columns, strict=True)
        ]
        chunks.append("".join("\t".join(line) + "\n" for line in zip(*cells, strict=True)).encode())
    return chunks


def _pg_copy(conn: Connection, table: Table, columns: list[str], chunks: list[bytes]) -> None:
    names = ", ".join(_quote(conn, c) for c in columns)
    statement = f"COPY {_quote(conn, table.name)} ({names}) FROM STDIN"
    driver = conn.connection.driver_connection  # this very transaction: COPY joins it
    try:
        # PostgreSQL only, so the driver connection is psycopg's (the type allows any DBAPI).
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for chunk in chunks:
                copy.write(chunk)
    except Exception as error:
        _reraise(error, statement)
        raise


def _reraise(error: Exception, statement: str) -> None:
    import psycopg

    if isinstance(error, psycopg.Error):
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


# -- unnest over array literals ---------------------------------------------------------------


def _array_literal(kind: str, values: Sequence[Any]) -> str:
    if kind == "bigint":
        return "{" + ",".join("NULL" if v is None else str(int(v)) for v in values) + "}"
    if kind == "bytea":
        return (
            "{"
            + ",".join("NULL" if v is None else '"\\\\x' + bytes(v).hex() + '"' for v in values)
            + "}"
        )
    quote: Callable[[Any], str] = _quoted
    return "{" + ",".join("NULL" if v is None else quote(v) for v in values) + "}"


def _quoted(value: Any) -> str:
    text = str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text + '"'


def _pg_unnest(conn: Connection, table: Table, columns: list[str], arrays: dict[str, str]) -> None:
    names = ", ".join(_quote(conn, c) for c in columns)
    casts = ", ".join(f"%(c{i})s::text::{_kind(table, c)}[]" for i, c in enumerate(columns))
    conn.exec_driver_sql(
        f"INSERT INTO {_quote(conn, table.name)} ({names}) SELECT * FROM unnest({casts}) "
        "ON CONFLICT DO NOTHING",
        arrays,
    )
