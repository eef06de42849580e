"""A history with `detail=lanes` (docs/state.md, "Lanes: the history a timeline draws"): the
demo's spans cut to what a lane per destination draws, split only where that changes."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import services.read.pit
from domain.history import history
from tests.support.demo import Demo
from tests.support.lanes import cut_and_merged

ACTIVE = {"status": "active", "halted_by": []}


def _cn(status: str) -> dict[str, Any]:
    return {"CN": {"status": status, "review_policy": None, "pending_applications": []}}


def test_the_h20s_lanes_split_only_where_a_lane_changes(demo: Demo) -> None:
    """The investigation of 31 July and the advisory of 12 August change parts of the
    H20's state the lanes leave out: they start no span, where the full history has two."""
    spans = demo.get("/v1/chips/h20/history", detail="lanes")["spans"]
    assert [(s["from"], s["to"], s["state"]) for s in spans] == [
        (None, "2025-04-09T00:00:00Z", {"export": {}, "production": ACTIVE}),
        (
            "2025-04-09T00:00:00Z",
            "2025-08-11T00:00:00Z",
            {"export": _cn("license_required"), "production": ACTIVE},
        ),
        (
            "2025-08-11T00:00:00Z",
            "2025-08-22T00:00:00Z",
            {"export": _cn("licensed"), "production": ACTIVE},
        ),
        (
            "2025-08-22T00:00:00Z",
            None,
            {
                "export": _cn("licensed"),
                "production": {"status": "halted", "halted_by": ["nvidia"]},
            },
        ),
    ]
    assert len(demo.get("/v1/chips/h20/history")["spans"]) == 6


@pytest.mark.parametrize(
    ("path", "kind", "known_at"),
    [
        ("/v1/chips/h20/history", "chip", "2026-01-15"),
        ("/v1/chips/h20/history", "chip", "2025-08-21"),
        ("/v1/chips/b30a/history", "chip", "2026-01-15"),
        ("/v1/companies/nvidia/history", "company", "2026-01-15"),
        ("/v1/companies/nvidia/history", "company", "2025-04-12"),
    ],
)
def test_lanes_are_the_full_spans_cut_and_merged(
    demo: Demo, path: str, kind: str, known_at: str
) -> None:
    full = demo.get(path, known_at=known_at)
    lanes = demo.get(path, known_at=known_at, detail="lanes")
    assert lanes["spans"] == cut_and_merged(kind, full["spans"])
    assert (lanes["known_at"], lanes["position"]) == (full["known_at"], full["position"])
    assert demo.get(path, known_at=known_at, detail="full") == full


def test_the_events_of_a_lanes_span_are_those_of_its_first_full_span(demo: Demo) -> None:
    full = {s["from"]: s["events"] for s in demo.get("/v1/chips/h20/history")["spans"]}
    for span in demo.get("/v1/chips/h20/history", detail="lanes")["spans"]:
        assert span["events"] == full[span["from"]]
    halted = demo.get("/v1/chips/h20/history", detail="lanes")["spans"][-1]
    assert len(halted["events"]) == 1


def test_a_window_keeps_the_lanes_spans_that_share_an_instant_with_it(demo: Demo) -> None:
    spans = demo.get(
        "/v1/chips/h20/history", detail="lanes", **{"from": "2025-08-12", "to": "2025-08-21"}
    )["spans"]
    assert [(s["from"], s["to"]) for s in spans] == [
        ("2025-08-11T00:00:00Z", "2025-08-22T00:00:00Z")
    ]


def test_a_companys_lanes_keep_its_parts_whole(demo: Demo) -> None:
    spans = demo.get("/v1/companies/nvidia/history", detail="lanes")["spans"]
    assert set(spans[-1]["state"]) == {
        "chips",
        "export_restrictions",
        "licenses",
        "applications",
        "production_halts",
    }
    state = demo.get("/v1/companies/nvidia")
    assert spans[-1]["state"]["licenses"] == state["licenses"]
    assert spans[-1]["state"]["production_halts"] == state["production_halts"]


def test_chip_lanes_asked_together_are_folded_one_at_a_time(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fold is pure Python: two at once would only share the interpreter, each taking
    twice as long, so the service folds one chip's lanes history at a time
    (docs/performance.md, "Histories"). Each fold here is made to last a while, without
    holding the interpreter, so that requests asked together would overlap if nothing kept
    them apart; each answer is the one it gives alone. Full histories and a company's
    lanes, which may take far longer, are not kept apart."""
    chips = ["/v1/chips/h20/history", "/v1/chips/l20/history"]
    alone = {path: demo.get(path, detail="lanes") for path in chips}
    folding, most = 0, 0
    guard = threading.Lock()

    def slow_fold(*args: Any, **kwargs: Any) -> Any:
        nonlocal folding, most
        with guard:
            folding += 1
            most = max(most, folding)
        time.sleep(0.05)  # (sleeping lets the other requests' threads run)
        try:
            return history(*args, **kwargs)
        finally:
            with guard:
                folding -= 1

    monkeypatch.setattr(services.read.pit, "history", slow_fold)

    def most_together(asked: list[tuple[str, str]]) -> tuple[int, list[dict[str, Any]]]:
        """The most folds at once while these (path, detail) are asked together, and the
        answers."""
        nonlocal most
        most = 0
        with ThreadPoolExecutor(max_workers=len(asked)) as pool:
            answers = list(pool.map(lambda ask: demo.get(ask[0], detail=ask[1]), asked))
        return most, answers

    at_once, answers = most_together([(path, "lanes") for path in chips * 3])
    assert at_once == 1
    assert answers == [alone[path] for path in chips * 3]
    assert most_together([(path, "full") for path in chips * 3])[0] > 1
    assert most_together([("/v1/companies/nvidia/history", "lanes")] * 4)[0] > 1
