"""The history's domain events: chip registrations, new measures, licences, denials,
agreements, advisories and cases, their lifecycle events, production halts and resumes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.catalog import CATALOG, Role
from tests.bench.pit.catalog_v2 import CatalogV2
from tests.bench.pit.generator import Production, Thing, text_day
from tests.bench.pit.workload import (
    AUTHORITY,
    CRITERIA_SHARE,
    DAY,
    END_USER_SHARE,
    EXPORTERS,
    GUIDANCE,
    LIFT_REASONS,
    REGULATORS,
    V2_AMENDMENT_SHARE,
)


class Lifecycles(CatalogV2):
    """Domain events in valid order: lifecycle events after their creators, in valid time."""

    def _register_chip(self, index: int) -> None:
        chip = self.chip_ids[len(self.registered)]
        maker = self.rng.choice(
            self.companies[: max(1, len(self.companies) // 5)]
            if self.rng.random() < 0.7
            else self.companies
        )
        data: dict[str, Any] = {"chip": chip, "name": chip.upper(), "manufacturer": maker}
        if self.registered and self.rng.random() < 0.3:
            data["successor_of"] = self.rng.choice(self.registered[-50:])
        specs = self._specs()
        if specs is not None:
            data["specs"] = specs
        self._emit(index, "ChipRegistered", f"chip:{chip}", data, None)
        self.registered.append(chip)
        self.manufacturer[chip] = maker
        self.made_by.setdefault(maker, []).append(chip)

    def _domain(self, index: int, type_: str) -> None:
        recorded = self._recorded(index)
        kind = CATALOG[type_].kind
        role = CATALOG[type_].role
        if role in (Role.LIFECYCLE, Role.TERMINAL):
            if not self.live[kind]:
                self._domain(
                    index,
                    {
                        "measure": "ExportBanImposed",
                        "license": "LicenseGranted",
                        "agreement": "RevenueShareAgreed",
                        "advisory": "AdvisoryIssued",
                        "case": "InvestigationOpened",
                    }[kind],
                )
                return
            thing = self.rng.choice(self.live[kind])
            if type_ == "ExportBanReinstated":
                found = self._suspended_measure()
                type_ = "ExportBanSuspended" if found is None else type_
                thing = found or thing
            self._lifecycle(index, type_, thing, recorded)
            return
        if role is Role.PRODUCTION:
            self._production(index, type_, recorded)
            return
        getattr(self, f"_new_{kind}")(index, recorded)

    def _new_measure(self, index: int, recorded: datetime) -> None:
        measure = self._next_id("m")
        jurisdiction = self.rng.choice(EXPORTERS)
        data: dict[str, Any] = {
            "measure_id": measure,
            "authority": AUTHORITY[jurisdiction],
            "jurisdiction": jurisdiction,
            "destinations": self._destinations(jurisdiction),
            "control": self.rng.choice(
                ["ban", "ban", "license_required", "license_required", "license_required"]
            ),
        }
        roll = self.rng.random()
        if roll < CRITERIA_SHARE:
            data["criteria"] = self._criteria()
            if self.rng.random() < 0.5:
                data["chips"] = self._chips(1, 5)
            self.criteria_measures += 1
        elif roll < CRITERIA_SHARE + END_USER_SHARE:
            data["companies"] = self._companies(1, 3)
            if self.rng.random() < 0.7:
                data["chips"] = self._chips(1, 5)
        else:
            data["chips"] = self._chips(1, 20)
        effective = self._effective(recorded)
        key = f"measure:{measure}"
        self._v2_measure(key, data, effective)
        self._emit(index, "ExportBanImposed", key, data, effective)
        self._create("measure", measure, key, data, effective)

    def _new_license(self, index: int, recorded: datetime) -> None:
        licence = self._next_id("lic")
        measures = self.live["measure"]
        source = self.rng.choice(measures) if measures and self.rng.random() < 0.7 else None
        if source is not None and source.data.get("chips"):
            jurisdiction = source.data["jurisdiction"]
            chips = self.rng.sample(
                source.data["chips"], self.rng.randint(1, min(5, len(source.data["chips"])))
            )
            codes = [d for d in source.data["destinations"] if not d.startswith("group:")]
            codes = codes or self._destinations(jurisdiction, 1, 2)  # it names groups only
            destinations = self.rng.sample(codes, self.rng.randint(1, len(codes)))
        else:
            jurisdiction = self.rng.choice(EXPORTERS)
            chips, destinations = self._chips(1, 5), self._destinations(jurisdiction, 1, 3)
        effective = self._effective(recorded)
        data: dict[str, Any] = {
            "license_id": licence,
            "authority": AUTHORITY[jurisdiction],
            "jurisdiction": jurisdiction,
            "licensee": self.manufacturer.get(chips[0], self.companies[0]),
            "chips": chips,
            "destinations": destinations,
        }
        if self.rng.random() < 0.4:
            data["expires_at"] = text_day(effective + DAY * self.rng.randint(90, 730))
        key = f"license:{licence}"
        self._emit(index, "LicenseGranted", key, data, effective)
        self._create("license", licence, key, data, effective)

    def _application_terms(self, application: str) -> dict[str, Any]:
        """An application's terms (a v1 denial's, or a filing's in catalog v2 part 2): a
        manufacturer applying for some of its chips to one or two destinations."""
        jurisdiction = self.rng.choice(EXPORTERS)
        chips = self._chips(1, 4)
        return {
            "application_id": application,
            "authority": AUTHORITY[jurisdiction],
            "jurisdiction": jurisdiction,
            "licensee": self.manufacturer[chips[0]],
            "chips": chips,
            "destinations": self._destinations(jurisdiction, 1, 2),
        }

    def _new_application(self, index: int, recorded: datetime) -> None:
        application = self._next_id("app")
        data = self._application_terms(application)
        self._emit(
            index, "LicenseDenied", f"application:{application}", data, self._effective(recorded)
        )

    def _new_agreement(self, index: int, recorded: datetime) -> None:
        agreement = self._next_id("rs")
        chips = self._chips(1, 5)
        data = {
            "agreement_id": agreement,
            "company": self.manufacturer[chips[0]],
            "chips": chips,
            "destinations": self._destinations("US", 1, 2),
            "beneficiary": "US",
            "percent": self.rng.choice(["15", "12.5", "20", "5", "25"]),
        }
        effective = self._effective(recorded)
        key = f"agreement:{agreement}"
        self._emit(index, "RevenueShareAgreed", key, data, effective)
        self._create("agreement", agreement, key, data, effective)

    def _new_advisory(self, index: int, recorded: datetime) -> None:
        advisory = self._next_id("adv")
        authority, jurisdiction = self.rng.choice(REGULATORS)
        data: dict[str, Any] = {
            "advisory_id": advisory,
            "authority": authority,
            "jurisdiction": jurisdiction,
            "guidance": self.rng.choice(GUIDANCE),
            "chips": self._chips(1, 5),
        }
        if self.rng.random() < 0.4:
            data["companies"] = self._companies(1, 3)
        effective = self._effective(recorded)
        key = f"advisory:{advisory}"
        self._emit(index, "AdvisoryIssued", key, data, effective)
        self._create("advisory", advisory, key, data, effective)

    def _new_case(self, index: int, recorded: datetime) -> None:
        case = self._next_id("case")
        authority, jurisdiction = self.rng.choice(REGULATORS)
        data: dict[str, Any] = {
            "case_id": case,
            "authority": authority,
            "jurisdiction": jurisdiction,
            "companies": self._companies(1, 3),
            "kind": self.rng.choice(["antitrust", "security", "summons", "other"]),
        }
        if self.rng.random() < 0.6:
            data["chips"] = self._chips(1, 5)
        effective = self._effective(recorded)
        key = f"case:{case}"
        self._emit(index, "InvestigationOpened", key, data, effective)
        self._create("case", case, key, data, effective)

    def _lifecycle(self, index: int, type_: str, thing: Thing, recorded: datetime) -> None:
        effective = self._later(recorded, thing.last_effective)
        id_field = CATALOG[type_].id_field
        data: dict[str, Any] = {id_field: thing.id}
        if type_ == "ExportBanAmended":
            choice = self.rng.random()
            if self.rng.random() < V2_AMENDMENT_SHARE and self._v2_amendment(
                thing, data, effective
            ):
                pass
            elif thing.data.get("criteria") and choice < 0.5:
                data["criteria"] = self._criteria()
            elif choice < 0.35:
                self._set_control(thing, data, self.rng.choice(["ban", "license_required"]))
            elif choice < 0.7:
                data["destinations"] = self._destinations(thing.data["jurisdiction"])
            else:
                data["chips"] = self._chips(1, 20)
        elif type_ == "ExportBanLifted":
            data["reason"] = self.rng.choice(LIFT_REASONS)
        elif type_ == "ExportBanSuspended":
            self._suspension(thing, data, effective)
        elif type_ == "InvestigationConcluded":
            data["finding"] = self.rng.choice(["violation", "cleared", "other"])
        self._emit(index, type_, thing.key, data, effective)
        thing.last_effective = effective
        if CATALOG[type_].role is Role.TERMINAL:
            self._end(thing)

    def _production(self, index: int, type_: str, recorded: datetime) -> None:
        if type_ == "ProductionResumed" and not self.halting:
            type_ = "ProductionHalted"
        if type_ == "ProductionHalted":
            company = (
                self.rng.choice(list(self.made_by))
                if self.rng.random() < 0.8
                else self.rng.choice(self.companies)
            )
            own = self.made_by.get(company) or self.registered
            chips = list(dict.fromkeys(self.rng.choice(own) for _ in range(self.rng.randint(1, 3))))
            data: dict[str, Any] = {
                "company": company,
                "chips": chips,
                "suppliers": self._companies(0, 3, but=company),
            }
            if self.rng.random() < 0.5:
                data["reason"] = "Export licence uncertainty"
        else:
            company = self.rng.choice(sorted(self.halting))
            open_now = sorted(self.production[company].open)
            chips = self.rng.sample(open_now, self.rng.randint(1, min(3, len(open_now))))
            data = {"company": company, "chips": chips}
        record = self.production.setdefault(company, Production())
        effective = self._later(recorded, record.last_effective - DAY)
        record.last_effective = effective
        self._emit(index, type_, f"production:{company}", data, effective)
        self.bases[-1].data = {"_production_index": record.add(type_, chips), **data}
        self._note_halting(company)

    def _note_halting(self, company: str) -> None:
        if self.production[company].open:
            self.halting.add(company)
        else:
            self.halting.discard(company)
