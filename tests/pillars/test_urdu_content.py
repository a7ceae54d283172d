"""The records' texts in Urdu: the bundled translation (data/policy.ur.yaml), the pages and the API's `lang`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from pillars.loading import PolicyDataError, policy_load
from pillars.models import Milestone, Pillar, Target
from tests.factories import TargetFactory

pytestmark = pytest.mark.django_db
DATA = Path(settings.BASE_DIR) / "data"


@pytest.fixture
def loaded() -> None:
    policy_load(path=DATA / "policy.yaml", illustrative_path=DATA / "illustrative-progress.yaml")


def html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return response.content.decode()


def test_the_loader_writes_both_languages(loaded: None) -> None:
    pillar = Pillar.objects.get(number=2)
    assert pillar.name_en == "Awareness and Readiness" and pillar.name_ur == "آگاہی اور تیاری"
    target = Target.objects.get(code="p2-trained-per-year")
    assert (target.unit_en, target.unit_ur) == ("people", "افراد")
    naif = Milestone.objects.get(code="naif-set-up")
    assert naif.title_ur.startswith("اگنائٹ کے اندر قومی اے آئی فنڈ")
    assert naif.evidence.get(summary_en__startswith="TechJuice").summary_ur.startswith("ٹیک جوس")
    assert target.measurements.filter(illustrative=True, note_ur__startswith="مثالی:").exists()


def test_an_urdu_text_for_no_record_is_an_error(tmp_path: Path) -> None:
    urdu = tmp_path / "policy.ur.yaml"
    urdu.write_text("targets:\n  no-such-target: {title: کچھ}\n", encoding="utf-8")
    with pytest.raises(PolicyDataError, match="no-such-target"):
        policy_load(path=DATA / "policy.yaml", urdu_path=urdu)


def test_urdu_pages_show_the_urdu_texts_unmarked(client: Client, loaded: None) -> None:
    text = html(client.get("/ur/pillars/"))
    assert "آگاہی اور تیاری" in text and "Awareness and Readiness" not in text.split("<main", 1)[1]
    assert 'data-testid="translation-note"' in text
    naif = Milestone.objects.get(code="naif-set-up")
    page = html(client.get(f"/ur/milestones/{naif.pk}/"))
    assert "<h1>اگنائٹ کے اندر قومی اے آئی فنڈ (NAIF) کا قیام</h1>" in page
    english = html(client.get(f"/milestones/{naif.pk}/"))
    assert "<h1>National AI Fund (NAIF) set up within Ignite</h1>" in english
    assert 'data-testid="translation-note"' not in english


def test_an_untranslated_text_is_marked_english(client: Client) -> None:
    target = TargetFactory(title="People trained in AI", unit="people")
    text = html(client.get(f"/ur/targets/{target.pk}/"))
    assert '<h1 lang="en" dir="ltr">People trained in AI</h1>' in text
    target.title_ur = "مصنوعی ذہانت میں تربیت یافتہ افراد"
    target.save()
    assert "<h1>مصنوعی ذہانت میں تربیت یافتہ افراد</h1>" in html(client.get(f"/ur/targets/{target.pk}/"))


def test_the_api_serves_urdu_on_request(client: Client, loaded: None) -> None:
    target = Target.objects.get(code="p2-trained-per-year")
    url = f"/api/v1/targets/{target.pk}/"
    english = client.get(url).json()
    assert english["unit"] == "people"
    urdu = client.get(url, {"lang": "ur"})
    assert urdu.json()["unit"] == "افراد" and urdu.json()["title"].startswith("ہر سال")
    assert urdu["ETag"] != client.get(url)["ETag"]
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="ur").json()["unit"] == "افراد"
    assert client.get(url, {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="ur").json()["unit"] == "people"
    bad = client.get(url, {"lang": "fr"})
    assert bad.status_code == 400 and "lang" in bad.json()
