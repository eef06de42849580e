"""`regtl`: serve, worker, db, keys, load, export, demo, projections (docs/cli.md).

The top-level commands are here; `db`, `keys` and `projections` are sub-apps registered
from here (services/cli/database.py, keys.py, projections.py).

Start-up stays small: this module imports typer and nothing heavy. Each command imports
what it needs when it runs (Alembic only in `db`, the HTTP server only in `serve`), and
every command that needs the tables looks at the database first (services/storage/preflight.py),
so a mistake is one line on stderr and changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from services.cli.context import ready, settings
from services.cli.database import db_app
from services.cli.keys import keys_app
from services.cli.output import fail
from services.cli.projections import projections_app

if TYPE_CHECKING:
    from services.bootstrap import Container
    from services.cli.transfer import Placed
    from services.settings import Settings

# Locals in a traceback would print settings, and with them database passwords.
app = typer.Typer(
    help="regtimeline: the regulatory history of AI chips.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(projections_app, name="projections")
REPO_DEMO = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "h20_timeline.json"
REPO_SEQUEL = REPO_DEMO.parent / "h200_sequel.json"


def shipped_demos(chosen: Path | None = None) -> list[Path]:
    """The timelines `regtl demo` and `make run` load, in order: `chosen` alone when given
    (--file, REGTL_DEMO_FILE), else the H20 story and then its H200 sequel (docs/demo.md),
    which names ids the first one registers."""
    if chosen is not None:
        return [chosen]
    return [p if p.exists() else Path("deploy/demo") / p.name for p in (REPO_DEMO, REPO_SEQUEL)]


def _container(current: Settings) -> Container:
    from services.bootstrap import bootstrap

    if not current.is_postgres:
        current.data_dir.mkdir(parents=True, exist_ok=True)
    return bootstrap(current)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="API only")] = False,
) -> None:
    """Run the HTTP API (and, unless --no-worker, the projector and webhooks in process)."""
    current = ready()
    import uvicorn

    from services import heap
    from services.api.app import create_app
    from services.api.server import server_config
    from services.operations.metrics import metrics_default

    if current.metrics is None:  # REGTL_METRICS unset: /metrics on loopback only
        current = current.model_copy(update={"metrics": metrics_default(host)})

    container = _container(current)
    api = create_app(container, manage_lifecycle=True, worker=not no_worker)
    heap.settle()
    # The same configuration the live-server tests run (head limits, trusted proxies).
    uvicorn.Server(server_config(api, current, host=host, port=port)).run()


@app.command()
def worker() -> None:
    """Run the projector, the webhook fan-out, scheduler and deliveries, without HTTP."""
    import signal
    import threading

    from services import heap
    from services.operations import request_logs

    current = ready()
    request_logs.configure(current)  # REGTL_LOG_FORMAT=json: no uvicorn here to do it
    container = _container(current)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    container.start(worker=True)
    heap.settle()
    typer.echo("worker running; Ctrl-C to stop", err=True)
    stop.wait()
    container.close()


def _load_file(path: Path, batch_size: int) -> None:
    """Read and check the whole file, then the database, then store: a bad file changes nothing."""
    placed = _prepared(path)
    current = ready()
    from services.cli.transfer import LoadError, store

    container = _container(current)
    try:
        with _progress(len(placed)) as advance:
            report = store(container, placed, batch_size=batch_size, progress=advance)
    except LoadError as error:
        raise fail(f"{path} {error}") from None
    finally:
        container.close()
    typer.echo(
        f"read {report.read}, stored {report.stored}, already stored {report.skipped}", err=True
    )


def _prepared(path: Path) -> list[Placed]:
    from services.cli.transfer import LoadError, prepare
    from services.cli.transfer_files import FileProblem, read_items

    try:
        return prepare(read_items(path))
    except FileProblem as problem:
        raise fail(str(problem)) from None
    except LoadError as error:
        raise fail(f"{path} {error}") from None


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A bar on a terminal; nothing when stderr is a file or a pipe (it would be noise there)."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from services.cli.progress import EventsPerSecond

    columns = (
        TextColumn("loading"),
        BarColumn(),
        MofNCompleteColumn(),
        EventsPerSecond(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("load", total=total)
        yield lambda n: bar.advance(task, n)


@app.command("load")
def load_command(
    file: Annotated[Path, typer.Argument(help="a JSON array or NDJSON (one event a line)")],
    batch_size: Annotated[int, typer.Option(min=1, max=1000, help="events a transaction")] = 500,
) -> None:
    """Load a JSON array or NDJSON of event envelopes (an export keeps its ids); safe to re-run."""
    _load_file(file, batch_size)


@app.command()
def demo(file: Annotated[Path | None, typer.Option(help="another timeline file")] = None) -> None:
    """Load the shipped demo timelines (the 2025 Nvidia H20 story, then its 2025-2026 H200
    sequel), or only FILE; safe to re-run."""
    ready()  # one line before anything is printed when the database is not there
    for path in shipped_demos(file or settings().demo_file):
        typer.echo(f"{path.name}:", err=True)
        _load_file(path, 500)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="ndjson | csv")] = "ndjson",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="file to write (default: standard output)")
    ] = None,
) -> None:
    """Write the whole log, with ids and clocks, to FILE or standard output.

    NDJSON is what `regtl load` takes back; CSV is for spreadsheets."""
    if fmt not in ("ndjson", "csv"):
        raise fail("--format must be ndjson or csv")
    current = ready()
    from services.cli.transfer import exported_events, write_csv, write_ndjson

    out = _open_output(output)
    container = _container(current)
    try:
        count = (write_ndjson if fmt == "ndjson" else write_csv)(exported_events(container), out)
    finally:
        if output:
            out.close()
        container.close()
    typer.echo(f"exported {count} events", err=True)


def _open_output(output: Path | None) -> IO[bytes]:
    if output is None:
        return sys.stdout.buffer
    try:
        return output.open("wb")
    except IsADirectoryError:
        raise fail(f"-o {output} is a directory: give a file name") from None
    except FileNotFoundError:
        raise fail(f"-o {output}: its folder {output.parent} does not exist") from None
    except PermissionError:
        raise fail(f"-o {output} cannot be written (permission denied)") from None


def main() -> None:
    app()
