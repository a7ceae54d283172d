"""`core.search`: one folding for the words typed and the text searched, in Python and in the database."""

from __future__ import annotations

import pytest

from core.search import folded, matching, normalise, stem, terms
from hubs.models import Hub
from tests.factories import HubFactory


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("startups", "startup"),
        ("startup", "startup"),
        ("policies", "polic"),
        ("policy", "polic"),
        ("classes", "class"),
        ("boxes", "box"),
        ("approaches", "approach"),
        ("centres", "centre"),
        ("status", "status"),
        ("access", "access"),
        ("analysis", "analysis"),
        ("days", "day"),  # a vowel before the y: "day" and "days" share "day"
        ("ai", "ai"),
        ("gas", "gas"),  # too short to fold
    ],
)
def test_a_plural_and_its_singular_share_a_key(word: str, key: str) -> None:
    assert stem(word) == key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("كراچي", "کراچی"),  # Arabic kaf and yeh, as an Arabic keyboard types them
        ("پشاوري", "پشاوری"),
        ("مظفرآباد", "مظفراباد"),  # alef madda and a plain alef
        ("مسئلہ", "مسیلہ"),  # yeh with hamza
        ("تربيت", "تربیت"),
        ("مدرسة", "مدرسہ"),  # teh marbuta and heh goal
        ("مدرسه", "مدرسہ"),  # Arabic heh and heh goal
        ("پڑھائی", "پڑہایی"),  # heh doachashmee is folded with heh
        ("تَرْبِيَت", "تربیت"),  # diacritics
        ("تربـــیت", "تربیت"),  # tatweel
        ("ڈیٹا\u200c", "ڈیٹا"),  # zero-width non-joiner
        ("۲۰۰۰۰۰", "200000"),
        ("٢٠٠٬٠٠٠", "200000"),
        ("2,00,000", "200000"),
        ("200,000", "200000"),
        ("AI Startups", "ai startups"),
    ],
)
def test_spelling_variants_fold_to_one_form(typed: str, stored: str) -> None:
    assert normalise(typed) == normalise(stored)


def test_the_words_of_a_query() -> None:
    assert terms("Startups, 200,000!") == [("startup",), ("200000",)]
    assert terms("“policies” policy") == [("polic",)]
    assert terms("تربیت") == [("تربیت", "train")]
    assert terms("فنڈ") == [("فنڈ", "fund")]
    assert terms("وظائف") == [("وظایف", "scholarship")]
    assert terms("، ۔ ?") == []
    assert matching("، ۔") is None


SAMPLES = [
    "Startups and POLICIES",
    "200,000 trained; 2,00,000 in lakhs",
    "كراچي ، مظفرآباد",
    "تَرْبِيَت یافتہ ۲۰۰۰۰۰ ھ ة ۂ ؤ أ ئ ۓ ء",
    "ڈیٹا\u200c مرکز",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", SAMPLES)
def test_the_database_folds_text_as_python_folds_words(text: str) -> None:
    # Whatever the database (SQLite locally, PostgreSQL in CI), its folding is `normalise`.
    hub = HubFactory(name=text, province="X")
    row = Hub.objects.filter(pk=hub.pk).annotate(searched=folded("name")).values_list("searched", flat=True).get()
    assert row == normalise(text)
    joined = Hub.objects.annotate(searched=folded("name", "province")).values_list("searched", flat=True).get()
    assert joined == normalise(f"{text} X")
    assert Hub.objects.annotate(searched=folded("name")).filter(matching(text, "searched")).exists()
