"""The PDF letter: a text layer that reads back — every line once, page numbers, stay, round trip."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest

from recon.letter import pdf as letter_pdf
from recon.letter import write_letter
from recon.letter.pdf import font_dir, render_pdf
from recon.letter.render import MISSING_REASON, letter_context
from tests.letter import factory as F

pytest.importorskip("fpdf", reason="PDF letters need fpdf2")


def _pages(data: bytes) -> list[tuple[str, tuple[float, float]]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [((p.extract_text() or "").replace("\u00a0", " "), (float(p.width), float(p.height)))
                for p in pdf.pages]


def _text(data: bytes) -> str:
    return "\n".join(t for t, _ in _pages(data))


def _n(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.fixture(scope="module")
def letter() -> bytes:
    return render_pdf(F.all_statuses(), F.stay(), today=F.TODAY)


def test_pdf_is_a4_with_a_text_layer_and_page_numbers(letter) -> None:
    pages = _pages(letter)
    assert letter.startswith(b"%PDF")
    n = len(pages)
    for i, (text, size) in enumerate(pages, start=1):
        assert abs(size[0] - 595.28) < 1 and abs(size[1] - 841.89) < 1
        assert len(text) > 100
        assert f"page {i}/{n}" in text


def test_every_line_appears_exactly_once(letter) -> None:
    report = F.all_statuses()
    text = _text(letter)
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == len(report.lines)
    ctx = letter_context(report, today=F.TODAY)
    names = [_n(row["name"]) for s in ctx["sections"] for row in s["rows"]]
    assert [b[2:].split(" : ")[0] for b in bullets] == names
    for s in ctx["sections"]:
        assert f"{s['title'].upper()} ({len(s['rows'])})" in text


def test_missing_reason_and_written_reasons(letter) -> None:
    report = F.all_statuses()
    text = _text(letter).replace("\n", " ")
    without = [line for line in report.lines if line.status != "unchanged" and not line.reason]
    assert text.count(MISSING_REASON) == len(without)
    assert "Hyperkaliémie 5,8 mmol/l" in text
    assert "motif selon les documents (Équivalence livret [atorvastatine non référencée])" in text
    assert "indication selon les documents (FA, CHA2DS2-VASc = 5)" in text
    assert "remplace le traitement habituel — TAHOR 20 mg" in text


def test_stay_metadata_and_signature(letter) -> None:
    pages = _pages(letter)
    text = " ".join(t for t, _ in pages).replace("\n", " ")
    for item in ("DUPONT Marie", "née le 01/05/1950", "Dr Jean MEDECIN", "Dr Anne ADRESSEUR", "Hôpital Fictif",
                 "service Cardiologie", "du 02/03/2024 au 09/03/2024", "Insuffisance cardiaque décompensée",
                 "Kaliémie normalisée à J3", "Échographie cardiaque", "Consultation de cardiologie dans 1 mois",
                 "Le 9 mars 2024"):
        assert item in text, item
    last = pages[-1][0]
    assert "Signature :" in last and "Dr Paul HOSPITALIER" in last


def test_without_stay_the_required_contents_are_marked(tmp_path) -> None:
    text = _text(render_pdf(F.all_statuses(), today=F.TODAY))
    assert text.count("à compléter") >= 6


def test_empty_report() -> None:
    text = _text(render_pdf(F.empty(), today=F.TODAY))
    assert "Aucun traitement médicamenteux." in text
    assert "• " not in text


def test_long_letter_runs_over_pages_with_numbers() -> None:
    report = F.long_report(60)
    pages = _pages(render_pdf(report, today=F.TODAY))
    n = len(pages)
    assert n >= 3
    assert [re.search(r"page (\d+)/(\d+)", t).groups() for t, _ in pages] == [(str(i), str(n))  # type: ignore[union-attr]
                                                                             for i in range(1, n + 1)]
    bullets = [line for t, _ in pages for line in t.splitlines() if line.startswith("• ")]
    assert len(bullets) == 60


def test_unicode_font_is_found() -> None:
    if font_dir() is None:
        pytest.importorskip("matplotlib", reason="the DejaVu fonts come with matplotlib's wheel")
    assert font_dir() is not None, "no DejaVu font: install matplotlib or set RECON_FONT_DIR"


def test_without_a_unicode_font_the_pdf_still_renders(monkeypatch) -> None:
    monkeypatch.setattr(letter_pdf, "font_dir", lambda: None)
    text = _text(render_pdf(F.all_statuses(), F.stay(), today=F.TODAY))
    assert "page 1/" in text and "motif à préciser" in text and "->" in text


def test_write_pdf(tmp_path) -> None:
    out = write_letter(F.all_statuses(), tmp_path / "lettre.PDF", stay=F.stay())
    assert out.read_bytes().startswith(b"%PDF")


# -- round trip: Recon reads its own letter back -----------------------------------------------
ROUND_TRIP_CASES = ["c001", "c012", "c019", "d001", "d013"]
CONTINUED = ("unchanged", "modified", "substituted", "added")


@pytest.mark.parametrize("case", ROUND_TRIP_CASES)
def test_round_trip_finds_the_same_after_drugs(devset: Path, tmp_path: Path, case: str) -> None:
    """Recon's extraction of the letter's PDF finds the drugs taken after discharge (by ATC), and
    nothing else is read as taken: every other drug it finds is one the letter says is stopped or
    suspended (the replaced drugs and the drugs a motif names are not read as prescriptions)."""
    from recon.pipeline import extract_document, reconcile_documents

    folder = devset / case
    befores, afters = sorted(folder.glob("before.*")), sorted(folder.glob("after.*"))
    if not befores or not afters:
        pytest.skip(f"{case} not in the dev set")
    report = reconcile_documents(befores[0], afters[0])
    pdf = write_letter(report, tmp_path / "letter.pdf", stay=F.stay())
    before = {m.id: m for m in report.before.medications}
    after = {m.id: m for m in report.after.medications}
    expected = {after[line.after].atc for line in report.lines if line.status in CONTINUED and line.after}
    extracted = extract_document(pdf).medications
    assert {m.atc for m in extracted if m.status in ("active", "new")} == expected

    shown = []
    for line in report.lines:
        b, a = before.get(line.before or ""), after.get(line.after or "")
        med = (b or a) if line.status in ("stopped", "suspended") else (a or b)
        assert med is not None
        shown.append((med.atc or "-", line.status in CONTINUED))
    read = [(m.atc or "-", m.status in ("active", "new")) for m in extracted]
    assert sorted(read) == sorted(shown)


def _posology(med) -> tuple:
    dose = (med.dose.value, med.dose.unit) if med.dose else None
    strength = (med.strength.value, med.strength.unit) if med.strength else None
    per_day = round(med.frequency.per_day, 3) if med.frequency and med.frequency.per_day else None
    return med.atc, strength, dose, per_day


@pytest.mark.slow
def test_round_trip_over_the_dev_set_keeps_drug_strength_dose_frequency(devset: Path, tmp_path: Path) -> None:
    """Over every dev-set case: the letter's PDF, read back by Recon, gives the AFTER medications
    continued at discharge with the report's drug, strength, dose and frequency."""
    from recon.pipeline import extract_document, reconcile_documents

    total = same = 0
    for folder in sorted(p for p in devset.iterdir() if (p / "gold.json").exists()):
        report = reconcile_documents(folder / "before.txt", folder / "after.txt")
        after = {m.id: m for m in report.after.medications}
        expected = sorted(_posology(after[ln.after]) for ln in report.lines if ln.status in CONTINUED and ln.after)
        pdf = write_letter(report, tmp_path / f"{folder.name}.pdf", stay=F.stay())
        read = sorted(_posology(m) for m in extract_document(pdf).medications if m.status in ("active", "new"))
        total += len(expected)
        same += sum(1 for x in expected if x in read)
    assert same / total >= 0.95, f"{same} of {total} continued lines read back identically"
