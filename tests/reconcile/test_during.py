"""The optional DURING list (the hospital's last treatment during the stay) in ``reconcile``."""

from __future__ import annotations

from recon.models import ReconciliationReport
from recon.reconcile import reconcile
from recon.reconcile.engine import DURING_KEPT_NOTE, DURING_STARTED_NOTE
from tests.reconcile.helpers import med, mlist


def run(before: list, after: list, during: list | None = None, **kw) -> ReconciliationReport:
    d = mlist(during, "hospital") if during is not None else None
    return reconcile(mlist(before, "city"), mlist(after, "hospital"), during=d, **kw)


def _sample() -> tuple[list, list, list]:
    before = [med("b1", "furosémide", strength=(40, "mg")), med("b2", "atorvastatine", strength=(20, "mg")),
              med("b3", "ramipril", strength=(5, "mg"))]
    after = [med("a1", "furosémide", strength=(40, "mg"), per_day=2),
             med("a2", "simvastatine", strength=(20, "mg"), comment="équivalence livret"),
             med("a3", "paracétamol", strength=(1000, "mg"), per_day=3)]
    during = [med("d1", "furosémide", strength=(40, "mg"), per_day=2),
              med("d2", "simvastatine", strength=(20, "mg")),
              med("d3", "paracétamol", strength=(1000, "mg"), per_day=3),
              med("d4", "ramipril", strength=(5, "mg")),
              med("d5", "bisoprolol", strength=(2.5, "mg"))]
    return before, after, during


def test_without_during_the_report_is_the_same() -> None:
    before, after, _ = _sample()
    plain = reconcile(mlist(before, "city"), mlist(after, "hospital"))
    assert run(before, after, None).to_json() == plain.to_json()
    assert reconcile(mlist(before, "city"), mlist(after, "hospital"), during=None).to_json() == plain.to_json()


def test_with_an_empty_during_the_report_is_the_same() -> None:
    before, after, _ = _sample()
    assert run(before, after, []).to_json() == run(before, after, None).to_json()


def test_change_kept_from_the_stay_gets_the_note() -> None:
    before, after, during = _sample()
    report = run(before, after, during)
    line = next(ln for ln in report.lines if ln.before == "b1")
    assert line.status == "modified"
    assert line.note and DURING_KEPT_NOTE in line.note
    assert line.reason is None  # the note does not invent a reason
    sub = next(ln for ln in report.lines if ln.before == "b2")
    assert sub.status == "substituted" and DURING_KEPT_NOTE in (sub.note or "")
    assert sub.reason  # the written reason is kept
    added = next(ln for ln in report.lines if ln.after == "a3")
    assert added.status == "added" and DURING_STARTED_NOTE in (added.note or "")


def test_change_made_at_discharge_only_gets_no_note() -> None:
    before, after, during = _sample()
    during[0] = med("d1", "furosémide", strength=(40, "mg"), per_day=3)  # the stay's dose differs from AFTER
    line = next(ln for ln in run(before, after, during).lines if ln.before == "b1")
    assert DURING_KEPT_NOTE not in (line.note or "")


def test_existing_note_is_kept_and_appended_to() -> None:
    before = [med("b1", "paracétamol", drug_text="DOLIPRANE", strength=(1000, "mg"))]
    after = [med("a1", "paracétamol", drug_text="PARACETAMOL", strength=(1000, "mg"), per_day=3)]
    during = [med("d1", "paracétamol", strength=(1000, "mg"), per_day=3)]
    plain = run(before, after).lines[0]
    line = run(before, after, during).lines[0]
    assert plain.note and line.note == f"{plain.note} ; {DURING_KEPT_NOTE}"


def test_stay_drugs_missing_at_discharge_are_flagged() -> None:
    before, after, during = _sample()
    report = run(before, after, during)
    stopped = next(ln for ln in report.lines if ln.before == "b3")
    assert stopped.status == "stopped" and stopped.needs_review
    assert any("pendant le séjour" in r for r in stopped.review_reasons)
    flagged = [r for ln in report.lines for r in ln.review_reasons if r.startswith("BISOPROLOL")]
    assert len(flagged) == 1
    assert report.summary["needs_review"] == sum(ln.needs_review for ln in report.lines)


def test_statuses_and_coverage_do_not_change_with_during() -> None:
    before, after, during = _sample()
    a, b = run(before, after), run(before, after, during)
    assert [(ln.id, ln.status, ln.before, ln.after) for ln in a.lines] == \
        [(ln.id, ln.status, ln.before, ln.after) for ln in b.lines]
