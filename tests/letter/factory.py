"""Fictional reports and stays for the letter and export tests (no patient data)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from recon.letter.stay import Stay
from recon.models import (
    Change,
    DocumentInfo,
    Duration,
    Frequency,
    Link,
    Medication,
    MedicationList,
    Quantity,
    ReconciliationLine,
    ReconciliationReport,
    Substance,
)

TODAY = dt.date(2024, 3, 9)


def med(mid: str, drug: str, subst: str, atc: str | None, strength: tuple[float, str] | None, *,
        dose: tuple[float, str] | None = (1, "comprimé"), per_day: float | None = 1,
        times: list[str] | None = None, route: str | None = "orale", form: str | None = "comprimé",
        duration_days: float | None = None, status: str = "active", comment: str | None = None,
        as_needed: bool = False) -> Medication:
    return Medication(
        id=mid, text=f"{drug} …", span=None, page=None, drug_text=drug,
        substances=[Substance(name=subst, atc=atc)], atc=atc, link=Link(method="exact", score=1.0),
        strength=Quantity(value=strength[0], unit=strength[1]) if strength else None,
        form=form, route=route, dose=Quantity(value=dose[0], unit=dose[1]) if dose else None,
        frequency=Frequency(per_day=per_day, times_of_day=times or []) if per_day is not None else None,
        as_needed=as_needed,
        duration=Duration(value=duration_days, unit="day", days=duration_days) if duration_days else None,
        status=status, confidence=1.0, comment=comment,  # type: ignore[arg-type]
    )


def _doc(name: str, side: str) -> DocumentInfo:
    return DocumentInfo(name=name, side=side, media_type="text/plain", pages=1,  # type: ignore[arg-type]
                        sha256=hashlib.sha256(name.encode()).hexdigest())


def report(lines: list[tuple[str, Medication | None, Medication | None, dict[str, Any]]]) -> ReconciliationReport:
    """``lines``: (status, before, after, extra fields of the line)."""
    before = [b for _, b, _, _ in lines if b is not None]
    after = [a for _, _, a, _ in lines if a is not None]
    rl = [ReconciliationLine(id=f"l{i}", status=status, before=b.id if b else None,  # type: ignore[arg-type]
                             after=a.id if a else None, confidence=1.0, **extra)
          for i, (status, b, a, extra) in enumerate(lines, start=1)]
    summary = {s: sum(1 for x in rl if x.status == s)
               for s in ("unchanged", "modified", "substituted", "suspended", "stopped", "added")}
    summary["needs_review"] = sum(1 for x in rl if x.needs_review)
    return ReconciliationReport(before=MedicationList(document=_doc("ville.txt", "city"), medications=before),
                                after=MedicationList(document=_doc("sortie.txt", "hospital"), medications=after),
                                lines=rl, summary=summary)


def all_statuses() -> ReconciliationReport:
    """One line of each status or more; some reasons written, some not."""
    return report([
        ("unchanged", med("b1", "BISOPROLOL", "bisoprolol", "C07AB07", (2.5, "mg"), times=["matin"]),
         med("a1", "BISOPROLOL", "bisoprolol", "C07AB07", (2.5, "mg"), times=["matin"]), {}),
        ("unchanged", med("b2", "DOLIPRANE", "paracétamol", "N02BE01", (1000, "mg"), per_day=3, as_needed=True),
         med("a2", "PARACETAMOL", "paracétamol", "N02BE01", (1, "g"), per_day=3, as_needed=True),
         {"note": "changement de nom commercial / DCI, mêmes substances", "needs_review": True,
          "review_reasons": ["PARACETAMOL: name shared by several ATC codes"]}),
        ("modified", med("b3", "LASILIX", "furosémide", "C03CA01", (40, "mg"), times=["matin"]),
         med("a3", "FUROSEMIDE", "furosémide", "C03CA01", (40, "mg"), per_day=2, times=["matin", "midi"]),
         {"changes": [Change(field="frequency", before={"per_day": 1, "times_of_day": ["matin"]},
                             after={"per_day": 2, "times_of_day": ["matin", "midi"]},
                             daily_dose_before=Quantity(value=40, unit="mg"),
                             daily_dose_after=Quantity(value=80, unit="mg"))],
          "reason": "IC décompensée, réévaluer selon diurèse"}),
        ("modified", med("b4", "AMLOR", "amlodipine", "C08CA01", (10, "mg")),
         med("a4", "AMLOR", "amlodipine", "C08CA01", (5, "mg")),
         {"changes": [Change(field="strength", before={"value": 10, "unit": "mg"}, after={"value": 5, "unit": "mg"})]}),
        ("substituted", med("b5", "TAHOR", "atorvastatine", "C10AA05", (20, "mg"), times=["soir"]),
         med("a5", "SIMVASTATINE", "simvastatine", "C10AA01", (40, "mg"), times=["soir"]),
         {"reason": "Équivalence livret (atorvastatine non référencée)"}),
        ("substituted", med("b6", "INEXIUM", "ésoméprazole", "A02BC05", (20, "mg"), times=["matin"]),
         med("a6", "PANTOPRAZOLE", "pantoprazole", "A02BC02", (40, "mg"), times=["matin"]), {}),
        ("suspended", med("b7", "RAMIPRIL", "ramipril", "C09AA05", (5, "mg"), times=["soir"]),
         med("a7", "RAMIPRIL", "ramipril", "C09AA05", (5, "mg"), status="suspended"),
         {"reason": "Hyperkaliémie + IRA : à reprendre selon bilan"}),
        ("stopped", med("b8", "DIFFU-K", "chlorure de potassium", "A12BA01", (600, "mg"), dose=(1, "gélule")),
         med("a8", "DIFFU-K", "chlorure de potassium", "A12BA01", (600, "mg"), status="stopped"),
         {"reason": "Hyperkaliémie 5,8 mmol/l"}),
        ("stopped", med("b9", "IMOVANE", "zopiclone", "N05CF01", (3.75, "mg"), times=["coucher"]), None, {}),
        ("added", None, med("a10", "ELIQUIS", "apixaban", "B01AF02", (5, "mg"), per_day=2, times=["matin", "soir"],
                            status="new"),
         {"reason": "FA, CHA2DS2-VASc = 5"}),
        ("added", None, med("a11", "AMOXICILLINE", "amoxicilline", "J01CA04", (1, "g"), per_day=3,
                            duration_days=7, status="new"), {}),
    ])


def empty() -> ReconciliationReport:
    return report([])


def long_report(n: int = 45) -> ReconciliationReport:
    """Many unchanged lines: a letter over several pages."""
    lines = []
    for i in range(n):
        m_b = med(f"b{i}", f"DRUG{i:02d}", f"substance {i}", None, (i + 1, "mg"))
        m_a = med(f"a{i}", f"DRUG{i:02d}", f"substance {i}", None, (i + 1, "mg"))
        lines.append(("unchanged", m_b, m_a, {}))
    return report(lines)


STAY_JSON: dict[str, Any] = {
    "patient": {"name": "DUPONT Marie", "birth_date": "1950-05-01", "sex": "F", "ipp": "123456"},
    "gp": {"name": "Dr Jean MEDECIN", "title": "Médecin généraliste", "address": "1, rue de la Paix, 75002 Paris"},
    "referring_doctor": {"name": "Dr Anne ADRESSEUR"},
    "hospital_doctor": {"name": "Dr Paul HOSPITALIER", "title": "Praticien hospitalier", "rpps": "10000000001"},
    "hospital": "Hôpital Fictif",
    "service": "Cardiologie",
    "admission_date": "2024-03-02",
    "discharge_date": "2024-03-09",
    "reason": "Insuffisance cardiaque décompensée",
    "summary": "Évolution favorable sous diurétiques.\n\nKaliémie normalisée à J3.",
    "allergies": ["pénicillines"],
    "pending_results": ["Échographie cardiaque : compte rendu à venir"],
    "follow_up": ["Ionogramme à J7", "Consultation de cardiologie dans 1 mois"],
}


def stay() -> Stay:
    return Stay.model_validate(STAY_JSON)


def views_report(*, kind: str = "discharge", allergies: bool = True, alerts: bool = True) -> ReconciliationReport:
    """A fictional report with what every view must carry: an as-needed line with its written maximum, a weekly
    drug whose dose changes, a brand at home and its generic at the hospital, a possible omission beside a
    decided stop, allergies in both documents, alerts, and the patient, stay and authors the documents write."""
    from recon.models import Alert, Allergy, DocumentFacts, PatientFacts

    prn_b = med("b1", "PARACETAMOL", "paracétamol", "N02BE01", (500, "mg"), dose=(1, "gélule"), per_day=6,
                as_needed=True, form="gélule")
    prn_a = med("a1", "PARACETAMOL", "paracétamol", "N02BE01", (500, "mg"), dose=(1, "gélule"), per_day=6,
                as_needed=True, form="gélule")
    for m in (prn_b, prn_a):
        m.as_needed_reason = "si EVA > 4"
        assert m.frequency is not None
        m.frequency.max_per_day = 6
    mtx_b = med("b2", "METHOTREXATE", "méthotrexate", "L04AX03", (2.5, "mg"), dose=(4, "comprimé"), per_day=1 / 7)
    mtx_a = med("a2", "METHOTREXATE", "méthotrexate", "L04AX03", (2.5, "mg"), dose=(6, "comprimé"), per_day=1 / 7)
    rep = report([
        ("unchanged", med("b3", "KARDEGIC", "acide acétylsalicylique", "B01AC06", (75, "mg"), dose=(1, "sachet")),
         med("a3", "ACIDE ACETYLSALICYLIQUE", "acide acétylsalicylique", "B01AC06", (75, "mg"), dose=(1, "sachet")),
         {}),
        ("unchanged", prn_b, prn_a, {}),
        ("modified", mtx_b, mtx_a,
         {"changes": [Change(field="dose", before={"value": 4, "unit": "comprimé"},
                             after={"value": 6, "unit": "comprimé"},
                             daily_dose_before=Quantity(value=10 / 7, unit="mg"),
                             daily_dose_after=Quantity(value=15 / 7, unit="mg"))],
          "reason": "Poussée de polyarthrite"}),
        ("stopped", med("b4", "DIFFU-K", "chlorure de potassium", "A12BA01", (600, "mg"), dose=(1, "gélule")), None,
         {"reason": "Hyperkaliémie 5,8 mmol/l", "documented": True}),
        ("stopped", med("b5", "IMOVANE", "zopiclone", "N05CF01", (3.75, "mg"), times=["coucher"]), None,
         {"omission": True, "documented": False}),
        ("added", None, med("a6", "AMOXICILLINE", "amoxicilline", "J01CA04", (1, "g"), per_day=3, status="new",
                            duration_days=7), {"reason": "Pneumopathie"}),
    ])
    if allergies:
        rep.before.allergies = [Allergy(substance="pénicilline", atc=["J01C"], reaction="urticaire",
                                        text="Allergie : pénicilline (urticaire)")]
        rep.after.allergies = [Allergy(substance="Pénicillines", atc=["J01C"], text="ALLERGIE PENICILLINES"),
                               Allergy(substance="AINS", kind="intolérance", reaction="épigastralgies",
                                       text="Intolérance AINS")]
    rep.after.facts = DocumentFacts(kind=kind,  # type: ignore[arg-type]
                                    patient=PatientFacts(name="MARTIN Paul", birth_date="1950-01-02", sex="M",
                                                         ins="150017512345678"),
                                    admission_date="2024-03-01", discharge_date="2024-03-08",
                                    author="Dr Claire HOPITAL", hospital="Hôpital Fictif Nord",
                                    service="Médecine interne")
    rep.before.facts = DocumentFacts(kind="usual", patient=PatientFacts(name="MARTIN Paul", ipp="IPP998"),
                                     author="Dr Jean VILLE")
    if alerts:
        rep.alerts = [
            Alert(code="A201", message="Allergie à la pénicilline écrite et AMOXICILLINE prescrite", lines=["l6"]),
            Alert(code="A401", message="Substance prescrite deux fois", lines=[], severity="medium"),
        ]
    return rep
