"""`regtl projections …`: rebuild the read models from the log, and say where they stand."""

from __future__ import annotations

import json
import signal
import threading
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from services.cli.output import fail

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from services.rebuild.generations import Status
    from services.storage.store import EventLog

projections_app = typer.Typer(
    help="Read models (projections) built from the log.", no_args_is_help=True
)


def _open() -> tuple[Engine, EventLog]:
    """The read side and the log of a migrated database (else one line and exit 1)."""
    from projections.database import make_engine
    from services.cli.context import ready
    from services.storage.store import open_event_log

    settings = ready()
    if not settings.is_postgres:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url, pool_size=2), open_event_log(settings)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGINT or SIGTERM: finish the page being written, then stop (the rebuild checks
    `stop` between pages). A second one stops at once, wherever it lands."""

    def asked(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt(f"signal {signum}")
        stop.set()

    signal.signal(signal.SIGTERM, asked)
    signal.signal(signal.SIGINT, asked)


@projections_app.command("rebuild")
def rebuild(
    page: Annotated[
        int, typer.Option(min=100, max=50_000, help="log entries per transaction")
    ] = 5_000,
    restart: Annotated[
        bool, typer.Option("--restart", help="discard an interrupted rebuild and start over")
    ] = False,
) -> None:
    """Rebuild every read model from the log into the inactive generation, then swap it in.

    Readers keep using the active views meanwhile. Interrupted (Ctrl-C, SIGTERM), it keeps
    every page it committed; run it again to resume.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from services.cli.progress import EventsPerSecond
    from services.rebuild.generations import status
    from services.rebuild.rebuild import Progress as Step
    from services.rebuild.rebuild import Rebuilder, RebuildStalled

    engine, event_log = _open()
    stop = threading.Event()
    _stop_on_signals(stop)
    err = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        EventsPerSecond(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("rebuilding", total=None)

            def show(step: Step) -> None:
                verb = "resuming" if step.resumed else "rebuilding"
                bar.update(
                    task,
                    description=f"{verb} generation {step.generation}",
                    total=max(1, step.head - step.from_position),
                    completed=step.position - step.from_position,
                )

            result = Rebuilder(engine, event_log, page=page, progress=show).run(
                restart=restart, quiet_gc=True, stop=stop
            )
    except KeyboardInterrupt:
        where = status(engine)
        if where.rebuilding is not None:
            done = where.checkpoints[where.rebuilding]
            err.print(
                f"interrupted: generation {where.rebuilding} is rebuilt up to position "
                f"{done:,} of {where.head:,}; readers still use generation "
                f"{where.active}.\nRun `regtl projections rebuild` again to resume "
                "(or add --restart to start over)."
            )
        else:
            err.print("interrupted before the rebuild started; nothing changed.")
        raise typer.Exit(code=130) from None
    except RebuildStalled as error:
        raise fail(str(error)) from None
    finally:
        event_log.close()
        engine.dispose()
    how = f"resumed at position {result.from_position:,}" if result.resumed else "from scratch"
    rate = result.entries / result.seconds if result.seconds > 0 else 0.0
    err.print(
        f"generation {result.generation} rebuilt ({how}) up to position "
        f"{result.position:,} in {result.seconds:.1f} s ({rate:,.0f} events/s); "
        "it is now the active one"
    )


@projections_app.command("status")
def show_status(
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON object")] = False,
) -> None:
    """Which generation readers use, each generation's checkpoint, any unfinished rebuild."""
    from services.rebuild.generations import status

    engine, event_log = _open()
    try:
        where = status(engine)
    finally:
        event_log.close()
        engine.dispose()
    if as_json:
        print(json.dumps(_status_record(where), indent=2))
        return
    print(f"log head: {where.head}")
    for generation, position in where.checkpoints.items():
        print(f"generation {generation}: {_role(where, generation)}, checkpoint {position}")
    if where.rebuilding is not None:
        print(
            f"unfinished rebuild of generation {where.rebuilding} started "
            f"{where.started_at}: run `regtl projections rebuild` to resume"
        )


def _role(where: Status, generation: str) -> str:
    return (
        "active"
        if generation == where.active
        else "rebuilding"
        if generation == where.rebuilding
        else "inactive"
    )


def _status_record(where: Status) -> dict[str, Any]:
    from domain.clocks import format_instant

    return {
        "head": where.head,
        "active": where.active,
        "rebuilding": where.rebuilding,
        "started_at": None if where.started_at is None else format_instant(where.started_at),
        "generations": [
            {"generation": g, "role": _role(where, g), "checkpoint": p}
            for g, p in where.checkpoints.items()
        ],
    }
