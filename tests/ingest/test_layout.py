"""Page layout: columns kept, two-column pages read in order, tables as rows, margins removed, sections."""

from __future__ import annotations

from recon.ingest import Document, read_bytes
from recon.ingest.layout import Word, lay_out, strip_repeated_margins
from tests.pdfgen import text_to_pdf


def _words(rows: list[tuple[float, list[tuple[float, str]]]], cw: float = 5.0) -> list[Word]:
    return [Word(t, x, top, x + cw * len(t), top + 9) for top, cells in rows for x, t in cells]


def test_aligned_columns_stay_on_one_line_with_their_gaps() -> None:
    words = _words([(100, [(30, "BISOPROLOL"), (200, "1"), (300, "cp")]), (112, [(30, "RAMIPRIL"), (200, "1")])])
    lines = [t for t, _ in lay_out(words, width=595)]
    assert lines[0].startswith("BISOPROLOL") and "   1" in lines[0]
    assert lines[1].index("1") == lines[0].index("1")


def test_two_column_page_reads_left_column_first() -> None:
    left = [(100 + 12 * i, [(30, f"gauche{i}"), (80, "texte")]) for i in range(12)]
    right = [(106 + 12 * i, [(330, f"droite{i}"), (380, "texte")]) for i in range(12)]
    lines = [" ".join(t.split()) for t, _ in lay_out(_words(left + right), width=595)]
    assert lines.index("gauche11 texte") < lines.index("droite0 texte")


def test_table_rows_are_single_lines_with_cells() -> None:
    rows = [((30, 100, 500, 112), ["LASILIX 40 mg", "1 cp le matin", "PO"]),
            ((30, 112, 500, 130), ["RAMIPRIL 5 mg", "SUSPENDU jusqu'au contrôle", "PO"])]
    lines = [t for t, _ in lay_out([], width=595, tables=[((30, 100, 500, 130), rows)])]
    assert lines == ["LASILIX 40 mg | 1 cp le matin | PO", "RAMIPRIL 5 mg | SUSPENDU jusqu'au contrôle | PO"]


def test_repeated_headers_and_page_numbers_are_removed() -> None:
    pages = [[("CHU Exemple - service", None), (f"ligne {p}", None), (f"Page {p}/3", None)] for p in (1, 2, 3)]
    out = strip_repeated_margins(pages)
    assert [[t for t, _ in page] for page in out] == [["ligne 1"], ["ligne 2"], ["ligne 3"]]


def test_pdf_lines_have_pages_and_boxes() -> None:
    text = "\n".join(f"{i}) PARACETAMOL 500 mg : 1 cp le soir" for i in range(1, 80))
    doc = read_bytes(text_to_pdf(text, layout="proportional", lines_per_page=40), name="x.pdf", suffix=".pdf")
    assert doc.pages == 2
    assert all(ln.bbox is not None for ln in doc.lines)
    assert {ln.page for ln in doc.lines} == {1, 2}
    assert not any("Page 1/2" in ln.text for ln in doc.lines)
    first = doc.lines[0]
    assert doc.locate(first.start, first.end) == [(1, first.bbox)]


def test_sections_and_bizone_zones_are_tagged() -> None:
    text = ("Antécédents :\nInfarctus 2019 traité par KARDEGIC\n\n"
            "Prescriptions relatives au traitement de l'affection de longue durée\nKARDEGIC 75 mg 1/j\n"
            "Prescriptions SANS RAPPORT avec l'affection de longue durée\nDOLIPRANE 1 g si douleur\n")
    doc = Document.from_pages(name="t.txt", media_type="text/plain", sha256="0" * 64, pages=[text])
    by_text = {ln.text: ln for ln in doc.lines}
    assert by_text["Infarctus 2019 traité par KARDEGIC"].section == "antecedents"
    assert by_text["KARDEGIC 75 mg 1/j"].ald is True
    assert by_text["DOLIPRANE 1 g si douleur"].ald is False
