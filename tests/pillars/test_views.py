"""The public pages of the policy, its pillars, targets and milestones, the methodology and the search.

Every page: 200 in English and Urdu, the as-of date (banner, values of that
date, a friendly 400 for a bad one), a friendly 404 for an unknown address, the
same number of SQL queries at two sizes of data, and no asset from another host.
The helpers here build a small world of data that the hubs and incentives page
tests reuse.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hubs.models import Hub
from incentives.choices import IncentiveKind, IncentiveStatus
from incentives.models import Incentive
from indicators import services as indicator_services
from pillars.choices import TargetKind
from pillars.models import Milestone, Pillar, Policy, Rebaseline, Target
from tests.factories import (
    HubFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    SourceFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 7, 15)
BASE_DIR = Path(settings.BASE_DIR)


# --- A world of data, of any size -----------------------------------------------------------------


@dataclass
class World:
    """Pillars, hubs, targets, milestones and incentives; the first of each grows with the world."""

    policy: Policy
    pillars: list[Pillar] = field(default_factory=list)
    hubs: list[Hub] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    incentives: list[Incentive] = field(default_factory=list)
    run_dates: list[dt.date] = field(default_factory=list)

    def add(self, count: int) -> None:
        """Add `count` of everything; the first pillar, hub, target and milestone get more to show each time."""
        for _ in range(count):
            n = len(self.targets)
            source = SourceFactory()
            pillar = PillarFactory(policy=self.policy)
            pillar.sources.add(source)
            self.pillars.append(pillar)
            hub = HubFactory(latitude=25 + (n * 1.3) % 11, longitude=62 + (n * 2.1) % 13, name_ur=f"شہر {n}")
            hub.sources.add(source)
            self.hubs.append(hub)
            home_pillar = self.pillars[0] if n % 2 == 0 else pillar
            target = TargetFactory(
                policy=self.policy,
                pillar=home_pillar,
                kind=TargetKind.COMMITMENT if n % 3 else TargetKind.OUTCOME,
                rate_per_year=100_000.0 if n % 2 else None,
                basis_note="No source gives a start date.",
            )
            target.hubs.add(self.hubs[0], hub)
            target.sources.add(source)
            # An interim point on the straight line (day 273 of 364): the worked example of indicators.md holds.
            TrajectoryPointFactory(target=target, date=dt.date(2025, 10, 1), value=150_000.0)
            # Alternately 90 days behind (off track) and on plan; half of the figures made up.
            value = 50_000.0 if n % 2 == 0 else 100_000.0
            MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=value, illustrative=n % 2 == 1)
            # The first target gathers a longer history as the world grows.
            first = self.targets[0] if self.targets else target
            MeasurementFactory(target=first, date=dt.date(2025, 1, 1) + dt.timedelta(days=5 * (n + 1)), value=100.0 * n)
            self.targets.append(target)

            milestone = MilestoneFactory(
                policy=self.policy,
                pillar=home_pillar,
                target=target,
                announced_on=dt.date(2025, 1, 1),
                baseline_due_date=dt.date(2025, 6, 30) if n % 2 == 0 else dt.date(2026, 1, 31),
                forecast_due_date=None if n % 2 == 0 else dt.date(2026, 3, 31),
            )
            milestone.hubs.add(self.hubs[0], hub)
            milestone.sources.add(source)
            MilestoneEvidenceFactory(milestone=self.milestones[0] if self.milestones else milestone, source=source)
            self.milestones.append(milestone)

            incentive = IncentiveFactory(
                pillar=home_pillar,
                kind=IncentiveKind.GRANT if n % 2 == 0 else IncentiveKind.FISCAL,
                status=IncentiveStatus.OPEN if n % 2 == 0 else IncentiveStatus.ANNOUNCED,
                budget_amount=1_000_000,
                budget_currency="PKR",
            )
            incentive.hubs.add(self.hubs[0], hub)
            incentive.sources.add(source)
            self.incentives.append(incentive)
        self.recompute()

    def recompute(self) -> None:
        """Store a full run on AS_OF and on dates before it (one more per item, so history grows too)."""
        # At least two runs before any date the tests look at, so that every page has "what changed".
        self.run_dates = [AS_OF - dt.timedelta(days=10 * k) for k in range(max(len(self.targets), 2) + 1)]
        for day in sorted(self.run_dates):
            indicator_services.indicators_recompute(as_of=day)


def build_world(count: int = 2) -> World:
    world = World(policy=PolicyFactory())
    world.add(count)
    return world


def page_urls(world: World) -> dict[str, str]:
    """One address of every kind of page, for the first items of the world."""
    pillar, hub, target = world.pillars[0], world.hubs[0], world.targets[0]
    milestone, incentive = world.milestones[0], world.incentives[0]
    on = f"as_of={AS_OF.isoformat()}"
    computed = "as_of=2025-07-14"  # no run stored that day: computed on the fly
    return {
        "home": f"/?{on}",
        "home computed": f"/?{computed}",
        "pillar": f"/pillars/{pillar.slug}/?{on}",
        "pillar computed": f"/pillars/{pillar.slug}/?{computed}",
        "targets": f"/targets/?{on}",
        "targets filtered": f"/targets/?{on}&status=off_track&status=on_track&pillar={pillar.slug}&hub={hub.slug}",
        "targets computed": f"/targets/?{computed}&ordering=-slip_days",
        "target": f"/targets/{target.pk}/?{on}",
        "target computed": f"/targets/{target.pk}/?{computed}",
        "milestones": f"/milestones/?{on}",
        "milestones computed": f"/milestones/?{computed}&status=overdue",
        "milestone": f"/milestones/{milestone.pk}/?{on}",
        "incentives": f"/incentives/?{on}&kind=grant&kind=fiscal",
        "incentive": f"/incentives/{incentive.slug}/?{on}",
        "hubs": f"/hubs/?{on}",
        "hub": f"/hubs/{hub.slug}/?{on}",
        "methodology": f"/methodology/?{on}",
        "search": f"/search/?{on}&q=e",
    }


def query_count(client: Client, url: str) -> int:
    client.get(url)  # warm caches that are not per-request (templates, the map file)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def html(response: object) -> str:
    content: bytes = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8")


EXTERNAL_ASSET = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)[^>]*\ssrc=["']?(?:https?:)?//"""
    # Links a browser fetches; not the canonical address and the alternates, which name the page itself.
    r"""|<link(?![^>]*\srel="(?:canonical|alternate)")[^>]*\shref=["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def assert_self_contained(text: str) -> None:
    """No script, stylesheet, font, image or frame from another host: the page works offline."""
    assert not EXTERNAL_ASSET.search(text), EXTERNAL_ASSET.search(text)


@pytest.fixture
def world() -> World:
    return build_world(2)


# --- Every page, both languages -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "/ur"])
def test_every_page_answers_in_both_languages(client: Client, world: World, language: str) -> None:
    for name, url in page_urls(world).items():
        response = client.get(language + url)
        assert response.status_code == 200, (name, response.status_code)
        text = html(response)
        if language:
            assert '<html lang="ur" dir="rtl">' in text, name
        else:
            assert '<html lang="en" dir="ltr">' in text, name
        # Landmarks and the skip link on every page.
        for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'href="#main"'):
            assert landmark in text, (name, landmark)
        assert_self_contained(text)


def test_the_stylesheet_and_map_are_local(client: Client) -> None:
    css = (BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert_self_contained(css)
    for font in re.findall(r"url\(\"?([^\")]+)", css):
        assert (BASE_DIR / "static" / "css" / font).resolve().exists(), font
    assert (BASE_DIR / "static" / "fonts" / "OFL.txt").exists()
    assert (BASE_DIR / "static" / "map" / "README.md").exists()


PAGES = [
    "home",
    "home computed",
    "pillar",
    "pillar computed",
    "targets",
    "targets filtered",
    "targets computed",
    "target",
    "target computed",
    "milestones",
    "milestones computed",
    "milestone",
    "incentives",
    "incentive",
    "hubs",
    "hub",
    "methodology",
    "search",
]


def test_every_page_runs_the_same_queries_for_2_and_8_items(client: Client) -> None:
    world = build_world(2)
    small = {name: query_count(client, url) for name, url in page_urls(world).items()}
    assert set(small) == set(PAGES)
    world.add(6)
    large = {name: query_count(client, url) for name, url in page_urls(world).items()}
    assert large == small


# --- The dashboard --------------------------------------------------------------------------------


def test_home_shows_the_headline_with_its_date_and_the_pillars(client: Client, world: World) -> None:
    text = html(client.get(f"/?as_of={AS_OF}"))
    assert 'data-testid="headline"' in text
    assert "The 2025\u20132027 commitments" in text
    assert "15 Jul 2025" in text
    assert 'data-testid="on-schedule-share"' in text
    for pillar in world.pillars:
        assert pillar.name in text
    # Overdue: the first milestone was due on 30 Jun 2025.
    assert world.milestones[0].title in text.split('data-testid="overdue"')[1]


def test_home_lists_what_changed_between_the_last_two_recomputes(client: Client) -> None:
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    indicator_services.indicators_recompute(as_of=dt.date(2025, 6, 1))  # nothing measured yet: no data
    indicator_services.indicators_recompute(as_of=AS_OF)  # 90 days behind: off track
    text = html(client.get(f"/?as_of={AS_OF}"))
    changes = text.split('data-testid="changes"')[1].split("</section>")[0]
    assert target.title in changes
    assert 'data-status="no_data"' in changes and 'data-status="off_track"' in changes
    assert "1 Jun 2025" in changes
    # Looking back before the second run: only one run to show.
    text = html(client.get("/?as_of=2025-07-01"))
    assert "Only one recompute" in text.split('data-testid="changes"')[1]
    # On the illustrative basis too, though neither run stored illustrative rows (no made-up figure stood).
    shown = html(client.get(f"/?as_of={AS_OF}&basis=illustrative")).split('data-testid="changes"')[1]
    assert target.title in shown.split("</section>")[0]


def test_home_with_no_data_at_all(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No recompute is stored yet." in html(response)


# --- As-of ----------------------------------------------------------------------------------------


def test_the_as_of_banner_says_which_date_and_links_back_to_today(client: Client, world: World) -> None:
    text = html(client.get(f"/pillars/{world.pillars[0].slug}/?as_of=2025-06-01"))
    banner = text.split('data-testid="as-of-banner"')[1].split("</div>")[0]
    assert "1 Jun 2025" in banner
    assert f'href="/pillars/{world.pillars[0].slug}/?"' in banner
    # Links keep the date.
    assert f'href="/targets/{world.targets[0].pk}/?as_of=2025-06-01"' in text
    assert 'data-testid="as-of-banner"' not in html(client.get(f"/pillars/{world.pillars[0].slug}/"))


def test_values_are_those_of_the_as_of_date(client: Client) -> None:
    """The worked example of indicators.md, before and after its measurement."""
    target = TargetFactory(title="Trained people")
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    later = html(client.get(f"/targets/{target.pk}/?as_of=2025-07-15"))
    explanation = later.split('data-testid="explanation"')[1].split("</section>")[0]
    assert "It is 90 days behind the plan." in explanation
    assert "At this pace it is reached on 26 Dec 2026, 360 days late." in explanation
    # (200,000 - 50,000) / 169 days from the as-of date to the deadline.
    assert "887.6 people needed each day from 15 Jul 2025 (324,186 a year) to meet the deadline." in explanation
    assert "The latest reported figure is of 1 Jul 2025; the next is due by 29 Sep 2025." in explanation
    assert 'data-status="off_track"' in later
    earlier = html(client.get(f"/targets/{target.pk}/?as_of=2025-06-01"))
    assert 'data-status="no_data"' in earlier
    assert "No figure has been reported on or before this date" in earlier
    assert "1 figure dated after the as-of date is left out." in earlier


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "1999-12-31", "2101-01-01", "2025-7-1x"])
@pytest.mark.parametrize("path", ["/", "/targets/", "/milestones/", "/methodology/", "/search/", "/ur/"])
def test_a_bad_as_of_gets_the_friendly_400_page(client: Client, world: World, path: str, value: str) -> None:
    response = client.get(path, {"as_of": value})
    assert response.status_code == 400
    text = html(response)
    assert 'data-testid="error-title"' in text
    assert 'data-testid="problems"' in text
    assert "<main" in text


def test_the_400_page_of_a_detail_page_names_the_problem(client: Client, world: World) -> None:
    response = client.get(f"/targets/{world.targets[0].pk}/", {"as_of": "soon"})
    assert response.status_code == 400
    assert "“soon” is not a date" in html(response)


# --- Unknown addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/pillars/no-such-pillar/",
        "/targets/987654/",
        "/targets/99999999999999999999999/",
        "/milestones/987654/",
        "/milestones/99999999999999999999999/",
        "/no-such-page/",
        "/ur/pillars/no-such-pillar/",
        "/ur/targets/987654/",
    ],
)
def test_unknown_addresses_get_the_friendly_404_page(client: Client, world: World, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    text = html(response)
    assert 'data-testid="error-title"' in text
    assert "<main" in text
    if path.startswith("/ur/"):
        assert 'dir="rtl"' in text


def test_the_api_still_answers_404_in_json(client: Client) -> None:
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_bad_request_outside_the_pages_gets_the_friendly_400_page(client: Client) -> None:
    response = client.get("/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert 'data-testid="error-title"' in html(response)
    response = client.get("/api/v1/targets/", HTTP_HOST="not-allowed.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


# --- Pillar page ----------------------------------------------------------------------------------


def test_pillar_page_lists_its_targets_milestones_and_incentives(client: Client, world: World) -> None:
    pillar = world.pillars[0]
    text = html(client.get(f"/pillars/{pillar.slug}/?as_of={AS_OF}"))
    targets = text.split('data-testid="target-table"')[1].split("</table>")[0]
    for target in world.targets:
        assert (target.title in targets) == (target.pillar_id == pillar.pk)
    assert 'class="bar-fill"' in targets  # progress bars
    assert "25% done; plan: 50%" in targets
    assert "90 days behind" in targets
    assert "26 Dec 2026" in targets
    for milestone in world.milestones:
        assert (milestone.title in text) == (milestone.pillar_id == pillar.pk)
    for incentive in world.incentives:
        assert (incentive.name in text) == (incentive.pillar_id == pillar.pk)
    assert "[A]" in text  # sources with confidence marks


# --- Target list and filters ----------------------------------------------------------------------


def rows(text: str, kind: str = "target") -> list[str]:
    return re.findall(rf'data-testid="{kind}-row" data-code="([^"]+)"', text)


def test_target_filters_change_the_list_and_stay_in_the_address(client: Client, world: World) -> None:
    everything = rows(html(client.get(f"/targets/?as_of={AS_OF}")))
    assert sorted(everything) == sorted(t.code for t in world.targets)

    behind = rows(html(client.get(f"/targets/?as_of={AS_OF}&status=off_track")))
    assert behind == [world.targets[0].code]
    # The second target's only figures are illustrative: on the reported basis it has none.
    assert rows(html(client.get(f"/targets/?as_of={AS_OF}&status=on_track"))) == []
    assert world.targets[1].code in rows(html(client.get(f"/targets/?as_of={AS_OF}&status=no_data")))
    on_plan = rows(html(client.get(f"/targets/?as_of={AS_OF}&status=on_track&basis=illustrative")))
    assert on_plan == [world.targets[1].code]

    second = world.pillars[1]
    assert rows(html(client.get(f"/targets/?as_of={AS_OF}&pillar={second.slug}"))) == [world.targets[1].code]
    assert rows(html(client.get(f"/targets/?as_of={AS_OF}&hub={world.hubs[1].slug}"))) == [world.targets[1].code]
    assert rows(html(client.get(f"/targets/?as_of={AS_OF}&kind=outcome"))) == [world.targets[0].code]

    text = html(client.get(f"/targets/?as_of={AS_OF}&status=off_track"))
    # The form shows the choice made, and keeps the as-of date.
    assert re.search(r'<input type="checkbox" name="status" value="off_track"[^>]*checked', text)
    assert f'name="as_of" value="{AS_OF}"' in text


@pytest.mark.parametrize("query", ["status=nonsense", "pillar=no-such-pillar", "kind=other", "due_before=someday"])
def test_bad_filters_get_the_friendly_400_page(client: Client, world: World, query: str) -> None:
    response = client.get(f"/targets/?{query}")
    assert response.status_code == 400
    assert 'data-testid="problems"' in html(response)


@pytest.mark.parametrize("path", ["/targets/", "/milestones/"])
def test_an_id_beyond_64_bits_is_a_400_not_a_crash(client: Client, world: World, path: str) -> None:
    response = client.get(path, {"pillar_id": "9" * 30})
    assert response.status_code == 400
    assert 'data-testid="problems"' in html(response)


def test_target_list_pages_and_ignores_a_bad_page_number(client: Client, world: World) -> None:
    assert client.get("/targets/?page=999").status_code == 200
    assert client.get("/targets/?page=abc").status_code == 200


def test_illustrative_values_are_marked_in_lists_and_on_the_page(client: Client, world: World) -> None:
    made_up = world.targets[1]
    text = html(client.get(f"/targets/?as_of={AS_OF}&basis=illustrative"))
    assert 'data-testid="basis-banner"' in text
    row = text.split(f'data-code="{made_up.code}"')[1].split("</tr>")[0]
    assert "illustrative" in row
    assert 'data-testid="basis-mark"' in row  # the label beside the number, on the same line
    real = text.split(f'data-code="{world.targets[0].code}"')[1].split("</tr>")[0]
    assert 'class="tag illustrative"' not in real
    page = html(client.get(f"/targets/{made_up.pk}/?as_of={AS_OF}&basis=illustrative"))
    assert 'data-testid="illustrative-notice"' in page
    assert 'class="pt illustrative"' in page  # drawn as a hollow diamond
    assert 'data-illustrative="true"' in page
    assert 'data-testid="illustrative-table"' in page


def test_the_reported_basis_leaves_illustrative_figures_out_and_says_so(client: Client, world: World) -> None:
    made_up = world.targets[1]
    text = html(client.get(f"/targets/?as_of={AS_OF}"))
    assert 'data-testid="basis-banner"' not in text
    row = text.split(f'data-code="{made_up.code}"')[1].split("</tr>")[0]
    assert 'data-status="no_data"' in text.split(f'data-code="{made_up.code}"')[1][:40]
    assert "illustrative" not in row
    page = html(client.get(f"/targets/{made_up.pk}/?as_of={AS_OF}"))
    assert 'class="pt illustrative"' not in page  # not on the chart
    assert 'data-testid="illustrative-table"' not in page
    hidden = page.split('data-testid="illustrative-hidden"')[1].split("</p>")[0]
    assert "left out of every number on this page" in hidden
    assert f"?as_of={AS_OF}&amp;basis=illustrative" in hidden
    assert 'data-testid="no-reported-figure"' in page


# --- Target page ----------------------------------------------------------------------------------


def test_target_page_has_the_chart_its_table_history_and_sources(client: Client, world: World) -> None:
    target = world.targets[0]
    text = html(client.get(f"/targets/{target.pk}/?as_of={AS_OF}"))
    assert 'data-testid="target-chart-svg"' in text
    assert 'role="img"' in text and '<title id="target-chart-title">' in text
    assert 'class="line planned"' in text and 'class="line forecast"' in text
    table = text.split('data-testid="target-chart-table"')[1].split("</table>")[0]
    assert "Baseline" in table and "Planned (interim point)" in table and "Target (deadline)" in table
    assert "50,000" in table and "26 Dec 2026" in table
    assert 'data-testid="status-history"' in text
    assert 'data-testid="indicator-table"' in text
    assert 'data-testid="sources"' in text and "[A]" in text
    assert 'data-testid="assumed-baseline"' in text
    assert "No source gives a start date." in text  # the basis note


def test_a_per_year_commitment_shows_its_yearly_rate(client: Client, world: World) -> None:
    text = html(client.get(f"/targets/{world.targets[1].pk}/"))
    assert 'data-testid="rate-per-year"' in text
    assert "100,000 people a year" in text


def test_an_invalid_target_is_shown_without_indicators(client: Client) -> None:
    target = TargetFactory()
    Target.objects.filter(pk=target.pk).update(target_value=-5.0)  # below the baseline of a rising target
    MeasurementFactory(target=target, value=1.0)
    TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 1), value=10.0)
    response = client.get(f"/targets/{target.pk}/?as_of={AS_OF}")
    assert response.status_code == 200
    assert client.get(f"/targets/?as_of={AS_OF}").status_code == 200


def test_a_re_baselined_target_shows_both_baselines_and_why(client: Client) -> None:
    target = TargetFactory(title="Trained people")
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    Rebaseline.objects.create(
        target=target,
        old_baseline_value=0.0,
        old_baseline_date=dt.date(2025, 1, 1),
        old_target_value=200_000.0,
        old_target_date=dt.date(2025, 12, 31),
        new_baseline_value=0.0,
        new_baseline_date=dt.date(2025, 1, 1),
        new_target_value=200_000.0,
        new_target_date=dt.date(2026, 12, 31),
        decided_on=dt.date(2025, 7, 10),
        reason="The budget came a year late.",
        source=SourceFactory(title="Cabinet decision"),
    )
    text = html(client.get(f"/targets/{target.pk}/?as_of={AS_OF}"))
    section = text.split('data-testid="rebaselines"')[1].split("</section>")[0]
    assert "The budget came a year late." in section and "Cabinet decision" in section
    assert "200,000 by 31 Dec 2025" in section and "200,000 by 31 Dec 2026" in section
    assert "In force now: 0 people on 1 Jan 2025 to 200,000 people by 31 Dec 2026." in section
    assert 'data-testid="current-baseline-indicators"' in section
    # The page's own figures stay measured against the original promise.
    assert "It is 90 days behind the plan." in text
    # Before the decision, nothing had moved yet.
    assert 'data-testid="rebaselines"' not in html(client.get(f"/targets/{target.pk}/?as_of=2025-07-05"))


def test_a_re_baselined_milestone_shows_both_due_dates(client: Client) -> None:
    milestone = MilestoneFactory(baseline_due_date=dt.date(2025, 6, 30), announced_on=dt.date(2025, 1, 1))
    Rebaseline.objects.create(
        milestone=milestone,
        old_due_date=dt.date(2025, 6, 30),
        new_due_date=dt.date(2025, 9, 30),
        decided_on=dt.date(2025, 7, 1),
        reason="Waiting for the law.",
    )
    text = html(client.get(f"/milestones/{milestone.pk}/?as_of={AS_OF}"))
    section = text.split('data-testid="rebaselines"')[1].split("</section>")[0]
    assert "Due date in force now: 30 Sep 2025." in section
    assert "Waiting for the law." in section
    assert "77 days early" in section  # expected 15 Jul 2025 against the new due date
    assert 'data-status="overdue"' in text  # still judged against the original due date


# --- Milestones -----------------------------------------------------------------------------------


def test_milestone_timeline_highlights_overdue_ones(client: Client, world: World) -> None:
    text = html(client.get(f"/milestones/?as_of={AS_OF}"))
    assert 'data-testid="milestone-timeline"' in text
    assert text.count('class="tl-row is-overdue"') == 1
    assert 'class="is-overdue"' in text.split('data-testid="milestone-table"')[1]
    overdue = rows(html(client.get(f"/milestones/?as_of={AS_OF}&status=overdue")), "milestone")
    assert overdue == [world.milestones[0].code]
    second = rows(html(client.get(f"/milestones/?as_of={AS_OF}&pillar={world.pillars[1].slug}")), "milestone")
    assert second == [world.milestones[1].code]
    assert client.get("/milestones/?status=late").status_code == 400


def test_milestone_page_has_the_trend_chart_and_evidence(client: Client, world: World) -> None:
    milestone = world.milestones[0]
    text = html(client.get(f"/milestones/{milestone.pk}/?as_of={AS_OF}"))
    assert 'data-testid="trend-chart-svg"' in text
    table = text.split('data-testid="trend-chart-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(world.run_dates) + 1  # a header row and one per stored run
    # The evidence is dated 6 Dec 2025, after the as-of date: left out, as history is replayed.
    assert "An audit found it had not started." not in text
    assert "No evidence recorded yet." in text
    text = html(client.get(f"/milestones/{milestone.pk}/"))
    evidence = text.split('data-testid="evidence"')[1].split("</ol>")[0]
    assert "An audit found it had not started." in evidence
    assert "[A]" in evidence and "Report " in evidence  # its source, with its confidence mark


def test_a_milestone_without_stored_history_says_so(client: Client) -> None:
    milestone = MilestoneFactory()
    text = html(client.get(f"/milestones/{milestone.pk}/"))
    assert "no trend to draw" in text


# --- Methodology and search -----------------------------------------------------------------------


def test_methodology_shows_the_thresholds_from_settings(client: Client, settings: object) -> None:
    settings.INDICATORS_ON_TRACK_SPI = 0.9  # type: ignore[attr-defined]
    settings.INDICATORS_AT_RISK_SPI = 0.7  # type: ignore[attr-defined]
    text = html(client.get("/methodology/"))
    thresholds = text.split('data-testid="thresholds"')[1].split("</ol>")[0]
    assert "SPI of at least 0.9," in thresholds and "SPI below 0.7." in thresholds
    marks = text.split('data-testid="confidence-marks"')[1]
    for mark in ("[A+]", "[A]", "[A1]", "[B]", "[!]"):
        assert mark in marks
    assert "Assumed" in text and "Illustrative" in text


def test_search_finds_targets_milestones_incentives_and_hubs(client: Client, world: World) -> None:
    target, milestone, incentive, hub = world.targets[1], world.milestones[1], world.incentives[1], world.hubs[1]
    for query, testid, shown in [
        (target.title, "results-targets", target.title),
        (milestone.title, "results-milestones", milestone.title),
        (incentive.name, "results-incentives", incentive.name),
        (hub.name, "results-hubs", hub.name),
        (hub.name_ur, "results-hubs", hub.name),
    ]:
        text = html(client.get("/search/", {"q": query}))
        assert f'data-testid="{testid}"' in text, query
        assert shown in text.split(f'data-testid="{testid}"')[1].split("</ul>")[0], query
    text = html(client.get("/search/", {"q": "zzzz-nothing"}))
    assert "0 results" in text and "Nothing found" in text
    assert client.get("/search/", {"q": "x" * 5000}).status_code == 200
    assert client.get("/search/").status_code == 200


@pytest.mark.parametrize("query", ["\x00", "a\x00b", " \x00 "])
def test_a_search_with_a_nul_character_is_the_friendly_400(client: Client, world: World, query: str) -> None:
    # PostgreSQL refuses a NUL in a string: the search must not send it (the lists' `q` already refuses it).
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400
    text = html(response)
    assert 'data-testid="problems"' in text and "Search: Null characters are not allowed." in text


PUBLIC_PARAMETERS = [
    "q",
    "as_of",
    "basis",
    "page",
    "status",
    "pillar",
    "pillar_id",
    "hub",
    "kind",
    "stale",
    "due_before",
    "due_after",
    "ordering",
    "target",
    "milestone",
    "incentive",
    "since",
    "until",
    "province",
    "tier",
]


def test_no_query_parameter_of_a_public_page_reaches_the_database_with_a_nul(client: Client, world: World) -> None:
    """Every page and the feed, every parameter they read: a NUL is refused (400) or ignored, never a 500."""
    paths = [url.split("?")[0] for url in page_urls(world).values()] + ["/changes/", "/feeds/changes.atom"]
    for path in dict.fromkeys(paths):
        for name in PUBLIC_PARAMETERS:
            response = client.get(path, {name: "a\x00b"})
            assert response.status_code in (200, 400), (path, name, response.status_code)


# --- The bundled data -----------------------------------------------------------------------------


@pytest.mark.slow
def test_every_page_of_the_bundled_data_renders_in_both_languages(client: Client) -> None:
    call_command("load_policy", "--illustrative", verbosity=0)
    call_command("recompute_indicators", verbosity=0)
    urls = ["/", "/targets/", "/milestones/", "/incentives/", "/hubs/", "/methodology/", "/search/?q=AI"]
    urls += [f"/pillars/{slug}/" for slug in Pillar.objects.values_list("slug", flat=True)]
    urls += [f"/targets/{pk}/" for pk in Target.objects.values_list("pk", flat=True)]
    urls += [f"/milestones/{pk}/" for pk in Milestone.objects.values_list("pk", flat=True)]
    urls += [f"/incentives/{slug}/" for slug in Incentive.objects.values_list("slug", flat=True)]
    urls += [f"/hubs/{slug}/" for slug in Hub.objects.values_list("slug", flat=True)]
    assert len(urls) > 60
    for url in urls:
        for prefix in ("", "/ur"):
            response = client.get(prefix + url)
            assert response.status_code == 200, prefix + url
            assert_self_contained(html(response))
    # The illustrative figures of the demonstration are marked.
    assert "illustrative" in html(client.get("/targets/"))


def test_the_as_of_form_keeps_the_filters(client: Client, world: World) -> None:
    text = html(client.get(f"/targets/?status=off_track&q=x&page=2&as_of={AS_OF}"))
    form = text.split('class="as-of-form"')[1].split("</form>")[0]
    assert '<input type="hidden" name="status" value="off_track">' in form
    assert '<input type="hidden" name="q" value="x">' in form
    assert 'name="page"' not in form
    assert f'value="{AS_OF}"' in form


def test_the_500_page_renders_without_a_request_context(rf: object) -> None:
    from core.views import server_error

    response = server_error(rf.get("/targets/"))  # type: ignore[attr-defined]
    assert response.status_code == 500
    text = html(response)
    assert "Something went wrong on our side" in text and "<h1>" in text
    assert_self_contained(text)
