"""The HTML letter: every line once, under its status; reasons as written or 'motif à préciser'."""

from __future__ import annotations

import re

import pytest

from recon.errors import RenderError
from recon.letter import letter_context, render_html, write_letter
from recon.letter.render import MISSING_REASON, clean_reason, resume_hint, typo
from tests.letter import factory as F


def _n(text: str) -> str:
    return text.replace("\u00a0", " ")


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr data-line="([^"]+)" data-status="([^"]+)"', html)


def test_every_line_appears_exactly_once_under_its_status() -> None:
    report = F.all_statuses()
    html = render_html(report, today=F.TODAY)
    rows = _rows(html)
    assert sorted(rows) == sorted((line.id, line.status) for line in report.lines)
    for title in ("Traitements poursuivis", "Traitements modifiés", "Traitements remplacés",
                  "Traitements suspendus", "Traitements arrêtés", "Nouveaux traitements"):
        assert title in html


def test_sections_follow_the_status_order() -> None:
    ctx = letter_context(F.all_statuses(), today=F.TODAY)
    assert [s["status"] for s in ctx["sections"]] == ["unchanged", "modified", "substituted", "suspended",
                                                      "stopped", "added"]


def test_missing_reason_is_flagged_never_invented() -> None:
    report = F.all_statuses()
    html = render_html(report, today=F.TODAY)
    without = [line for line in report.lines if line.status != "unchanged" and not line.reason]
    assert without  # the fixture has some
    assert html.count(MISSING_REASON) == len(without)
    for line in report.lines:
        if line.reason:
            assert typo(line.reason).replace("'", "&#39;") in html or typo(line.reason) in html


def test_row_details_by_status() -> None:
    ctx = letter_context(F.all_statuses(), today=F.TODAY)
    rows = {row["id"]: row for s in ctx["sections"] for row in s["rows"]}
    modified = _n(" ".join(d["text"] for d in rows["l3"]["details"]))
    assert "1 fois par jour (matin) → 2 fois par jour (matin et midi)" in modified and "40 mg → 80 mg" in modified
    assert any(d["label"] == "Remplace" and "TAHOR" in d["text"] for d in rows["l5"]["details"])
    assert rows["l5"]["name"].startswith("Simvastatine")
    assert any(d["label"] == "Reprise" and "reprendre selon bilan" in d["text"] for d in rows["l7"]["details"])
    assert rows["l8"]["name"].startswith("DIFFU-K")  # a stopped line shows the drug that was stopped
    assert rows["l9"]["name"].startswith("IMOVANE")
    assert any(d["label"] == "Durée" and d["text"] == "non précisée" for d in rows["l10"]["details"])
    assert not any(d["label"] == "Durée" for d in rows["l11"]["details"])
    assert rows["l10"]["reason_label"] == "Indication"
    assert "pendant 7 jours" in _n(rows["l11"]["posology"])


def test_empty_report_says_no_treatment() -> None:
    html = render_html(F.empty(), today=F.TODAY)
    assert "Aucun traitement médicamenteux" in html
    assert not _rows(html)


def test_stay_metadata_appear() -> None:
    html = _n(render_html(F.all_statuses(), F.stay(), today=F.TODAY))
    for text in ("DUPONT Marie", "née le 01/05/1950", "73 ans", "Dr Jean MEDECIN", "Dr Anne ADRESSEUR",
                 "Dr Paul HOSPITALIER", "Hôpital Fictif", "Cardiologie", "du 02/03/2024 au 09/03/2024",
                 "Insuffisance cardiaque décompensée", "Kaliémie normalisée", "Échographie cardiaque",
                 "Ionogramme à J7", "pénicillines"):
        assert text in html, text
    assert "à compléter" not in html


def test_without_stay_required_contents_are_marked_to_complete() -> None:
    html = render_html(F.all_statuses(), today=F.TODAY)
    assert html.count("à compléter") >= 6
    assert "Signature" in html


def test_html_escapes_document_text() -> None:
    report = F.all_statuses()
    report.lines[2].reason = "<script>alert(1)</script>"
    html = render_html(report, today=F.TODAY)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_french_typography() -> None:
    assert typo("Motif : FA ; 40 mg") == "Motif\u00a0: FA\u00a0; 40\u00a0mg"
    assert typo("« oui »") == "«\u00a0oui\u00a0»"
    assert typo("l'entrée") == "l’entrée"


def test_clean_reason_and_resume_hint() -> None:
    assert clean_reason("SUSPENDU | PO | 02/03/2024 | Hyperkaliémie + IRA") == "Hyperkaliémie + IRA"
    assert clean_reason("IVD - IC | | et poids quotidien") == "IVD - IC et poids quotidien"
    assert clean_reason(" | ") is None and clean_reason(None) is None
    assert resume_hint("Hyperkaliémie : à reprendre selon bilan") == "à reprendre selon bilan"
    assert resume_hint("suspendu jusqu'au 15/03") == "jusqu'au 15/03"
    assert resume_hint("Hyperkaliémie") is None


@pytest.mark.parametrize("suffix", [".html", ".htm", ".pdf", ".json"])
def test_write_letter_chooses_the_format_by_suffix(tmp_path, suffix) -> None:
    if suffix == ".pdf":
        pytest.importorskip("fpdf", reason="PDF letters need fpdf2")
    if suffix == ".json":
        pytest.importorskip("fhir.resources", reason="the FHIR export needs fhir.resources")
    out = write_letter(F.all_statuses(), tmp_path / f"letter{suffix}", stay=F.stay())
    data = out.read_bytes()
    start = {".html": b"<!DOCTYPE html>", ".htm": b"<!DOCTYPE html>", ".pdf": b"%PDF", ".json": b"{"}[suffix]
    assert data.startswith(start)


def test_write_letter_refuses_other_formats(tmp_path) -> None:
    with pytest.raises(RenderError, match=r"E300.*\.docx"):
        write_letter(F.all_statuses(), tmp_path / "letter.docx")


def test_write_letter_without_stay_keeps_the_old_call(tmp_path) -> None:
    out = write_letter(F.all_statuses(), tmp_path / "sub" / "letter.html")
    assert out.read_text(encoding="utf-8").count("data-line=") == 11
