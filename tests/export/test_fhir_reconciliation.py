"""The reconciliation sheet as a FHIR R4 document Bundle (Interop'Santé FCT shape)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from recon.export import reconciliation_bundle, reconciliation_bundle_json, validate_bundle
from recon.export.fhir_reconciliation import (
    IG_PROPERTIES,
    IG_STATUS,
    IG_STATUS_SYSTEM,
    RECON_STATUS,
    STATUS_SYSTEM,
)
from recon.export.fiche import TITLE, UNDOCUMENTED
from tests.letter import factory as F

WHEN = dt.datetime(2024, 3, 9, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def report():
    return F.all_statuses()


@pytest.fixture(scope="module")
def bundle(report) -> dict:
    return reconciliation_bundle(report, timestamp=WHEN)


def _by_url(bundle: dict) -> dict[str, dict]:
    return {e["fullUrl"]: e["resource"] for e in bundle["entry"]}


def _lines_section(bundle: dict) -> dict:
    comp = bundle["entry"][0]["resource"]
    return next(s for s in comp["section"] if s["title"] == "Lignes de conciliation")


def _ig_code(ms: dict) -> str:
    props = next(x for x in ms["extension"] if x["url"] == IG_PROPERTIES)
    status = next(x for x in props["extension"] if x["url"] == "status")
    return status["extension"][0]["extension"][0]["valueCoding"]["code"]


def test_validates_and_is_a_document(bundle) -> None:
    parsed = validate_bundle(bundle)
    assert parsed.type == "document"
    comp = bundle["entry"][0]["resource"]
    assert comp["resourceType"] == "Composition" and comp["title"] == TITLE
    assert bundle["timestamp"] == "2024-03-09T12:00:00Z"


def test_one_entry_per_line_pointing_to_before_and_after(report, bundle) -> None:
    res = _by_url(bundle)
    entries = _lines_section(bundle)["entry"]
    assert len(entries) == len(report.lines)
    for entry, line in zip(entries, report.lines, strict=True):
        ms = res[entry["reference"]]
        assert ms["resourceType"] == "MedicationStatement"
        assert ms["identifier"][0]["value"] == line.id
        sources = [res[d["reference"]] for d in ms.get("derivedFrom", [])]
        assert len(sources) == (line.before is not None) + (line.after is not None)
        ids = {(s["identifier"][0]["system"].rsplit(":", 1)[1], s["identifier"][0]["value"]) for s in sources}
        assert ids == {(side, mid) for side, mid in (("before", line.before), ("after", line.after)) if mid}


def test_source_sections_list_every_medication(report, bundle) -> None:
    comp = bundle["entry"][0]["resource"]
    b, a = comp["section"][0], comp["section"][1]
    assert len(b["entry"]) == len(report.before.medications)
    assert len(a["entry"]) == len(report.after.medications)


def test_status_codes_mapped(report, bundle) -> None:
    res = _by_url(bundle)
    expected = {"unchanged": "10000001", "substituted": "10000002", "stopped": "10000003",
                "modified": "10000004", "added": "10000005"}
    for entry, line in zip(_lines_section(bundle)["entry"], report.lines, strict=True):
        ms = res[entry["reference"]]
        if line.status in expected:
            assert _ig_code(ms) == expected[line.status]
        local = next(x for x in ms["extension"] if x["url"] != IG_PROPERTIES)["valueCoding"]
        assert local["system"] == STATUS_SYSTEM and local["code"] == RECON_STATUS[line.status][0]
        if line.status == "suspended":
            assert local["code"] == "suspendu" and ms["status"] == "on-hold"
        props = next(x for x in ms["extension"] if x["url"] == IG_PROPERTIES)
        discrepant = next(x for x in props["extension"] if x["url"] == "isDiscrepant")
        assert discrepant["extension"][0]["extension"][0]["valueBoolean"] is (line.status != "unchanged")
    assert set(IG_STATUS) == set(RECON_STATUS) == set(expected) | {"suspended"}
    assert IG_STATUS_SYSTEM.endswith("fr-medication-reconciliation-status")


def test_undocumented_and_reason_notes(report, bundle) -> None:
    res = _by_url(bundle)
    for entry, line in zip(_lines_section(bundle)["entry"], report.lines, strict=True):
        notes = " ".join(n["text"] for n in res[entry["reference"]]["note"])
        if line.status != "unchanged" and not line.reason:
            assert UNDOCUMENTED in notes
        if line.reason:
            assert line.reason in notes


def test_references_resolve(bundle) -> None:
    urls = set(_by_url(bundle))
    text = json.dumps(bundle)
    refs = set(re.findall(r'"reference": "([^"]+)"', text))
    assert refs and refs <= urls


def test_deterministic_ids(report) -> None:
    one = reconciliation_bundle_json(report, timestamp=WHEN)
    two = reconciliation_bundle_json(F.all_statuses(), timestamp=WHEN)
    assert one == two
    changed = report.model_copy(deep=True)
    changed.after.document.sha256 = "f" * 64
    other = reconciliation_bundle(changed, timestamp=WHEN)
    first = json.loads(one)
    assert other["id"] != first["id"]
    assert other["entry"][0]["fullUrl"] != first["entry"][0]["fullUrl"]


def test_empty_report_is_valid() -> None:
    data = reconciliation_bundle(F.empty(), timestamp=WHEN)
    validate_bundle(data)
    assert "entry" not in _lines_section(data)


def test_escapes_narrative() -> None:
    bad = "<b>x</b> & y"
    rep = F.report([("added", None, F.med("a1", bad, "z", None, (1, "mg")), {"reason": bad})])
    data = reconciliation_bundle(rep, timestamp=WHEN)
    div = _lines_section(data)["text"]["div"]
    assert "<b>x</b>" not in div and "&lt;b&gt;" in div
