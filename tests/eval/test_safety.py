"""The clinical-safety mutation suite: its generator's invariants, its scorer, and today's safety figures."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from eval.safety import (
    KIND_BY_NAME,
    KINDS,
    LAYOUTS,
    document_text,
    generate,
    run,
    score,
    write_report,
)
from eval.safety_catalogue import CATALOGUE, clinical, daily, differs, mentions, plain_line
from recon.models import LINE_STATUSES
from tests.conftest import DEVSET

QUICK = generate(quick=True)
_WRITING_ONLY = {"brand ↔ DCI", "1 g ↔ 1000 mg", "0,125 mg ↔ 125 µg", "posology rewritten", "dose count ↔ mg"}


@pytest.fixture(scope="module")
def quick_summary():
    return run(QUICK)


def test_quick_suite_covers_every_kind_and_layout() -> None:
    assert 55 <= len(QUICK) <= 80
    assert {p.kind for p in QUICK} == {k.name for k in KINDS}
    assert {p.layout for p in QUICK} == set(LAYOUTS)
    assert len({p.id for p in QUICK}) == len(QUICK)
    assert generate(quick=True)[5].before == QUICK[5].before  # deterministic


@pytest.mark.parametrize("pair", QUICK, ids=lambda p: p.id)
def test_each_pair_differs_by_exactly_its_mutation(pair) -> None:
    kind = KIND_BY_NAME[pair.kind]
    # the other lines are the same lines, paired one to one
    others_b = [rx for i, rx in enumerate(pair.before) if i != pair.target_b]
    others_a = [rx for j, rx in enumerate(pair.after) if j not in pair.target_a]
    assert Counter(map(plain_line, others_b)) == Counter(map(plain_line, others_a))
    if pair.kind == "reordered lines":
        assert [plain_line(r) for r in pair.before] != [plain_line(r) for r in pair.after]
    if pair.kind in ("reordered lines", "identical (control)"):
        assert pair.target_b is None and not pair.target_a
        return
    b = pair.before[pair.target_b]
    if pair.kind == "silent removal":
        assert pair.target_a == [] and len(pair.after) == len(pair.before) - 1
        return
    if pair.kind == "duplicate":
        first, second = (pair.after[j] for j in pair.target_a)
        assert first == b and second.anchor == b.dci_name and second.substance == b.substance
        assert differs(b, second) & {"per_day", "per_intake"}  # another posology
        return
    assert len(pair.target_a) == 1
    a = pair.after[pair.target_a[0]]
    diff = differs(b, a)
    assert kind.core <= diff <= kind.core | kind.allowed, (pair.kind, sorted(diff))
    if pair.kind in _WRITING_ONLY:
        assert plain_line(b) != plain_line(a) and clinical(b) == clinical(a)


@pytest.mark.parametrize("pair", QUICK, ids=lambda p: p.id)
def test_documents_name_each_drug_once_and_hold_four_to_eight_lines(pair) -> None:
    assert 4 <= len(pair.before) <= 8 and abs(len(pair.after) - len(pair.before)) <= 1
    for side, lines in (("before", pair.before), ("after", pair.after)):
        text = document_text(pair, side)
        for rx in lines:
            hits = [ln for ln in text.splitlines() if mentions(ln, rx.anchor)]
            assert len(hits) == 1, (rx.anchor, hits)


def test_expected_outcomes_are_well_formed() -> None:
    for kind in KINDS:
        assert kind.accept and kind.accept <= set(LINE_STATUSES)
        # a change of writing only is expected unchanged, a clinical change never is
        if kind.core:
            assert "unchanged" not in kind.accept
        elif kind.name not in ("silent removal", "duplicate"):
            assert kind.accept == {"unchanged"}
    assert daily(CATALOGUE["durogesic"]) == (0.6, "mg")
    assert daily(CATALOGUE["keppra_sol"]) == (1000, "mg")
    assert daily(CATALOGUE["lovenox"]) == (4000, "UI")
    assert daily(CATALOGUE["alendronate"]) == (10, "mg")
    assert daily(CATALOGUE["doliprane_sb"]) == (3000, "mg")


def test_no_sentence_is_taken_from_the_dev_set() -> None:
    if not DEVSET.exists():
        pytest.skip("dev set not beside the checkout")
    ours = {ln.strip() for p in QUICK for side in ("before", "after")
            for ln in document_text(p, side).splitlines() if len(ln.strip()) > 25}
    for path in DEVSET.rglob("*.txt"):
        theirs = {ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()}
        assert not ours & theirs, path


def test_scorer_counts_a_mutated_line_reported_unchanged_as_dangerous() -> None:
    from eval.safety import documents
    from recon.pipeline import reconcile_documents

    pair = next(p for p in QUICK if p.kind == "strength")
    report = reconcile_documents(*documents(pair))
    bm = next(m for m in report.before.medications if mentions(m.drug_text, pair.before[pair.target_b].anchor))
    line = next(x for x in report.lines if x.before == bm.id)
    line.status, line.needs_review, line.changes = "unchanged", False, []
    res = score(pair, report)
    assert len(res["dangerous"]) == 1 and not res["right"]


def test_no_line_is_lost(quick_summary) -> None:
    assert quick_summary["totals"]["lines_lost"] == 0, quick_summary["examples"].get("lost")


def test_no_false_form_or_route_change_on_equal_lines(quick_summary) -> None:
    assert quick_summary["totals"]["false_form_route_changes"] == 0, quick_summary["examples"].get(
        "false_form_route")


def test_no_dangerous_unchanged(quick_summary) -> None:
    assert quick_summary["totals"]["dangerous_unchanged"] == 0, quick_summary["examples"].get("dangerous")


def test_report_written(quick_summary, tmp_path) -> None:
    out = write_report(quick_summary, tmp_path / "safety.md", command="python -m eval safety --quick")
    text = out.read_text(encoding="utf-8")
    assert "| mutation |" in text and "dangerous unchanged" in text
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["totals"]["pairs"] == len(QUICK) and "results" not in data
