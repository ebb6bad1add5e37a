"""The pharmacist's review: folding decisions, corrected links, merged sources, the reviewed sheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from recon.errors import UnknownDrug, UnknownMedication
from recon.export import render_fiche
from recon.merge import merge_lists
from recon.models import ReconciliationReport
from recon.pipeline import extract_bytes, reconcile
from recon.review import Decision, QualifyRequest, annotate, find_entry, fold, pair_key, relink

BEFORE = """ROSUVASTATINE 10 mg cp : 1 cp le soir
AMLODIPINE 5 mg gél : 1 gél le matin
STILNOX 10 mg cp : 1/2 cp au coucher
"""
AFTER = """ATORVASTATINE 10 mg cp : 1 cp le soir
AMLODIPINE 10 mg gél : 1 gél le matin
"""
T0 = dt.datetime(2026, 1, 5, 10, 0)


def _list(text: str, side: str) -> Any:
    return extract_bytes(text.encode(), name=f"{side}.txt", suffix=".txt", side=side)


@pytest.fixture
def report() -> ReconciliationReport:
    return reconcile(_list(BEFORE, "city"), _list(AFTER, "hospital"))


def _line(report: ReconciliationReport, status: str) -> Any:
    return next(ln for ln in report.lines if ln.status == status)


def _decision(seq: int, kind: str, target: str, payload: dict[str, Any], by: str = "alice") -> Decision:
    return Decision(seq=seq, at=T0 + dt.timedelta(minutes=seq), by=by, kind=kind, target=target,  # type: ignore[arg-type]
                    payload=payload)


def test_every_divergent_line_is_pending_until_qualified(report: ReconciliationReport) -> None:
    statuses = sorted(ln.status for ln in report.lines)
    assert statuses == ["modified", "stopped", "substituted"]
    review = fold(report, [])
    assert review.pending == [ln.id for ln in report.lines]
    stopped = _line(report, "stopped")
    review = fold(report, [_decision(1, "qualify", pair_key(stopped),
                                     {"qualification": "unintentional", "error_type": "omission",
                                      "comment": "oubli"})])
    assert stopped.id not in review.pending and len(review.pending) == 2
    q = review.for_line(stopped.id)
    assert q is not None and q.qualification_fr == "divergence non intentionnelle"
    assert q.error_type_fr == "omission" and q.by == "alice" and q.comment == "oubli"


def test_the_last_decision_on_a_line_wins(report: ReconciliationReport) -> None:
    line = _line(report, "modified")
    key = pair_key(line)
    review = fold(report, [_decision(2, "qualify", key, {"qualification": "documented"}, by="bob"),
                           _decision(1, "qualify", key, {"qualification": "undocumented"})])
    q = review.for_line(line.id)
    assert q is not None and q.qualification == "documented" and q.by == "bob"
    assert [d.seq for d in review.history] == [1, 2]


def test_validation_is_recorded() -> None:
    report = reconcile(_list(BEFORE, "city"), _list(BEFORE, "hospital"))
    review = fold(report, [_decision(1, "validate", "report", {})])
    assert review.pending == [] and review.validation is not None and review.validation.by == "alice"


@pytest.mark.parametrize(("payload", "error"), [
    ({"qualification": "unintentional"}, "needs its error_type"),
    ({"qualification": "documented", "error_type": "dose"}, "unintentional divergences only"),
    ({"qualification": "maybe"}, "Input should be"),
    ({"qualification": "documented", "comment": "x" * 2001}, "at most 2000"),
])
def test_a_qualification_must_be_complete(payload: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        QualifyRequest.model_validate(payload)


def test_a_corrected_link_reconciles_again(report: ReconciliationReport, contract: Callable) -> None:
    sub = _line(report, "substituted")
    assert sub.before is not None
    entry = find_entry("atorvastatine")
    fixed, previous = relink(report, "before", sub.before, entry, by="alice")
    assert previous == "rosuvastatine"
    med = next(m for m in fixed.before.medications if m.id == sub.before)
    assert [s.name for s in med.substances] == ["atorvastatine"] and med.atc == "C10AA05"
    assert med.link.chosen_by == "alice" and med.link.method == "exact"
    again = next(ln for ln in fixed.lines if ln.before == sub.before)
    assert again.status == "unchanged"  # same substance, strength and posology now
    contract(fixed.model_dump(mode="json"), "reconciliation")


def test_a_qualification_follows_its_comparison_not_its_line_number(report: ReconciliationReport) -> None:
    stopped = _line(report, "stopped")
    sub = _line(report, "substituted")
    decisions = [_decision(1, "qualify", pair_key(stopped), {"qualification": "documented"}),
                 _decision(2, "qualify", pair_key(sub), {"qualification": "undocumented"})]
    assert sub.before is not None
    fixed, _ = relink(report, "before", sub.before, find_entry("atorvastatine"), by="alice")
    review = fold(fixed, decisions)
    kept = [q.pair for q in review.qualifications]
    assert kept == [pair_key(stopped)]  # the substitution no longer exists: its qualification is gone
    assert review.for_line(next(ln.id for ln in fixed.lines if pair_key(ln) == pair_key(stopped))) is not None


def test_relink_refuses_unknown_names_and_medications(report: ReconciliationReport) -> None:
    with pytest.raises(UnknownDrug):
        find_entry("zzqxw")
    with pytest.raises(UnknownMedication):
        relink(report, "before", "m99", find_entry("atorvastatine"), by="alice")


def test_annotate_gives_the_letter_the_pharmacists_comment(report: ReconciliationReport) -> None:
    line = _line(report, "modified")
    assert not line.reason
    review = fold(report, [_decision(1, "qualify", pair_key(line),
                                     {"qualification": "documented", "comment": "dose augmentée, TA élevée"})])
    out = annotate(report, review)
    assert next(ln for ln in out.lines if ln.id == line.id).reason == "dose augmentée, TA élevée"
    assert not line.reason  # the report itself is not changed


def test_the_reviewed_sheet_shows_qualifications_and_validation(report: ReconciliationReport) -> None:
    stopped = _line(report, "stopped")
    review = fold(report, [_decision(1, "qualify", pair_key(stopped),
                                     {"qualification": "unintentional", "error_type": "omission",
                                      "comment": "reprise demandée"})])
    html = render_fiche(report, review=review)
    assert "Qualification (pharmacien)" in html and "Divergence non intentionnelle" in html
    assert "Type d'erreur : omission" in html and "reprise demandée" in html
    assert "non validée : 2 divergences à qualifier" in html and "validée par" not in html
    assert "Qualification (pharmacien)" not in render_fiche(report)  # no review, no column


def test_merged_sources_keep_every_line_with_its_document() -> None:
    a = _list(BEFORE, "city")
    b = _list("KARDEGIC 75 mg : 1 sachet le midi\nROSUVASTATINE 10 mg cp : 1 cp le soir\n", "city")
    merged = merge_lists([a, b])
    assert len(merged.medications) == len(a.medications) + len(b.medications)
    assert [m.id for m in merged.medications] == [f"m{i}" for i in range(1, len(merged.medications) + 1)]
    assert [m.document for m in merged.medications] == [1] * len(a.medications) + [2] * len(b.medications)
    assert merged.sources is not None and [d.name for d in merged.sources] == ["city.txt", "city.txt"]
    assert merged.document.pages == a.document.pages + b.document.pages
    report = reconcile(merged, _list(AFTER, "hospital"))
    on_lines = sorted(x for ln in report.lines for x in [ln.before] if x)
    assert on_lines == sorted(m.id for m in merged.medications)  # each medication on exactly one line
    assert merge_lists([a]) is a
