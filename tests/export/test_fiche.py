"""The HTML reconciliation sheet (fiche de conciliation des traitements médicamenteux)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from recon.export import render_fiche
from recon.export.fiche import STATUS_WORD, TITLE, UNDOCUMENTED, fiche_context
from tests.letter import factory as F


class _Rows(HTMLParser):
    """The body rows: their status (data-status) and the text of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.in_body = False
        self.cell: list[str] | None = None
        self.headers: list[tuple[str, str | None]] = []
        self.captions = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body and a.get("data-status"):
            self.rows.append((a["data-status"] or "", []))
        elif tag in ("td", "th") and self.in_body and self.rows:
            self.cell = []
        if tag == "th":
            self.headers.append((tag, a.get("scope")))
        if tag == "caption":
            self.captions += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1][1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


@pytest.fixture(scope="module")
def report():
    return F.all_statuses()


@pytest.fixture(scope="module")
def page(report) -> str:
    return render_fiche(report)


def _parse(page: str) -> _Rows:
    p = _Rows()
    p.feed(page)
    return p


def test_every_line_once_with_its_status_word(report, page) -> None:
    rows = _parse(page).rows
    assert len(rows) == len(report.lines)
    assert [s for s, _ in rows] == [ln.status for ln in report.lines]
    for (status, cells), line in zip(rows, report.lines, strict=True):
        assert len(cells) == 5
        assert cells[2] == STATUS_WORD[status]
        assert ("(absent)" in cells[0]) is (line.before is None)
        assert ("(absent)" in cells[1]) is (line.after is None)
    assert set(STATUS_WORD.values()) == {"poursuivi", "modifié", "remplacé", "suspendu", "arrêté", "ajouté"}
    assert Counter(s for s, _ in rows) == Counter(ln.status for ln in report.lines)


def test_headers_title_and_counts(report, page) -> None:
    assert TITLE in page
    for col in ("Traitement habituel (avant)", "Traitement hospitalier (après)", "Statut", "Divergence",
                "Commentaire"):
        assert f'<th scope="col">{col}</th>' in page
    assert report.before.document.name in page and report.after.document.name in page
    assert "Modifiés : 2" in page and "Ajoutés : 2" in page and "Arrêtés : 2" in page
    parsed = _parse(page)
    assert parsed.captions == 1
    assert all(scope in ("col", "row") for _, scope in parsed.headers)


def test_undocumented_divergences_are_named(report, page) -> None:
    rows = _parse(page).rows
    for (_, cells), line in zip(rows, report.lines, strict=True):
        comment = cells[4]
        if line.status != "unchanged" and not line.reason:
            assert UNDOCUMENTED in comment, line.id
        else:
            assert UNDOCUMENTED not in comment, line.id
        if line.reason:
            assert line.reason.split()[0] in comment
        if line.needs_review:
            assert "À vérifier" in comment


def test_divergence_column(report, page) -> None:
    rows = dict((ln.id, cells) for (_, cells), ln in zip(_parse(page).rows, report.lines, strict=True))
    assert rows["l1"][3] == "—"
    assert "Fréquence : 1 fois par jour (matin) → 2 fois par jour (matin et midi)" in rows["l3"][3]
    assert "Dose quotidienne : 40 mg → 80 mg" in rows["l3"][3]
    assert "Dosage : 10 mg → 5 mg" in rows["l4"][3]
    assert "Substance" not in rows["l1"][3]


def test_document_text_is_escaped() -> None:
    bad = '<script>alert("x")</script>'
    rep = F.report([("added", None, F.med("a1", bad, "x<y>", None, (1, "mg"), comment=bad), {"reason": bad}),
                    ("stopped", F.med("b1", "A & B", "a", None, (1, "mg")), None, {"note": "<b>n</b>"})])
    page = render_fiche(rep)
    assert "<script>" not in page and "<b>n</b>" not in page
    assert "&lt;script&gt;" in page and "A &amp; B" in page


def test_no_external_resource(page) -> None:
    assert not re.search(r"https?://", page)
    assert "<link" not in page and "<script" not in page and "<img" not in page


def test_empty_report() -> None:
    page = render_fiche(F.empty())
    assert "Aucune ligne de traitement." in page and _parse(page).rows == []


def test_context_counts(report) -> None:
    ctx = fiche_context(report)
    assert {c["status"]: c["n"] for c in ctx["counts"]} == {s: report.summary[s] for s in STATUS_WORD}
    assert ctx["undocumented"] == sum(1 for ln in report.lines if ln.status != "unchanged" and not ln.reason)
