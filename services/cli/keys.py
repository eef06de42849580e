"""`regtl keys …`: create, list and revoke API keys (docs/cli.md).

Keys need one table, not the log: these commands open an engine on it and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from services.cli.context import ready
from services.cli.output import fail, print_listing

if TYPE_CHECKING:
    from services.keys import ApiKey, KeyStore

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="print a JSON array")]


@contextmanager
def _key_store() -> Iterator[KeyStore]:
    """Keys need one table, not the log: no bootstrap (a quarter of a second)."""
    from projections.database import make_engine
    from services.keys import KeyStore

    engine = make_engine(ready().database_url, pool_size=1)
    try:
        yield KeyStore(engine)
    finally:
        engine.dispose()


@keys_app.command("create")
def keys_create(
    scope: Annotated[str, typer.Option(help="read | write | subscribe | admin")],
    name: Annotated[str | None, typer.Option(help="who or what uses it")] = None,
    expires: Annotated[
        str | None,
        typer.Option(help="last valid day YYYY-MM-DD (UTC), or a timestamp with an offset"),
    ] = None,
) -> None:
    """Create a key; the key itself is printed alone on the last line (shown only once)."""
    from domain.clocks import utc_now
    from services.keys import SCOPES

    now = utc_now()
    if scope not in SCOPES:
        raise fail(f"--scope must be one of {', '.join(SCOPES)}")
    expires_at = None if expires is None else _expiry(expires, now)
    with _key_store() as keys:
        key, token = keys.create(scope, name or f"{scope}-{now:%Y%m%d%H%M%S}", now, expires_at)
    typer.echo(f"created key {key.id} ({key.name}, scope {key.scope})", err=True)
    print(token)


def _expiry(text: str, now: datetime) -> datetime:
    from domain.clocks import DateRole, format_instant, parse_instant

    try:
        moment = parse_instant(text, DateRole.EXCLUSIVE_END)
    except ValueError as error:
        raise fail(f"--expires: {error}") from None
    if moment <= now:
        raise fail(
            f"--expires {text} is in the past (it is {format_instant(now)}): give a "
            "later day, or leave it out for a key that does not expire"
        )
    return moment


@keys_app.command("list")
def keys_list(as_json: JsonFlag = False) -> None:
    """List keys (never their secrets): a table on a terminal, tab-separated rows when piped."""
    with _key_store() as keys:
        found = keys.list()
    columns = ("id", "name", "scope", "created", "expires", "revoked", "last_used")
    rows = [
        (
            k.id,
            k.name,
            k.scope,
            *(_when(t) for t in (k.created_at, k.expires_at, k.revoked_at, k.last_used_at)),
        )
        for k in found
    ]
    print_listing(columns, rows, [_key_record(k) for k in found], as_json=as_json)


def _key_record(key: ApiKey) -> dict[str, Any]:
    times = {
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
    }
    return {
        "id": key.id,
        "name": key.name,
        "scope": key.scope,
        **{name: _when(t) or None for name, t in times.items()},
        "revoked": key.revoked_at is not None,
    }


def _when(moment: datetime | None) -> str:
    from domain.clocks import format_instant

    return "" if moment is None else format_instant(moment)


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by its id (takes effect within seconds on every process)."""
    from domain.clocks import utc_now

    with _key_store() as keys:
        revoked = keys.revoke(key_id, utc_now())
    if not revoked:
        raise fail(f"no live key {key_id!r}: see `regtl keys list` for the ids")
    typer.echo(f"revoked {key_id}", err=True)
