"""Properties of the reconciliation engine over generated medication lists."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recon.models import Medication, ReconciliationReport
from recon.reconcile import reconcile
from recon.reconcile.compare import daily_dose, forms_differ, quantities_differ, to_base
from tests.reconcile.helpers import DRUGS, coverage, med, mlist, statuses

NAMES = sorted(DRUGS)


@st.composite
def a_med(draw: st.DrawFn, *, bare: bool = True) -> dict:
    name = draw(st.sampled_from(NAMES))
    is_bare = bare and draw(st.integers(0, 9)) == 0
    if is_bare:
        return {"name": name, "strength": None, "dose": None, "per_day": None}
    return {
        "name": name,
        "strength": draw(st.sampled_from([(5, "mg"), (10, "mg"), (20, "mg"), (1, "g"), (500, "mg"), (75, "µg")])),
        "dose": draw(st.sampled_from([(1, "comprimé"), (2, "comprimé"), (0.5, "comprimé"), (1, "gélule"),
                                      (10, "mg"), None])),
        "per_day": draw(st.sampled_from([1, 2, 3, 0.142857, None])),
        "route": draw(st.sampled_from(["orale", "orale", "intraveineuse", None])),
        "form": draw(st.sampled_from([None, "comprimé", "comprimé à libération prolongée", "gélule", "capsule",
                                      "solution injectable"])),
        "duration_days": draw(st.sampled_from([None, None, 5, 7])),
        "as_needed": draw(st.booleans()),
    }


def build(specs: list[dict], prefix: str = "m") -> list[Medication]:
    out = []
    for i, spec in enumerate(specs, start=1):
        spec = dict(spec)
        name = spec.pop("name")
        out.append(med(f"{prefix}{i}", name, **spec))
    return out


lists = st.lists(a_med(), min_size=0, max_size=8)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(lists, lists)
def test_every_medication_is_in_exactly_one_line(before: list[dict], after: list[dict]) -> None:
    report = reconcile(mlist(build(before)), mlist(build(after)))
    seen = coverage(report)
    expected = {("before", f"m{i}") for i in range(1, len(before) + 1)}
    expected |= {("after", f"m{i}") for i in range(1, len(after) + 1)}
    assert set(seen) == expected
    assert all(n == 1 for n in seen.values()), seen


@FAST
@given(st.lists(a_med(bare=False), max_size=8), st.lists(a_med(bare=False), max_size=8))
def test_swapping_before_and_after_swaps_stopped_and_added(before: list[dict], after: list[dict]) -> None:
    forward = statuses(reconcile(mlist(build(before)), mlist(build(after))))
    backward = statuses(reconcile(mlist(build(after)), mlist(build(before))))
    assert forward["stopped"] == backward["added"]
    assert forward["added"] == backward["stopped"]
    assert forward["substituted"] == backward["substituted"]
    assert forward["unchanged"] + forward["modified"] == backward["unchanged"] + backward["modified"]


@FAST
@given(lists)
def test_a_list_compared_with_itself_is_all_unchanged(specs: list[dict]) -> None:
    report = reconcile(mlist(build(specs)), mlist(build(specs)))
    assert all(line.status == "unchanged" for line in report.lines), [
        (ln.status, ln.before, ln.after, ln.changes) for ln in report.lines]
    assert all(not line.changes for line in report.lines)


@FAST
@given(lists, lists)
def test_summary_counts_the_lines(before: list[dict], after: list[dict]) -> None:
    report = reconcile(mlist(build(before)), mlist(build(after)))
    assert sum(report.summary[s] for s in ("unchanged", "modified", "substituted", "suspended", "stopped",
                                           "added")) == len(report.lines)
    assert [ln.id for ln in report.lines] == [f"l{i}" for i in range(1, len(report.lines) + 1)]


@FAST
@given(lists, lists)
def test_an_unchanged_line_keeps_its_daily_dose_route_and_form(before: list[dict], after: list[dict]) -> None:
    b_meds, a_meds = build(before), build(after)
    report = reconcile(mlist(b_meds), mlist(a_meds))
    by_b = {m.id: m for m in b_meds}
    by_a = {m.id: m for m in a_meds}
    for line in report.lines:
        if line.status != "unchanged" or not line.before or not line.after:
            continue
        b, a = by_b[line.before], by_a[line.after]
        db, da = daily_dose(b), daily_dose(a)
        if db and da and to_base(db)[1] == to_base(da)[1]:
            assert quantities_differ(db, da) is False, (b, a)
        if b.route and a.route:
            assert b.route == a.route
        assert not forms_differ(b, a)


@FAST
@given(st.text(max_size=200), st.sampled_from(["active", "stopped", "suspended", "new"]), st.booleans())
def test_any_written_comment_gives_a_valid_report(comment: str, status: str, with_posology: bool) -> None:
    kwargs = {} if with_posology else {"dose": None, "per_day": None}
    after = med("m1", "furosémide", comment=comment, text=f"LASILIX {comment}", status=status, **kwargs)
    report = reconcile(mlist([med("m1", "furosémide")]), mlist([after]))
    assert len(report.lines) == 1
    line = report.lines[0]
    assert line.reason is None or (0 < len(line.reason) <= 300)
    ReconciliationReport.model_validate_json(report.to_json())
