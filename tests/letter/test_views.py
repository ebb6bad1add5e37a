"""What every view of a reconciliation must carry (letter HTML and PDF, FHIR, fiche): written maxima, periods
of weekly drugs, former brands, possible omissions apart from stops, allergies, alerts, identity from the
documents, drafts until validated, a non-discharge prescription said. Fictional reports only."""

from __future__ import annotations

import datetime as dt
import io
import re

import pdfplumber
import pytest

from recon.export import build_bundle, reconciliation_bundle, render_fiche
from recon.export.fiche import fiche_context
from recon.letter import letter_context, render_html, write_letter
from recon.letter.describe import amount, frequency, posology
from recon.letter.pdf import render_pdf
from recon.models import Frequency, Quantity
from recon.review.model import Decision, QualifyRequest, annotate, fold, pair_key, qualify_payload
from tests.letter import factory as F

OMISSIONS = "Traitements habituels non repris — à confirmer"


def _plain(html: str) -> str:
    text = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text).replace("&gt;", ">").replace("&#39;", "'").replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join((p.extract_text() or "") for p in pdf.pages).replace("\u00a0", " ")


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture(scope="module")
def report():
    return F.views_report()


@pytest.fixture(scope="module")
def html(report) -> str:
    return _plain(render_html(report, today=F.TODAY))


@pytest.fixture(scope="module")
def pdf_text(report) -> str:
    return _pdf_text(render_pdf(report, today=F.TODAY))


# -- descriptions ---------------------------------------------------------------------------------
def test_descriptions_keep_maxima_and_periods() -> None:
    prn = F.views_report().after.medications[1]
    assert posology(prn) == "1 gélule si EVA > 4, au maximum 6 par jour, voie orale"
    prn.as_needed_reason = None
    assert posology(prn).startswith("1 gélule si besoin, au maximum 6 par jour")
    assert "fois par jour" not in posology(prn)
    assert frequency(Frequency(per_day=1 / 7)) == "1 fois par semaine"
    assert frequency(Frequency(per_day=0.5)) == "1 jour sur 2"
    assert frequency(Frequency(per_day=2 / 7)) == "2 fois par semaine"
    assert amount(Quantity(value=10, unit="mg"), 1 / 7) == "70 mg par semaine"
    assert amount(Quantity(value=5, unit="mg"), 0.5) == "10 mg tous les 2 jours"
    regular = F.med("b", "X", "x", None, (1, "g"), per_day=3)
    assert regular.frequency is not None
    regular.frequency.max_dose = Quantity(value=3, unit="g")
    assert "au maximum 3 g par jour" in posology(regular)
    weekly = F.med("b", "Y", "y", None, (70, "mg"), per_day=1 / 7, times=["matin"])
    assert "1 fois par semaine (le matin)" in posology(weekly)


# -- the letter, HTML -----------------------------------------------------------------------------
def test_letter_html_maximum_period_and_former_brand(html) -> None:
    assert "1 gélule si EVA > 4, au maximum 6 par jour" in html
    assert "6 fois par jour" not in html
    assert "6 comprimés, 1 fois par semaine" in html
    assert "10 mg par semaine → 15 mg par semaine" in html
    assert "Dose quotidienne" not in html and "1,429" not in html and "2,143" not in html
    assert "Traitement habituel : KARDEGIC 75 mg (même substance : ne pas prendre les deux boîtes)" in html


def test_letter_html_omissions_apart_from_stops(report, html) -> None:
    ctx = letter_context(report, today=F.TODAY)
    by_section = {s["status"]: [r["name"] for r in s["rows"]] for s in ctx["sections"]}
    assert any(n.startswith("IMOVANE") for n in by_section["omission"])
    assert not any(n.startswith("IMOVANE") for n in by_section["stopped"])
    assert any(n.startswith("DIFFU-K") for n in by_section["stopped"])
    stops = html[html.index("Traitements arrêtés"):html.index(OMISSIONS)]
    assert "IMOVANE" not in stops and "DIFFU-K" in stops
    assert "poursuite ou arrêt à confirmer" in html[html.index(OMISSIONS):]
    assert "1 non repris (à confirmer)" in html


def test_letter_html_allergies_alerts_identity_and_draft(html) -> None:
    assert "Allergies et intolérances" in html
    assert "pénicilline (allergie : urticaire)" in html and html.count("Pénicillines") == 0  # merged
    assert "AINS (intolérance : épigastralgies)" in html
    assert "Points d’attention" in html and "Allergie à la pénicilline écrite et AMOXICILLINE prescrite" in html
    for item in ("MARTIN Paul", "né le 02/01/1950", "homme", "INS 150017512345678", "IPP IPP998",
                 "Dr Claire HOPITAL", "Dr Jean VILLE", "Hôpital Fictif Nord", "Médecine interne",
                 "du 01/03/2024 au 08/03/2024"):
        assert item in html, item
    assert "Lettre de liaison de sortie — brouillon — conciliation non validée" in html


def test_letter_is_final_only_when_asked(report) -> None:
    final = _plain(render_html(report, today=F.TODAY, draft=False))
    assert "brouillon" not in final


def test_no_allergy_written() -> None:
    html = _plain(render_html(F.views_report(allergies=False), today=F.TODAY))
    assert "Allergies et intolérances" in html and "aucune allergie connue renseignée" in html


def test_stay_patient_differs_from_the_documents(report) -> None:
    ctx = letter_context(report, F.stay(), today=F.TODAY)
    first = ctx["alerts"][0]
    assert first["severity"] == "high"
    assert "le patient du dossier de séjour diffère de celui des documents (nom" in first["message"]
    assert "DUPONT Marie" in ctx["stay"]["patient"] and "MARTIN" not in ctx["stay"]["patient"]
    # the stay file's "pénicillines" is the documents' pénicilline: one allergy, written in three places
    assert ctx["allergies"][0]["sources"] == ["traitement habituel", "prescription hospitalière", "dossier de séjour"]
    same = letter_context(report, {"patient": {"name": "MARTIN Paul"}, "reason": "Pneumopathie"}, today=F.TODAY)
    assert not any("dossier de séjour" in a["message"] for a in same["alerts"])
    assert "Dr Claire HOPITAL" in same["stay"]["identity"][3][1]  # the gaps filled from the documents


@pytest.mark.parametrize("kind, word", [("admission", "prescription d’admission"), ("stay", "prescription du séjour")])
def test_a_non_discharge_prescription_is_said(kind: str, word: str) -> None:
    rep = F.views_report(kind=kind)
    html = _plain(render_html(rep, today=F.TODAY))
    assert f"Lettre établie à partir d’une {word}, qui n’est pas une prescription de sortie" in html
    assert "qui n’est pas une prescription de sortie" in " ".join(_pdf_text(render_pdf(rep, today=F.TODAY)).split())
    discharge = _plain(render_html(F.views_report(), today=F.TODAY))
    assert "n’est pas une prescription de sortie" not in discharge


# -- the letter, PDF ------------------------------------------------------------------------------
def test_letter_pdf_reads_back(pdf_text) -> None:
    flat = " ".join(pdf_text.split())
    assert "brouillon — conciliation non validée" in flat
    assert "au maximum 6 par jour" in flat and "6 fois par jour" not in flat
    assert "10 mg par semaine → 15 mg par semaine" in flat
    assert "KARDEGIC 75 mg (même substance : ne pas prendre les deux boîtes)" in flat
    assert "ALLERGIES ET INTOLÉRANCES" in flat.upper() and "pénicilline (allergie : urticaire)" in flat
    assert "Points d’attention" in flat and "AMOXICILLINE prescrite" in flat
    assert "MARTIN Paul" in flat and "Dr Claire HOPITAL" in flat
    stops = flat[flat.index("TRAITEMENTS ARRÊTÉS"):flat.index(OMISSIONS.upper())]
    assert "DIFFU-K" in stops and "IMOVANE" not in stops
    assert "IMOVANE" in flat[flat.index(OMISSIONS.upper()):]


def test_letter_pdf_final_and_no_allergy(report) -> None:
    assert "brouillon" not in _pdf_text(render_pdf(report, today=F.TODAY, draft=False))
    text = " ".join(_pdf_text(render_pdf(F.views_report(allergies=False), today=F.TODAY)).split())
    assert "aucune allergie connue renseignée" in text


def test_write_letter_is_a_draft_by_default(tmp_path, report) -> None:
    html = write_letter(report, tmp_path / "l.html", today=F.TODAY).read_text(encoding="utf-8")
    assert "brouillon — conciliation non validée" in html
    final = write_letter(report, tmp_path / "f.html", today=F.TODAY, draft=False).read_text(encoding="utf-8")
    assert "brouillon" not in final


# -- FHIR -----------------------------------------------------------------------------------------
def _dosage_of(bundle: dict, line_id: str) -> dict:
    st = next(r for r in _resources(bundle, "MedicationStatement")
              if r["identifier"][0]["value"] in (line_id, f"line:{line_id}")
              and r["identifier"][0]["system"] == "urn:recon:reconciliation-line")
    return st


def test_fhir_letter(report) -> None:
    bundle = build_bundle(report, today=F.TODAY)  # validated inside
    comp = bundle["entry"][0]["resource"]
    assert comp["status"] == "preliminary" and "brouillon" in comp["title"]
    final = build_bundle(report, today=F.TODAY, draft=False)["entry"][0]["resource"]
    assert final["status"] == "final" and "brouillon" not in final["title"]

    prn = _dosage_of(bundle, "l2")["dosage"][0]
    assert prn["asNeededCodeableConcept"]["text"] == "si EVA > 4"
    assert prn["maxDosePerPeriod"]["numerator"]["value"] == 6
    assert prn["maxDosePerPeriod"]["denominator"] == {"value": 1, "unit": "jour", "system": "http://unitsofmeasure.org",
                                                      "code": "d"}
    assert "frequency" not in prn.get("timing", {}).get("repeat", {})
    weekly = _dosage_of(bundle, "l3")["dosage"][0]["timing"]["repeat"]
    assert (weekly["frequency"], weekly["period"], weekly["periodUnit"]) == (1, 1, "wk")

    kardegic = _dosage_of(bundle, "l1")
    assert any("KARDEGIC 75 mg (même substance" in n["text"].replace("\u00a0", " ") for n in kardegic["note"])
    omission = _dosage_of(bundle, "l5")
    assert omission["status"] == "unknown" and "statusReason" not in omission
    assert any("non repris — à confirmer" in n["text"] for n in omission["note"])
    assert _dosage_of(bundle, "l4")["status"] == "stopped"

    allergies = _resources(bundle, "AllergyIntolerance")
    assert [a["code"]["text"] for a in allergies] == ["pénicilline", "AINS"]
    assert allergies[0]["reaction"][0]["manifestation"][0]["text"] == "urticaire"
    assert allergies[1]["type"] == "intolerance"
    section = next(s for s in comp["section"] if s["title"] == "Allergies et intolérances")
    urls = {e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AllergyIntolerance"}
    assert {e["reference"] for e in section["entry"]} == urls
    patient = _resources(bundle, "Patient")[0]
    assert patient["name"][0]["text"] == "MARTIN Paul" and patient["birthDate"] == "1950-01-02"
    meds = next(s for s in comp["section"] if s["title"] == "Traitement médicamenteux de sortie")
    assert "AMOXICILLINE prescrite" in meds["text"]["div"]


def test_fhir_reconciliation(report) -> None:
    bundle = reconciliation_bundle(report, timestamp=dt.datetime(2024, 3, 9, 12, 0))
    lines = {r["identifier"][0]["value"]: r for r in _resources(bundle, "MedicationStatement")
             if r["identifier"][0]["system"] == "urn:recon:reconciliation-line"}
    assert lines["l5"]["status"] == "unknown" and "statusReason" not in lines["l5"]
    assert any("à confirmer" in n["text"] for n in lines["l5"]["note"])
    assert lines["l4"]["status"] == "stopped"
    assert any("KARDEGIC" in n["text"] for n in lines["l1"]["note"])
    prn = lines["l2"]["dosage"][0]
    assert prn["maxDosePerPeriod"]["numerator"]["value"] == 6 and "asNeededCodeableConcept" in prn
    assert [a["code"]["text"] for a in _resources(bundle, "AllergyIntolerance")] == ["pénicilline", "AINS"]


# -- the fiche ------------------------------------------------------------------------------------
def test_fiche(report) -> None:
    page = render_fiche(report)
    text = _plain(page)
    assert "Allergies et intolérances" in text and "pénicilline (allergie : urticaire)" in text
    assert "Allergie à la pénicilline écrite et AMOXICILLINE prescrite" in text
    assert text.index("AMOXICILLINE prescrite") < text.index("Traitement habituel (avant)")  # at the top
    assert "Traitement habituel : KARDEGIC 75 mg (même substance : ne pas prendre les deux boîtes)" in text
    assert "Dose totale : 10 mg par semaine → 15 mg par semaine" in text
    assert "au maximum 6 par jour" in text and "6 fois par jour" not in text
    main, omissions = page.split('<h2 id="non-repris">')
    assert "IMOVANE" not in main and "IMOVANE" in omissions and "DIFFU-K" in main
    assert "non repris (à confirmer)" in omissions
    ctx = fiche_context(report)
    counts = {c["status"]: c["n"] for c in ctx["counts"]}
    assert counts["stopped"] == 1 and counts["omission"] == 1
    assert "aucune allergie connue renseignée" in render_fiche(F.views_report(allergies=False))


# -- the pharmacist's qualification of a possible omission -------------------------------------------
def _qualified(report, line_id: str, **request) -> object:
    line = next(ln for ln in report.lines if ln.id == line_id)
    d = Decision(seq=1, at=dt.datetime(2024, 3, 9, 10, 0), by="anonymous", kind="qualify", target=pair_key(line),
                 payload=qualify_payload(QualifyRequest(**request), line))
    return fold(report, [d])


def test_a_documented_omission_becomes_a_stop_with_its_reason(report) -> None:
    review = _qualified(report, "l5", qualification="documented", comment="Arrêt voulu : chutes nocturnes")
    annotated = annotate(report, review)
    ctx = letter_context(annotated, today=F.TODAY)
    stopped = next(s for s in ctx["sections"] if s["status"] == "stopped")
    row = next(r for r in stopped["rows"] if r["id"] == "l5")
    assert row["reason"] == "Arrêt voulu : chutes nocturnes".replace(" :", "\u00a0:")
    assert not any(s["status"] == "omission" for s in ctx["sections"])
    fiche = fiche_context(report, review=review)
    assert not next(r for r in fiche["rows"] if r["id"] == "l5")["omission"]
    assert fiche["rows"][4]["qualification"]["by"] == "anonyme"


def test_an_unintentional_omission_stays_apart_reported_to_the_prescriber(report) -> None:
    review = _qualified(report, "l5", qualification="unintentional", error_type="omission")
    annotated = annotate(report, review)
    html = _plain(render_html(annotated, today=F.TODAY))
    part = html[html.index(OMISSIONS):]
    assert "IMOVANE" in part and "divergence non intentionnelle (omission) signalée au prescripteur" in part
    assert next(r for r in fiche_context(report, review=review)["rows"] if r["id"] == "l5")["omission"]
