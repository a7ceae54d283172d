"""Bulk import and export of figures and milestone updates through the admin: dry run, all or nothing, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pillars import imports as importers
from pillars.imports import ImportKind
from pillars.models import Measurement, Milestone, MilestoneEvidence, Target
from tests.factories import EditorFactory, MeasurementFactory, MilestoneFactory, TargetFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
HEADER = "target_code,date,value,source_url,note,illustrative,confirm"
SOURCE = "https://www.pbs.gov.pk/ai-training"


@pytest.fixture(autouse=True)
def _setup(settings: Any, tmp_path: Any) -> Any:
    settings.IMPORT_STAGING_DIR = tmp_path / "imports"
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


@pytest.fixture
def editor() -> User:
    return EditorFactory()


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def delay() -> Any:
    with mock.patch("indicators.tasks.recompute_items.delay") as delay:
        yield delay


@pytest.fixture
def targets() -> list[Target]:
    return [TargetFactory(code="p2-trained"), TargetFactory(code="p3-startups", target_value=1_000)]


def import_url(kind: str) -> str:
    return reverse(f"admin:pillars_{kind}_import")


def upload(client: Client, content: bytes | str, name: str = "figures.csv", kind: str = "measurement") -> Any:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(import_url(kind), {"file": SimpleUploadedFile(name, data)})


def confirm(client: Client, dry_run: Any, kind: str = "measurement") -> Any:
    return client.post(import_url(kind), {"token": dry_run.context["token"], "confirm": "yes"})


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


GOOD = csv_text(
    f"p2-trained,2025-03-01,20000,{SOURCE},,,",
    f"p2-trained,2025-06-01,45000,{SOURCE},,,",
    f"p3-startups,2025-06-01,120,{SOURCE},first count,,",
)
# The same, with the optional columns of revisions and withdrawals.
WITH_REASONS = (HEADER + ",reason,withdraw,withdrawal_reason\n") + (
    f"p2-trained,2025-03-01,20000,{SOURCE},,,,PBS revised its March count,,\n"
    f"p2-trained,2025-06-01,45000,{SOURCE},,,,,,\n"
    f"p3-startups,2025-06-01,120,{SOURCE},first count,,,,,\n"
)


# --- Dry run, confirmation, all or nothing -------------------------------------------------------------


def test_the_import_page_explains_the_columns_and_offers_templates(editor_client: Client) -> None:
    page = editor_client.get(import_url("measurement")).content.decode()

    assert 'id="import-form"' in page and 'id="id_import_file"' in page
    for column in HEADER.split(","):
        assert f"<code>{column}</code>" in page
    assert "50,000" in page


def test_a_dry_run_shows_what_would_change_and_writes_nothing(editor_client: Client, targets: Any) -> None:
    MeasurementFactory(target=targets[0], date=dt.date(2025, 3, 1), value=15_000, source_url=SOURCE)

    response = upload(editor_client, WITH_REASONS)

    report = response.context["report"]
    assert report.ok and report.dry_run and not report.written
    assert report.counts == {"add": 2, "change": 1, "withdraw": 0, "unchanged": 0}
    content = response.content.decode()
    assert "15,000 → 20,000" in content and 'id="import-confirm"' in content
    assert Measurement.objects.count() == 1
    assert Measurement.objects.get().value == 15_000


def test_confirming_writes_everything_with_history_and_one_recompute(
    editor_client: Client, editor: User, targets: Any, delay: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dry_run = upload(editor_client, GOOD)

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(editor_client, dry_run)

    assert response.status_code == 302
    assert Measurement.objects.count() == 3
    figure = Measurement.objects.get(target__code="p3-startups")
    assert (figure.value, figure.note, figure.entered_by) == (120, "first count", editor)
    record = figure.history.get()
    assert (record.history_user, record.history_change_reason) == (editor, "import figures.csv")
    delay.assert_called_once()
    assert sorted(delay.call_args.kwargs["target_ids"]) == sorted(t.pk for t in targets)


def test_one_bad_row_means_nothing_is_written_and_the_line_is_reported(editor_client: Client, targets: Any) -> None:
    content = csv_text(
        f"p2-trained,2025-03-01,20000,{SOURCE},,,",
        f"p2-trained,2024-12-01,1000,{SOURCE},,,",
        f"p3-startups,2025-06-01,120,{SOURCE},,,",
    )

    response = upload(editor_client, content)

    problems = [(p.line, p.message) for p in response.context["report"].problems]
    assert problems == [(3, "A figure cannot be dated before the target's baseline date (2025-01-01).")]
    assert response.context["token"] == ""
    assert 'id="import-problems"' in response.content.decode()
    assert not Measurement.objects.exists()


def test_every_bad_row_is_reported(editor_client: Client, targets: Any) -> None:
    content = csv_text(
        f"nope,2025-03-01,20000,{SOURCE},,,",
        f"p2-trained,01/03/2025,20000,{SOURCE},,,",
        f"p2-trained,2025-03-01,lots,{SOURCE},,,",
        "p2-trained,2025-04-01,100,,,,",
        f"p2-trained,2025-05-01,-5,{SOURCE},,,",
        "p2-trained,2025-06-01,7,not a url,,,",
        f"p2-trained,2025-07-01,8,{SOURCE},,maybe,",
    )

    report = upload(editor_client, content).context["report"]

    messages = {line: " ".join(p.message for p in report.problems if p.line == line) for line in range(2, 9)}
    assert messages[2] == "No target has the code “nope”."
    assert "is not a date written YYYY-MM-DD" in messages[3]
    assert "value “lots” is not a number" in messages[4]
    assert "source_url is empty" in messages[5]
    assert "cannot be negative" in messages[6]
    assert "is not a web address" in messages[7]
    assert "illustrative must be yes or no" in messages[8]
    assert not Measurement.objects.exists()


def test_duplicate_rows_are_refused(editor_client: Client, targets: Any) -> None:
    content = csv_text(f"p2-trained,2025-03-01,20000,{SOURCE},,,", f"p2-trained,2025-03-01,20000,{SOURCE},,,")

    report = upload(editor_client, content).context["report"]

    assert [(p.line, p.message) for p in report.problems] == [
        (3, "Line 2 already gives p2-trained on 2025-03-01; give each figure once.")
    ]


def test_an_unchanged_file_has_nothing_to_import(editor_client: Client, targets: Any) -> None:
    MeasurementFactory(target=targets[0], date=dt.date(2025, 3, 1), value=20_000, source_url=SOURCE, note="")

    response = upload(editor_client, csv_text(f"p2-trained,2025-03-01,20000,{SOURCE},,,"))

    assert response.context["report"].counts == {"add": 0, "change": 0, "withdraw": 0, "unchanged": 1}
    assert response.context["token"] == ""


def test_a_figure_out_of_line_needs_confirm_and_a_note(editor_client: Client, targets: Any) -> None:
    MeasurementFactory(target=targets[0], date=dt.date(2025, 3, 1), value=20_000)

    refused = upload(editor_client, csv_text(f"p2-trained,2025-04-01,10000,{SOURCE},,,")).context["report"]
    assert "goes back from the previous figure" in refused.problems[0].message
    assert "put yes in the confirm column" in refused.problems[0].message

    no_note = upload(editor_client, csv_text(f"p2-trained,2025-04-01,10000,{SOURCE},,,yes")).context["report"]
    assert "explain it in the note" in no_note.problems[0].message

    accepted = upload(editor_client, csv_text(f"p2-trained,2025-04-01,10000,{SOURCE},revised by PBS,,yes"))
    assert accepted.context["report"].ok


def test_rows_of_one_file_are_checked_against_each_other(editor_client: Client, targets: Any) -> None:
    report = upload(
        editor_client, csv_text(f"p2-trained,2025-03-01,20000,{SOURCE},,,", f"p2-trained,2025-04-01,5000,{SOURCE},,,")
    ).context["report"]

    assert [p.line for p in report.problems] == [3]


def test_a_confirmation_from_another_user_or_an_expired_token_is_refused(
    client: Client, editor_client: Client, targets: Any
) -> None:
    dry_run = upload(editor_client, GOOD)
    client.force_login(EditorFactory())

    response = client.post(import_url("measurement"), {"token": dry_run.context["token"], "confirm": "yes"})
    assert "has expired or is not yours" in response.content.decode()
    response = client.post(import_url("measurement"), {"token": "../../etc/passwd", "confirm": "yes"})
    assert "has expired or is not yours" in response.content.decode()
    assert not Measurement.objects.exists()


# --- Files: type, encoding, columns, formulas, size ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("figures.pdf", b"%PDF-1.4", "Upload a CSV (.csv) or Excel (.xlsx) file"),
        ("figures.xls", b"\xd0\xcf\x11\xe0", "Old .xls workbooks: save as .xlsx"),
        ("figures.xlsx", b"target_code,date\n", "is not an Excel workbook"),
        ("figures.csv", b"\x00\x01\x02binary", "This is not a CSV text file"),
        ("figures.csv", b"\n\n", "The file is empty"),
        ("figures.csv", b"target_code;date;valeur\n", "unknown columns: valeur; missing columns: value"),
        ("figures.csv", b"target_code,date,value,value\n", "repeated columns: value"),
        (
            "figures.csv",
            b"milestone_code,forecast_due_date,reason\n",
            "This looks like a milestones file: upload it on the milestones import page.",
        ),
        ("figures.csv", "\ufefftarget_code,date,value\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
    editor_client: Client, targets: Any, name: str, content: bytes, message: str
) -> None:
    response = upload(editor_client, content, name=name)

    assert message in response.context["report"].file_problem
    assert 'id="import-file-problem"' in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_windows_1252_file_is_refused_with_how_to_save_it_as_utf8(editor_client: Client, targets: Any) -> None:
    content = csv_text(f"p2-trained,2025-03-01,20000,{SOURCE},Café opening — 2025,,").encode("cp1252")

    problem = upload(editor_client, content).context["report"].file_problem

    assert "The file is not UTF-8 text (line 2 holds the byte 0xE9" in problem
    assert "CSV UTF-8 (Comma delimited)" in problem


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["no BOM", "BOM"])
def test_utf8_with_or_without_a_bom_and_urdu_text(
    editor_client: Client, targets: Any, bom: bytes, django_capture_on_commit_callbacks: Any
) -> None:
    note = "پنجاب میں تربیت یافتہ افراد"
    content = bom + csv_text(f"p2-trained,2025-03-01,۲۰۰۰۰,{SOURCE},{note},,").encode("utf-8")

    dry_run = upload(editor_client, content)
    assert dry_run.context["report"].ok, dry_run.context["report"].problems
    confirm(editor_client, dry_run)

    figure = Measurement.objects.get()
    assert (figure.value, figure.note) == (20_000, note)


def test_semicolons_and_thousands_separators_are_read(editor_client: Client, targets: Any) -> None:
    content = 'target_code;date;value;source_url\np2-trained;2025-03-01;"20,000";' + SOURCE + "\n"

    report = upload(editor_client, content).context["report"]

    assert report.ok and report.changes[0].description == "20,000"


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example")', "@SUM(1)", "+cmd|' /C calc'!A0"])
def test_formulas_in_cells_are_refused(editor_client: Client, targets: Any, cell: str) -> None:
    content = f'{HEADER}\np2-trained,2025-03-01,20000,{SOURCE},"{cell.replace(chr(34), chr(34) * 2)}",,\n'

    report = upload(editor_client, content).context["report"]

    assert "which spreadsheets run as a formula" in report.problems[0].message
    assert not Measurement.objects.exists()


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_file_is_imported_with_its_dates_and_numbers(editor_client: Client, targets: Any) -> None:
    content = _xlsx([HEADER.split(","), ["p2-trained", dt.datetime(2025, 3, 1), 20000, SOURCE, None, None, None]])

    dry_run = upload(editor_client, content, name="figures.xlsx")
    assert dry_run.context["report"].ok, dry_run.context["report"].problems
    confirm(editor_client, dry_run)

    assert Measurement.objects.get().date == dt.date(2025, 3, 1)


def test_a_formula_in_an_excel_cell_is_refused(editor_client: Client, targets: Any) -> None:
    content = _xlsx([HEADER.split(","), ["p2-trained", "2025-03-01", "=1000*20", SOURCE, None, None, None]])

    report = upload(editor_client, content, name="figures.xlsx").context["report"]

    assert "value holds a formula (=1000*20)" in report.problems[0].message


def test_the_size_and_row_limits_are_enforced(editor_client: Client, targets: Any, settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 2
    report = upload(editor_client, GOOD).context["report"]
    assert "The file has more than 2 rows; the most an import takes is 2. Split it." in report.file_problem

    settings.IMPORT_MAX_BYTES = 100
    report = upload(editor_client, GOOD).context["report"]
    assert "the most an import takes is 0 MB" in report.file_problem or "MB" in report.file_problem
    assert not Measurement.objects.exists()


@pytest.mark.slow
def test_fifty_thousand_rows_import_in_a_request(
    editor_client: Client, delay: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The limit is 50,000 rows: measured here, stated in docs/editors.md."""
    targets = [TargetFactory(code=f"bulk-{i}", baseline_date=dt.date(2000, 1, 1), target_value=1e9) for i in range(50)]
    start = dt.date(2000, 1, 2)
    lines = [HEADER] + [
        f"{t.code},{start + dt.timedelta(days=day)},{(day + 1) * 10},{SOURCE},,,"
        for t in targets
        for day in range(1_000)
    ]
    content = "\n".join(lines) + "\n"
    assert len(lines) - 1 == 50_000

    started = time.perf_counter()
    dry_run = upload(editor_client, content)
    checked = time.perf_counter() - started
    assert dry_run.context["report"].ok
    with django_capture_on_commit_callbacks(execute=True):
        confirm(editor_client, dry_run)
    total = time.perf_counter() - started

    assert Measurement.objects.count() == 50_000
    assert Measurement.history.count() == 50_000
    delay.assert_called_once()
    assert checked < 20 and total < 60, (checked, total)
    print(f"\n50,000 rows: dry run {checked:.1f} s, dry run + import {total:.1f} s")


def test_one_row_too_many_is_refused(editor_client: Client, targets: Any, settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 50_000
    content = HEADER + "\n" + f"p2-trained,2025-03-01,1,{SOURCE},,,\n" * 50_001

    report = upload(editor_client, content).context["report"]

    assert "more than 50,000 rows" in report.file_problem


# --- Workbooks: what they unpack to (zip bombs), stale dimensions; CSV lines and headers -------------------


def _rezip(content: bytes, replace: dict[str, Any], *, level: int = 6) -> bytes:
    """The workbook `content` with some parts replaced: bytes, or a function of the part's text."""
    import zipfile

    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as out:
        names = source.namelist()
        for name in [*names, *(n for n in replace if n not in names)]:
            data = source.read(name) if name in names else b""
            new = replace.get(name, data)
            data = new(data.decode()).encode() if callable(new) else new
            out.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=level)
    return output.getvalue()


def _with_shared_strings(content: bytes) -> bytes:
    """The workbook (openpyxl writes its text inline) as Excel writes it: text in a shared-strings table."""
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        strings.append(match.group(2))
        return f'<c r="{match.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    sheet = "xl/worksheets/sheet1.xml"
    xml = re.sub(r'<c r="(\w+)" t="inlineStr"><is><t>(.*?)</t></is></c>', shared, zipfile_part(content, sheet).decode())
    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in strings)
        + "</sst>"
    )
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return _rezip(
        content,
        {
            sheet: xml.encode(),
            "xl/sharedStrings.xml": table.encode(),
            "[Content_Types].xml": lambda types: types.replace(
                "</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/></Types>',
            ),
        },
    )


def _figure_rows(count: int) -> list[list[Any]]:
    return [HEADER.split(",")] + [
        [
            "p2-trained",
            dt.datetime(2025, 1, 2) + dt.timedelta(days=day),
            10 * (day + 1),
            SOURCE,
            f"note {day}",
            None,
            None,
        ]
        for day in range(count)
    ]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(editor_client: Client, targets: Any) -> None:
    """A workbook of 60 MB of identical rows zips to about 60 KB: refused on what it unpacks to, nothing written."""
    sheet = "xl/worksheets/sheet1.xml"
    body = b'<row><c t="n"><v>1</v></c></row>' * (60 * 1_048_576 // 32)
    bomb = _rezip(
        _xlsx(_figure_rows(1)), {sheet: lambda xml: xml.replace("</sheetData>", body.decode() + "</sheetData>")}
    )
    assert len(bomb) < 200_000

    response = upload(editor_client, bomb, name="figures.xlsx")

    problem = response.context["report"].file_problem
    assert "The workbook unpacks to 60 MB; the most an import takes is 50 MB." in problem
    assert 'id="import-file-problem"' in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_part_that_packs_too_much_into_each_byte_is_refused(editor_client: Client, targets: Any) -> None:
    sheet = "xl/worksheets/sheet1.xml"
    body = "<row/>" * 400_000  # 2.4 MB of one pattern: deflate packs it about 1,000 to one
    bomb = _rezip(_xlsx(_figure_rows(1)), {sheet: lambda xml: xml.replace("</sheetData>", body + "</sheetData>")})

    problem = upload(editor_client, bomb, name="figures.xlsx").context["report"].file_problem

    assert "of the workbook packs" in problem and "refused as a possible zip bomb" in problem
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [
        ("IMPORT_MAX_CELLS", 50, "The sheet has more than 50 cells; the most an import takes is 50"),
        ("IMPORT_MAX_ROWS", 3, "The file has more than 3 rows; the most an import takes is 3. Split it."),
        ("IMPORT_MAX_UNZIPPED_BYTES", 10_000, "The workbook unpacks to 0 MB; the most an import takes is 0 MB."),
    ],
)
def test_a_workbook_over_the_cell_row_or_unzipped_limits_is_refused(
    editor_client: Client, targets: Any, settings: Any, limit: str, value: int, message: str
) -> None:
    setattr(settings, limit, value)
    content = _xlsx(_figure_rows(10))  # 11 rows of 7 cells, 77 cells

    problem = upload(editor_client, content, name="figures.xlsx").context["report"].file_problem

    assert message in problem
    assert not Measurement.objects.exists()


def test_the_rows_and_cells_are_counted_before_openpyxl_reads_the_sheet(
    editor_client: Client, targets: Any, settings: Any
) -> None:
    """A sheet without a <dimension> is read whole by openpyxl to look for one: the counting comes first."""
    settings.IMPORT_MAX_ROWS = 3
    sheet = "xl/worksheets/sheet1.xml"
    no_dimension = _rezip(_xlsx(_figure_rows(1)), {sheet: lambda xml: re.sub(r"<dimension [^>]*>", "", xml)})
    many = _rezip(no_dimension, {sheet: lambda xml: xml.replace("</sheetData>", "<row/>" * 1_007 + "</sheetData>")})

    from openpyxl.worksheet._reader import WorkSheetParser

    real = WorkSheetParser.parse_row
    with mock.patch.object(WorkSheetParser, "parse_row", autospec=True, side_effect=real) as parse_row:
        problem = upload(editor_client, many, name="figures.xlsx").context["report"].file_problem

    assert "The file has more than 3 rows" in problem
    assert parse_row.call_count == 0, "openpyxl read the rows before the limit was checked"


def test_a_big_legal_workbook_is_imported(editor_client: Client, targets: Any, settings: Any) -> None:
    """The checks cost no honest file anything: 1,000 figures with notes, as Excel writes them (shared strings)."""
    content = _with_shared_strings(_xlsx(_figure_rows(1_000)))
    assert b"<si><t>note 999</t></si>" in zipfile_part(content, "xl/sharedStrings.xml")

    dry_run = upload(editor_client, content, name="figures.xlsx")

    report = dry_run.context["report"]
    assert report.ok, (report.file_problem, report.problems[:3])
    assert report.rows == 1_000
    confirm(editor_client, dry_run)
    assert Measurement.objects.count() == 1_000


@pytest.mark.parametrize("kind", ["measurement", "milestone"])
def test_a_workbook_whose_dimension_record_says_a1_is_read_whole(
    editor_client: Client, targets: Any, milestones: Any, kind: str
) -> None:
    """Some programs leave <dimension ref="A1"/> whatever the sheet holds; read-only openpyxl stopped there."""
    if kind == "measurement":
        rows = _figure_rows(3)
    else:
        rows = [
            MILESTONE_HEADER.split(","),
            ["naif-established", "", dt.datetime(2026, 9, 30), None, None, "Late", SOURCE],
        ]
    sheet = "xl/worksheets/sheet1.xml"
    stale = _rezip(
        _xlsx(rows), {sheet: lambda xml: re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1"/>', xml)}
    )
    assert b'<dimension ref="A1"/>' in zipfile_part(stale, sheet)

    report = upload(editor_client, stale, name="updates.xlsx", kind=kind).context["report"]

    assert report.ok, (report.file_problem, report.problems)
    assert report.rows == len(rows) - 1
    assert sum(report.counts.values()) == len(rows) - 1


def zipfile_part(content: bytes, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read(name)


def test_a_csv_line_longer_than_any_row_is_refused(editor_client: Client, targets: Any) -> None:
    content = HEADER + "\n" + f"p2-trained,2025-03-01,1,{SOURCE},,,\n" + "," * 200_000 + "\n"

    problem = upload(editor_client, content).context["report"].file_problem

    assert "Line 3 is longer than 100,000 characters" in problem
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("name", ["figures.csv", "figures.xlsx"])
def test_a_header_of_thousands_of_columns_is_refused_quickly_in_a_short_message(
    editor_client: Client, targets: Any, name: str
) -> None:
    names = [*HEADER.split(","), *(f"extra{i}" for i in range(9_000))]
    content = ",".join(names) + "\n" if name.endswith(".csv") else _xlsx([names])

    started = time.perf_counter()
    problem = upload(editor_client, content, name=name).context["report"].file_problem

    assert "unknown columns: extra0, extra1," in problem and "and 8,990 more" in problem
    assert len(problem) < 1_000
    assert time.perf_counter() - started < 10


# --- Milestone updates -------------------------------------------------------------------------------------


MILESTONE_HEADER = "milestone_code,title,forecast_due_date,completed_on,cancelled,reason,evidence_url"


@pytest.fixture
def milestones() -> list[Milestone]:
    return [
        MilestoneFactory(code="naif-established", baseline_due_date=dt.date(2026, 1, 31)),
        MilestoneFactory(code="ai-council", baseline_due_date=dt.date(2025, 10, 31)),
    ]


def test_milestone_updates_need_a_reason_and_evidence(editor_client: Client, milestones: Any) -> None:
    content = f"{MILESTONE_HEADER}\nnaif-established,National AI Fund,2026-09-30,,,,\n"

    report = upload(editor_client, content, name="updates.csv", kind="milestone").context["report"]

    assert [p.line for p in report.problems] == [2, 2]
    assert "Give a reason: the forecast moves later" in report.problems[0].message + report.problems[1].message


def test_milestone_updates_are_imported_with_their_evidence(
    editor_client: Client, editor: User, milestones: Any, delay: Any, django_capture_on_commit_callbacks: Any
) -> None:
    content = (
        f"{MILESTONE_HEADER}\n"
        "naif-established,National AI Fund,2026-09-30,,,Seed money not released,https://www.dawn.com/naif\n"
        "ai-council,AI Council,,2026-02-15,,Notified in the Gazette,https://www.gazette.gov.pk/ai-council\n"
    )

    dry_run = upload(editor_client, content, name="updates.csv", kind="milestone")
    assert "forecast 2026-01-31 → 2026-09-30 (+242 days)" in dry_run.content.decode()
    assert Milestone.objects.filter(forecast_due_date__isnull=False).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        confirm(editor_client, dry_run, kind="milestone")

    naif = Milestone.objects.get(code="naif-established")
    assert naif.forecast_due_date == dt.date(2026, 9, 30)
    assert naif.history.latest().history_change_reason == "import updates.csv: Seed money not released"
    assert naif.history.latest().history_user == editor
    assert MilestoneEvidence.objects.get(milestone=naif).source.url == "https://www.dawn.com/naif"
    assert Milestone.objects.get(code="ai-council").completed_on == dt.date(2026, 2, 15)
    delay.assert_called_once()


def test_a_milestone_completed_in_the_future_is_refused_in_an_import(editor_client: Client, milestones: Any) -> None:
    content = f"{MILESTONE_HEADER}\nai-council,,,2026-04-01,,Planned,https://x.example.org/a\nunknown,,,,,,\n"

    report = upload(editor_client, content, name="updates.csv", kind="milestone").context["report"]

    assert [(p.line, p.message) for p in report.problems] == [
        (2, "completed_on: A milestone cannot be completed in the future (today is 2026-03-02)."),
        (3, "No milestone has the code “unknown”."),
    ]


# --- Templates and exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["measurement", "milestone"])
def test_templates_have_the_import_columns(editor_client: Client, kind: str) -> None:
    columns = [c[0] for c in importers.COLUMNS[ImportKind(kind + "s")]]

    as_csv = editor_client.get(reverse(f"admin:pillars_{kind}_template") + "?format=csv")
    as_xlsx = editor_client.get(reverse(f"admin:pillars_{kind}_template") + "?format=xlsx")

    assert as_csv["Content-Disposition"] == f'attachment; filename="{kind}s-template.csv"'
    assert as_csv.content.decode("utf-8-sig").strip() == ",".join(columns)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())] == columns


def test_an_export_imports_back_unchanged(editor_client: Client, targets: Any) -> None:
    MeasurementFactory(target=targets[0], date=dt.date(2025, 3, 1), value=20_000, source_url=SOURCE, note="ok")

    exported = editor_client.get(reverse("admin:pillars_measurement_export") + "?format=csv").content
    report = upload(editor_client, exported).context["report"]

    assert report.ok and report.counts == {"add": 0, "change": 0, "withdraw": 0, "unchanged": 1}


def test_exports_neutralise_formulas(editor_client: Client, targets: Any) -> None:
    MeasurementFactory(target=targets[0], date=dt.date(2025, 3, 1), value=20_000, note='=HYPERLINK("http://evil")')

    as_csv = editor_client.get(reverse("admin:pillars_measurement_export") + "?format=csv")
    as_xlsx = editor_client.get(reverse("admin:pillars_measurement_export") + "?format=xlsx")

    (row,) = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert row["note"] == '\'=HYPERLINK("http://evil")'
    cell = load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0]["E2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    # ... and the neutralised note imports back as it was.
    assert upload(editor_client, as_csv.content).context["report"].counts["unchanged"] == 1


def test_export_selected_figures_from_the_changelist(editor_client: Client, targets: Any) -> None:
    keep = MeasurementFactory(target=targets[0], date=dt.date(2025, 3, 1))
    MeasurementFactory(target=targets[1], date=dt.date(2025, 3, 1))

    response = editor_client.post(
        reverse("admin:pillars_measurement_changelist"), {"action": "export_csv", "_selected_action": [keep.pk]}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows] == ["target_code", "p2-trained"]


def test_the_changelists_link_to_import_and_export(editor_client: Client) -> None:
    page = editor_client.get(reverse("admin:pillars_milestone_changelist")).content.decode()

    assert re.search(r'id="import-link" href="/admin/pillars/milestone/import/"', page)
    assert 'id="export-xlsx-link"' in page
