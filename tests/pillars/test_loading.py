"""The policy loader: the bundled data/policy.yaml, idempotency, editors' edits, illustrative data, bad files."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import models

from hubs.models import Hub
from incentives.models import Incentive
from pillars import services
from pillars.loading import ILLUSTRATIVE_NOTE, LOAD_REASON, LoadReport, PolicyDataError, policy_load
from pillars.models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Risk, Target, TrajectoryPoint
from sources.models import Source
from tests.factories import EditorFactory

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "data"
POLICY_YAML = DATA / "policy.yaml"
ILLUSTRATIVE_YAML = DATA / "illustrative-progress.yaml"

ARY = "https://arynews.tv/pakistan-decides-to-establish-national-artificial-intelligence-fund/"
TECHJUICE_AUDIT = (
    "https://www.techjuice.pk/all-optics-no-implementation-moitt-fails-to-launch-a-single-initiative-under-"
    "national-ai-policy/amp"
)
SEED = "https://jamshaid.co/the-national-ai-policy-2025-government-incentives-for-tech-export"

ROW_MODELS: list[type[models.Model]] = [
    Source,
    Policy,
    Pillar,
    Hub,
    Target,
    TrajectoryPoint,
    Milestone,
    MilestoneEvidence,
    Incentive,
    Risk,
    Measurement,
]


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model._default_manager.count() for model in ROW_MODELS}
    # The links to sources and hubs, and the history, must not grow on a reload either.
    for model in (Policy, Pillar, Hub, Target, Milestone, Incentive, Risk):
        counts[f"{model.__name__}.sources"] = model.sources.through._default_manager.count()  # type: ignore[attr-defined]
    for model in (Target, Milestone, Incentive):
        counts[f"{model.__name__}.hubs"] = model.hubs.through._default_manager.count()  # type: ignore[attr-defined]
    for model in (Pillar, Hub, Target, TrajectoryPoint, Milestone, MilestoneEvidence, Incentive, Measurement):
        counts[f"{model.__name__}.history"] = model.history.count()  # type: ignore[attr-defined]
    return counts


def load(**kwargs: Any) -> LoadReport:
    return policy_load(path=kwargs.pop("path", POLICY_YAML), **kwargs)


def source_urls(obj: Any) -> set[str]:
    return set(obj.sources.values_list("url", flat=True))


def write_yaml(tmp_path: Path, data: Any, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def policy_data() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(POLICY_YAML.read_text(encoding="utf-8")))


def target_record(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(t for t in data["targets"] if t["code"] == code)


@pytest.fixture
def loaded() -> LoadReport:
    return load()


# --- What the bundled data holds ------------------------------------------------------


def test_six_pillars_with_their_canonical_names(loaded: LoadReport) -> None:
    names = list(Pillar.objects.order_by("number").values_list("number", "name"))

    assert names == [
        (1, "AI Innovation Ecosystem"),
        (2, "Awareness and Readiness"),
        (3, "Secure AI Ecosystem"),
        (4, "Transformation and Evolution"),
        (5, "AI Infrastructure"),
        (6, "International Partnerships and Collaborations"),
    ]
    assert "Market enablement" in Pillar.objects.get(number=1).aliases
    assert Policy.objects.get().approved_on == dt.date(2025, 7, 30)


def test_200000_a_year_is_a_cumulative_target_with_yearly_points(loaded: LoadReport) -> None:
    target = Target.objects.get(code="p2-trained-per-year")

    assert target.unit == "people"
    assert target.pillar is not None and target.pillar.number == 2
    assert target.rate_per_year == 200_000
    assert target.baseline_value == 0 and target.baseline_date == dt.date(2025, 7, 30)
    points = list(target.trajectory_points.order_by("date").values_list("date", "value"))
    assert points == [
        (dt.date(2026, 7, 30), 200_000),
        (dt.date(2027, 7, 30), 400_000),
        (dt.date(2028, 7, 30), 600_000),
        (dt.date(2029, 7, 30), 800_000),
    ]
    assert (target.target_date, target.target_value) == (dt.date(2030, 7, 30), 1_000_000)
    assert ARY in source_urls(target)
    assert target.confidence == "A+"
    assert target.deadline_basis == "assumed" and "five-year" in target.basis_note


def test_3000_scholarships_a_year_for_five_years(loaded: LoadReport) -> None:
    target = Target.objects.get(code="p2-scholarships-per-year")

    assert target.pillar is not None and target.pillar.number == 2
    assert target.rate_per_year == 3_000
    values = list(target.trajectory_points.order_by("date").values_list("value", flat=True))
    assert values == [3_000, 6_000, 9_000, 12_000]
    # "over the next five years" (Profit, Business Recorder): 15,000 by the fifth anniversary (that day assumed).
    assert (target.target_date, target.target_value) == (dt.date(2030, 7, 30), 15_000)
    # The "until 2028" of pre-approval reports is superseded, not a conflict; the note still mentions it.
    assert target.confidence == "A+" and not target.disputed
    assert target.deadline_basis == "assumed" and "until 2028" in target.basis_note


def test_one_million_trained_by_2030(loaded: LoadReport) -> None:
    target = Target.objects.get(code="p2-ai-professionals-1m-2030")

    assert target.target_value == 1_000_000
    assert target.target_date == dt.date(2030, 12, 31)
    assert target.deadline_basis == "assumed"
    assert target.disputed  # 2027 and 2028 in other sources
    assert target.rate_per_year is None
    assert not target.trajectory_points.exists()


def test_outcomes_have_no_pillar_and_ranges_take_the_low_end(loaded: LoadReport) -> None:
    outcomes = Target.objects.filter(kind="outcome")

    assert set(outcomes.values_list("code", flat=True)) == {"outcome-ai-market", "outcome-ai-jobs"}
    assert not outcomes.filter(pillar__isnull=False).exists()
    # The GDP range is an expert's projection (PIDE seminar), not a commitment of the policy.
    gdp = Target.objects.get(code="outcome-gdp-contribution")
    assert (gdp.kind, gdp.pillar, gdp.target_value, gdp.disputed) == ("projection", None, 7, True)
    jobs = Target.objects.get(code="outcome-ai-jobs")
    assert jobs.target_value == 3_000_000 and jobs.disputed


def test_every_item_cites_at_least_one_source(loaded: LoadReport) -> None:
    for model in (Pillar, Target, Milestone, Incentive, Hub, Risk, Policy):
        uncited = model._default_manager.filter(sources__isnull=True)  # type: ignore[misc]
        assert not uncited.exists(), f"{model.__name__} without a source: {list(uncited)}"
    assert not MilestoneEvidence.objects.filter(source__isnull=True).exists()
    assert Target.objects.count() >= 25
    assert Milestone.objects.count() >= 10


def test_assumed_dates_are_flagged_and_explained(loaded: LoadReport) -> None:
    assumed_targets = Target.objects.filter(deadline_basis="assumed") | Target.objects.filter(baseline_basis="assumed")
    assert assumed_targets.exists()
    assert not assumed_targets.filter(basis_note="").exists()
    assumed_milestones = Milestone.objects.filter(due_basis="assumed")
    assert assumed_milestones.exists()
    assert not assumed_milestones.filter(basis_note="").exists()
    # "By 2027" is an assumed 31 December; "within 5 years" an assumed fifth anniversary.
    trainers = Target.objects.get(code="p2-ai-trainers-2027")
    assert (trainers.target_date, trainers.deadline_basis) == (dt.date(2027, 12, 31), "assumed")
    products = Target.objects.get(code="p1-local-ai-products")
    assert (products.target_date, products.deadline_basis) == (dt.date(2030, 7, 30), "assumed")


def test_national_ai_fund_due_end_of_january_2026_with_the_december_audit(loaded: LoadReport) -> None:
    naif = Milestone.objects.get(code="naif-set-up")

    assert naif.baseline_due_date == dt.date(2026, 1, 31)
    assert naif.due_basis == "stated"  # by nope.net, the only source: hence A1
    assert naif.confidence == "A1"
    assert naif.completed_on is None and naif.forecast_due_date is None
    audit = naif.evidence.get(date=dt.date(2025, 12, 6))
    assert audit.kind == "report"
    assert audit.source is not None and audit.source.url == TECHJUICE_AUDIT
    assert "not started" in audit.summary
    assert naif.evidence.filter(date__year=2026, date__month=2, summary__contains="being set up").exists()
    assert naif.target is not None and naif.target.code == "p1-naif-share-ignite-rd"


def test_ai_council_has_an_assumed_due_date_and_the_february_2026_evidence(loaded: LoadReport) -> None:
    council = Milestone.objects.get(code="ai-council-notified")

    assert council.pillar is None
    assert council.due_basis == "assumed" and council.basis_note
    assert council.completed_on is None
    february = council.evidence.filter(date__gte=dt.date(2026, 2, 1), date__lte=dt.date(2026, 2, 28))
    assert february.count() >= 2
    assert february.filter(summary__icontains="notified").exists()
    assert february.filter(summary__icontains="international experts").exists()
    assert council.evidence.filter(date=dt.date(2025, 12, 6)).exists()


def test_hubs(loaded: LoadReport) -> None:
    hubs = {hub.slug: hub for hub in Hub.objects.all()}

    for slug in ("islamabad", "karachi", "lahore", "peshawar", "quetta", "faisalabad", "hyderabad"):
        assert slug in hubs
    assert {s for s, h in hubs.items() if h.tier == "primary"} == {"islamabad", "karachi", "lahore"}
    assert hubs["hyderabad"].tier == "auxiliary"
    assert hubs["multan"].status == "unconfirmed" and hubs["gilgit"].status == "unconfirmed"
    assert hubs["muzaffarabad"].tier == "other"
    assert hubs["lahore"].name_ur == "لاہور"
    assert all(h.coordinates_confidence == "B" for h in hubs.values())
    assert all(23 < h.latitude < 37 and 60 < h.longitude < 78 for h in hubs.values())
    assert SEED in source_urls(hubs["karachi"])


def test_incentives_named_only_by_the_seed_article_are_unconfirmed(loaded: LoadReport) -> None:
    slugs = [
        "rd-cost-offsets",
        "preferential-procurement",
        "early-sandbox-approval",
        "ai-tech-export-incentives",
        "product-licensing-support",
    ]
    for incentive in Incentive.objects.filter(slug__in=slugs):
        assert incentive.status == "unconfirmed"
        assert incentive.confidence == "A1"
        assert source_urls(incentive) == {SEED}
        assert "seed article" in incentive.summary
    assert Incentive.objects.filter(slug__in=slugs).count() == len(slugs)
    fund = Incentive.objects.get(slug="public-vc-fund")
    assert (fund.budget_amount, fund.budget_currency) == (Decimal("2000000000"), "PKR")
    assert Source.objects.get(url=SEED).confidence == "A1"


def test_the_loader_writes_history_without_a_user(loaded: LoadReport) -> None:
    target = Target.objects.get(code="p2-trained-per-year")
    record = target.history.get()  # type: ignore[attr-defined]
    assert record.history_user is None
    assert record.history_change_reason == LOAD_REASON


# --- Idempotency and editors' edits ------------------------------------------------------


def test_loading_twice_changes_nothing(loaded: LoadReport) -> None:
    assert loaded.counts["Target"].created == Target.objects.count()
    before = row_counts()

    again = load()

    assert row_counts() == before
    assert not again.changed
    for name, counts in again.counts.items():
        assert counts.created == counts.updated == counts.kept == 0, name
    assert again.counts["Target"].unchanged == Target.objects.count()
    assert again.counts["MilestoneEvidence"].unchanged == MilestoneEvidence.objects.count()


def test_an_editors_change_is_kept_unless_forced(loaded: LoadReport) -> None:
    editor = EditorFactory()
    target = Target.objects.get(code="p2-trained-per-year")
    target.title = "Renamed by an editor"
    services.target_save(target=target, user=editor, reason="clearer title")
    milestone = Milestone.objects.get(code="naif-set-up")
    milestone.forecast_due_date = dt.date(2026, 6, 30)
    services.milestone_save(
        milestone=milestone, user=editor, reason="ministry's new date", evidence_url="https://news.example.org/naif"
    )
    hub = Hub.objects.get(slug="quetta")
    hub.role = "Edited in the admin."
    hub._history_user = editor  # type: ignore[attr-defined]  # as the admin's request middleware does
    hub.save()

    kept = load()

    assert Target.objects.get(code="p2-trained-per-year").title == "Renamed by an editor"
    assert Milestone.objects.get(code="naif-set-up").forecast_due_date == dt.date(2026, 6, 30)
    assert Hub.objects.get(slug="quetta").role == "Edited in the admin."
    assert (kept.counts["Target"].kept, kept.counts["Milestone"].kept, kept.counts["Hub"].kept) == (1, 1, 1)
    assert "Target p2-trained-per-year" in kept.kept
    assert kept.counts["Target"].unchanged == Target.objects.count() - 1

    forced = load(force=True)

    target = Target.objects.get(code="p2-trained-per-year")
    assert target.title.startswith("People trained in AI each year")
    assert target.history.first().history_user is None  # type: ignore[attr-defined]
    assert Milestone.objects.get(code="naif-set-up").forecast_due_date is None
    assert Hub.objects.get(slug="quetta").role.startswith("Auxiliary")
    assert (forced.counts["Target"].updated, forced.counts["Milestone"].updated, forced.counts["Hub"].updated) == (
        1,
        1,
        1,
    )

    # The file and the database now agree, so the next plain load finds nothing to do.
    assert not load().changed


def test_a_record_the_loader_itself_updated_is_not_an_editors_edit(tmp_path: Path, loaded: LoadReport) -> None:
    data = policy_data()
    target_record(data, "p1-local-ai-products")["title"] = "Local AI products, retitled in the file"

    report = load(path=write_yaml(tmp_path, data))

    assert report.counts["Target"].updated == 1
    assert Target.objects.get(code="p1-local-ai-products").title == "Local AI products, retitled in the file"
    assert load().counts["Target"].updated == 1  # back to the bundled title: no editor involved, so no "kept"


# --- Illustrative progress -------------------------------------------------------------------


def test_illustrative_figures_load_only_on_request_and_are_flagged(loaded: LoadReport) -> None:
    assert not Measurement.objects.filter(illustrative=True).exists()
    real = set(Measurement.objects.values_list("pk", flat=True))
    assert all(m.source_url for m in Measurement.objects.all())  # the few real figures cite their source

    report = load(illustrative_path=ILLUSTRATIVE_YAML)

    made_up = Measurement.objects.exclude(pk__in=real)
    assert made_up.count() == report.counts["Measurement"].created > 0
    assert all(m.illustrative and m.note.startswith(ILLUSTRATIVE_NOTE) for m in made_up)
    assert all(m.date < dt.date(2026, 11, 27) for m in made_up)
    assert not load(illustrative_path=ILLUSTRATIVE_YAML).changed


def test_a_made_up_figure_never_replaces_a_real_one(loaded: LoadReport) -> None:
    editor = EditorFactory()
    target = Target.objects.get(code="p2-trained-per-year")
    services.measurement_create(
        target=target,
        date=dt.date(2025, 12, 31),
        value=12_345,
        source_url="https://news.example.org/real-figure",
        user=editor,
    )

    report = load(illustrative_path=ILLUSTRATIVE_YAML, force=True)

    real = Measurement.objects.get(target=target, date=dt.date(2025, 12, 31))
    assert (real.value, real.illustrative) == (12_345, False)
    assert report.counts["Measurement"].kept == 1


# --- Bad files -------------------------------------------------------------------------------


def test_an_unknown_source_id_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    data = policy_data()
    target_record(data, "p2-trained-per-year")["sources"].append("no-such-source")

    with pytest.raises(CommandError) as caught:
        call_command("load_policy", path=str(write_yaml(tmp_path, data)), stdout=StringIO())

    message = str(caught.value)
    assert "targets 'p2-trained-per-year'" in message
    assert "unknown source id 'no-such-source'" in message
    assert all(count == 0 for count in row_counts().values())


def test_a_record_failing_validation_aborts_the_whole_load(tmp_path: Path, loaded: LoadReport) -> None:
    before = row_counts()
    data = policy_data()
    # Written before the bad target: must be rolled back with everything else.
    data["sources"]["ary-naif"]["title"] = "Changed in the broken file"
    target_record(data, "p1-local-ai-products")["target_value"] = 0  # equal to the baseline

    with pytest.raises(CommandError) as caught:
        call_command("load_policy", path=str(write_yaml(tmp_path, data)), stdout=StringIO())

    message = str(caught.value)
    assert "Target p1-local-ai-products" in message
    assert "must differ from the baseline" in message
    assert "nothing was changed" in message
    assert row_counts() == before
    assert Source.objects.get(url=ARY).title != "Changed in the broken file"
    assert Target.objects.get(code="p1-local-ai-products").target_value == 1000


def test_structure_problems_are_all_reported_with_their_record(tmp_path: Path) -> None:
    data = policy_data()
    del target_record(data, "p1-local-ai-products")["unit"]
    target_record(data, "p2-internships-per-year")["pillar"] = 9
    data["milestones"][0]["hubs"] = ["atlantis"]
    data["hubs"][0]["tier"] = "capital"
    data["incentives"][0]["colour"] = "blue"
    target_record(data, "p2-scholarships-per-year")["target_value"] = 9000  # per_year and target_value

    with pytest.raises(PolicyDataError) as caught:
        load(path=write_yaml(tmp_path, data))

    problems = "\n".join(caught.value.problems)
    assert "targets 'p1-local-ai-products': missing required key 'unit'" in problems
    assert "targets 'p2-internships-per-year': unknown pillar number 9" in problems
    assert "unknown hub slug 'atlantis'" in problems
    assert "'tier' is 'capital'" in problems
    assert "unknown key 'colour'" in problems
    assert "targets 'p2-scholarships-per-year': give either 'per_year'" in problems
    assert len(caught.value.problems) == 6
    assert Source.objects.count() == 0


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources: [unclosed\n", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("load_policy", path=str(broken), stdout=StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("load_policy", path=str(tmp_path / "missing.yaml"), stdout=StringIO())


def test_an_illustrative_file_must_say_so(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, {"measurements": []}, name="progress.yaml")

    with pytest.raises(PolicyDataError, match="illustrative: true"):
        load(illustrative_path=path)


# --- The command ---------------------------------------------------------------------------------


def test_the_command_loads_the_bundled_file_and_prints_the_report() -> None:
    out = StringIO()

    call_command("load_policy", stdout=out)

    assert Pillar.objects.count() == 6
    assert not Measurement.objects.filter(illustrative=True).exists()
    text = out.getvalue()
    assert str(POLICY_YAML) in text
    target_line = next(line for line in text.splitlines() if line.startswith("Target "))
    assert target_line.split()[1:3] == [str(Target.objects.count()), "created"]

    out = StringIO()
    call_command("load_policy", "--illustrative", stdout=out)

    assert Measurement.objects.filter(illustrative=True).exists()
    assert "illustrative-progress.yaml" in out.getvalue()
