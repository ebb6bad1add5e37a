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
    assert kept == [pair_key(stopped)]  # the substitution is now 'unchanged': its qualification is set aside
    assert [(q.pair, q.stale) for q in review.stale] == [(pair_key(sub), "la ligne est maintenant sans divergence")]
    assert review.for_line(next(ln.id for ln in fixed.lines if pair_key(ln) == pair_key(stopped))) is not None


def test_a_qualification_of_a_line_that_changed_is_to_be_done_again(report: ReconciliationReport) -> None:
    from recon.review import QualifyRequest, qualify_payload

    sub = _line(report, "substituted")
    payload = qualify_payload(QualifyRequest(qualification="undocumented"), sub)
    assert payload["status"] == "substituted" and payload["changed"] == ["substance"]
    assert sub.before is not None and sub.after is not None
    # the hospital's statin relinked to another class: the pair stays, the line becomes 'stopped' + 'added'
    fixed, _ = relink(report, "after", sub.after, find_entry("ramipril"), by="alice")
    review = fold(fixed, [_decision(1, "qualify", pair_key(sub), payload)])
    assert review.qualifications == [] and len(review.stale) == 1
    assert review.stale[0].stale is not None and review.stale[0].line_id is None
    assert len(review.pending) == len([ln for ln in fixed.lines if ln.status != "unchanged"])


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
    stopped = _line(report, "stopped")
    review = fold(report, [_decision(1, "qualify", pair_key(stopped), {"qualification": "undocumented",
                                                                        "comment": "à voir"}),
                           _decision(2, "qualify", pair_key(line), {"qualification": "unintentional",
                                                                     "error_type": "dose", "comment": "10 mg prévu"})])
    out = {ln.id: ln for ln in annotate(report, review).lines}
    assert not out[stopped.id].reason  # undocumented: the letter keeps asking for the reason
    assert out[line.id].reason == ("divergence non intentionnelle (erreur de dose) signalée au prescripteur : "
                                   "10 mg prévu")


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


def test_merged_sources_list_each_drug_once_and_flag_disagreements() -> None:
    a = _list(BEFORE, "city")
    b = _list("KARDEGIC 75 mg : 1 sachet le midi\nROSUVASTATINE 10 mg cp : 1 cp le soir\n"
              "STILNOX 10 mg cp : 1 cp au coucher\n", "city")
    merged = merge_lists([a, b])
    by_name = {m.drug_text.upper(): m for m in merged.medications}
    assert sorted(by_name) == ["AMLODIPINE", "KARDEGIC", "ROSUVASTATINE", "STILNOX"]
    assert [m.id for m in merged.medications] == ["m1", "m2", "m3", "m4"]
    assert by_name["KARDEGIC"].document == 2 and by_name["ROSUVASTATINE"].document == 1
    assert by_name["ROSUVASTATINE"].also_in == [2] and not by_name["ROSUVASTATINE"].needs_review
    stilnox = by_name["STILNOX"]  # ½ cp in the first source, 1 cp in the second: kept once, to be checked
    assert stilnox.also_in == [2] and stilnox.needs_review and stilnox.dose is not None and stilnox.dose.value == 0.5
    assert any("sources divergentes (dose" in r and "STILNOX 10 mg cp : 1 cp au coucher" in r
               for r in stilnox.review_reasons)
    assert merged.sources is not None and [d.name for d in merged.sources] == ["city.txt", "city.txt"]
    assert merged.document.pages == a.document.pages + b.document.pages
    report = reconcile(merged, _list(AFTER, "hospital"))
    on_lines = sorted(x for ln in report.lines for x in [ln.before] if x)
    assert on_lines == sorted(m.id for m in merged.medications)  # each medication on exactly one line
    assert merge_lists([a]) is a
