"""Figures in either grouping (160,000 and the Urdu pages' 1,60,000) through the figures import and the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pillars.admin.fields import FigureField, FigureInput
from pillars.models import Measurement, Target
from tests.factories import EditorFactory, TargetFactory
from tests.pillars.test_admin import errors_of, form_data, url

pytestmark = pytest.mark.django_db

SOURCE = "https://www.pbs.gov.pk/ai-training"
HEADER = "target_code,date,value,source_url,note,illustrative,confirm"


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Any) -> Any:
    settings.IMPORT_STAGING_DIR = tmp_path / "imports"
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 2)):
        yield


@pytest.fixture
def editor() -> User:
    return EditorFactory()


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


def upload(client: Client, content: str) -> Any:
    url_ = reverse("admin:pillars_measurement_import")
    return client.post(url_, {"file": SimpleUploadedFile("figures.csv", content.encode("utf-8"))})


def test_the_import_reads_both_groupings_to_the_same_figures(editor_client: Client) -> None:
    TargetFactory(code="p2-trained", target_value=1_000_000)
    content = "\n".join(
        [
            HEADER,
            f'p2-trained,2025-03-01,"1,60,000",{SOURCE},,,',
            f'p2-trained,2025-06-01,"200,000",{SOURCE},,,',
            f"p2-trained,2025-09-01,۲۵۰۰۰۰,{SOURCE},,,",
        ]
    )
    dry_run = upload(editor_client, content + "\n")
    assert not dry_run.context["report"].problems
    editor_client.post(
        reverse("admin:pillars_measurement_import"), {"token": dry_run.context["token"], "confirm": "yes"}
    )
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [160_000, 200_000, 250_000]


def test_every_ambiguous_figure_is_reported_and_none_is_written(editor_client: Client) -> None:
    TargetFactory(code="p2-trained", target_value=1_000_000)
    content = "\n".join(
        [
            HEADER,
            f'p2-trained,2025-03-01,"1,60,000",{SOURCE},,,',
            f'p2-trained,2025-04-01,"1,5",{SOURCE},,,',
            f"p2-trained,2025-05-01,1.500,{SOURCE},,,",
        ]
    )
    report = upload(editor_client, content + "\n").context["report"]
    messages = {p.line: p.message for p in report.problems}
    assert set(messages) == {3, 4}
    assert "value “1,5” is not a number: a comma groups digits in threes" in messages[3]
    assert "value “1.500” could be 1.5 or 1500" in messages[4]
    assert not Measurement.objects.exists()


def test_the_admin_number_box_accepts_separators_and_says_what_it_read(editor_client: Client) -> None:
    target = TargetFactory()
    add_url = url(Measurement, "add")
    page = editor_client.get(add_url)
    text = page.content.decode()
    assert 'name="value"' in text and 'type="number" name="value"' not in text
    assert "1,60,000 are all read as 160000" in text
    data = form_data(page)
    data.update({"target": target.pk, "date": "2025-07-01", "value": "2,750", "source_url": SOURCE})
    response = editor_client.post(add_url, data)
    assert response.status_code == 302, errors_of(response)
    assert Measurement.objects.get().value == 2_750


def test_the_admin_refuses_an_ambiguous_figure_and_explains(editor_client: Client) -> None:
    target = TargetFactory()
    add_url = url(Measurement, "add")
    data = form_data(editor_client.get(add_url))
    data.update({"target": target.pk, "date": "2025-07-01", "value": "1,5", "source_url": SOURCE})
    response = editor_client.post(add_url, data)
    assert "“1,5” is not a number: a comma groups digits in threes" in errors_of(response)
    assert not Measurement.objects.exists()


def test_a_target_edited_in_lakhs_keeps_its_values(editor_client: Client) -> None:
    target = TargetFactory(target_value=200_000)
    change_url = url(Target, "change", target.pk)
    page = editor_client.get(change_url)
    assert 'value="200000"' in page.content.decode()  # not 200000.0
    data = form_data(page)
    data["target_value"] = "2,00,000"
    response = editor_client.post(change_url, data)
    assert response.status_code == 302, errors_of(response)
    target.refresh_from_db()
    assert target.target_value == 200_000


def test_the_box_shows_what_a_grouped_figure_reads_as() -> None:
    html = FigureInput().render("value", "1,60,000")
    assert "read as 160000" in html
    assert "read as" not in FigureInput().render("value", "160000")
    assert "read as" not in FigureInput().render("value", "1,5")
    assert FigureField().clean("۱٬۶۰٬۰۰۰") == 160_000
