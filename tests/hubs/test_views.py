"""The hubs pages: the map of Pakistan with the hubs as links, its text alternative, and a page per hub."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hubs.choices import HubStatus, HubTier
from hubs.views import outline
from tests.factories import HubFactory
from tests.pillars.test_views import AS_OF, World, assert_self_contained, build_world, html, query_count

pytestmark = pytest.mark.django_db


def listed(text: str) -> list[str]:
    return re.findall(r'<li data-hub="([^"]+)"', text)


def marked(text: str) -> list[str]:
    return re.findall(r'data-testid="hub-marker" data-hub="([^"]+)"', text)


def test_the_outline_is_a_projected_path_of_natural_earth_data() -> None:
    shape = outline()
    assert shape.path.startswith("M") and shape.path.endswith("Z")
    assert shape.width > 500 and shape.height > 400
    # The cities of the bundled data all fall on the canvas, north up, east right.
    cities = {"gilgit": (74.31, 35.92), "karachi": (67.00, 24.86), "lahore": (74.36, 31.52), "quetta": (66.98, 30.18)}
    points = {name: shape.projection(lon, lat) for name, (lon, lat) in cities.items()}
    for x, y in points.values():
        assert 0 < x < shape.width and 0 < y < shape.height
    assert points["gilgit"][1] < points["karachi"][1]
    assert points["lahore"][0] > points["quetta"][0]


def test_hub_list_draws_the_map_with_every_hub_as_a_link_and_lists_them(client: Client) -> None:
    world = build_world(2)
    text = html(client.get(f"/hubs/?as_of={AS_OF}"))
    assert 'data-testid="hub-map-svg"' in text and 'class="country"' in text
    slugs = sorted(h.slug for h in world.hubs)
    assert sorted(marked(text)) == slugs
    assert sorted(listed(text)) == slugs  # the text alternative
    for hub in world.hubs:
        assert f'href="/hubs/{hub.slug}/?as_of={AS_OF}"' in text
    assert "Natural Earth" in text
    assert_self_contained(text)


def test_hub_shapes_carry_the_tier_not_only_colour(client: Client) -> None:
    HubFactory(slug="big", tier=HubTier.PRIMARY)
    HubFactory(slug="small", tier=HubTier.AUXILIARY)
    text = html(client.get("/hubs/"))
    big = text.split('data-hub="big"')[1].split("</a>")[0]
    small = text.split('data-hub="small"')[1].split("</a>")[0]
    assert "<rect" in big and "<circle" in small
    assert "(square)" in text and "(circle)" in text


def test_hub_filters_change_the_map_and_the_list(client: Client) -> None:
    HubFactory(slug="lahore", tier=HubTier.PRIMARY, province="Punjab", status=HubStatus.PLANNED)
    HubFactory(slug="quetta", tier=HubTier.AUXILIARY, province="Balochistan", status=HubStatus.LAUNCHED)
    assert listed(html(client.get("/hubs/?tier=primary"))) == ["lahore"]
    assert marked(html(client.get("/hubs/?tier=primary"))) == ["lahore"]
    assert listed(html(client.get("/hubs/?status=launched"))) == ["quetta"]
    assert listed(html(client.get("/hubs/?province=balochistan"))) == ["quetta"]
    assert client.get("/hubs/?tier=capital").status_code == 400


def test_hub_page_shows_its_roll_up_and_only_its_commitments(client: Client) -> None:
    world = build_world(2)
    hub = world.hubs[1]  # only the second target, milestone and incentive are placed there
    text = html(client.get(f"/hubs/{hub.slug}/?as_of={AS_OF}"))
    assert 'data-testid="rollup"' in text
    assert world.targets[1].title in text and world.targets[0].title not in text
    assert world.milestones[1].title in text and world.milestones[0].title not in text
    assert world.incentives[1].name in text and world.incentives[0].name not in text
    assert marked(text) == [hub.slug]
    everything = html(client.get(f"/hubs/{world.hubs[0].slug}/?as_of={AS_OF}"))
    assert all(t.title in everything for t in world.targets)


def test_hub_names_are_in_urdu_on_urdu_pages(client: Client) -> None:
    HubFactory(slug="lahore", name="Lahore", name_ur="لاہور")
    text = html(client.get("/ur/hubs/"))
    assert "لاہور" in text and 'dir="rtl"' in text
    assert 'href="/ur/hubs/lahore/"' in text
    assert "لاہور" in html(client.get("/ur/hubs/lahore/"))


def test_unknown_hub_is_a_friendly_404(client: Client) -> None:
    for path in ("/hubs/atlantis/", "/ur/hubs/atlantis/"):
        response = client.get(path)
        assert response.status_code == 404
        assert 'data-testid="error-title"' in html(response)


def test_hub_pages_run_the_same_queries_for_2_and_8_items(client: Client) -> None:
    world: World = build_world(2)
    urls = [f"/hubs/?as_of={AS_OF}", f"/hubs/{world.hubs[0].slug}/?as_of={AS_OF}", f"/hubs/{world.hubs[0].slug}/"]
    small = [query_count(client, url) for url in urls]
    world.add(6)
    assert [query_count(client, url) for url in urls] == small
