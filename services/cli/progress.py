"""The progress bars' rate column (rich is imported only by a command that shows a bar)."""

from __future__ import annotations

from rich.progress import ProgressColumn, Task
from rich.text import Text


class EventsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s")
