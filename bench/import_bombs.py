#!/usr/bin/env python
"""The zip-bomb drill of the editors' imports: the peak memory of reading hostile and big legal uploads.

    .venv/bin/python bench/import_bombs.py                      # every file
    .venv/bin/python bench/import_bombs.py --only rows-nodim --mb 1 3

Each file is built in a temporary folder (streamed into the zip, so that a
part of gigabytes costs no memory to build), then read by
``pillars.imports.read_table`` exactly as the import page reads an upload
(with the settings' limits), in a fresh subprocess per file with Django set
up. The subprocess reports its peak RSS (``VmHWM`` of ``/proc/self/status``:
``ru_maxrss`` would be the parent's when that was larger, Linux keeps it across
``exec``), how much the read added to it (Django and openpyxl are imported before), the
seconds, and what the import said. It runs under an address-space limit
(``--cap-mb``, default 6,000) and a timeout, so that a bomb the code does not
stop cannot take the machine down: a run that hits either says so.

The files:

* the bombs of the review, about ``--mb`` MB zipped each (1 and 3 by default):
  ``rows-nodim`` (millions of identical rows, no ``<dimension>``), ``rows-dim``
  (the same with a true dimension), ``wide-row`` (one row of millions of
  cells), ``strings-many`` (millions of one-letter shared strings),
  ``string-huge`` (one shared string of hundreds of millions of characters),
  ``styles`` (a stylesheet of millions of number formats, which openpyxl reads
  as a tree);
* the same shapes made to slip under the zip checks (``evade-...``): about
  45 MB unpacked, with incompressible comments so that no part packs more than
  about 80 to one, plus ``evade-cells`` (600,001 cells in short rows),
  ``evade-runs`` (a row of rich-text runs) and ``members`` (100,000 zip entries);
* files the import must accept: ``legal-50k`` (50,000 figures, every column,
  distinct notes and addresses, inline strings), ``legal-50k-shared`` (the
  same with a shared-strings table, as Excel writes it), and the worst
  accepted: ``worst-shared`` (155,000 distinct shared strings, each with a
  character outside the BMP, so that Python stores them 4 bytes a character,
  up to the text limit; ``strings-astral``, 599,000 of them, is refused) and
  ``worst-inline`` (50,000 rows of 10 cells, half such text inline, up to the limit);
* CSV: ``csv-legal-50k``, ``csv-full`` (every column filled), ``csv-full-astral``
  and ``csv-worst`` (the same with 4-byte characters; ``csv-worst`` fills the
  10 MB), ``csv-long-line`` (10 MB on one line of commas),
  ``csv-wide-header`` (a header of a million names), ``csv-astral`` (10 MB in
  50,000 rows of 4-byte characters).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

HEADER = ["target_code", "date", "value", "source_url", "note", "illustrative", "confirm"]
#: Every column of a figures file: the widest rows an import keeps.
COLUMNS = [*HEADER, "reason", "withdraw", "withdrawal_reason"]
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
CONTENT_TYPES = (
    f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    f'{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'{XML}<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
STYLES_HEAD = f"{XML}<styleSheet {NS}>"
STYLES_TAIL = (
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    "</styleSheet>"
)
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
Parts = dict[str, Iterator[bytes]]


def _inline(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def _sheet(body: Iterator[bytes], dimension: str = "", header: list[str] = HEADER) -> Iterator[bytes]:
    yield f"{XML}<worksheet {NS}>{dimension}<sheetData>".encode()
    yield ("<row>" + "".join(_inline(h) for h in header) + "</row>").encode()
    yield from body
    yield b"</sheetData></worksheet>"


def _strings(body: Iterator[bytes]) -> Iterator[bytes]:
    yield f"{XML}<sst {NS}>".encode()
    yield from body
    yield b"</sst>"


def _zipped(unit: bytes, target: int) -> Iterator[bytes]:
    """`unit` repeated until the deflated stream is about `target` bytes (deflate stops near 1,030 to one)."""
    block = unit * max(1, (1 << 20) // len(unit))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    size = 0
    while size < target:
        size += len(compressor.compress(block)) + len(compressor.flush(zlib.Z_FULL_FLUSH))
        yield block


def _evading(unit: bytes, plain: int = 45 << 20, count: int | None = None) -> Iterator[bytes]:
    """`unit` repeated to about `plain` bytes (or `count` times), each MB followed by a comment of random hex."""
    rng = random.Random(1)
    per_block = max(1, (1 << 20) // len(unit))
    done = 0
    while (count is None and done * len(unit) < plain) or (count is not None and done < count):
        n = per_block if count is None else min(per_block, count - done)
        yield unit * n + b"<!--" + rng.randbytes(13 << 10).hex().encode() + b"-->"
        done += n


def _legal_texts(i: int) -> tuple[str, str]:
    return f"https://www.pbs.gov.pk/ai-training/report-{i}", f"Figure {i} from the quarterly report, page {i % 300}"


def _legal_rows(shared: bool) -> Iterator[bytes]:
    """50,000 figures in every column; shared: strings 0-49 the codes, 50 "no", then each line's address and note."""
    for i in range(50_000):
        url, note = _legal_texts(i)
        if shared:
            code, no = f'<c t="s"><v>{i % 50}</v></c>', '<c t="s"><v>50</v></c>'
            url, note = f'<c t="s"><v>{51 + 2 * i}</v></c>', f'<c t="s"><v>{52 + 2 * i}</v></c>'
        else:
            code, no, url, note = _inline(f"bulk-{i % 50}"), _inline("no"), _inline(url), _inline(note)
        numbers = f'<c t="n"><v>{36527 + i % 1000}</v></c><c t="n"><v>{(i + 1) * 10}</v></c>'
        yield f"<row>{code}{numbers}{url}{note}{no}{no}</row>".encode()


def _legal_strings() -> Iterator[bytes]:
    yield "".join(f"<si><t>bulk-{k}</t></si>" for k in range(50)).encode() + b"<si><t>no</t></si>"
    for i in range(50_000):
        url, note = _legal_texts(i)
        yield f"<si><t>{url}</t></si><si><t>{note}</t></si>".encode()


ASTRAL = "\U0001f600"  # one character outside the BMP: Python then stores the whole string 4 bytes a character


def _worst_strings(count: int) -> Iterator[bytes]:
    for i in range(count):
        yield f"<si><t>{ASTRAL}{i:019d}</t></si>".encode()


def _worst_inline() -> Iterator[bytes]:
    """50,000 rows of 10 cells, 5 numbers and 5 texts of 19 characters held 4 bytes each: at the text limit."""
    for i in range(50_000):
        texts = "".join(_inline(f"{ASTRAL}{i:09d}{k:09d}") for k in range(5))
        numbers = f'<c t="n"><v>{i}</v></c>' * 5
        yield f"<row>{texts}{numbers}</row>".encode()


ROW = b'<row><c t="n"><v>1</v></c></row>'
#: name -> (parts, given the zipped size aimed at; or None when the size is not the point)
FILES: dict[str, Callable[[int], Parts]] = {
    "rows-nodim": lambda n: {SHEET: _sheet(_zipped(ROW, n))},
    "rows-dim": lambda n: {SHEET: _sheet(_zipped(ROW, n), '<dimension ref="A1:G1048576"/>')},
    "wide-row": lambda n: {SHEET: _sheet(iter([b"<row>", *_zipped(b'<c t="n"><v>1</v></c>', n), b"</row>"]))},
    "strings-many": lambda n: {STRINGS: _strings(_zipped(b"<si><t>a</t></si>", n))},
    "string-huge": lambda n: {STRINGS: _strings(iter([b"<si><t>", *_zipped(b"a", n), b"</t></si>"]))},
    "styles": lambda n: {
        "xl/styles.xml": iter(
            [
                (STYLES_HEAD + "<numFmts>").encode(),
                *_zipped(b'<numFmt numFmtId="200" formatCode="0"/>', n),
                ("</numFmts>" + STYLES_TAIL).encode(),
            ]
        )
    },
    "evade-rows-nodim": lambda n: {SHEET: _sheet(_evading(b"<row/>"))},
    "evade-wide-row": lambda n: {SHEET: _sheet(iter([b"<row>", *_evading(b"<c/>"), b"</row>"]))},
    "evade-strings-many": lambda n: {STRINGS: _strings(_evading(b"<si><t>a</t></si>"))},
    "evade-string-huge": lambda n: {STRINGS: _strings(iter([b"<si><t>", *_evading(b"a"), b"</t></si>"]))},
    "evade-styles": lambda n: {
        "xl/styles.xml": iter(
            [
                (STYLES_HEAD + "<numFmts>").encode(),
                *_evading(b'<numFmt numFmtId="200" formatCode="0"/>'),
                ("</numFmts>" + STYLES_TAIL).encode(),
            ]
        )
    },
    "evade-cells": lambda n: {
        SHEET: _sheet(_evading(b'<row><c t="n"><v>1</v></c>' + b"<c/>" * 12 + b"</row>", count=50_001))
    },
    "evade-runs": lambda n: {
        SHEET: _sheet(iter([b'<row><c t="inlineStr"><is>', *_evading(b"<r><t>a</t></r>"), b"</is></c></row>"]))
    },
    "legal-50k": lambda n: {SHEET: _sheet(_legal_rows(shared=False), '<dimension ref="A1:G50001"/>')},
    "legal-50k-shared": lambda n: {
        SHEET: _sheet(_legal_rows(shared=True), '<dimension ref="A1:G50001"/>'),
        STRINGS: _strings(_legal_strings()),
    },
    "strings-astral": lambda n: {
        STRINGS: _strings(_worst_strings(599_000)),
        SHEET: _sheet(
            f'<row><c t="s"><v>{i}</v></c><c t="s"><v>{i + 50_000}</v></c></row>'.encode() for i in range(50_000)
        ),
    },
    "worst-shared": lambda n: {
        STRINGS: _strings(_worst_strings(155_000)),
        SHEET: _sheet(
            f'<row><c t="s"><v>{i}</v></c><c t="s"><v>{i + 50_000}</v></c><c t="s"><v>{i + 100_000}</v></c>'
            f'<c t="s"><v>{150_000 + i % 5_000}</v></c></row>'.encode()
            for i in range(50_000)
        ),
    },
    "worst-inline": lambda n: {SHEET: _sheet(_worst_inline(), header=COLUMNS)},
}
SIZED = {"rows-nodim", "rows-dim", "wide-row", "strings-many", "string-huge", "styles"}


def build_xlsx(kind: str, target: int, folder: Path) -> Path:
    parts = FILES[kind](target)
    path = folder / (f"{kind}-{target >> 20}mb.xlsx" if kind in SIZED else f"{kind}.xlsx")
    plain = {
        "[Content_Types].xml": CONTENT_TYPES.encode(),
        "_rels/.rels": RELS.encode(),
        "xl/workbook.xml": WORKBOOK.encode(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
        "xl/styles.xml": (STYLES_HEAD + STYLES_TAIL).encode(),
        STRINGS: b"".join(_strings(iter([]))),
        SHEET: b"".join(_sheet(iter([]), '<dimension ref="A1:G1"/>')),
    }
    with ZipFile(path, "w", ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in plain.items():
            if name in parts:
                with archive.open(name, "w", force_zip64=True) as member:
                    for chunk in parts[name]:
                        member.write(chunk)
            else:
                archive.writestr(name, data)
    return path


def build_members(folder: Path) -> Path:
    """A workbook plus 100,000 empty entries (under 10 MB): `zipfile` holds a ZipInfo for each it reads."""
    path = build_xlsx("legal-50k", 0, folder).with_name("members.xlsx")
    with ZipFile(path, "w", ZIP_DEFLATED) as archive:
        for name, data in {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS}.items():
            archive.writestr(name, data)
        for i in range(100_000):
            archive.writestr(f"x/{i}", b"")
    return path


def build_csv(kind: str, folder: Path) -> Path:
    path = folder / f"{kind}.csv"
    header = ",".join(HEADER) + "\n"
    if kind == "csv-legal-50k":
        body = "".join(
            f"bulk-{i % 50},2000-01-{i % 28 + 1:02d},{i * 10},https://www.pbs.gov.pk/r-{i},Figure {i} of the report,,\n"
            for i in range(50_000)
        )
    elif kind in ("csv-full", "csv-full-astral"):
        header = ",".join(COLUMNS) + "\n"
        letter = ASTRAL if kind == "csv-full-astral" else "x"
        body = "".join(f"{letter}{i:08d}{k}," * 9 + f"{letter}{i:08d}\n" for i in range(50_000) for k in [0])
    elif kind == "csv-worst":  # 10 MB: 50,000 rows of 10 fields of 16 characters held 4 bytes each
        header = ",".join(COLUMNS) + "\n"
        body = "".join((f"{ASTRAL}{i:015d}," * 10)[:-1] + "\n" for i in range(50_000))
    elif kind == "csv-long-line":
        body = "," * (10_000_000 - len(header))
    elif kind == "csv-wide-header":
        header, body = ",".join(f"c{i}" for i in range(1_000_000)) + "\n", ""
    else:  # csv-astral
        row = ("bulk-1,2000-01-01,1,," + ASTRAL * 48 + ",,\n").encode()
        body = (row * ((10_000_000 - len(header)) // len(row))).decode()
    path.write_text(header + body, encoding="utf-8")
    return path


CHILD = """
import json, os, resource, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policy_portal.settings.test")
django.setup()
import openpyxl  # noqa: F401  (imported before the baseline, as in a running worker)
from pillars.imports import FileProblem, ImportKind, read_table
path = sys.argv[1]
data = open(path, "rb").read()
def hwm():  # the process's peak RSS in KB (VmHWM: unlike ru_maxrss, not inherited from the parent)
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
before = hwm()
started = time.perf_counter()
try:
    table = read_table(name=os.path.basename(path), data=data, kind=ImportKind.MEASUREMENTS)
    said = f"read {len(table.rows)} rows"
except FileProblem as exc:
    said = "refused: " + str(exc)
peak = hwm()
print(json.dumps({"peak_mb": peak / 1024, "added_mb": (peak - before) / 1024,
                  "seconds": time.perf_counter() - started, "said": said}))
"""


def measure(path: Path, *, cap_mb: int, timeout: int) -> dict[str, object]:
    limit = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({cap_mb << 20}, {cap_mb << 20}))\n"
    try:
        done = subprocess.run(
            [sys.executable, "-c", limit + CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=Path(__file__).resolve().parent.parent,
        )
    except subprocess.TimeoutExpired:
        return {"said": f"still running after {timeout} s (killed)"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"said": f"failed (exit {done.returncode}): {tail[:160]}"}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


CSV = ["csv-legal-50k", "csv-full", "csv-full-astral", "csv-worst", "csv-long-line", "csv-wide-header", "csv-astral"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=[*FILES, "members", *CSV])
    parser.add_argument("--mb", nargs="*", type=int, default=[1, 3], help="zipped sizes of the review's bombs")
    parser.add_argument("--cap-mb", type=int, default=6_000)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.only:
            for mb in args.mb if kind in SIZED else [0]:
                if kind in CSV:
                    path, plain = build_csv(kind, Path(tmp)), 0
                else:
                    path = build_members(Path(tmp)) if kind == "members" else build_xlsx(kind, mb << 20, Path(tmp))
                    with ZipFile(path) as archive:
                        plain = sum(i.file_size for i in archive.infolist())
                result = measure(path, cap_mb=args.cap_mb, timeout=args.timeout)
                peak = f"{result['peak_mb']:.0f} MB" if "peak_mb" in result else "-"
                added = f"{result['added_mb']:.0f} MB" if "added_mb" in result else "-"
                seconds = f"{result['seconds']:.1f} s" if "seconds" in result else "-"
                print(
                    f"{path.name:22} {os.path.getsize(path) / 1_048_576:5.2f} MB, {plain / 1_048_576:5.0f} MB unzipped:"
                    f" peak {peak:>8}, added {added:>8}, {seconds:>7}; {str(result['said'])[:140]}",
                    flush=True,
                )
                path.unlink()


if __name__ == "__main__":
    main()
