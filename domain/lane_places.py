"""What a chip's lanes keep per destination between instants of a history's fold
(docs/performance.md, "Histories"): the measures reaching it, counted by exporting
jurisdiction with that jurisdiction's verdict, and the active licences and pending
applications naming it. `domain/lanes.py` turns these into the destination's entry."""

from __future__ import annotations

from domain.export_status import verdict
from domain.world import Obj


class Jurisdiction:
    """One exporting jurisdiction at one destination: how many of its measures reach it and
    how many of those ban, how many of its active licences name it, its verdict (as
    domain/export_status.jurisdiction_verdicts gives it; None: none of its measures reach)
    and its license_required measures (where a review policy comes from)."""

    __slots__ = ("bans", "measures", "licences", "verdict", "required")

    def __init__(self) -> None:
        self.bans = self.measures = self.licences = 0
        self.verdict: str | None = None
        self.required: dict[str, Obj] = {}  # measure key -> measure

    def judge(self) -> bool:
        """The verdict again; whether it changed."""
        now = verdict(self.licences > 0, self.bans > 0) if self.measures else None
        changed = now != self.verdict
        self.verdict = now
        return changed


class Destination:
    """What reaches one destination and what is held for it, kept between instants: the
    measures reaching it, by jurisdiction, the active licences and the pending applications
    naming it."""

    __slots__ = ("reaching", "by", "verdicts", "licences", "pending")

    def __init__(self) -> None:
        self.reaching: dict[str, Obj] = {}  # measure key -> the measure reaching it
        self.by: dict[str, Jurisdiction] = {}
        self.verdicts: dict[str, str] = {}  # jurisdiction -> its verdict, of those reaching
        self.licences: dict[str, Obj] = {}  # key -> an active licence naming it
        self.pending: dict[str, str] = {}  # key -> the id of a pending application naming it

    def count(self, key: str, measure: Obj, step: int) -> bool:
        """Count the measure in (step 1) or out (-1); whether the lanes may change: its
        jurisdiction's verdict changes, or the measure is one the review policy comes from
        (license_required, in a jurisdiction whose verdict is that)."""
        fields = measure.fields
        jurisdiction, control = fields["jurisdiction"], fields["control"]
        there = self.by.get(jurisdiction) or self._jurisdiction(jurisdiction)
        if control == "ban":
            there.bans += step
        there.measures += step
        required = control == "license_required"
        if step > 0:
            self.reaching[key] = measure
            if required:
                there.required[key] = measure
        else:
            del self.reaching[key]
            if required:
                del there.required[key]
        return self._judge(jurisdiction, there) or (
            required and there.verdict == "license_required"
        )

    def replace(self, key: str, measure: Obj) -> None:
        """A measure still reaching here, in a new version deciding the same way."""
        self.reaching[key] = measure
        there = self.by.get(measure.fields["jurisdiction"])
        if there is not None and key in there.required:
            there.required[key] = measure

    def deciding(self) -> list[Obj]:
        """The license_required measures of the jurisdictions whose verdict is that
        (domain/export_status.deciding)."""
        return [
            measure
            for jurisdiction, said in self.verdicts.items()
            if said == "license_required"
            for measure in self.by[jurisdiction].required.values()
        ]

    def hold(self, key: str, obj: Obj) -> None:
        """An active licence or a pending application naming the destination."""
        if obj.kind == "license":
            self.licences[key] = obj
            self._licensing(obj.fields["jurisdiction"], 1)
        else:
            self.pending[key] = obj.id

    def release(self, key: str) -> None:
        """What `hold` held under the key, if anything."""
        self.pending.pop(key, None)
        if (licence := self.licences.pop(key, None)) is not None:
            self._licensing(licence.fields["jurisdiction"], -1)

    def _licensing(self, jurisdiction: str, step: int) -> None:
        there = self.by.get(jurisdiction) or self._jurisdiction(jurisdiction)
        there.licences += step
        self._judge(jurisdiction, there)

    def _jurisdiction(self, jurisdiction: str) -> Jurisdiction:
        there = self.by[jurisdiction] = Jurisdiction()
        return there

    def _judge(self, jurisdiction: str, there: Jurisdiction) -> bool:
        """The jurisdiction's verdict again, and `verdicts` with it; whether it changed."""
        if not there.judge():
            return False
        if there.verdict is None:
            del self.verdicts[jurisdiction]
        else:
            self.verdicts[jurisdiction] = there.verdict
        return True
