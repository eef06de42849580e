"""Company state where ownership decides it (docs/state.md, "Ownership and affiliates"):
histories heavy in ownership pairs under measures with `affiliates_min_percent`, so that
chains — pairs that name neither the restricted company nor the listed one — decide whether
a company is reached. The served answer (a company's slice with every ownership pair,
services/read/slices.py) must equal the reference fold over the whole log."""

from __future__ import annotations

from hypothesis import event, given
from hypothesis import strategies as st

from projections.state_queries import Reading
from tests.properties.histories import History, histories
from tests.properties.probes import Probe, probes, resolve
from tests.properties.reference_fold import expected_for_all
from tests.properties.runs import play_whole
from tests.properties.stores import Stores
from tests.properties.test_served_equals_fold import EXAMPLES, POOL_JITTER, PROBES, _settings
from tests.support.clock import FakeClock


@POOL_JITTER
@_settings(EXAMPLES["slice"])
@given(
    history=histories(focus="ownership"),
    asked=st.lists(probes(), min_size=PROBES, max_size=PROBES),
)
def test_company_state_through_ownership_chains_equals_the_fold_over_the_whole_log(
    stores: Stores,
    clock: FakeClock,
    history: History,
    asked: list[Probe],
) -> None:
    container = stores.current()
    run, log, head, checkpoint = play_whole(container, clock, history)
    companies = [s for s in run.subjects() if s[0] == "company"]
    reached = 0
    with Reading(container.engine) as db:
        for index, probe in enumerate(asked):
            at = resolve(run, probe, head, checkpoint)
            want = expected_for_all(companies, log, at, pin=index == 0)
            for kind, subject in companies:
                served = container.pit.state(db, kind, subject, at)
                assert served == want[(kind, subject)], (kind, subject, at)
                restrictions = (served or {}).get("export_restrictions", [])
                reached += sum(1 for r in restrictions if r["via"] is not None)
    event(f"affiliates reached: {min(reached, 10)}{'+' if reached >= 10 else ''}")
