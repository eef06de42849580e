"""The served export check equals the check over the reference fold of the whole log
(docs/checks.md, "How it is served").

The served check folds the chip's slice (with the criteria measures it may meet or cannot be
checked against) and the parts of the exporter's and end user's slices it reads. Random
histories (tests/properties/histories.py, every catalog v2 type) are appended through the
writer; at random (T, K, P), chips, destinations, exporters and end users — now and then
ones that are not registered — `container.pit.check` must equal `domain.export_check` over
`domain.pit.world_at` of every event in the store. A mismatch means a slice misses something
the check reads.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from domain import pit as reference
from domain.export_check import NotRegistered, Question, export_check
from projections.state_queries import Reading
from tests.properties.histories import TARGET, History, histories
from tests.properties.histories_vocabulary import DESTINATIONS
from tests.properties.probes import Probe, probes, resolve
from tests.properties.runs import Run, play_whole
from tests.properties.stores import Stores
from tests.properties.test_served_equals_fold import POOL_JITTER, _settings
from tests.support.clock import FakeClock

PROFILE = os.environ.get("REGTL_HYPOTHESIS_PROFILE", "default")
EXAMPLES = {"default": 20, "thorough": 200}[PROFILE]
PROBES = 6  # coordinates per example
QUESTIONS = 8  # questions per coordinates: the whole log is folded once for them all

# What to ask, drawn independently of what the run stored: a mode, two indices, a
# destination, and the exporter's and end user's indices (None: not given). "licence" asks
# about one of the run's licences (its chip, destination, licensee and maybe end user),
# "listed" about an end user one of its measures names or reaches through ownership;
# "any" about a chip, an exporter and an end user by index, now and then unregistered.
Asked = tuple[str, int, int, str, int | None, int | None]
ASKED = st.tuples(
    st.sampled_from(("any", "any", "licence", "listed")),
    TARGET,
    TARGET,
    st.sampled_from(DESTINATIONS),
    st.none() | TARGET,
    st.none() | TARGET,
)
UNREGISTERED = 99  # the index of a chip and of a company that no run registers


def _pick(names: list[str], index: int) -> str:
    """One of `names`, or one never registered once in 16 draws."""
    return names[-1] if index % 16 == 15 else names[index % (len(names) - 1)]


def _question(run: Run, asked: Asked) -> Question:
    mode, i, j, destination, exporter_index, end_user_index = asked
    chips = [run.chip(n) for n in (*range(run.history.chips), UNREGISTERED)]
    companies = [run.company(n) for n in (*range(run.history.companies), UNREGISTERED)]
    chip = _pick(chips, i)
    exporter = None if exporter_index is None else _pick(companies, exporter_index)
    end_user = None if end_user_index is None else _pick(companies, end_user_index)
    licences = [e.data for e in run.created["LicenseGranted"]]
    if mode == "licence" and licences:
        licence = licences[i % len(licences)]
        chip = licence["chips"][j % len(licence["chips"])]
        destination = licence["destinations"][j % len(licence["destinations"])]
        exporter = licence["licensee"]
        if licence.get("end_users") and end_user_index is not None:
            end_user = licence["end_users"][end_user_index % len(licence["end_users"])]
    listed = [e.data for e in run.created["ExportBanImposed"] if e.data.get("companies")]
    if mode == "listed" and listed:
        named = listed[i % len(listed)]["companies"]
        owned = [e.data["owned"] for e in run.created["OwnershipRecorded"]]
        reached = [*named, *owned] if j % 2 else named  # an owned company may be an affiliate
        end_user = reached[j % len(reached)]
    return Question(chip, destination, exporter, end_user)


def _note(answers: list[dict[str, Any] | NotRegistered]) -> None:
    """Hypothesis statistics (--hypothesis-show-statistics): what the questions met."""
    found = [a for a in answers if isinstance(a, dict)]
    event(f"not registered: {(len(answers) - len(found)) // 10 * 10}+ of {len(answers)}")
    for decision in ("banned", "license_required", "licensed", "unrestricted"):
        if any(a["decision"] == decision for a in found):
            event(f"some check is {decision}")
    reasons = [r for a in found for r in a["reasons"]]
    for label, seen in (
        ("an end-user reason", any("company" in r for r in reasons)),
        ("an affiliate reached through owners", any(r.get("via_owners") for r in reasons)),
        ("a licence reason", any(r["kind"] == "license" for r in reasons)),
        ("a suspended measure reason", any(r["kind"] == "suspended_measure" for r in reasons)),
        ("a review policy", any(a["review_policy"] for a in found)),
        ("unknowns", any(a["unknowns"] for a in found)),
        ("duties", any(a["duties"] for a in found)),
        ("destination advisories", any(a["destination_advisories"] for a in found)),
        ("pending applications", any(a["pending_applications"] for a in found)),
        ("revenue share", any(a["revenue_share"] for a in found)),
    ):
        if seen:
            event(f"some check has {label}")


@POOL_JITTER
@_settings(EXAMPLES)
@given(
    history=histories(),
    asked=st.lists(
        st.tuples(probes(), st.lists(ASKED, min_size=QUESTIONS, max_size=QUESTIONS)),
        min_size=PROBES,
        max_size=PROBES,
    ),
)
def test_the_served_check_equals_the_check_over_the_fold_of_the_whole_log(
    stores: Stores,
    clock: FakeClock,
    history: History,
    asked: list[tuple[Probe, list[Asked]]],
) -> None:
    container = stores.current()
    run, log, head, checkpoint = play_whole(container, clock, history)
    answers: list[dict[str, Any] | NotRegistered] = []
    with Reading(container.engine) as db:
        for probe, questions in asked:
            at = resolve(run, probe, head, checkpoint)
            world = reference.world_at(log, at.as_of, at.known_at, at.position)
            for question in (_question(run, q) for q in questions):
                want = export_check(world, question)
                if isinstance(want, dict):
                    want = {**want, **at.echo()}
                served = container.pit.check(db, question, at)
                assert served == want, (question, at)
                answers.append(served)
    _note(answers)
