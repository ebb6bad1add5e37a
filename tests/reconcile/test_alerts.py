"""Report-level alerts: identities that differ, an allergy against a listed drug, a hospital prescription
that is not a discharge one, a substance on several lines."""

from __future__ import annotations

from recon.models import Allergy, DocumentFacts, Medication, MedicationList, PatientFacts, ReconciliationLine
from recon.reconcile.alerts import A101, A201, A301, A401, allergy_covers, patient_conflicts, report_alerts
from tests.reconcile.helpers import med, mlist


def line(lid: str, status: str, before: str | None, after: str | None, **extra: object) -> ReconciliationLine:
    return ReconciliationLine(id=lid, status=status, before=before, after=after,  # type: ignore[arg-type]
                              confidence=1.0, **extra)  # type: ignore[arg-type]


def coded(mid: str, name: str, atc: str) -> Medication:
    m = med(mid, name)
    m.atc = atc
    m.substances[0].atc = atc
    return m


def allergy(substance: str, atc: list[str], kind: str = "allergie") -> Allergy:
    return Allergy(substance=substance, atc=atc, kind=kind, text=f"Allergie : {substance}")  # type: ignore[arg-type]


def with_facts(ml: MedicationList, *, kind: str = "unknown", patient: PatientFacts | None = None,
               allergies: list[Allergy] | None = None) -> MedicationList:
    ml.facts = DocumentFacts(kind=kind, patient=patient)  # type: ignore[arg-type]
    ml.allergies = allergies
    return ml


# -- identity --------------------------------------------------------------------------------------------

def test_same_patient_written_differently_agrees() -> None:
    a = PatientFacts(name="M. Jean EXEMPLE", birth_date="1950-01-02", sex="M")
    b = PatientFacts(name="EXEMPLE JEAN", birth_date=None, sex="M", ipp="123")
    assert patient_conflicts([a, b]) == []


def test_conflicting_items_are_named() -> None:
    a = PatientFacts(name="EXEMPLE Jean", birth_date="1950-01-02", sex="M", ins="150017511203345")
    b = PatientFacts(name="FICTIF Jean", birth_date="1951-01-02", sex="M", ins="1 50 01 75 112 033 45")
    assert patient_conflicts([a, b]) == ["nom", "date de naissance"]


def test_a_missing_item_is_no_conflict() -> None:
    assert patient_conflicts([PatientFacts(sex="F"), PatientFacts(name="TEST Zoé")]) == []


def test_identity_alert_without_patient_text() -> None:
    before = with_facts(mlist([], "city"), patient=PatientFacts(name="EXEMPLE Jean", birth_date="1950-01-02"))
    after = with_facts(mlist([], "hospital"), kind="discharge",
                       patient=PatientFacts(name="EXEMPLE Jean", birth_date="1950-02-01"))
    alerts = report_alerts(before, after, [])
    assert [a.code for a in alerts] == [A101]
    msg = alerts[0].message
    assert "date de naissance" in msg and "EXEMPLE" not in msg and "1950" not in msg
    assert alerts[0].severity == "high"


# -- allergies -------------------------------------------------------------------------------------------

def test_allergy_covers_by_class_substance_and_name() -> None:
    assert allergy_covers(allergy("pénicillines", ["J01C"]), coded("a1", "amoxicilline", "J01CA04"))
    assert allergy_covers(allergy("paracétamol", []), med("a1", "paracétamol"))
    assert allergy_covers(allergy("Kardégic", []), med("a1", "aspirine", drug_text="KARDEGIC 75 mg"))
    assert not allergy_covers(allergy("sulfamides", ["J01E"]), med("a1", "ramipril"))


def test_allergy_alert_flags_the_line() -> None:
    before = with_facts(mlist([med("b1", "ramipril")], "city"), allergies=[allergy("IEC", ["C09A", "C09B"])])
    after = with_facts(mlist([med("a1", "ramipril"), med("a2", "amlodipine")], "hospital"), kind="discharge")
    lines = [line("l1", "unchanged", "b1", "a1"), line("l2", "added", None, "a2")]
    alerts = report_alerts(before, after, lines)
    assert [(a.code, a.lines, a.severity) for a in alerts] == [(A201, ["l1"], "high")]
    assert "allergie à IEC notée dans les documents : RAMIPRIL prescrit" in alerts[0].message
    assert lines[0].needs_review and alerts[0].message in lines[0].review_reasons
    assert not lines[1].needs_review
    report_alerts(before, after, lines)  # run twice: the reason is not repeated
    assert lines[0].review_reasons.count(alerts[0].message) == 1


def test_allergy_on_a_stopped_line_is_information() -> None:
    before = with_facts(mlist([med("b1", "metformine")], "city"),
                        allergies=[allergy("metformine", ["A10BA02"], "intolérance")])
    after = with_facts(mlist([], "hospital"), kind="discharge")
    lines = [line("l1", "stopped", "b1", None)]
    alerts = report_alerts(before, after, lines)
    assert [(a.code, a.severity) for a in alerts] == [(A201, "info")]
    assert alerts[0].message.startswith("intolérance à metformine")
    assert not lines[0].needs_review


def test_allergies_of_both_lists_counted_once() -> None:
    before = with_facts(mlist([], "city"), allergies=[allergy("codéine", ["R05DA04"])])
    after = with_facts(mlist([coded("a1", "codéine", "R05DA04")], "hospital"), kind="discharge",
                       allergies=[allergy("CODEINE", ["R05DA04"])])
    alerts = report_alerts(before, after, [line("l1", "added", None, "a1")])
    assert [a.code for a in alerts] == [A201]


# -- kind, duplicates ------------------------------------------------------------------------------------

def test_admission_prescription_alert() -> None:
    for kind in ("admission", "stay"):
        alerts = report_alerts(mlist([], "city"), with_facts(mlist([], "hospital"), kind=kind), [])
        assert [(a.code, a.severity) for a in alerts] == [(A301, "medium")]
        assert "pas de sortie" in alerts[0].message
    assert report_alerts(mlist([], "city"), with_facts(mlist([], "hospital"), kind="discharge"), []) == []
    assert report_alerts(mlist([], "city"), mlist([], "hospital"), []) == []


def test_duplicate_alert_lists_the_lines() -> None:
    after = with_facts(mlist([med("a1", "paracétamol"), med("a2", "paracétamol", drug_text="DOLIPRANE"),
                              med("a3", "ramipril")], "hospital"), kind="discharge")
    before = mlist([med("b1", "paracétamol")], "city")
    lines = [line("l1", "unchanged", "b1", "a1", duplicate=True), line("l2", "added", None, "a2", duplicate=True),
             line("l3", "added", None, "a3")]
    alerts = report_alerts(before, after, lines)
    assert [(a.code, a.lines) for a in alerts] == [(A401, ["l1", "l2"])]
    assert alerts[0].message == "paracétamol prescrite sur plusieurs lignes de la prescription hospitalière : doublon ?"
