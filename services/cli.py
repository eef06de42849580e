"""`regtl`: serve, worker, db, keys, load, export, demo."""

from __future__ import annotations

import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from domain.clocks import DateRole, format_instant, parse_instant, utc_now
from services import heap, migrate
from services.bootstrap import Container, bootstrap
from services.projections_cli import projections_app
from services.settings import Settings

app = typer.Typer(help="regtimeline: the regulatory history of AI chips.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(projections_app, name="projections")
err = Console(stderr=True)
REPO_DEMO = Path(__file__).resolve().parent.parent / "deploy" / "demo" / "h20_timeline.json"


def _settings() -> Settings:
    return Settings()


def _container(settings: Settings | None = None) -> Container:
    settings = settings or _settings()
    if not settings.is_postgres:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return bootstrap(settings)


class EventsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000,
          no_worker: Annotated[bool, typer.Option("--no-worker", help="API only")] = False) -> None:
    """Run the HTTP API (and, unless --no-worker, the projector in process)."""
    import uvicorn

    from services.api.app import create_app

    settings = _settings()
    container = _container(settings)
    api = create_app(container, manage_lifecycle=True, worker=not no_worker)
    heap.settle()
    uvicorn.run(api, host=host, port=port, log_level=settings.log_level, proxy_headers=True)


@app.command()
def worker() -> None:
    """Run the projector (and, in later versions, webhooks and the scheduler) without HTTP."""
    container = _container()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    container.start(worker=True)
    heap.settle()
    err.print("worker running; Ctrl-C to stop")
    stop.wait()
    container.close()


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to REVISION (default: the latest)."""
    migrate.upgrade(_settings(), revision)
    err.print(f"database at revision {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Downgrade the read models to REVISION (the log's base revision never downgrades)."""
    try:
        migrate.downgrade(_settings(), revision)
    except RuntimeError as error:
        raise _fail(str(error)) from None
    err.print(f"database at revision {revision}")


@keys_app.command("create")
def keys_create(
    scope: Annotated[str, typer.Option(help="read | write | subscribe | admin")],
    name: Annotated[str | None, typer.Option(help="who or what uses it")] = None,
    expires: Annotated[str | None, typer.Option(help="last valid day YYYY-MM-DD, or a timestamp")] = None,
) -> None:
    """Create a key; the key itself is printed alone on the last line (shown only once)."""
    now = utc_now()
    try:
        expires_at = None if expires is None else parse_instant(expires, DateRole.EXCLUSIVE_END)
    except ValueError as error:
        raise _fail(f"--expires: {error}") from None
    container = _container()
    try:
        key, token = container.keys.create(scope, name or f"{scope}-{now:%Y%m%d%H%M%S}", now, expires_at)
    except ValueError as error:
        raise _fail(str(error)) from None
    finally:
        container.close()
    err.print(f"created key {key.id} ({key.name}, scope {key.scope})")
    print(token)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    container = _container()
    table = Table("id", "name", "scope", "created", "expires", "revoked", "last used")
    for key in container.keys.list():
        table.add_row(key.id, key.name, key.scope, *(_when(t) for t in (
            key.created_at, key.expires_at, key.revoked_at, key.last_used_at)))
    container.close()
    Console().print(table)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else format_instant(moment)


@keys_app.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke a key by its id (takes effect within seconds on every process)."""
    container = _container()
    try:
        if not container.keys.revoke(key_id, utc_now()):
            raise _fail(f"no live key {key_id!r} (see `regtl keys list`)")
    finally:
        container.close()
    err.print(f"revoked {key_id}")


def _load_file(path: Path, batch_size: int) -> None:
    from services.transfer import LoadError, load, read_items

    if not path.exists():
        raise _fail(f"{path} does not exist")
    try:
        values = read_items(path)
    except LoadError as error:
        raise _fail(str(error)) from None
    container = _container()
    columns = (TextColumn("loading"), BarColumn(), MofNCompleteColumn(),
               EventsPerSecond(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task("load", total=len(values))
            report = load(container, values, batch_size=batch_size,
                          progress=lambda n: progress.advance(task, n))
    except LoadError as error:
        raise _fail(f"{path}: {error}") from None
    finally:
        container.close()
    err.print(f"read {report.read}, stored {report.stored}, already stored {report.skipped}")


@app.command("load")
def load_command(file: Path, batch_size: Annotated[int, typer.Option(min=1, max=1000)] = 500) -> None:
    """Load a JSON array or NDJSON of event envelopes (an export keeps its ids); safe to re-run."""
    _load_file(file, batch_size)


@app.command()
def demo(file: Annotated[Path | None, typer.Option(help="another timeline file")] = None) -> None:
    """Load the shipped demo timeline (the 2025 Nvidia H20 story); safe to re-run."""
    settings = _settings()
    path = file or settings.demo_file or (REPO_DEMO if REPO_DEMO.exists()
                                          else Path("deploy/demo/h20_timeline.json"))
    _load_file(path, 500)


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", help="ndjson | csv")] = "ndjson",
           output: Annotated[Path | None, typer.Option("-o", "--output")] = None) -> None:
    """Write the whole log, with ids and clocks, to FILE or standard output."""
    from services.transfer import exported_events, write_csv, write_ndjson

    if fmt not in ("ndjson", "csv"):
        raise _fail("--format must be ndjson or csv")
    container = _container()
    out = output.open("wb") if output else sys.stdout.buffer
    try:
        count = (write_ndjson if fmt == "ndjson" else write_csv)(exported_events(container), out)
    finally:
        if output:
            out.close()
        container.close()
    err.print(f"exported {count} events")


def main() -> None:
    app()
