"""Every dev-set document goes through the pipeline and its outputs keep to the contract."""

from __future__ import annotations

import json

from recon.pipeline import extract_document, reconcile


def test_devset_outputs_validate_and_find_most_drugs(devset, contract) -> None:
    found = gold_total = 0
    for case in sorted(p for p in devset.iterdir() if (p / "gold.json").exists()):
        gold = json.loads((case / "gold.json").read_text(encoding="utf-8"))
        lists = {}
        for side, label in (("before", "city"), ("after", "hospital")):
            ml = extract_document(case / f"{side}.txt", side=label)
            contract(json.loads(ml.to_json()), "medication-list")
            lists[side] = ml
            atcs = {m.atc for m in ml.medications}
            for g in gold[side]["medications"]:
                gold_total += 1
                found += g["atc"] in atcs
        report = reconcile(lists["before"], lists["after"])
        contract(json.loads(report.to_json()), "reconciliation")
        ids_b = [ln.before for ln in report.lines if ln.before]
        ids_a = [ln.after for ln in report.lines if ln.after]
        assert sorted(ids_b) == sorted(m.id for m in lists["before"].medications)
        assert sorted(ids_a) == sorted(m.id for m in lists["after"].medications)
    assert found / gold_total >= 0.9
