"""Writing the checked data: every record found by its natural key, created, updated, kept or unchanged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

from core.records import record_save
from hubs.models import Hub
from incentives.choices import IncentiveScope
from incentives.models import Incentive
from sources.choices import Basis, Confidence
from sources.models import Source

from .. import services
from ..models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Risk, Target
from .report import LoadReport, Outcome, PolicyDataError, Writer
from .schema import _as_date

#: The change reason of every history record the loader writes.
LOAD_REASON = "load_policy"

#: The note every illustrative measurement carries, so that no one mistakes it for a reported figure.
ILLUSTRATIVE_NOTE = "ILLUSTRATIVE: made up for a demonstration, not a reported figure."

M = TypeVar("M", bound=models.Model)


def _anniversary(start: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for a 29 February start in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _date(value: Any) -> dt.date | None:
    return None if value is None else _as_date(value)


def _required_date(value: Any) -> dt.date:
    day = _as_date(value)
    if day is None:  # the structure check has already refused it
        raise PolicyDataError([f"{value!r} is not a date."])
    return day


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def _urdu(record: Mapping[str, Any], *fields: str) -> dict[str, str | None]:
    """The Urdu columns of `fields` (pillars/loading/urdu.py merged them as `<field>_ur`); None where there is none."""
    return {f"{name}_ur": _text(record, f"{name}_ur") or None for name in fields}


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{msg}" if name == "__all__" else f"{name}: {msg}"
            for name, messages in exc.message_dict.items()
            for msg in messages
        )
    return "; ".join(exc.messages)


def _edited_by_editor(instance: models.Model) -> bool:
    """Whether a signed-in person (rather than the loader) has ever changed this object."""
    history = getattr(instance, "history", None)
    if history is None:
        return False  # the model keeps no history (Source, Policy, Risk): the file owns it
    if history.filter(history_user__isnull=False).exists():
        return True
    if isinstance(instance, Target):
        point_history = getattr(instance.trajectory_points.model, "history", None)
        if point_history is not None:
            return bool(point_history.filter(target_id=instance.pk, history_user__isnull=False).exists())
    return False


def _differs(instance: models.Model, values: Mapping[str, Any], m2m: Mapping[str, Sequence[models.Model]]) -> bool:
    for name, wanted in values.items():
        if getattr(instance, name) != wanted:
            return True
    if instance.pk is None:
        return True
    for name, objects in m2m.items():
        current = set(getattr(instance, name).values_list("pk", flat=True))
        if current != {obj.pk for obj in objects}:
            return True
    return False


class _Loader:
    def __init__(
        self, *, force: bool, stdout: Writer | None, illustrative_note_ur: str = "", with_urdu: bool = False
    ) -> None:
        self.force = force
        self.illustrative_note_ur = illustrative_note_ur
        self.with_urdu = with_urdu
        self.stdout = stdout
        self.report = LoadReport()
        self.sources: dict[str, Source] = {}
        self.policy: Policy | None = None
        self.pillars: dict[int, Pillar] = {}
        self.hubs: dict[str, Hub] = {}
        self.targets: dict[str, Target] = {}
        self.milestones: dict[str, Milestone] = {}

    def urdu(self, record: Mapping[str, Any], *fields: str) -> dict[str, str | None]:
        """The Urdu columns to write: none when the load has no Urdu file (an editor's Urdu is left alone)."""
        return _urdu(record, *fields) if self.with_urdu else {}

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    # The one place that decides between created, unchanged, kept and updated.
    def sync(
        self,
        *,
        model: str,
        key: str,
        instance: M | None,
        new: Callable[[], M],
        values: Mapping[str, Any],
        save: Callable[[M], None],
        m2m: Mapping[str, Sequence[models.Model]] | None = None,
        extra_differs: Callable[[M], bool] | None = None,
        never_overwrite: Callable[[M], bool] | None = None,
    ) -> M:
        m2m = m2m or {}
        if instance is None:
            outcome = Outcome.CREATED
            instance = new()
        elif not _differs(instance, values, m2m) and not (extra_differs and extra_differs(instance)):
            self.report.record(model, Outcome.UNCHANGED, key)
            return instance
        elif (never_overwrite and never_overwrite(instance)) or (not self.force and _edited_by_editor(instance)):
            self.report.record(model, Outcome.KEPT, key)
            self.say(f"Kept {model} {key}: changed by an editor since it was loaded.")
            return instance
        else:
            outcome = Outcome.UPDATED
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            save(instance)
        except ValidationError as exc:
            raise PolicyDataError([f"{model} {key}: {_errors(exc)}"]) from exc
        except IntegrityError as exc:
            raise PolicyDataError([f"{model} {key}: the database refused it ({exc})."]) from exc
        self.report.record(model, outcome, key)
        return instance

    def plain_save(self, m2m: Mapping[str, Sequence[models.Model]] | None = None) -> Callable[[models.Model], None]:
        """Write a record that has no rules of its own (`core.records.record_save`), the loader as its reason."""

        def save(instance: models.Model) -> None:
            record_save(instance=instance, reason=LOAD_REASON, m2m=m2m)

        return save

    def refs(self, record: Mapping[str, Any]) -> tuple[list[Source], list[Hub]]:
        return [self.sources[s] for s in record.get("sources") or []], [self.hubs[h] for h in record.get("hubs") or []]

    def pillar_id(self, record: Mapping[str, Any]) -> int | None:
        number = record.get("pillar")
        return None if number is None else self.pillars[number].pk

    # --- Sections ------------------------------------------------------------------

    def load_sources(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        existing = {s.url: s for s in Source.objects.filter(url__in=[r["url"] for r in records.values()])}
        for source_id, record in records.items():
            url = record["url"]
            values = {
                "url": url,
                "title": _text(record, "title"),
                "outlet": _text(record, "outlet"),
                "published_on": _date(record.get("published_on")),
                "confidence": record["confidence"],
                "disputed": bool(record.get("disputed", False)),
                "note": _text(record, "note"),
            }
            self.sources[str(source_id)] = self.sync(
                model="Source",
                key=url,
                instance=existing.get(url),
                new=Source,
                values=values,
                save=self.plain_save(),
            )

    def load_policy(self, record: Mapping[str, Any]) -> None:
        sources, _ = self.refs(record)
        values = {
            "slug": record["slug"],
            "name": _text(record, "name"),
            "country": _text(record, "country"),
            "approved_on": _date(record["approved_on"]),
            "approved_by": _text(record, "approved_by"),
            "drafted_by": _text(record, "drafted_by"),
            "time_zone": _text(record, "time_zone") or "Asia/Karachi",
            "summary": _text(record, "summary"),
            "binding": bool(record.get("binding", False)),
            "primary_text_available": bool(record.get("primary_text_available", False)),
            **self.urdu(record, "name", "summary"),
        }
        m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
        self.policy = self.sync(
            model="Policy",
            key=record["slug"],
            instance=Policy.objects.filter(slug=record["slug"]).first(),
            new=Policy,
            values=values,
            m2m=m2m,
            save=self.plain_save(m2m),
        )

    def load_pillars(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for record in records:
            sources, _ = self.refs(record)
            values = {
                "policy_id": self.policy.pk,
                "number": record["number"],
                "slug": record["slug"],
                "name": _text(record, "name"),
                "aliases": list(record.get("aliases") or []),
                "summary": _text(record, "summary"),
                "description": _text(record, "description"),
                "lead_body": _text(record, "lead_body"),
                "confidence": record["confidence"],
                **self.urdu(record, "name", "summary", "description"),
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
            self.pillars[record["number"]] = self.sync(
                model="Pillar",
                key=record["slug"],
                instance=Pillar.objects.filter(slug=record["slug"]).first(),
                new=Pillar,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_hubs(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            sources, _ = self.refs(record)
            values = {
                "slug": record["slug"],
                "name": _text(record, "name"),
                "name_ur": _text(record, "name_ur") or None,
                **self.urdu(record, "role"),
                "province": _text(record, "province"),
                "latitude": float(record["latitude"]),
                "longitude": float(record["longitude"]),
                "tier": record["tier"],
                "role": _text(record, "role"),
                "status": record["status"],
                "planned_launch_on": _date(record.get("planned_launch_on")),
                "planned_launch_basis": record.get("planned_launch_basis") or Basis.ASSUMED,
                "launched_on": _date(record.get("launched_on")),
                "confidence": record["confidence"],
                "coordinates_confidence": record.get("coordinates_confidence") or Confidence.B,
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
            self.hubs[record["slug"]] = self.sync(
                model="Hub",
                key=record["slug"],
                instance=Hub.objects.filter(slug=record["slug"]).first(),
                new=Hub,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_targets(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for record in records:
            sources, hubs = self.refs(record)
            baseline_date = _required_date(record["baseline_date"])
            baseline_value = float(record["baseline_value"])
            rate_per_year: float | None = None
            if "per_year" in record:
                # "200,000 a year for 5 years": cumulative points on each anniversary of the baseline.
                rate_per_year = float(record["per_year"])
                years = int(record["years"])
                target_value = baseline_value + rate_per_year * years
                target_date = _anniversary(baseline_date, years)
                points = [(_anniversary(baseline_date, k), baseline_value + rate_per_year * k) for k in range(1, years)]
            else:
                target_value = float(record["target_value"])
                target_date = _required_date(record["target_date"])
                points = [(_required_date(p["date"]), float(p["value"])) for p in record.get("trajectory") or []]
            trajectory = sorted(points)
            values = {
                "policy_id": self.policy.pk,
                "pillar_id": self.pillar_id(record),
                "kind": record["kind"],
                "code": record["code"],
                "title": _text(record, "title"),
                "description": _text(record, "description"),
                "responsible_body": _text(record, "responsible_body"),
                "unit": _text(record, "unit"),
                "value_can_be_negative": bool(record.get("value_can_be_negative", False)),
                "baseline_value": baseline_value,
                "baseline_date": baseline_date,
                "baseline_basis": record["baseline_basis"],
                "target_value": target_value,
                "target_date": target_date,
                "deadline_basis": record["deadline_basis"],
                "basis_note": _text(record, "basis_note"),
                "rate_per_year": rate_per_year,
                "reporting_interval_days": int(record.get("reporting_interval_days") or 90),
                "confidence": record["confidence"],
                "disputed": bool(record.get("disputed", False)),
                **self.urdu(record, "title", "description", "unit", "basis_note"),
            }

            def save(
                target: Target,
                trajectory: list[tuple[dt.date, float]] = trajectory,
                hubs: list[Hub] = hubs,
                sources: list[Source] = sources,
            ) -> None:
                services.target_save(
                    target=target,
                    trajectory=trajectory,
                    hubs=hubs,
                    sources=sources,
                    reason=LOAD_REASON,
                )

            def trajectory_differs(target: Target, trajectory: list[tuple[dt.date, float]] = trajectory) -> bool:
                return list(target.trajectory_points.order_by("date").values_list("date", "value")) != trajectory

            self.targets[record["code"]] = self.sync(
                model="Target",
                key=record["code"],
                instance=Target.objects.filter(code=record["code"]).first(),
                new=Target,
                values=values,
                m2m={"sources": sources, "hubs": hubs},
                save=save,
                extra_differs=trajectory_differs,
            )

    def load_milestones(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for record in records:
            sources, hubs = self.refs(record)
            target_code = record.get("target")
            values = {
                "policy_id": self.policy.pk,
                "pillar_id": self.pillar_id(record),
                "target_id": self.targets[target_code].pk if target_code else None,
                "code": record["code"],
                "title": _text(record, "title"),
                "description": _text(record, "description"),
                "responsible_body": _text(record, "responsible_body"),
                "announced_on": _date(record["announced_on"]),
                "baseline_due_date": _date(record["baseline_due_date"]),
                "due_basis": record["due_basis"],
                "basis_note": _text(record, "basis_note"),
                "forecast_due_date": _date(record.get("forecast_due_date")),
                "completed_on": _date(record.get("completed_on")),
                "cancelled": bool(record.get("cancelled", False)),
                "cancelled_on": _date(record.get("cancelled_on")),
                "confidence": record["confidence"],
                **self.urdu(record, "title", "description", "basis_note"),
            }

            def save(milestone: Milestone, hubs: list[Hub] = hubs, sources: list[Source] = sources) -> None:
                services.milestone_save(milestone=milestone, hubs=hubs, sources=sources, reason=LOAD_REASON)

            milestone = self.sync(
                model="Milestone",
                key=record["code"],
                instance=Milestone.objects.filter(code=record["code"]).first(),
                new=Milestone,
                values=values,
                m2m={"sources": sources, "hubs": hubs},
                save=save,
            )
            self.milestones[record["code"]] = milestone
            for evidence in record.get("evidence") or []:
                self.load_evidence(milestone, evidence)

    def load_evidence(self, milestone: Milestone, record: Mapping[str, Any]) -> None:
        day = _required_date(record["date"])
        summary = _text(record, "summary")
        values = {
            "milestone_id": milestone.pk,
            "date": day,
            "summary": summary,
            **self.urdu(record, "summary"),
            "kind": record["kind"],
            "source_id": self.sources[record["source"]].pk,
        }
        self.sync(
            model="MilestoneEvidence",
            key=f"{milestone.code} {day} {summary[:40]!r}",
            instance=MilestoneEvidence.objects.filter(milestone=milestone, date=day, summary=summary).first(),
            new=MilestoneEvidence,
            values=values,
            save=self.plain_save(),
        )

    def load_incentives(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            sources, hubs = self.refs(record)
            budget = record.get("budget_amount")
            values = {
                "slug": record["slug"],
                "name": _text(record, "name"),
                "kind": record["kind"],
                "status": record["status"],
                "summary": _text(record, "summary"),
                "administered_by": _text(record, "administered_by"),
                "eligibility": _text(record, "eligibility"),
                "planned_launch_on": _date(record.get("planned_launch_on")),
                "planned_launch_basis": record.get("planned_launch_basis") or Basis.ASSUMED,
                "launched_on": _date(record.get("launched_on")),
                "budget_amount": None if budget is None else Decimal(str(budget)),
                "budget_currency": _text(record, "budget_currency"),
                "budget_note": _text(record, "budget_note"),
                "pillar_id": self.pillar_id(record),
                "confidence": record["confidence"],
                "disputed": bool(record.get("disputed", False)),
                "dispute_note": _text(record, "dispute_note"),
                "scope": record.get("scope") or IncentiveScope.REGIONAL,
                "provinces": list(record.get("provinces") or []),
                "applicants": list(record.get("applicants") or []),
                "apply_to": _text(record, "apply_to"),
                "apply_url": _text(record, "apply_url"),
                "apply_address": _text(record, "apply_address"),
                "announced_on": _date(record.get("announced_on")),
                "opens_on": _date(record.get("opens_on")),
                "closes_on": _date(record.get("closes_on")),
                **self.urdu(record, "name", "summary", "eligibility", "budget_note", "dispute_note"),
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources, "hubs": hubs}
            self.sync(
                model="Incentive",
                key=record["slug"],
                instance=Incentive.objects.filter(slug=record["slug"]).first(),
                new=Incentive,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_risks(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for position, record in enumerate(records, start=1):
            sources, _ = self.refs(record)
            values = {
                "policy_id": self.policy.pk,
                "slug": record["slug"],
                "title": _text(record, "title"),
                "description": _text(record, "description"),
                "position": position,
                "confidence": record["confidence"],
                **self.urdu(record, "title", "description"),
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
            self.sync(
                model="Risk",
                key=record["slug"],
                instance=Risk.objects.filter(slug=record["slug"]).first(),
                new=Risk,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_measurement(
        self,
        *,
        target: Target,
        day: dt.date,
        value: float,
        source_url: str,
        note: str,
        note_ur: str,
        illustrative: bool,
    ) -> None:
        def save(measurement: Measurement) -> None:
            services.measurement_save(measurement=measurement, reason=LOAD_REASON)

        def real_figure(measurement: Measurement) -> bool:
            # Made-up figures never replace a real one, whatever --force says.
            return illustrative and not measurement.illustrative

        self.sync(
            model="Measurement",
            key=f"{target.code} {day}",
            instance=Measurement.objects.filter(target=target, date=day).first(),
            new=Measurement,
            values={
                "target_id": target.pk,
                "date": day,
                "value": float(value),
                "source_url": source_url,
                "note": note,
                **({"note_ur": note_ur or None} if self.with_urdu else {}),
                "illustrative": illustrative,
            },
            save=save,
            never_overwrite=real_figure,
        )

    def load_reported(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            target = self.targets[record["code"]]
            for reported in record.get("reported") or []:
                day = _date(reported["date"])
                assert day is not None
                self.load_measurement(
                    target=target,
                    day=day,
                    value=float(reported["value"]),
                    source_url=self.sources[reported["source"]].url,
                    note=_text(reported, "note"),
                    note_ur=_text(reported, "note_ur"),
                    illustrative=False,
                )

    def load_illustrative(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            day = _date(record["date"])
            assert day is not None
            extra = _text(record, "note")
            # The Urdu label with the scenario's Urdu note; a note not translated leaves the whole text English.
            extra_ur = _text(record, "note_ur")
            translated = bool(self.illustrative_note_ur) and (bool(extra_ur) or not extra)
            self.load_measurement(
                target=self.targets[record["target"]],
                day=day,
                value=float(record["value"]),
                source_url="",
                note=f"{ILLUSTRATIVE_NOTE} {extra}".strip(),
                note_ur=f"{self.illustrative_note_ur} {extra_ur}".strip() if translated else "",
                illustrative=True,
            )
