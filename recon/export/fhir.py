"""The discharge letter as a FHIR R4 document Bundle, validated with ``fhir.resources``.

The Bundle (type ``document``) holds, in this order: the Composition (typed LOINC 11490-0,
"Physician Discharge summary"), the Patient, the practitioners, the Encounter (when the
stay is known) and one MedicationStatement for each line of the reconciliation report,
listed by the Composition's medication section (LOINC 10183-2). Its content is the letter's:
the same ``letter_context`` gives the texts, so the three outputs say the same thing.

``fhir.resources`` 8 ships the R4B models (R4B is R4 with a few added resources; every
resource used here has the same shape in R4). Identifiers are UUIDs derived from the two
documents' hashes, so the same report gives the same Bundle.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import uuid
from pathlib import Path
from typing import Any

from recon.errors import ReconError, RenderError
from recon.letter.describe import period
from recon.letter.render import clean_reason, letter_context
from recon.letter.stay import Doctor, Stay, StayLike, as_stay
from recon.models import Medication, Quantity, ReconciliationLine, ReconciliationReport
from recon.output import write_output

LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
RPPS = "urn:oid:1.2.250.1.71.4.2.1"  # ANS: identifiants nationaux des professionnels de santé (RPPS)
LINE_SYSTEM = "urn:recon:reconciliation-line"
STATUS_EXTENSION = "urn:recon:fhir:StructureDefinition:reconciliation-status"
XHTML = "http://www.w3.org/1999/xhtml"

DOCUMENT_TYPE = {"system": LOINC, "code": "11490-0", "display": "Physician Discharge summary"}
SECTION_CODES = {
    "reason": ("29299-5", "Reason for visit Narrative", "Motif d’hospitalisation"),
    "allergies": ("48765-2", "Allergies and adverse reactions Document", "Allergies et intolérances"),
    "course": ("8648-8", "Hospital course Narrative", "Synthèse du séjour"),
    "medications": ("10183-2", "Hospital discharge medications Narrative", "Traitement médicamenteux de sortie"),
    "results": ("30954-2", "Relevant diagnostic tests/laboratory data Narrative", "Résultats d’examens en attente"),
    "plan": ("18776-5", "Plan of care note", "Suites à donner"),
}
# reconciliation status → MedicationStatement.status (R4 value set medication-statement-status)
FHIR_STATUS = {"unchanged": "active", "modified": "active", "substituted": "active", "added": "active",
               "suspended": "on-hold", "stopped": "stopped"}
# a possible omission (a usual drug the hospital prescription leaves out, no reason written) is no stop:
# whether it goes on is not known until the prescriber confirms
OMISSION_STATUS = "unknown"
TO_CONFIRM = "Traitement habituel non repris — à confirmer"
INS_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"  # INS-NIR (matricule INS)
WHEN = {"matin": "MORN", "midi": "NOON", "soir": "EVE", "coucher": "HS", "nuit": "NIGHT"}
UCUM_UNITS = {"mg": "mg", "g": "g", "µg": "ug", "mcg": "ug", "ng": "ng", "ml": "mL", "mL": "mL", "l": "L",
              "UI": "[iU]", "U": "U", "mmol": "mmol", "%": "%", "mg/ml": "mg/mL", "mg/mL": "mg/mL"}
DURATION_UNITS = {"day": ("d", "jours"), "week": ("wk", "semaines"), "month": ("mo", "mois")}
GENDER = {"F": "female", "M": "male", "X": "other"}


def _narrative(body: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


def _p(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(x, quote=False)}</li>" for x in items) + "</ul>"


class _Builder:
    def __init__(self, report: ReconciliationReport, stay: StayLike, today: dt.date | None, draft: bool) -> None:
        self.report = report
        self.ctx = letter_context(report, as_stay(stay), today=today, draft=draft)
        self.stay: Stay = self.ctx["stay_model"]
        self.draft = draft
        self.seed = f"{report.before.document.sha256}:{report.after.document.sha256}"
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        if today is not None:
            now = dt.datetime.combine(today, dt.time(12, 0), tzinfo=dt.UTC)
        self.timestamp = now.isoformat().replace("+00:00", "Z")
        self.entries: list[dict[str, Any]] = []

    def url(self, kind: str, key: str = "") -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'recon:{self.seed}:{kind}:{key}')}"

    def add(self, kind: str, key: str, resource: dict[str, Any]) -> dict[str, str]:
        full = self.url(kind, key)
        resource = {"resourceType": kind, "id": full.removeprefix("urn:uuid:"), **resource}
        self.entries.append({"fullUrl": full, "resource": resource})
        return {"reference": full}

    # -- resources ---------------------------------------------------------------------------
    def practitioner(self, role: str, d: Doctor | None) -> dict[str, str] | None:
        if d is None:
            return None
        res: dict[str, Any] = {"name": [{"text": d.name}]}
        if d.rpps:
            res["identifier"] = [{"system": RPPS, "value": d.rpps}]
        telecom = [{"system": "phone", "value": d.phone}] if d.phone else []
        telecom += [{"system": "email", "value": d.email}] if d.email else []
        if telecom:
            res["telecom"] = telecom
        if d.address:
            res["address"] = [{"text": d.address}]
        if d.title:
            res["qualification"] = [{"code": {"text": d.title}}]
        ref = self.add("Practitioner", role, res)
        return {**ref, "display": d.name}

    def patient(self, gp: dict[str, str] | None) -> dict[str, str]:
        p = self.stay.patient
        res: dict[str, Any] = {}
        ids = []
        if self.ctx.get("ins"):
            ids.append({"type": {"text": "INS"}, "system": INS_SYSTEM, "value": self.ctx["ins"]})
        if p.identifier:
            ids.append({"type": {"text": "IPP"}, "value": p.identifier})
        if ids:
            res["identifier"] = ids
        if p.name:
            res["name"] = [{"text": p.name}]
        res["gender"] = GENDER.get(p.sex or "", "unknown")
        if p.birth_date:
            res["birthDate"] = p.birth_date.isoformat()
        if gp:
            res["generalPractitioner"] = [gp]
        ref = self.add("Patient", "patient", res)
        return {**ref, "display": p.name} if p.name else ref

    def encounter(self, patient: dict[str, str], referring: dict[str, str] | None,
                  attending: dict[str, str] | None) -> dict[str, str] | None:
        s = self.stay
        if not (s.admission_date or s.discharge_date or s.service or s.hospital or s.reason):
            return None
        res: dict[str, Any] = {
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP",
                      "display": "inpatient encounter"},
            "subject": patient,
        }
        if s.admission_date or s.discharge_date:
            res["period"] = {k: v.isoformat() for k, v in (("start", s.admission_date), ("end", s.discharge_date))
                             if v is not None}
        if s.service:
            res["serviceType"] = {"text": s.service}
        if s.reason:
            res["reasonCode"] = [{"text": s.reason}]
        participants = []
        for code, ref in (("REF", referring), ("ATND", attending)):
            if ref:
                participants.append({"type": [{"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": code}]}],
                    "individual": ref})
        if participants:
            res["participant"] = participants
        if s.hospital:
            res["serviceProvider"] = {"display": s.hospital}
        return self.add("Encounter", "stay", res)

    def statement(self, line: ReconciliationLine, row: dict[str, Any], med: Medication,
                  patient: dict[str, str], encounter: dict[str, str] | None) -> dict[str, str]:
        concept: dict[str, Any] = {"text": row["name"]}
        codings = []
        atcs = [med.atc] if med.atc else [s.atc for s in med.substances if s.atc]
        for code in dict.fromkeys(atcs):
            names = ", ".join(s.name for s in med.substances if s.atc in (None, code)) or med.drug_text
            codings.append({"system": ATC, "code": code, "display": names})
        if codings:
            concept["coding"] = codings
        omission = bool(row.get("omission"))
        res: dict[str, Any] = {
            "extension": [{"url": STATUS_EXTENSION, "valueCode": "to-confirm" if omission else line.status}],
            "identifier": [{"system": LINE_SYSTEM, "value": line.id}],
            "status": OMISSION_STATUS if omission else FHIR_STATUS[line.status],
            "category": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/medication-statement-category",
                "code": "community", "display": "Community"}]},
            "medicationCodeableConcept": concept,
            "subject": patient,
            "dateAsserted": self.timestamp,
            "dosage": [dosage(med, row["posology"])],
        }
        if encounter:
            res["context"] = encounter
        reason = clean_reason(line.reason)  # as written, without the letter's typography
        if line.status in ("stopped", "suspended") and reason and not omission:
            res["statusReason"] = [{"text": reason}]
        if line.status == "added" and reason:
            res["reasonCode"] = [{"text": reason}]
        notes = [f"Conciliation : {TO_CONFIRM.lower()}." if omission
                 else f"Conciliation : traitement {row['status_word']}."]
        notes += [f"{d['label']}{d['sep']}{d['text']}" for d in row["details"]]
        if reason:
            notes.append(f"{row['reason_label']} : {reason}")
        elif row.get("to_confirm"):
            notes.append(row["to_confirm"])
        elif row["reason_missing"]:
            notes.append(self.ctx["missing_reason"])
        if line.needs_review:
            notes.append("À vérifier" + (f" ({row['review']})" if row["review"] else "") + ".")
        res["note"] = [{"text": n} for n in notes]
        return self.add("MedicationStatement", line.id, res)

    def allergies(self, patient: dict[str, str]) -> list[dict[str, str]]:
        return [self.add("AllergyIntolerance", f"allergy:{i}", allergy_resource(a, patient))
                for i, a in enumerate(self.ctx["allergies"], start=1)]

    # -- the document ---------------------------------------------------------------------
    def build(self) -> dict[str, Any]:
        s, ctx = self.stay, self.ctx
        composition_url = self.url("Composition", "letter")
        self.entries.append({"fullUrl": composition_url, "resource": {}})  # placeholder: first entry
        gp = self.practitioner("gp", s.gp)
        referring = self.practitioner("referring", s.referring_doctor)
        attending = self.practitioner("hospital", s.hospital_doctor)
        patient = self.patient(gp)
        encounter = self.encounter(patient, referring, attending)
        allergies = self.allergies(patient)

        before = {m.id: m for m in self.report.before.medications}
        after = {m.id: m for m in self.report.after.medications}
        rows = {row["id"]: row for section in ctx["sections"] for row in section["rows"]}
        statements, items = [], []
        for section in ctx["sections"]:
            for row in section["rows"]:
                line = next(x for x in self.report.lines if x.id == row["id"])
                b, a = before.get(line.before or ""), after.get(line.after or "")
                med = (b or a) if line.status in ("stopped", "suspended") else (a or b)
                if med is None:
                    raise RenderError(f"line {line.id} names no medication")
                statements.append(self.statement(line, rows[line.id], med, patient, encounter))
                reason = (rows[line.id]["reason"] or rows[line.id].get("to_confirm")
                          or (ctx["missing_reason"] if rows[line.id]["reason_missing"] else ""))
                items.append(f"{section['title']} — {row['name']} : {row['posology']}"
                             + (f" ({reason})" if reason else ""))

        sections: list[dict[str, Any]] = []

        def section(key: str, body: str | None, entries: list[dict[str, str]] | None = None,
                    empty: str | None = None) -> None:
            code, display, title = SECTION_CODES[key]
            sec: dict[str, Any] = {"title": title, "code": {"coding": [{"system": LOINC, "code": code,
                                                                          "display": display}]}}
            if body:
                sec["text"] = _narrative(body)
            if entries:
                sec["entry"] = entries
            elif empty:
                sec["emptyReason"] = {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": empty}]}
            if body or entries or empty:
                sections.append(sec)

        section("reason", _p(s.reason) if s.reason else None)
        section("allergies", _ul([a["line"] for a in ctx["allergies"]]) if allergies
                else _p(f"Documents et dossier de séjour : {ctx['no_allergy']}."), allergies,
                empty=None if allergies else "unavailable")
        section("course", "".join(_p(x) for x in (s.summary or "").split("\n\n") if x.strip()) or None)
        heads = "".join(_p(x) for x in (ctx["draft_notice"], ctx["not_discharge"]) if x)
        if ctx["alerts"]:
            heads += _p("Points d’attention :") + _ul([f"{a['severity_word']} : {a['message']}" for a in ctx["alerts"]])
        section("medications", heads + (_ul(items) if items else _p(ctx["no_treatment"])), statements,
                empty=None if statements else "nilknown")
        section("results", _ul(s.pending_results) if s.pending_results else None)
        section("plan", _ul(s.follow_up) if s.follow_up else None)

        author = [attending] if attending else [{"display": "Recon — conciliation médicamenteuse (à valider)"}]
        composition: dict[str, Any] = {
            "resourceType": "Composition",
            "id": composition_url.removeprefix("urn:uuid:"),
            "language": "fr-FR",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": composition_url},
            # a draft until the reconciliation is validated; final only for a validated one's letter
            "status": "preliminary" if self.draft else "final",
            "type": {"coding": [DOCUMENT_TYPE], "text": ctx["title"]},
            "subject": patient,
            "date": self.timestamp,
            "author": author,
            "title": ctx["title"],
            "section": sections,
        }
        if encounter:
            composition["encounter"] = encounter
        if s.hospital:
            composition["custodian"] = {"display": s.hospital}
        self.entries[0]["resource"] = composition
        return {
            "resourceType": "Bundle",
            "id": self.url("Bundle", "letter").removeprefix("urn:uuid:"),
            "language": "fr-FR",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": self.url("Bundle", "letter")},
            "type": "document",
            "timestamp": self.timestamp,
            "entry": self.entries,
        }


def _quantity(q: Quantity) -> dict[str, Any]:
    out: dict[str, Any] = {"value": q.value, "unit": q.unit}
    if q.unit in UCUM_UNITS:
        out.update(system=UCUM, code=UCUM_UNITS[q.unit])
    return out


def allergy_resource(a: dict[str, Any], patient: dict[str, str]) -> dict[str, Any]:
    """An AllergyIntolerance of the letter's merged allergies (``merged_allergies``): the substance as
    written (with its ATC codes when known), the reaction as its manifestation."""
    code: dict[str, Any] = {"text": a["substance"]}
    if a.get("atc"):
        code["coding"] = [{"system": ATC, "code": c} for c in a["atc"]]
    res: dict[str, Any] = {
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                       "code": "active"}]},
        "verificationStatus": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            "code": "unconfirmed"}]},
        "type": "intolerance" if a.get("kind") == "intolérance" else "allergy",
        "code": code,
        "patient": patient,
        "note": [{"text": f"Selon : {a['where']}"}],
    }
    if a.get("reaction"):
        res["reaction"] = [{"manifestation": [{"text": a["reaction"]}]}]
    return res


def build_bundle(report: ReconciliationReport, stay: StayLike = None, *,
                 today: dt.date | None = None, draft: bool = True) -> dict[str, Any]:
    """The FHIR document Bundle as JSON-ready data, validated (raises RenderError when it is not valid).
    ``draft`` (the default): Composition.status 'preliminary'; 'final' only for a validated reconciliation."""
    try:
        data = _Builder(report, stay, today, draft).build()
    except ReconError:
        raise
    except Exception as e:
        raise RenderError(f"the FHIR bundle could not be built ({type(e).__name__})") from e
    validate_bundle(data)
    return data


def validate_bundle(data: dict[str, Any]) -> Any:
    """Validate with the ``fhir.resources`` R4B models; returns the parsed Bundle."""
    try:
        from fhir.resources.R4B.bundle import Bundle
    except ImportError as e:
        raise RenderError("FHIR export needs the fhir.resources package: pip install fhir.resources") from e
    try:
        return Bundle.model_validate(data)
    except Exception as e:  # pydantic ValidationError: name the places, not the values (patient data)
        errors = getattr(e, "errors", None)
        where = "; ".join(".".join(str(x) for x in err["loc"]) for err in errors()[:3]) if callable(errors) else ""
        raise RenderError(f"the FHIR bundle is not valid ({where or type(e).__name__})") from e


def bundle_json(report: ReconciliationReport, stay: StayLike = None, *, today: dt.date | None = None,
                draft: bool = True) -> str:
    return json.dumps(build_bundle(report, stay, today=today, draft=draft), ensure_ascii=False, indent=2)


def write_fhir(report: ReconciliationReport, path: str | Path, *, stay: StayLike = None, draft: bool = True) -> Path:
    return write_output(path, bundle_json(report, stay, draft=draft))


__all__ = ["DOCUMENT_TYPE", "FHIR_STATUS", "allergy_resource", "build_bundle", "bundle_json", "dosage",
           "validate_bundle", "write_fhir"]


def dosage(med: Medication, text: str) -> dict[str, Any]:
    """A FHIR Dosage of a medication line (shared by the letter's and the reconciliation's bundles): text,
    timing (rhythm with its period, times, duration), as-needed with its condition, the written maximum
    (``maxDosePerPeriod``, a day), route, dose. The number a day of an as-needed line is a ceiling, never
    a rhythm: it is given as the maximum, not as ``timing.repeat.frequency``."""
    out: dict[str, Any] = {"text": text}
    repeat: dict[str, Any] = {}
    f = med.frequency
    if f is not None:
        if f.interval_hours:
            repeat.update(frequency=1, period=f.interval_hours, periodUnit="h")
        elif med.as_needed:
            pass  # 'si besoin, au maximum 6 par jour': see maxDosePerPeriod
        elif f.per_day and f.per_day >= 1 and float(f.per_day).is_integer():
            repeat.update(frequency=int(f.per_day), period=1, periodUnit="d")
        elif f.per_day and 0 < f.per_day < 1:
            rhythm = period(f.per_day)
            if rhythm is not None and rhythm[1] == 7:
                repeat.update(frequency=int(rhythm[0]), period=1, periodUnit="wk")
            elif rhythm is not None:
                repeat.update(frequency=int(rhythm[0]), period=rhythm[1], periodUnit="d")
            else:
                repeat.update(frequency=1, period=round(1 / f.per_day, 2), periodUnit="d")
        when = [WHEN[t] for t in f.times_of_day if t in WHEN]
        if when:
            repeat["when"] = list(dict.fromkeys(when))
    if med.duration is not None:
        code, unit = DURATION_UNITS.get(med.duration.unit, ("d", "jours"))
        repeat["boundsDuration"] = {"value": med.duration.value, "unit": unit, "system": UCUM, "code": code}
    if repeat:
        out["timing"] = {"repeat": repeat}
    if med.as_needed:
        # R4 allows one asNeeded[x]: the condition when written (it implies 'as needed'), else the boolean
        if med.as_needed_reason:
            out["asNeededCodeableConcept"] = {"text": med.as_needed_reason}
        else:
            out["asNeededBoolean"] = True
    ceiling = _max_per_day(med)
    if ceiling is not None:
        out["maxDosePerPeriod"] = {"numerator": ceiling,
                                   "denominator": {"value": 1, "unit": "jour", "system": UCUM, "code": "d"}}
    if med.route:
        out["route"] = {"text": med.route}
    if med.dose is not None:
        out["doseAndRate"] = [{"doseQuantity": _quantity(med.dose)}]
    return out


def _max_per_day(med: Medication) -> dict[str, Any] | None:
    """The written maximum a day as a quantity: the maximum amount when written ('max 3 g/j'), else the
    maximum number of intakes times the dose ('max 6/j' of 1 gélule: 6 gélules); on an as-needed line
    the number a day is that maximum."""
    f = med.frequency
    if f is None:
        return None
    if f.max_dose is not None:
        return _quantity(f.max_dose)
    most = f.max_per_day
    if most is None and med.as_needed and f.per_day and f.per_day >= 1 and not f.interval_hours:
        most = f.per_day
    if not most:
        return None
    if med.dose is not None:
        return _quantity(Quantity(value=most * med.dose.value, unit=med.dose.unit))
    return {"value": most, "unit": "prise"}
