"""Opening an uploaded workbook with openpyxl within limits: zip bombs and what openpyxl holds whole.

An .xlsx file is a zip of XML parts, and its size says little about what
reading it costs: deflate packs about 1,000 bytes into one, and openpyxl, even
in read-only mode, holds some things whole before its caller can count
anything: the shared-strings table (a list, at load), every row element of a
sheet that has no ``<dimension>`` (the first pass that looks for one), the whole
of a row (a row of millions of cells), and every other part it reads (styles,
the workbook, relationships) as a tree. A 1 MB upload took a worker to 1.2 GB.

So `open_workbook` checks the package with `zipfile` before openpyxl opens it:

* at most `MAX_MEMBERS` members (counted before `zipfile` reads its directory);
* its parts together, uncompressed as the directory declares them, within
  `WorkbookLimits.unzipped_bytes` (`zipfile` never inflates a member beyond its
  declared size: it fails the CRC check instead);
* no part over 1 MB packing more than `MAX_RATIO` bytes into one;

and then gives openpyxl an archive that checks every part as openpyxl reads
it, whatever the part is named (openpyxl follows the workbook's relationships):

* a part read whole (as a tree, or as bytes) is at most `MAX_TREE_PART_BYTES`
  and `MAX_HELD_ELEMENTS` elements;
* a part read as a stream (the sheets, the shared strings) goes through a
  streaming expat pass, in step with openpyxl and before openpyxl sees each
  piece, that refuses more rows or cells than the limits, a row of more cells
  than Excel allows, a row or string over `MAX_ITEM_BYTES` or
  `MAX_ITEM_ELEMENTS`, more than `MAX_HELD_ELEMENTS` elements outside rows and
  strings, one tag or text over `MAX_TOKEN_BYTES`, more text than
  `WorkbookLimits.text_bytes` (counted as Python will hold it: 1, 2 or 4 bytes
  a character, plus `STRING_BYTES` a string), and a document type
  declaration (Excel never writes one).

What passes keeps a worker's peak memory under 200 MB (the drill and its figures:
``bench/import_bombs.py``). A refusal is a `WorkbookRefused`, whose message
says which limit and what to do.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any, Literal
from xml.parsers import expat

from django.utils.translation import gettext as _

#: Members of a package: a workbook has a dozen or two.
MAX_MEMBERS = 1_000
#: A part over `RATIO_GRACE_BYTES` may pack at most this many bytes into one (deflate's own limit is about 1,030).
MAX_RATIO = 100
RATIO_GRACE_BYTES = 1 << 20
#: Parts openpyxl reads whole: styles, the workbook, relationships, properties, chart sheets.
MAX_TREE_PART_BYTES = 2 << 20
#: Excel's own limit on the columns of a sheet.
MAX_ROW_CELLS = 16_384
#: One row (or one shared string) is held whole while it is read.
MAX_ITEM_BYTES = 4 << 20
MAX_ITEM_ELEMENTS = 100_000
#: Elements openpyxl keeps until the end of a part: those outside rows and strings (all of them in a tree).
MAX_HELD_ELEMENTS = 100_000
#: The longest tag or text between two ">": Excel's longest cell (32,767 characters) takes under 200 KB.
MAX_TOKEN_BYTES = 1 << 20
#: What a string held costs besides its characters (Python's header: 49 to 76 bytes), charged for the text
#: of every <t> (shared and inline strings) and of a <v> that stays text (t="str" or "e"); and what openpyxl
#: keeps for each shared string besides (its emptied element and the list's slot). Measured: a shared string
#: of 20 characters stored 4 bytes each costs about 240 bytes.
STRING_BYTES = 80
SHARED_STRING_BYTES = 80
_TEXT_CELLS = frozenset({"str", "e"})
_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class WorkbookLimits:
    """How much an uploaded workbook may hold."""

    rows: int  # data rows; a sheet may hold twice as many row records (blank ones), plus 1,000
    cells: int  # cells of a sheet; strings of the shared-strings table
    unzipped_bytes: int  # its parts together, uncompressed
    #: The text it may hold once read, as Python holds it (the rows' own structure comes on top: about
    #: 45 MB for 50,000 rows of 10 cells of text; with both, a worker stays well under 200 MB).
    text_bytes: int = 40 << 20

    @property
    def row_records(self) -> int:
        return 2 * self.rows + 1_000


class WorkbookRefused(Exception):
    """The workbook exceeds a limit; the message says which and what to do.

    Not a ValueError: openpyxl rewraps those raised while it loads a workbook.
    """


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.0f}"


def open_workbook(data: bytes, limits: WorkbookLimits) -> Any:
    """openpyxl's read-only workbook of `data` (formulas kept), read within `limits`, or `WorkbookRefused`.

    openpyxl's own errors (a damaged or foreign file) pass through: `zipfile.BadZipFile`,
    `KeyError`, `ValueError`, `OSError`. The checks go on while the sheets are read.
    """
    from openpyxl.reader.excel import ExcelReader

    check_package(data, limits)
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=False)
    reader.archive.close()
    reader.archive = _CheckedZip(io.BytesIO(data), limits)
    reader.read()
    return reader.wb


def check_package(data: bytes, limits: WorkbookLimits) -> None:
    """The checks of the zip directory: members, uncompressed size, compression ratio."""
    # `ZipFile` reads the whole central directory: count its entries before it does.
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise WorkbookRefused(_too_many_members())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip that opens: openpyxl says so, as for any damaged workbook
    with archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(_too_many_members())
    total = sum(m.file_size for m in members)
    if total > limits.unzipped_bytes:
        raise WorkbookRefused(
            _(
                "The workbook unpacks to %(size)s MB; the most an import takes is %(max)s MB. "
                "Split it into smaller files, or save it as CSV."
            )
            % {"size": _mb(total), "max": _mb(limits.unzipped_bytes)}
        )
    for member in members:
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > RATIO_GRACE_BYTES and ratio > MAX_RATIO:
            raise WorkbookRefused(
                _(
                    "The part “%(part)s” of the workbook packs %(ratio)s bytes into one, far more than a "
                    "spreadsheet does (at most %(max)s): it is refused as a possible zip bomb."
                )
                % {"part": member.filename[:80], "ratio": f"{ratio:,}", "max": MAX_RATIO}
            )


def _too_many_members() -> str:
    return _("The workbook holds more than %(max)s parts, more than a spreadsheet does; save it again as .xlsx.") % {
        "max": f"{MAX_MEMBERS:,}"
    }


def _refusal(part: str, what: str) -> str:
    return _("The workbook cannot be imported: in its part “%(part)s”, %(what)s. Split the file or save it as CSV.") % {
        "part": part[:80],
        "what": what,
    }


class _CheckedZip(zipfile.ZipFile):
    """The archive openpyxl reads: a part read whole is small, a part read as a stream is scanned as it goes."""

    def __init__(self, file: IO[bytes], limits: WorkbookLimits) -> None:
        super().__init__(file)
        self.limits = limits
        self.text_by_part: dict[str, int] = {}  # the most text one reading of each part held

    def read(self, name: Any, pwd: bytes | None = None) -> bytes:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        _check_tree_size(info)
        with zipfile.ZipFile.open(self, info, "r", pwd) as stream:
            data = stream.read()
        scan = _PartScan(info.filename, self, tree=True)
        scan.feed(data, tolerant=True)  # bytes that are not XML (a picture) are not parsed by openpyxl either
        return data

    def open(
        self, name: Any, mode: Literal["r", "w"] = "r", pwd: bytes | None = None, *, force_zip64: bool = False
    ) -> Any:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        return _ScannedStream(stream, _PartScan(stream.name, self, tree=False))

    def count_text(self, part: str, size: int) -> None:
        self.text_by_part[part] = max(self.text_by_part.get(part, 0), size)
        if sum(self.text_by_part.values()) > self.limits.text_bytes:
            raise WorkbookRefused(
                _(
                    "The workbook holds more than %(max)s MB of text once read; the most an import takes is "
                    "%(max)s MB. Split it into smaller files."
                )
                % {"max": _mb(self.limits.text_bytes)}
            )


def _check_tree_size(info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_TREE_PART_BYTES:
        raise WorkbookRefused(
            _("The part “%(part)s” of the workbook is over %(max)s MB; save the workbook again as .xlsx.")
            % {"part": info.filename[:80], "max": _mb(MAX_TREE_PART_BYTES)}
        )


class _ScannedStream:
    """A member as openpyxl streams it: each piece is scanned before openpyxl gets it."""

    def __init__(self, stream: Any, scan: _PartScan) -> None:
        self.stream = stream
        self.scan = scan

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:  # the rest at once, to be parsed as a tree
            _check_tree_size(self.scan.info())
            self.scan.tree = True
        data: bytes = self.stream.read(n)
        self.scan.feed(data, tolerant=False)
        if not data:
            self.scan.finish()
        return data

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> _ScannedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _PartScan:
    """A streaming expat pass over one reading of a part, counting what openpyxl builds from it."""

    def __init__(self, part: str, archive: _CheckedZip, *, tree: bool) -> None:
        self.part = part
        self.archive = archive
        self.limits = archive.limits
        self.tree = tree  # read whole: every element is held
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.gap = 0  # bytes since the last ">"
        self.depth = 0
        self.item_depth = 0  # depth of the row or shared string being read; 0 outside one
        self.item_kind = ""
        self.item_start = 0
        self.item_elements = 0
        self.item_cells = 0
        self.rows = 0
        self.cells = 0
        self.strings = 0
        self.held = 0
        self.text = 0  # bytes its text takes as Python strings (1, 2 or 4 a character), and its shared strings
        self.run_chars = 0
        self.run_width = 1
        self.open: list[str] = []  # the local names of the open elements
        self.cell_type = "n"  # the t attribute of the last cell opened

    def info(self) -> zipfile.ZipInfo:
        return self.archive.getinfo(self.part)

    def feed(self, data: bytes, *, tolerant: bool) -> None:
        view = memoryview(data)
        try:
            for offset in range(0, len(data), _CHUNK):
                chunk = view[offset : offset + _CHUNK].tobytes()
                self._check_gap(chunk)
                self.parser.Parse(chunk, False)
        except expat.ExpatError as exc:
            if not tolerant:
                raise WorkbookRefused(
                    _refusal(self.part, _("the XML is not well formed (%(error)s)") % {"error": exc})
                ) from None
        self._text_run()

    def finish(self) -> None:
        with contextlib.suppress(expat.ExpatError):  # a part cut short: openpyxl says so
            self.parser.Parse(b"", True)
        self._text_run()

    def _check_gap(self, chunk: bytes) -> None:
        first = chunk.find(b">")
        if (first < 0 and self.gap + len(chunk) > MAX_TOKEN_BYTES) or (
            first >= 0 and self.gap + first > MAX_TOKEN_BYTES
        ):
            raise WorkbookRefused(_refusal(self.part, _("a single tag or text is over 1 MB")))
        self.gap = self.gap + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b">") - 1

    def doctype(self, *args: Any) -> None:
        raise WorkbookRefused(_refusal(self.part, _("a document type declaration (Excel never writes one)")))

    def characters(self, data: str) -> None:
        self.run_chars += len(data)
        if self.run_width < 4 and not data.isascii():
            top = ord(max(data))
            self.run_width = max(self.run_width, 1 if top < 0x100 else 2 if top < 0x10000 else 4)

    def _text_run(self) -> None:
        """Count the text read since the last tag at the width Python stores the whole string with."""
        if self.run_chars:
            self.text += self.run_chars * self.run_width
            inside = self.open[-1] if self.open else ""
            if inside == "t" or (inside == "v" and self.cell_type in _TEXT_CELLS):
                self.text += STRING_BYTES
            self.run_chars, self.run_width = 0, 1
            self.archive.count_text(self.part, self.text)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self._text_run()
        self.depth += 1
        local = name.rpartition("}")[2]
        self.open.append(local)
        if local == "c":
            self.cell_type = attributes.get("t", "n")
        if self.item_depth:
            self.item_elements += 1
            if self.item_elements > MAX_ITEM_ELEMENTS:
                raise WorkbookRefused(_refusal(self.part, _("one row or string holds over 100,000 elements")))
            self._check_item_size()
            if local == "c" and self.item_kind == "row":
                self._cell()
            if not self.tree:
                return
        elif local == "row":
            self.rows += 1
            if self.rows > self.limits.row_records:
                raise WorkbookRefused(_rows_refusal(self.limits.rows))
            self._item("row")
        elif local == "si":
            self.strings += 1
            if self.strings > self.limits.cells:
                raise WorkbookRefused(
                    _refusal(self.part, _("more than %(max)s strings") % {"max": f"{self.limits.cells:,}"})
                )
            self._item("si")
            self.text += SHARED_STRING_BYTES
            self.archive.count_text(self.part, self.text)
        elif local == "c":  # a cell outside a row: openpyxl keeps it
            self._cell()
        if self.item_depth == self.depth and not self.tree:
            return  # a row or string: openpyxl keeps it emptied, and its count is limited above
        self.held += 1
        if self.held > MAX_HELD_ELEMENTS:
            raise WorkbookRefused(_refusal(self.part, _("over 100,000 elements outside the rows")))

    def _item(self, kind: str) -> None:
        self.item_depth, self.item_kind = self.depth, kind
        self.item_start = self.parser.CurrentByteIndex
        self.item_elements = self.item_cells = 0

    def _check_item_size(self) -> None:
        if self.parser.CurrentByteIndex - self.item_start > MAX_ITEM_BYTES:
            raise WorkbookRefused(_refusal(self.part, _("one row or string is over 4 MB")))

    def _cell(self) -> None:
        self.cells += 1
        self.item_cells += 1
        if self.cells > self.limits.cells:
            raise WorkbookRefused(
                _(
                    "The sheet has more than %(max)s cells; the most an import takes is %(max)s (%(rows)s rows). "
                    "Split it, and leave no stray cells to the right of the columns."
                )
                % {"max": f"{self.limits.cells:,}", "rows": f"{self.limits.rows:,}"}
            )
        if self.item_cells > MAX_ROW_CELLS:
            raise WorkbookRefused(
                _refusal(
                    self.part,
                    _("a row has more than %(max)s cells, more than Excel allows") % {"max": f"{MAX_ROW_CELLS:,}"},
                )
            )

    def end(self, name: str) -> None:
        self._text_run()
        self.open.pop()
        if self.item_depth == self.depth:
            self._check_item_size()
            self.item_depth = 0
        self.depth -= 1


def _rows_refusal(limit: int) -> str:
    return _("The file has more than %(limit)s rows; the most an import takes is %(limit)s. Split it.") % {
        "limit": f"{limit:,}"
    }
