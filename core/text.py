"""Text on its way into XML (the Atom feed, XLSX workbooks): without the characters XML 1.0 forbids.

An editor's note can hold a control character (pasted from a PDF, or sent by
a script: schemathesis wrote `\\x14` into a figure's note through the API).
HTML pages show it harmlessly, but an XML document cannot contain it: Django's
feed writer and openpyxl refuse the whole document, which made the feed a 500
for every reader. What XML cannot carry is dropped at that boundary only; the
stored text stays as it was entered.
"""

from __future__ import annotations

import re

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 up, but the surrogates and U+FFFE/F.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters an XML 1.0 document cannot contain."""
    return _FORBIDDEN.sub("", text)
