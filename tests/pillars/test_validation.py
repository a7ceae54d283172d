"""The pure rules of `pillars.validation` that the services apply: here, what an evidence document may be."""

from __future__ import annotations

import pytest

from pillars.validation import evidence_document_errors

PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("audit.pdf", b"%PDF-1.7\n"),
        ("photo.png", b"\x89PNG\r\n\x1a\n...."),
        ("photo.jpg", b"\xff\xd8\xff\xe0"),
        ("photo.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
        ("minutes.docx", b"PK\x03\x04\x14\x00"),
        ("budget.ods", b"PK\x03\x04\x14\x00"),
        ("figures.csv", b"date,value\n2026-01-01,350\n"),
        ("notes.txt", "یادداشت".encode()),
    ],
)
def test_a_document_of_the_kind_its_name_says_is_accepted(name: str, head: bytes) -> None:
    assert evidence_document_errors(name=name, size=len(head), max_bytes=1_000, head=head) == []


@pytest.mark.parametrize("name", ["payload.pdf", "payload.png", "payload.docx", "payload.txt", "payload.webp"])
def test_a_program_renamed_to_an_accepted_kind_is_refused(name: str) -> None:
    [problem] = evidence_document_errors(name=name, size=len(PROGRAM), max_bytes=1_000, head=PROGRAM)
    assert f"“{name}” is not a {name.rsplit('.', 1)[1].upper()} document inside" in problem


def test_without_its_content_only_the_name_and_size_are_checked() -> None:
    assert evidence_document_errors(name="audit.pdf", size=10, max_bytes=1_000) == []
    assert evidence_document_errors(name="payload.exe", size=10, max_bytes=1_000)
