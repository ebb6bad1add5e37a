"""Reading text and PDF files into a Document, and the coded errors for bad files."""

from __future__ import annotations

import pytest

from recon.errors import EmptyDocument, FileNotFound, UnreadableDocument, UnsupportedFileType
from recon.ingest import read_bytes, read_document
from recon.pipeline import extract_document
from tests.pdfgen import make_pdf


def test_text_lines_keep_offsets_into_the_text(write_text) -> None:
    doc = read_document(write_text("a.txt", "ligne un\n\nKARDEGIC 75 mg\n"))
    assert doc.media_type == "text/plain" and doc.pages == 1
    for line in doc.lines:
        assert doc.text[line.start : line.end] == line.text
    assert doc.lines[2].text == "KARDEGIC 75 mg" and doc.lines[2].number == 3


def test_pdf_pages_are_read_with_their_page_numbers(tmp_path) -> None:
    path = tmp_path / "ordo.pdf"
    path.write_bytes(make_pdf([["Dr Exemple", "1) KARDEGIC 75 mg : 1 sachet par jour"],
                               ["2) BISOPROLOL 2,5 mg cp : 1 cp le matin"]]))
    ml = extract_document(path, side="city")
    assert ml.document.pages == 2 and ml.document.media_type == "application/pdf"
    assert [(m.atc, m.page) for m in ml.medications] == [("B01AC06", 1), ("C07AB07", 2)]


def test_latin1_text_is_read_with_a_warning(caplog) -> None:
    doc = read_bytes("Lévothyrox 50 µg".encode("cp1252"), name="x.txt", suffix=".txt")
    assert "Lévothyrox" in doc.text


@pytest.mark.parametrize(
    ("data", "suffix", "error"),
    [(b"", ".txt", EmptyDocument), (b" \n\t\n", ".txt", EmptyDocument), (b"\x00\x01binary", ".txt", UnreadableDocument),
     (b"hello", ".pdf", UnreadableDocument), (b"%PDF-1.4\n1 0 obj broken", ".pdf", UnreadableDocument),
     (b"x", ".docx", UnsupportedFileType)],
)
def test_bad_content_raises_a_coded_error(data, suffix, error) -> None:
    with pytest.raises(error) as info:
        read_bytes(data, name=f"f{suffix}", suffix=suffix)
    assert str(info.value).startswith(f"[{error.code}]")


def test_missing_file(tmp_path) -> None:
    with pytest.raises(FileNotFound):
        read_document(tmp_path / "nope.txt")
