"""English and Urdu: every page in both, right-to-left Urdu with a local Nastaliq font, a complete catalogue.

English is unprefixed and Urdu lives under /ur/ (i18n_patterns with
prefix_default_language=False); every page links to its other-language twin,
keeping the query string. The Urdu catalogue is committed compiled, so a fresh
clone shows Urdu without running compilemessages.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from core.templatetags.portal import day, num
from tests.factories import MeasurementFactory, TargetFactory
from tests.pillars.test_views import AS_OF, build_world, html, page_urls

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
PO = BASE_DIR / "locale" / "ur" / "LC_MESSAGES" / "django.po"
MO = BASE_DIR / "locale" / "ur" / "LC_MESSAGES" / "django.mo"
# Where the public interface's strings live (the admin, the importers and the services speak to editors, in English).
PUBLIC = re.compile(
    r"^(templates/(?!admin/)|\w+/templatetags/|\w+/views\.py|core/pages\.py|core/asof\.py"
    r"|\w+/choices\.py|\w+/filtersets\.py)"
)


def _unquote(lines: list[str]) -> str:
    return "".join(eval(line) for line in lines)  # PO strings are C-escaped, double-quoted Python literals


def catalogue() -> list[dict[str, object]]:
    """The entries of the Urdu .po file: references, flags, msgid(_plural) and msgstr(s)."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n")[1:]:
        entry: dict[str, object] = {"refs": [], "flags": "", "msgstr": []}
        key = None
        parts: dict[str, list[str]] = {}
        for line in block.splitlines():
            if line.startswith("#: "):
                entry["refs"] += [ref.rsplit(":", 1)[0] for ref in line[3:].split()]  # type: ignore[operator]
            elif line.startswith("#, "):
                entry["flags"] = line[3:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[key].append(line)  # type: ignore[index]
            else:
                key, _, rest = line.partition(" ")
                parts[key] = [rest]
        if "msgid" not in parts:
            continue
        entry["msgid"] = _unquote(parts["msgid"])
        entry["plural"] = "msgid_plural" in parts
        entry["msgstr"] = [_unquote(v) for k, v in sorted(parts.items()) if k.startswith("msgstr")]
        entries.append(entry)
    return entries


# --- The catalogue ------------------------------------------------------------------------------------


def test_every_interface_string_has_an_urdu_translation() -> None:
    missing = []
    for entry in catalogue():
        refs: list[str] = entry["refs"]  # type: ignore[assignment]
        if not any(PUBLIC.match(ref) for ref in refs):
            continue
        strings: list[str] = entry["msgstr"]  # type: ignore[assignment]
        if "fuzzy" in str(entry["flags"]) or not strings or not all(strings):
            missing.append(entry["msgid"])
    assert not missing, f"{len(missing)} interface strings have no Urdu translation: {missing[:10]}"


def test_the_translations_are_urdu_and_keep_their_placeholders() -> None:
    urdu = re.compile(r"[\u0600-\u06ff]")
    for entry in catalogue():
        strings: list[str] = entry["msgstr"]  # type: ignore[assignment]
        if not strings or not all(strings):
            continue
        msgid = str(entry["msgid"])
        for text in strings:
            assert set(re.findall(r"%\(\w+\)s", text)) == set(re.findall(r"%\(\w+\)s", msgid)) or entry["plural"], msgid
            words = re.sub(r"%\(\w+\)s|<[^>]+>|SPI|API|JSON|CSV|Natural Earth|Noto\S*|SIL.*", "", msgid)
            if re.search(r"[A-Za-z]{4,}", words):
                assert urdu.search(text), f"not Urdu: {msgid!r} -> {text!r}"


def test_every_translate_tag_of_the_templates_is_in_the_catalogue() -> None:
    known = {str(e["msgid"]) for e in catalogue() if all(e["msgstr"])}  # type: ignore[arg-type]
    literal = re.compile(r"""\{% translate (["'])(.+?)\1(?: as \w+)? %\}""")
    missing = []
    for template in (BASE_DIR / "templates").rglob("*.html"):
        if "admin" in template.relative_to(BASE_DIR / "templates").parts:
            continue
        for _quote, text in literal.findall(template.read_text(encoding="utf-8")):
            # The translate tag doubles percent signs before looking a literal up, as makemessages does.
            if text.replace("%", "%%") not in known:
                missing.append((template.name, text))
    assert not missing, missing


def test_the_compiled_catalogue_is_committed_and_matches_the_po_file() -> None:
    assert MO.exists(), "run: python manage.py compilemessages -l ur -i .venv (and commit the .mo)"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue():
        strings: list[str] = entry["msgstr"]  # type: ignore[assignment]
        if not strings or not all(strings) or "fuzzy" in str(entry["flags"]):
            continue
        msgid = str(entry["msgid"])
        if entry["plural"]:
            assert compiled.ngettext(msgid, msgid + "s", 1) == strings[0], msgid
        else:
            assert compiled.gettext(msgid) == strings[0], f"stale .mo for {msgid!r}: recompile"


# --- The pages -----------------------------------------------------------------------------------------


def test_every_page_has_an_urdu_twin_right_to_left_with_urdu_interface(client: Client) -> None:
    world = build_world(2)
    for name, url in page_urls(world).items():
        text = html(client.get("/ur" + url))
        assert '<html lang="ur" dir="rtl">' in text, name
        assert "ڈیش بورڈ" in text and "طریقۂ کار" in text, name  # the navigation, in Urdu
        assert "Skip to main content" not in text and "مرکزی مواد پر جائیں" in text, name
        assert "noto-nastaliq-urdu-arabic-400-normal.woff2" in text, name  # the local font is preloaded
        english = html(client.get(url))
        assert "noto-nastaliq-urdu" not in english, name  # English pages do not fetch it


def test_every_page_links_to_its_twin_in_the_other_language_keeping_the_query(client: Client) -> None:
    build_world(2)
    text = html(client.get(f"/targets/?as_of={AS_OF}&status=off_track"))
    switch = text.split('id="language-switch"')[1].split("</nav>")[0]
    assert f'href="/ur/targets/?as_of={AS_OF}&amp;status=off_track"' in switch
    assert 'hreflang="ur"' in switch and 'lang="ur"' in switch
    text = html(client.get(f"/ur/targets/?as_of={AS_OF}"))
    switch = text.split('id="language-switch"')[1].split("</nav>")[0]
    assert f'href="/targets/?as_of={AS_OF}"' in switch
    assert re.search(r'<a [^>]*aria-current="true"[^>]*data-testid="lang-ur"', switch)
    # Error pages too.
    text = html(client.get("/ur/targets/987654/"))
    assert 'href="/targets/987654/"' in text


def test_the_language_form_of_django_switches_too(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ur", "next": "/targets/"})
    assert response.status_code == 302
    assert response["Location"] == "/ur/targets/"


def test_dates_and_numbers_follow_the_language(client: Client) -> None:
    target = TargetFactory(target_value=2_000_000.0)
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=1_250_000.0)
    english = html(client.get(f"/targets/{target.pk}/?as_of={AS_OF}"))
    urdu = html(client.get(f"/ur/targets/{target.pk}/?as_of={AS_OF}"))
    assert "1 Jul 2025" in english and "1,250,000" in english
    assert "1 جولائی 2025" in urdu and "12,50,000" in urdu
    with translation.override("ur"):
        assert day(dt.date(2026, 12, 26)) == "26 دسمبر 2026"
        assert num(1_000_000) == "10,00,000"
    with translation.override("en"):
        assert day(dt.date(2026, 12, 26)) == "26 Dec 2026"
        assert num(1_000_000) == "1,000,000"


def test_status_badges_are_translated_and_keep_their_shape(client: Client) -> None:
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000.0)
    text = html(client.get(f"/ur/targets/{target.pk}/?as_of={AS_OF}"))
    badge = (
        '<span class="badge status-off_track" data-status="off_track"><span class="icon" aria-hidden="true">▼</span>'
    )
    assert badge + " راستے سے ہٹا ہوا</span>" in text


def test_urdu_error_pages(client: Client) -> None:
    response = client.get("/ur/?as_of=tomorrow")
    assert response.status_code == 400
    assert "پتے میں کچھ درست نہیں" in html(response)
    response = client.get("/ur/no-such-page/")
    assert response.status_code == 404
    assert "یہ صفحہ موجود نہیں" in html(response)


def test_english_data_on_urdu_pages_is_marked_as_english(client: Client) -> None:
    target = TargetFactory(title="People trained in AI")
    text = html(client.get(f"/ur/targets/{target.pk}/"))
    assert '<h1 lang="en" dir="ltr">People trained in AI</h1>' in text  # WCAG 3.1.2, language of parts
    english = html(client.get(f"/targets/{target.pk}/"))
    assert "<h1>People trained in AI</h1>" in english
    assert 'lang="en"' not in english.split("<main", 1)[1]


def test_filter_choices_are_in_the_readers_language(client: Client) -> None:
    build_world(2)
    text = html(client.get("/ur/targets/?ordering=-slip_days"))
    assert '<option value="-slip_days" selected>تاخیر، الٹی ترتیب</option>' in text
    assert "شہر 0" in text.split('class="filter filter-hub"')[1].split("</fieldset>")[0]  # hubs by their Urdu names
    assert '<option value="true">صرف پرانے</option>' in text
