"""The reconciliation report as a FHIR R4 document: the "fiche de conciliation des traitements" (FCT).

Shaped after the Interop'Santé medication implementation guide (hl7.fhir.fr.medication, draft,
canonical ``https://hl7.fr/fhir/fr/medication``), its reconciliation part:

* a ``document`` Bundle whose Composition (typed with the guide's document-type code system,
  "FCT rétroactive de sortie") is titled "Fiche de conciliation des traitements médicamenteux";
* a section "Bilan médicamenteux" listing one MedicationStatement per BEFORE line, a section
  "Traitement médicamenteux courant" listing one per AFTER line (the guide's
  FrMedicationHistoryMedicationStatement and FrCurrentMedicationMedicationStatement);
* a section "Lignes de conciliation" with one entry per report line: a MedicationStatement (the
  guide's FrMedicationReconciliationMedicationStatement) whose ``derivedFrom`` points to the BEFORE
  and AFTER statements of the line, carrying the guide's complex extension
  ``fr-medicationstatement-reconciliation-properties`` (``status`` coded in the guide's code system
  fr-medication-reconciliation-status: Continué, Équivalence, Arrêté, Modifié, Initié; and
  ``isDiscrepant``).

The guide's status code system has no "suspendu": a suspended line is coded "Arrêté" there (the line is
not in the current treatment) and its MedicationStatement.status is ``on-hold``; every line also carries
Recon's own code system (``STATUS_SYSTEM``, with "suspendu"), which is not an official system
(``recon.invalid``). The guide is a draft whose URLs moved between versions (0.2.0 used
``http://interop.org/CodeSystem/...``); the URLs here derive from its current canonical.

Ids are UUIDs derived from the two documents' sha256, so the same report gives the same Bundle
(give ``timestamp`` for byte-identical output). The Bundle is validated with ``fhir.resources``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import uuid
from pathlib import Path
from typing import Any

from recon.errors import ReconError, RenderError
from recon.export.fhir import (
    ATC,
    FHIR_STATUS,
    OMISSION_STATUS,
    TO_CONFIRM,
    XHTML,
    allergy_resource,
    dosage,
    validate_bundle,
)
from recon.export.fiche import OMISSION_NOTE, STATUS_WORD, TITLE, UNDOCUMENTED, divergence
from recon.letter.describe import former_name, name, posology
from recon.letter.render import merged_allergies
from recon.models import Medication, ReconciliationLine, ReconciliationReport
from recon.output import write_output

IG = "https://hl7.fr/fhir/fr/medication"
IG_STATUS_SYSTEM = f"{IG}/CodeSystem/fr-medication-reconciliation-status"
IG_DOCUMENT_TYPE_SYSTEM = f"{IG}/CodeSystem/fr-document-type"
IG_PROPERTIES = f"{IG}/StructureDefinition/fr-medicationstatement-reconciliation-properties"
# Recon's own status system (not official: the guide's has no "suspendu")
STATUS_SYSTEM = "https://recon.invalid/fhir/CodeSystem/statut-conciliation"
STATUS_EXTENSION = "https://recon.invalid/fhir/StructureDefinition/statut-conciliation"
LINE_SYSTEM = "urn:recon:reconciliation-line"
MED_SYSTEM = "urn:recon:medication-line"

# report status → the guide's code (fr-medication-reconciliation-status)
IG_STATUS = {
    "unchanged": ("10000001", "Continué"),
    "substituted": ("10000002", "Équivalence"),
    "stopped": ("10000003", "Arrêté"),
    "suspended": ("10000003", "Arrêté"),  # no "suspendu" in the guide: see STATUS_SYSTEM
    "modified": ("10000004", "Modifié"),
    "added": ("10000005", "Initié"),
}
# report status → Recon's code
RECON_STATUS = {
    "unchanged": ("continue", "Continué"),
    "substituted": ("equivalence", "Équivalence"),
    "stopped": ("arrete", "Arrêté"),
    "suspended": ("suspendu", "Suspendu"),
    "modified": ("modifie", "Modifié"),
    "added": ("initie", "Initié"),
}
# a possible omission (usual drug left out, no reason written): not a stop until the prescriber confirms
RECON_TO_CONFIRM = ("a-confirmer", "À confirmer")
DOCUMENT_TYPE = {"system": IG_DOCUMENT_TYPE_SYSTEM, "code": "10000005",
                 "display": "FCT rétroactive de sortie"}
MED_STATUS = {"active": "active", "new": "active", "stopped": "stopped", "suspended": "on-hold"}
CATEGORY = "http://terminology.hl7.org/CodeSystem/medication-statement-category"


def _div(body: str) -> dict[str, str]:
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


def _e(text: object) -> str:
    return html.escape(str(text), quote=False)


def _concept(med: Medication) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": name(med)}
    atcs = [med.atc] if med.atc else [s.atc for s in med.substances if s.atc]
    codings = []
    for code in dict.fromkeys(atcs):
        names = ", ".join(s.name for s in med.substances if s.atc in (None, code)) or med.drug_text
        codings.append({"system": ATC, "code": code, "display": names})
    if codings:
        concept["coding"] = codings
    return concept


class _Builder:
    def __init__(self, report: ReconciliationReport, timestamp: dt.datetime | None) -> None:
        self.report = report
        self.seed = f"{report.before.document.sha256}:{report.after.document.sha256}"
        now = timestamp or dt.datetime.now(dt.UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        self.timestamp = now.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        self.entries: list[dict[str, Any]] = []

    def url(self, kind: str, key: str = "") -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'recon:fct:{self.seed}:{kind}:{key}')}"

    def add(self, kind: str, key: str, resource: dict[str, Any]) -> dict[str, str]:
        full = self.url(kind, key)
        self.entries.append({"fullUrl": full,
                             "resource": {"resourceType": kind, "id": full.removeprefix("urn:uuid:"), **resource}})
        return {"reference": full}

    def source_statement(self, side: str, med: Medication, patient: dict[str, str]) -> dict[str, str]:
        """A line of BEFORE (the usual treatment) or AFTER (the hospital's), as written."""
        res: dict[str, Any] = {
            "identifier": [{"system": f"{MED_SYSTEM}:{side}", "value": med.id}],
            "status": MED_STATUS.get(med.status, "active"),
            "category": {"coding": [{"system": CATEGORY, "code": "community" if side == "before" else "inpatient"}]},
            "medicationCodeableConcept": _concept(med),
            "subject": patient,
            "dateAsserted": self.timestamp,
            "dosage": [dosage(med, posology(med))],
        }
        notes = [f"Ligne telle qu'écrite : {med.text}"] if med.text.strip() else []
        if med.page:
            notes.append(f"Page {med.page}")
        if notes:
            res["note"] = [{"text": n} for n in notes]
        ref = self.add("MedicationStatement", f"{side}:{med.id}", res)
        return {**ref, "display": name(med)}

    def line_statement(self, line: ReconciliationLine, b: Medication | None, a: Medication | None,
                       refs: list[dict[str, str]], patient: dict[str, str]) -> tuple[dict[str, str], list[str]]:
        med = (b or a) if line.status in ("stopped", "suspended") else (a or b)
        if med is None:
            raise RenderError(f"line {line.id} names no medication")
        omission = line.status == "stopped" and bool(line.omission)
        ig_code, ig_display = IG_STATUS[line.status]
        code, display = RECON_TO_CONFIRM if omission else RECON_STATUS[line.status]
        status_part = [] if omission else [  # the guide has no "to confirm": no status until it is decided
            {"url": "status", "extension": [{"url": "value", "extension": [
                {"url": "code", "valueCoding": {"system": IG_STATUS_SYSTEM, "code": ig_code, "display": ig_display}},
                {"url": "date", "valueDateTime": self.timestamp},
            ]}]}]
        properties = {"url": IG_PROPERTIES, "extension": [
            *status_part,
            {"url": "isDiscrepant", "extension": [{"url": "value", "extension": [
                {"url": "yesNo", "valueBoolean": line.status != "unchanged"}]}]},
        ]}
        res: dict[str, Any] = {
            "extension": [properties,
                          {"url": STATUS_EXTENSION, "valueCoding": {"system": STATUS_SYSTEM, "code": code,
                                                                    "display": display}}],
            "identifier": [{"system": LINE_SYSTEM, "value": line.id}],
            "status": OMISSION_STATUS if omission else FHIR_STATUS[line.status],
            "medicationCodeableConcept": _concept(med),
            "subject": patient,
            "dateAsserted": self.timestamp,
            "derivedFrom": [{"reference": r["reference"], "display": r["display"]} for r in refs],
            "dosage": [dosage(med, posology(med))],
        }
        reason = (line.reason or "").strip()
        if line.status in ("stopped", "suspended") and reason and not omission:
            res["statusReason"] = [{"text": reason}]
        if line.status == "added" and reason:
            res["reasonCode"] = [{"text": reason}]
        word = TO_CONFIRM.lower() if omission else f"traitement {STATUS_WORD[line.status]}"
        notes = [f"Conciliation : {word}."]
        div = divergence(line.changes, b, a)
        notes += [f"Divergence : {d}" for d in div]
        former = former_name(b, a) if line.status in ("unchanged", "modified", "substituted") else None
        if former:
            notes.append(f"Traitement habituel : {former}")
        if reason:
            notes.append(f"Motif : {reason}")
        elif omission:
            notes.append(f"Commentaire : {OMISSION_NOTE}")
        elif line.status != "unchanged":
            notes.append(f"Commentaire : {UNDOCUMENTED}")
        if line.note:
            notes.append(f"Note : {line.note}")
        if line.needs_review:
            notes.append("À vérifier" + (f" : {' ; '.join(line.review_reasons)}" if line.review_reasons else "") + ".")
        res["note"] = [{"text": n} for n in notes]
        ref = self.add("MedicationStatement", f"line:{line.id}", res)
        word = "non repris (à confirmer)" if omission else STATUS_WORD[line.status]
        cells = [name(b) + " — " + posology(b) if b else "—", name(a) + " — " + posology(a) if a else "—",
                 word, " ; ".join([*div, *([f"traitement habituel : {former}"] if former else [])]) or "—",
                 reason or (OMISSION_NOTE if omission else UNDOCUMENTED if line.status != "unchanged" else "—")]
        return {**ref, "display": f"{line.id} : {name(med)} ({word})"}, cells

    def build(self) -> dict[str, Any]:
        comp_url = self.url("Composition", "fct")
        self.entries.append({"fullUrl": comp_url, "resource": {}})  # placeholder: the Composition comes first
        patient = self.add("Patient", "patient", {})  # the documents' patient; Recon keeps no identity
        before = {m.id: m for m in self.report.before.medications}
        after = {m.id: m for m in self.report.after.medications}
        b_refs = {m.id: self.source_statement("before", m, patient) for m in self.report.before.medications}
        a_refs = {m.id: self.source_statement("after", m, patient) for m in self.report.after.medications}
        line_refs, rows = [], []
        for line in self.report.lines:
            b, a = before.get(line.before or ""), after.get(line.after or "")
            refs = [r for r in (b_refs.get(line.before or ""), a_refs.get(line.after or "")) if r]
            ref, cells = self.line_statement(line, b, a, refs, patient)
            line_refs.append(ref)
            rows.append(cells)

        def listing(refs: list[dict[str, str]]) -> str:
            if not refs:
                return "<p>Aucune ligne.</p>"
            return "<ul>" + "".join(f"<li>{_e(r['display'])}</li>" for r in refs) + "</ul>"

        head = ("<tr><th>Traitement habituel (avant)</th><th>Traitement hospitalier (après)</th><th>Statut</th>"
                "<th>Divergence</th><th>Commentaire</th></tr>")
        table = ("<table><caption>" + _e(TITLE) + "</caption><thead>" + head + "</thead><tbody>"
                 + "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>" for cells in rows)
                 + "</tbody></table>") if rows else "<p>Aucune ligne de traitement.</p>"

        def section(title: str, body: str, entries: list[dict[str, str]]) -> dict[str, Any]:
            sec: dict[str, Any] = {"title": title, "text": _div(body)}
            if entries:
                sec["entry"] = [{"reference": r["reference"], "display": r["display"]} for r in entries]
            else:
                sec["emptyReason"] = {"coding": [{
                    "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason", "code": "nilknown"}]}
            return sec

        allergies = merged_allergies(self.report)
        allergy_refs = []
        for i, item in enumerate(allergies, start=1):
            ref = self.add("AllergyIntolerance", f"allergy:{i}", allergy_resource(item, patient))
            allergy_refs.append({**ref, "display": item["text"]})
        bdoc, adoc = self.report.before.document, self.report.after.document
        sections = [
            section(f"Bilan médicamenteux (traitement habituel) — {bdoc.name}", listing(list(b_refs.values())),
                    list(b_refs.values())),
            section(f"Traitement médicamenteux courant (hospitalier) — {adoc.name}", listing(list(a_refs.values())),
                    list(a_refs.values())),
            section("Lignes de conciliation", table, line_refs),
            section("Allergies et intolérances", listing(allergy_refs) if allergy_refs
                    else "<p>Aucune allergie connue renseignée.</p>", allergy_refs),
        ]
        counts = ", ".join(f"{STATUS_WORD[s]} : {n}" for s, n in self.report.summary.items() if s in STATUS_WORD)
        self.entries[0]["resource"] = {
            "resourceType": "Composition",
            "id": comp_url.removeprefix("urn:uuid:"),
            "language": "fr-FR",
            "text": _div(f"<p>{_e(TITLE)} : {_e(bdoc.name)} → {_e(adoc.name)} ({_e(counts)})</p>"),
            "identifier": {"system": "urn:ietf:rfc:3986", "value": comp_url},
            "status": "preliminary",  # a draft until the pharmacist and the prescriber validate it
            "type": {"coding": [DOCUMENT_TYPE], "text": TITLE},
            "subject": patient,
            "date": self.timestamp,
            "author": [{"display": "Recon — conciliation médicamenteuse (à valider)"}],
            "title": TITLE,
            "section": sections,
        }
        bundle_url = self.url("Bundle", "fct")
        return {
            "resourceType": "Bundle",
            "id": bundle_url.removeprefix("urn:uuid:"),
            "language": "fr-FR",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": bundle_url},
            "type": "document",
            "timestamp": self.timestamp,
            "entry": self.entries,
        }


def reconciliation_bundle(report: ReconciliationReport, *, timestamp: dt.datetime | None = None) -> dict[str, Any]:
    """The FCT as a FHIR document Bundle (JSON-ready data), validated; RenderError when it cannot be built."""
    try:
        data = _Builder(report, timestamp).build()
    except ReconError:
        raise
    except Exception as e:
        raise RenderError(f"the FHIR reconciliation bundle could not be built ({type(e).__name__})") from e
    validate_bundle(data)
    return data


def reconciliation_bundle_json(report: ReconciliationReport, *, timestamp: dt.datetime | None = None) -> str:
    return json.dumps(reconciliation_bundle(report, timestamp=timestamp), ensure_ascii=False, indent=2)


def write_reconciliation_bundle(report: ReconciliationReport, path: str | Path) -> Path:
    return write_output(path, reconciliation_bundle_json(report))


__all__ = ["DOCUMENT_TYPE", "IG_STATUS", "IG_STATUS_SYSTEM", "RECON_STATUS", "STATUS_SYSTEM",
           "reconciliation_bundle", "reconciliation_bundle_json", "write_reconciliation_bundle"]
