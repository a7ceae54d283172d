"""Re-baselining: superusers only, with a reason; every re-baseline kept and public; the original stays first."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from indicators import selectors as indicator_selectors
from indicators import services as indicator_services
from pillars import services
from pillars.models import Milestone, Rebaseline, Target
from tests.factories import EditorFactory, MeasurementFactory, MilestoneFactory, SuperuserFactory, TargetFactory
from tests.pillars.test_admin import url

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
AS_OF = dt.date(2025, 7, 15)
REASON = "Cabinet approved a revised PC-1 on 20 February: the fund now starts with the new fiscal year."


@pytest.fixture(autouse=True)
def _today() -> Any:
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


@pytest.fixture
def superuser() -> User:
    return SuperuserFactory()


@pytest.fixture
def editor() -> User:
    return EditorFactory()


def published_target() -> Target:
    """indicators.md's worked example: 0 on 2025-01-01 to 200,000 on 2025-12-31; 50,000 on 2025-07-01."""
    target = TargetFactory(code="p2-trained", published_on=dt.date(2025, 1, 1))
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    return target


def published_milestone() -> Milestone:
    return MilestoneFactory(
        code="naif-established", baseline_due_date=dt.date(2026, 1, 31), published_on=dt.date(2025, 7, 30)
    )


def rebaseline_url(model: type[Any], pk: int) -> str:
    return reverse(f"admin:pillars_{model._meta.model_name}_rebaseline", args=[pk])


# --- Who may --------------------------------------------------------------------------------------------


def test_an_editor_cannot_open_the_rebaseline_page(client: Client, editor: User) -> None:
    target, milestone = published_target(), published_milestone()
    client.force_login(editor)

    assert client.get(rebaseline_url(Target, target.pk)).status_code == 403
    assert client.post(rebaseline_url(Milestone, milestone.pk), {"due_date": "2027-01-31"}).status_code == 403
    assert "rebaseline-link" not in client.get(url(Target, "change", target.pk)).content.decode()
    assert not Rebaseline.objects.exists()


def test_the_service_refuses_an_editor(editor: User) -> None:
    with pytest.raises(PermissionDenied):
        services.milestone_rebaseline(
            milestone=published_milestone(), due_date=dt.date(2026, 7, 1), reason=REASON, user=editor
        )


def test_editors_may_read_the_rebaselines(client: Client, editor: User, superuser: User) -> None:
    milestone = published_milestone()
    services.milestone_rebaseline(milestone=milestone, due_date=dt.date(2026, 7, 1), reason=REASON, user=superuser)
    client.force_login(editor)

    page = client.get(url(Rebaseline, "changelist"))

    assert page.status_code == 200 and REASON in page.content.decode()
    assert client.get(url(Rebaseline, "add")).status_code == 403


# --- Through the admin -----------------------------------------------------------------------------------


def test_a_superuser_rebaselines_a_target_and_the_original_stays(client: Client, superuser: User) -> None:
    target = published_target()
    client.force_login(superuser)
    change_page = client.get(url(Target, "change", target.pk)).content.decode()
    assert 'id="rebaseline-link"' in change_page

    form = client.get(rebaseline_url(Target, target.pk))
    assert form.context["form"].initial["target_value"] == 200_000
    response = client.post(
        rebaseline_url(Target, target.pk),
        {
            "baseline_value": "0",
            "baseline_date": "2025-01-01",
            "target_value": "200000",
            "target_date": "2026-06-30",
            "decided_on": "2026-02-20",
            "reason": REASON,
            "source_url": "https://www.pc.gov.pk/revised-pc1",
        },
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.target_date, target.target_value) == (dt.date(2025, 12, 31), 200_000)  # the original promise
    rebaseline = target.rebaselines.get()
    assert (rebaseline.old_target_date, rebaseline.new_target_date) == (dt.date(2025, 12, 31), dt.date(2026, 6, 30))
    assert (rebaseline.created_by, rebaseline.reason, rebaseline.decided_on) == (
        superuser,
        REASON,
        dt.date(2026, 2, 20),
    )
    assert rebaseline.source.url == "https://www.pc.gov.pk/revised-pc1"
    assert rebaseline.history.get().history_change_reason == REASON
    assert target.current_target_date == dt.date(2026, 6, 30)


def test_a_rebaseline_needs_a_reason(client: Client, superuser: User) -> None:
    milestone = published_milestone()
    client.force_login(superuser)

    response = client.post(
        rebaseline_url(Milestone, milestone.pk), {"due_date": "2026-07-01", "decided_on": "2026-02-20", "reason": "x"}
    )

    assert response.status_code == 200
    assert "Say why the baseline moves" in str(response.context["form"].errors)
    assert not Rebaseline.objects.exists()


def test_a_draft_is_edited_not_rebaselined(superuser: User) -> None:
    milestone = MilestoneFactory()

    with pytest.raises(ValidationError, match="not published yet"):
        services.milestone_rebaseline(milestone=milestone, due_date=dt.date(2026, 7, 1), reason=REASON, user=superuser)


def test_a_rebaseline_that_changes_nothing_is_refused(superuser: User) -> None:
    milestone = published_milestone()

    with pytest.raises(ValidationError, match="Nothing changes"):
        services.milestone_rebaseline(milestone=milestone, due_date=dt.date(2026, 1, 31), reason=REASON, user=superuser)


def test_an_impossible_new_baseline_is_refused(superuser: User) -> None:
    target = published_target()

    with pytest.raises(ValidationError) as refused:
        services.target_rebaseline(
            target=target,
            baseline_value=0,
            baseline_date=dt.date(2025, 1, 1),
            target_value=0,
            target_date=dt.date(2026, 6, 30),
            reason=REASON,
            user=superuser,
        )
    assert "must differ from the baseline" in str(refused.value)


def test_every_rebaseline_is_kept(superuser: User) -> None:
    milestone = published_milestone()
    services.milestone_rebaseline(milestone=milestone, due_date=dt.date(2026, 7, 1), reason=REASON, user=superuser)
    milestone = Milestone.objects.get(pk=milestone.pk)
    services.milestone_rebaseline(
        milestone=milestone,
        due_date=dt.date(2026, 12, 31),
        reason="Second delay: the board is not formed.",
        user=superuser,
    )

    rows = list(Milestone.objects.get(pk=milestone.pk).rebaselines.order_by("created_at"))
    assert [(r.old_due_date, r.new_due_date) for r in rows] == [
        (dt.date(2026, 1, 31), dt.date(2026, 7, 1)),
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ]


# --- Public: the API -----------------------------------------------------------------------------------------


def test_the_api_shows_both_baselines_and_every_rebaseline(superuser: User) -> None:
    target = published_target()
    services.target_rebaseline(
        target=target,
        baseline_value=0,
        baseline_date=dt.date(2025, 1, 1),
        target_value=200_000,
        target_date=dt.date(2026, 12, 31),
        reason=REASON,
        user=superuser,
    )
    indicator_services.indicators_recompute(as_of=AS_OF)

    body = APIClient().get(f"/api/v1/targets/{target.pk}/?as_of={AS_OF}").json()

    assert (body["baseline_value"], body["target_date"]) == (0, "2025-12-31")
    assert (body["current_baseline_value"], body["current_target_date"]) == (0, "2026-12-31")
    assert body["indicators"]["slip_days"] == 90  # against the original promise (indicators.md's worked example)
    current = body["current_baseline_indicators"]
    assert current["slip_days"] < body["indicators"]["slip_days"]  # a later deadline: less slip against it
    (rebaseline,) = body["rebaselines"]
    assert rebaseline["reason"] == REASON
    assert (rebaseline["old_target_date"], rebaseline["new_target_date"]) == ("2025-12-31", "2026-12-31")
    assert "created_by" not in rebaseline  # accounts are not public; the admin's audit trail names them


def test_a_target_never_rebaselined_shows_its_baseline_as_current() -> None:
    target = published_target()
    indicator_services.indicators_recompute(as_of=AS_OF)

    body = APIClient().get(f"/api/v1/targets/{target.pk}/?as_of={AS_OF}").json()

    assert body["rebaselines"] == []
    assert (body["current_baseline_value"], body["current_baseline_date"]) == (0, "2025-01-01")
    assert (body["current_target_value"], body["current_target_date"]) == (200_000, "2025-12-31")
    assert body["current_baseline_indicators"] == body["indicators"]


def test_a_milestone_shows_its_slip_against_both_baselines(superuser: User) -> None:
    milestone = published_milestone()
    services.milestone_rebaseline(milestone=milestone, due_date=dt.date(2026, 7, 1), reason=REASON, user=superuser)

    body = APIClient().get(f"/api/v1/milestones/{milestone.pk}/?as_of=2026-03-02").json()

    assert body["baseline_due_date"] == "2026-01-31"
    assert body["current_baseline_due_date"] == "2026-07-01"
    assert body["indicators"]["expected_date"] == "2026-03-02"  # overdue against the original: today
    assert body["indicators"]["slip_days"] == 30
    assert body["current_slip_days"] == (dt.date(2026, 3, 2) - dt.date(2026, 7, 1)).days
    assert [r["new_due_date"] for r in body["rebaselines"]] == ["2026-07-01"]


def test_the_list_reads_the_rebaselines_in_constant_queries(
    superuser: User, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        milestone = MilestoneFactory(code=f"m-{i}", published_on=dt.date(2025, 7, 30))
        services.milestone_rebaseline(
            milestone=milestone, due_date=dt.date(2026, 7, i + 1), reason=REASON, user=superuser
        )
    api = APIClient()
    api.get("/api/v1/milestones/")
    with django_assert_max_num_queries(12):
        body = api.get("/api/v1/milestones/").json()
    assert all(len(m["rebaselines"]) == 1 for m in body["results"])


def test_the_selector_matches_the_serializer(superuser: User) -> None:
    milestone = published_milestone()
    services.milestone_rebaseline(milestone=milestone, due_date=dt.date(2026, 7, 1), reason=REASON, user=superuser)
    rows = Milestone.objects.prefetch_related("rebaselines").filter(pk=milestone.pk)
    milestone = indicator_selectors.milestone_list(queryset=rows, as_of=dt.date(2026, 3, 2))[0]

    assert indicator_selectors.milestone_slip_against_current_baseline(milestone) == -121


def test_what_the_loader_creates_is_published_and_what_an_editor_creates_is_a_draft(editor: User) -> None:
    loaded = MilestoneFactory.build(code="from-the-policy", policy=MilestoneFactory().policy, pillar=None)
    services.milestone_save(milestone=loaded, reason="load_policy")
    drafted = MilestoneFactory.build(code="editors-own", policy=loaded.policy, pillar=None)
    services.milestone_save(milestone=drafted, user=editor)

    # Published with the policy (no source of it has a date), not on the day of the load: test_published_on.py.
    assert Milestone.objects.get(code="from-the-policy").published_on == loaded.policy.approved_on
    assert Milestone.objects.get(code="editors-own").published_on is None
