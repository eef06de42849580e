"""Bulk inserts for the projections: one round trip per table and page, not one per row.

PostgreSQL: `COPY … FROM STDIN` for plain inserts (a duplicate key still fails the whole
statement, which the projector reads as a lost race), and `INSERT … SELECT FROM unnest(…)
ON CONFLICT DO NOTHING` with one array per column where duplicates are expected. Both are
fed text built here a column at a time (psycopg's per-value adaptation costs more than the
server's parsing). SQLite: the driver's own `executemany` over tuples (its loop runs in C).
Rows are dicts with the same keys (the first row's keys name the columns, as SQLAlchemy's
executemany does). Errors surface as SQLAlchemy's exceptions (`IntegrityError`, …).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, LargeBinary, Table
from sqlalchemy.exc import DBAPIError

Row = dict[str, Any]
COPY_CHUNK = 2000  # rows per write: bounds the text held at once


def insert_rows(conn: Connection, table: Table, rows: list[Row], *,
                ignore_duplicates: bool = False) -> None:
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        if ignore_duplicates:
            _pg_unnest(conn, table, columns, rows)
        else:
            _pg_copy(conn, table, columns, rows)
        return
    names = ", ".join(_quote(conn, c) for c in columns)
    marks = ", ".join("?" for _ in columns)
    conflict = " ON CONFLICT DO NOTHING" if ignore_duplicates else ""
    conn.exec_driver_sql(
        f"INSERT INTO {_quote(conn, table.name)} ({names}) VALUES ({marks}){conflict}",
        [tuple(row[c] for c in columns) for row in rows])


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


def _pg_copy(conn: Connection, table: Table, columns: list[str], rows: list[Row]) -> None:
    names = ", ".join(_quote(conn, c) for c in columns)
    statement = f"COPY {_quote(conn, table.name)} ({names}) FROM STDIN"
    kinds = [_kind(table, c) for c in columns]
    driver = conn.connection.driver_connection  # this very transaction: COPY joins it
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for start in range(0, len(rows), COPY_CHUNK):
                chunk = rows[start:start + COPY_CHUNK]
                cells = [_copy_cells(k, [row[c] for row in chunk])
                         for k, c in zip(kinds, columns, strict=True)]
                copy.write("".join("\t".join(line) + "\n" for line in zip(*cells, strict=True)))
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
        return "{" + ",".join("NULL" if v is None else '"\\\\x' + bytes(v).hex() + '"'
                              for v in values) + "}"
    quote: Callable[[Any], str] = _quoted
    return "{" + ",".join("NULL" if v is None else quote(v) for v in values) + "}"


def _quoted(value: Any) -> str:
    text = str(value)
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text + '"'


def _pg_unnest(conn: Connection, table: Table, columns: list[str], rows: list[Row]) -> None:
    names = ", ".join(_quote(conn, c) for c in columns)
    kinds = [_kind(table, c) for c in columns]
    arrays = ", ".join(f"%(c{i})s::text::{k}[]" for i, k in enumerate(kinds))
    conn.exec_driver_sql(
        f"INSERT INTO {_quote(conn, table.name)} ({names}) SELECT * FROM unnest({arrays}) "
        "ON CONFLICT DO NOTHING",
        {f"c{i}": _array_literal(k, [row[c] for row in rows])
         for i, (k, c) in enumerate(zip(kinds, columns, strict=True))})
