"""What a lanes history must be (docs/state.md, "Lanes: the history a timeline draws"): the
full spans cut to their lanes, equal neighbours merged into the first, which keeps its
`from` and `events`. The unit, API and property tests hold `detail=lanes` to it."""

from __future__ import annotations

from typing import Any

from domain.lanes import lanes_of


def cut_and_merged(kind: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for span in spans:
        state = lanes_of(kind, span["state"])
        if merged and merged[-1]["state"] == state:
            merged[-1]["to"] = span["to"]
        else:
            merged.append({**span, "state": state})
    return merged
