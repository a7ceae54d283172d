"""The bundled incentives (data/policy.yaml), loaded: where they apply, who may apply and what is not published.

Only what shared/docs/policy-facts.md says is set: no application body,
address or date is known for any incentive, so none is set, and the pages say
"not published". "Which incentives can a startup in Lahore apply for?" has an
answer from the data alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.test import Client

from incentives.models import Incentive
from pillars.loading import PolicyDataError, policy_load
from tests.pillars.test_views import html

pytestmark = pytest.mark.django_db

POLICY_YAML = Path(settings.BASE_DIR) / "data" / "policy.yaml"
STARTUPS_ANYWHERE = ["ai-venture-fund", "naif-grants", "pc1-startup-grants", "startup-fiscal-support"]


@pytest.fixture
def loaded() -> None:
    policy_load(path=POLICY_YAML)


def test_every_federal_scheme_is_nationwide_and_the_compute_access_is_at_the_centres(loaded: None) -> None:
    regional = list(Incentive.objects.filter(scope="regional"))
    assert [i.slug for i in regional] == ["compute-data-access"]
    assert {h.slug for h in regional[0].hubs.all()} >= {"islamabad", "karachi", "lahore"}
    assert Incentive.objects.filter(scope="nationwide").count() == Incentive.objects.count() - 1
    assert not any(Incentive.objects.values_list("provinces", flat=True))


def test_nothing_unpublished_is_filled_in(loaded: None) -> None:
    for incentive in Incentive.objects.all():
        assert (incentive.apply_to, incentive.apply_url, incentive.apply_address) == ("", "", ""), incentive.slug
        assert (incentive.opens_on, incentive.closes_on) == (None, None), incentive.slug
        assert incentive.application_on(dt.date(2026, 12, 7)).value == "unknown"
        if incentive.applicants:
            assert incentive.eligibility, f"{incentive.slug}: categories without an eligibility text"
    announced = dict(Incentive.objects.exclude(announced_on=None).values_list("slug", "announced_on"))
    assert announced == {
        "ai-venture-fund": dt.date(2025, 7, 30),
        "human-capital-support": dt.date(2025, 7, 30),
        "pc1-startup-grants": dt.date(2025, 7, 7),
        "public-vc-fund": dt.date(2025, 10, 1),
        "phd-scholarships-2030": dt.date(2026, 2, 9),
    }
    assert not Incentive.objects.filter(applicants__icontains='"women_led"').exists()  # seed article only


def test_a_startup_in_lahore_finds_its_incentives(loaded: None, client: Client) -> None:
    text = html(client.get("/incentives/can-i-apply/?who=startup&hub=lahore"))
    listed = text.split('data-testid="answer-listed"')[1].split("</ul>")[0]
    found = sorted(s.split('"')[0] for s in listed.split('data-slug="')[1:])
    assert found == sorted([*STARTUPS_ANYWHERE, "compute-data-access"])
    assert listed.count('data-reach="nationwide"') == len(STARTUPS_ANYWHERE)
    assert "Applications" in text and "dates not published" in text
    directory = html(client.get("/incentives/?hub=lahore"))
    assert directory.count('data-testid="incentive-card"') == Incentive.objects.count()  # all 18, 17 nationwide
    assert html(client.get("/incentives/?hub=lahore&who=startup")).count('data-testid="incentive-card"') == 5


def test_the_loader_refuses_a_scope_that_is_not_a_choice(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(POLICY_YAML.read_text(encoding="utf-8"))
    data["incentives"][1]["scope"] = "galactic"
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyDataError) as caught:
        policy_load(path=path)
    message = str(caught.value)
    assert "galactic" in message or "scope" in message


def test_the_loader_refuses_an_organisation_type_that_is_not_a_choice(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(POLICY_YAML.read_text(encoding="utf-8"))
    data["incentives"][0]["applicants"] = ["startup", "astronauts"]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(PolicyDataError) as caught:
        policy_load(path=path)
    assert "astronauts" in str(caught.value)
    assert not Incentive.objects.exists()
