"""Random histories for the point-in-time properties: the Hypothesis strategies that draw the
operations a run appends — registrations, creations, lifecycle events, corrections,
retractions and reinstatements. What they are made of: the vocabulary
(tests/properties/histories_vocabulary.py) and the payloads
(tests/properties/histories_payloads.py). References are indices, named when the history is
played (tests/properties/runs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.properties.histories_payloads import Vocabulary
from tests.properties.histories_vocabulary import WINDOW, some_of, spec_sheets, whens


@dataclass(frozen=True)
class History:
    chips: int
    companies: int
    ops: list[dict[str, Any]]
    split: int  # ops[:split] are appended and projected before the rest


TICK = st.integers(1, 600)  # minutes the clock moves before each append
REPORTED = st.none() | st.none() | st.integers(-20, 20)  # days after effective_at; None: default
TARGET = st.integers(0, 10**6)  # an index into what the run has stored, modulo its size


def weighted(*choices: tuple[st.SearchStrategy[Any], int]) -> st.SearchStrategy[Any]:
    """One of the strategies, in proportion to its weight (`st.one_of` merges repeats)."""
    return st.sampled_from([s for s, weight in choices for _ in range(weight)]).flatmap(lambda s: s)


FOCUS_WEIGHTS = {  # a focus makes some histories common that are rare otherwise
    None: {
        "ExportBanImposed": 4,
        "LicenseGranted": 2,
        "ProductionHalted": 2,
        "DestinationGroupDefined": 2,
        "OwnershipRecorded": 4,
    },
    # ownership chains under measures with affiliates: pairs that name neither end of a
    # company's restriction decide it (docs/state.md, "Ownership and affiliates")
    "ownership": {"ExportBanImposed": 4, "OwnershipRecorded": 10},
}


def _creations(vocabulary: Vocabulary) -> list[tuple[st.SearchStrategy[dict[str, Any]], int]]:
    weights = FOCUS_WEIGHTS[vocabulary.focus]
    return [
        (
            st.fixed_dictionaries(
                {
                    "op": st.just("create"),
                    "type": st.just(kind),
                    "data": payload,
                    "effective_at": whens(),
                    "reported": REPORTED,
                    "tick": TICK,
                }
            ),
            weights.get(kind, 1),
        )
        for kind, payload in vocabulary.creators().items()
    ]


def _follow_ups(vocabulary: Vocabulary) -> st.SearchStrategy[dict[str, Any]]:
    """A lifecycle event of one of the run's objects, a few days after its creation as
    stored (or, now and then, before it: the writer refuses those)."""
    return st.fixed_dictionaries(
        {
            "op": st.just("follow"),
            "target": TARGET,
            **vocabulary.follow_up(),
            "after": st.integers(-2, 40),
            "hour": st.none() | st.sampled_from((0, 12)),
            "reported": REPORTED,
            "tick": TICK,
        }
    )


def _revisions(vocabulary: Vocabulary) -> list[tuple[st.SearchStrategy[dict[str, Any]], int]]:
    reported = st.none() | whens(-10, WINDOW + 10)  # None: recorded_at (docs/clocks.md)
    changes = st.fixed_dictionaries(
        {
            "effective_at": whens(),
            "reported_at": whens(-20, WINDOW + 20),
            "data": vocabulary.replacement(),
        }
    ).flatmap(some_of)
    reinstating = st.one_of(
        st.just({"same_data": True}),
        st.fixed_dictionaries({"effective_at": whens()}),
        st.fixed_dictionaries({"reported_at": whens(-20, WINDOW + 20)}),
    )
    correct = st.fixed_dictionaries(
        {
            "op": st.just("correct"),
            "pool": st.sampled_from(("any", "registry", "creator", "follow")),
            "target": TARGET,
            "changes": changes,
            "reported": reported,
            "tick": TICK,
        }
    )
    retract = st.fixed_dictionaries(
        {
            "op": st.just("retract"),
            "pool": st.sampled_from(("domain", "creator", "follow")),
            "target": TARGET,
            "reported": reported,
            "tick": TICK,
        }
    )
    reinstate = st.fixed_dictionaries(
        {
            "op": st.just("reinstate"),
            "target": TARGET,
            "changes": reinstating,
            "reported": reported,
            "tick": TICK,
        }
    )
    return [(correct, 6), (retract, 3), (reinstate, 2)]


def _registrations(
    draw: st.DrawFn, vocabulary: Vocabulary, later: int
) -> tuple[list[Any], list[Any]]:
    companies = []
    for i in range(vocabulary.n_companies):
        data: dict[str, Any] = {"company": i, "name": f"Company {i}"}
        if (country := draw(st.sampled_from((None, "US", "CN", "KR")))) is not None:
            data["country"] = country
        companies.append({"op": "register", "type": "CompanyRegistered", "data": data, "tick": 1})
    chips = []  # most registered first; some later, so that early positions do not know them
    for i in range(vocabulary.n_chips):
        at = draw(st.integers(0, later)) if draw(st.integers(0, 4)) == 0 else 0
        data = {"chip": i, "name": f"Chip {i}", "manufacturer": draw(vocabulary.company())}
        earlier = [j for j, (there, _) in enumerate(chips) if there <= at]
        if earlier and draw(st.booleans()):
            data["successor_of"] = draw(st.sampled_from(earlier))
        if (specs := draw(st.none() | spec_sheets())) is not None:
            data["specs"] = specs
        chips.append((at, {"op": "register", "type": "ChipRegistered", "data": data, "tick": 1}))
    chips.sort(key=lambda c: c[0])  # stable: a successor stays after its predecessor
    return companies, chips


@st.composite
def histories(draw: st.DrawFn, focus: str | None = None) -> History:
    vocabulary = Vocabulary(
        chips=draw(st.integers(4, 8)), companies=draw(st.integers(3, 5)), focus=focus
    )
    kinds = weighted(*_creations(vocabulary), (_follow_ups(vocabulary), 8), *_revisions(vocabulary))
    size = draw(st.integers(10, 40))  # drawn first: lists alone favour short histories
    ops = draw(st.lists(kinds, min_size=size, max_size=size))
    companies, chips = _registrations(draw, vocabulary, len(ops))
    merged: list[dict[str, Any]] = []
    for index, op in enumerate([*ops, None]):
        while chips and chips[0][0] <= index:
            merged.append(chips.pop(0)[1])
        if op is not None:
            merged.append(op)
    everything = companies + merged
    split = draw(st.integers(len(everything) // 3, len(everything)))
    return History(vocabulary.n_chips, vocabulary.n_companies, everything, split)
