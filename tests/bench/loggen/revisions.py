"""The synthetic log's revisions: corrections (of clocks and of data) and retractions of
recent base events, each kept valid by the write rules (docs/events.md, "Write rules")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from domain.events import Recorded
from tests.bench.loggen.catalog_v2 import CatalogV2Steps
from tests.bench.loggen.stream import RECORDED_FROM

# A retracted creator ends its object: nothing may follow it (its open entry is dropped).
RETRACTED_CREATORS = {"AdvisoryIssued": "advisory", "InvestigationOpened": "case"}


class Revisions(CatalogV2Steps):
    """Corrections and retractions; `LogGenerator` adds the other steps."""

    def _correct(self) -> Recorded | None:
        if not self.targets:
            return None
        event_id, key, type_, data, effective = self.targets[self.rng.randrange(len(self.targets))]
        changes: dict[str, Any]
        if type_ == "ChipRegistered":
            specs = dict(data["specs"] or {})
            specs["tpp"] = str(self.rng.randint(500, 9000))
            changes = {"data": {**data, "specs": specs}}
        elif type_ == "ExportBanImposed" and data["chips"]:
            changes = {"data": {**data, "chips": self._sample(self.chips, 1, 4)}}
        elif (
            type_
            in (
                "ExportBanImposed",
                "LicenseGranted",
                "AdvisoryIssued",
                "InvestigationOpened",
                "RevenueShareAgreed",
            )
            and effective is not None
        ):
            # an earlier creation never breaks the lifecycle order (docs/events.md, "Write rules")
            earlier = datetime.fromisoformat(effective.replace("Z", "+00:00")) - timedelta(
                days=self.rng.randint(1, 30)
            )
            changes = {"effective_at": format_instant(earlier)}
        else:
            changes = {
                "reported_at": format_instant(RECORDED_FROM + timedelta(milliseconds=self.emitted))
            }
        return self._event("EventCorrected", key, {"event_id": event_id, "changes": changes}, None)

    def _retract(self) -> Recorded | None:
        if not self.targets:
            return None
        index = self.rng.randrange(len(self.targets))
        event_id, key, type_, _data, _effective = self.targets[index]
        if type_ not in (
            "AdvisoryIssued",
            "ExportBanAmended",
            "LicenseDenied",
            "InvestigationOpened",
        ):
            return None
        self.targets[index] = self.targets[-1]
        self.targets.pop()
        if type_ in RETRACTED_CREATORS:
            self.retracted.add(key.split(":", 1)[1])
        return self._event(
            "EventRetracted", key, {"event_id": event_id, "reason": "reported in error"}, None
        )
