"""Render the discharge liaison letter (lettre de liaison de sortie) from a reconciliation report.

``letter_context`` turns a report (and the optional stay metadata) into plain data that the
HTML template (Jinja2), the PDF renderer (``recon.letter.pdf``) and the FHIR export share, so
the three always say the same thing. Every report line is shown exactly once, under its
status; a change whose reason is not written in the documents reads "motif à préciser".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from recon.errors import ReconError, RenderError
from recon.letter.describe import (
    amount,
    duration,
    fmt_number,
    fmt_quantity,
    former_name,
    frequency,
    name,
    period,
    posology,
    same_substances,
)
from recon.letter.stay import Doctor, Patient, Stay, StayLike, as_stay
from recon.models import (
    Change,
    DocumentFacts,
    Medication,
    PatientFacts,
    Quantity,
    ReconciliationLine,
    ReconciliationReport,
)
from recon.output import write_output

# (status, section title, what the detail of a line tells)
SECTIONS = [
    ("unchanged", "Traitements poursuivis", "Commentaire"),
    ("modified", "Traitements modifiés", "Modification et motif"),
    ("substituted", "Traitements remplacés", "Traitement remplacé et motif"),
    ("suspended", "Traitements suspendus", "Reprise et motif"),
    ("stopped", "Traitements arrêtés", "Motif de l’arrêt"),
    # a usual drug absent from the hospital prescription with no written reason: not a stop, to confirm
    ("omission", "Traitements habituels non repris — à confirmer", "À confirmer avec le prescripteur"),
    ("added", "Nouveaux traitements", "Indication et durée"),
]
STATUS_WORD = {"unchanged": "poursuivi", "modified": "modifié", "substituted": "remplacé", "suspended": "suspendu",
               "stopped": "arrêté", "omission": "non repris (à confirmer)", "added": "nouveau"}
OMISSION_TEXT = ("absent de la prescription hospitalière, sans motif écrit : poursuite ou arrêt à confirmer "
                 "avec le prescripteur")
FIELD_FR = {"strength": "dosage", "dose": "dose", "frequency": "fréquence", "route": "voie", "form": "forme",
            "duration": "durée", "as_needed": "prise à la demande", "substance": "substance"}
MISSING_REASON = "motif à préciser"
DRAFT = " — brouillon — conciliation non validée"
DRAFT_NOTICE = ("Document de travail, brouillon (conciliation non validée) : à relire par le pharmacien et le "
                "médecin hospitalier avant tout envoi.")
NO_ALLERGY = "aucune allergie connue renseignée"
NOT_DISCHARGE = {
    "admission": "Lettre établie à partir d’une prescription d’admission, qui n’est pas une prescription de "
                 "sortie : le traitement de sortie reste à confirmer avec le prescripteur.",
    "stay": "Lettre établie à partir d’une prescription du séjour, qui n’est pas une prescription de sortie : "
            "le traitement de sortie reste à confirmer avec le prescripteur.",
}
SEVERITY_WORD = {"high": "important", "medium": "à vérifier", "info": "information"}
SIDE_WORD = {"before": "traitement habituel", "after": "prescription hospitalière", "stay": "dossier de séjour"}
NO_TREATMENT = "Aucun traitement médicamenteux."
TO_COMPLETE = "à compléter"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]
NBSP = "\u00a0"
# detail labels written without a colon ("Remplace atorvastatine 20 mg"): a drug named after "remplace"
# reads as the replaced one, also to Recon's own extraction of the PDF
INLINE_LABELS = {"Remplace"}
# details that quote free text (the documents' or Recon's note): they may name other drugs
FREE_TEXT_LABELS = {"Commentaire", "Reprise"}
# the usual treatment's name when the hospital writes another one (brand ↔ generic)
FORMER_LABEL = "Traitement habituel"
RESUME_UNKNOWN = "date de reprise non précisée"


def bracketed(text: str) -> str:
    """Text to be put inside parentheses: its own parentheses become brackets (French usage)."""
    return text.replace("(", "[").replace(")", "]")


# -- French typography ------------------------------------------------------------------
_BEFORE_PUNCT = re.compile(r"[ \t]+([:;!?»])")
_AFTER_QUOTE = re.compile(r"«[ \t]+")
_NUMBER_UNIT = re.compile(r"(\d)[ \t]+(?=(?:mg|µg|g|ml|mL|l|UI|U|%|h|j|kg|mmol|µmol|cp|gél|sachets?|comprimés?"
                          r"|gélules?|gouttes?|bouffées?|ampoules?|fois|jours?|semaines?|mois|ans?)\b)")


def typo(text: str | None) -> str:
    """French typography: a no-break space before ':' ';' '!' '?' and inside « », between a number
    and its unit; straight apostrophes become typographic ones."""
    if not text:
        return ""
    out = _BEFORE_PUNCT.sub(NBSP + r"\1", text)
    out = _AFTER_QUOTE.sub("«" + NBSP, out)
    out = _NUMBER_UNIT.sub(r"\1" + NBSP, out)
    return re.sub(r"(?<=\w)'(?=\w)", "’", out)


def fr_date(d: dt.date | None, *, long: bool = False) -> str:
    if d is None:
        return ""
    if long:
        day = "1er" if d.day == 1 else str(d.day)
        return f"{day} {MONTHS[d.month - 1]} {d.year}"
    return d.strftime("%d/%m/%Y")


# -- reasons as written ---------------------------------------------------------------------
_CELL_NOISE = re.compile(
    r"^(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}[hH]\d{0,2}|PO|IV|IVD|IVL|SC|IM|SL|per\s*os|orale?|"
    r"suspendu|arr[êe]t[ée]?|stop|arr[êe]t[ée]?\s+le\s+\d{1,2}/\d{1,2}/\d{2,4})\.?$",
    re.IGNORECASE,
)


def clean_reason(reason: str | None) -> str | None:
    """The reason as written, without the empty or purely structural cells of a table row
    (dates, route codes, the status word itself). Nothing is added."""
    if reason is None:
        return None
    cells = [c.strip() for c in re.split(r"\s*\|\s*", reason)]
    kept = [c for c in cells if c and not _CELL_NOISE.match(c)]
    if not kept:
        return None
    text = kept[0]
    for cell in kept[1:]:
        text += (" " if cell[:1].islower() else " ; ") + cell
    text = re.sub(r"\s+", " ", text).strip(" ;")
    return text or None


_RESUME = re.compile(
    r"(jusqu['’]\s*(?:au|à|a|en)\b[^;|.]*|(?:à|a)\s+reprendre\b[^;|.]*|reprise\s+(?:prévue|le|à|a|au|après|apres|dès"
    r"|des|si|selon|en|par)\b[^;|.]*|pendant\s+\d+\s*(?:j|jours?|semaines?|mois)\b[^;|.]*)",
    re.IGNORECASE,
)


def resume_hint(*texts: str | None) -> str | None:
    """'à reprendre selon bilan', 'jusqu'au 15/03' — when the documents say until when."""
    for text in texts:
        if text:
            m = _RESUME.search(text)
            if m:
                return m.group(1).strip(" ,;")
    return None


# -- context --------------------------------------------------------------------------------
def _env() -> Environment:
    env = Environment(loader=PackageLoader("recon.letter", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["typo"] = typo
    return env


def section_of(line: ReconciliationLine) -> str:
    """The letter's section of a line: its status, or 'omission' for a usual drug the hospital prescription
    leaves out with no written reason (a possible omission, never shown as a decided stop)."""
    if line.status == "stopped" and line.omission:
        return "omission"
    return line.status


def letter_context(report: ReconciliationReport, stay: StayLike = None, *,
                   today: dt.date | None = None, draft: bool = True) -> dict[str, Any]:
    """Everything the letter says, as plain data (strings already in French typography).

    ``stay``: a Stay, its JSON data (dict) or the path of a stay.json file; None when unknown: the
    identification then comes from what the documents write (``after.facts``, then ``before.facts``).
    ``draft``: the reconciliation is not validated (the default); only a validated one gives a final letter."""
    day = today or dt.date.today()
    before = {m.id: m for m in report.before.medications}
    after = {m.id: m for m in report.after.medications}
    known = {line.id for line in report.lines}
    sections = []
    for status, title, detail_title in SECTIONS:
        rows = [_row(line, before.get(line.before or ""), after.get(line.after or ""))
                for line in report.lines if section_of(line) == status]
        if rows:
            sections.append({"status": status, "title": title, "detail_title": detail_title, "rows": rows})
    shown = [row["id"] for s in sections for row in s["rows"]]
    if len(shown) != len(report.lines) or set(shown) != known:
        raise RenderError("the report has lines with an unknown status or duplicate ids")
    n_by = {status: sum(1 for line in report.lines if section_of(line) == status) for status, _, _ in SECTIONS}
    counts = ", ".join(f"{n_by[s]} {_plural(STATUS_WORD[s], n_by[s])}" for s, _, _ in SECTIONS
                       if s != "omission" or n_by[s])
    given = as_stay(stay)
    has_stay = given is not None and given != Stay()
    documents = documents_stay(report)
    alerts = _alerts(report)
    ins = _document_patient(report).ins
    if has_stay:
        assert given is not None
        conflict = stay_conflicts(given, report)
        if conflict:
            alerts.insert(0, {"code": "A101", "severity": "high", "severity_word": SEVERITY_WORD["high"],
                              "message": typo("le patient du dossier de séjour diffère de celui des documents "
                                              f"({', '.join(conflict)}) : vérifier l’identité avant tout envoi")})
            ins = None
        chosen = given if conflict else _fill(given, documents)
    else:
        chosen = documents
    kind = report.after.facts.kind if report.after.facts is not None else "unknown"
    not_discharge = NOT_DISCHARGE.get(kind, "")
    if not_discharge:  # said once, prominently, rather than again among the points of attention
        alerts = [a for a in alerts if a["code"] != "A301"]
    from_documents = chosen != Stay() and (not has_stay or chosen != given)
    allergies = merged_allergies(report, chosen)
    return {
        "title": "Lettre de liaison de sortie" + (DRAFT if draft else ""),
        "draft": draft,
        "draft_notice": DRAFT_NOTICE if draft else "",
        "not_discharge": typo(not_discharge),
        "alerts": alerts,
        "allergies": allergies,
        "no_allergy": NO_ALLERGY,
        "before_name": report.before.document.name,
        "after_name": report.after.document.name,
        "date": fr_date(day),
        "date_long": fr_date(day, long=True),
        "stay": _stay_context(chosen, day, ins=ins),
        "stay_model": chosen,  # the Stay the letter tells (the file's, or the documents'), for the FHIR export
        "ins": ins,
        "has_stay": has_stay,
        "identity_note": "Identité, séjour et prescripteurs repris des documents : à vérifier." if from_documents
        else "",
        "sections": sections,
        "line_count": len(report.lines),
        "drug_names": drug_names(report),
        "no_treatment": NO_TREATMENT if not report.lines else "",
        "summary_text": typo(f"Bilan de la conciliation : {counts}."),
        "review_count": sum(1 for line in report.lines if line.needs_review),
        "to_complete": TO_COMPLETE,
        "missing_reason": MISSING_REASON,
    }


# -- alerts, allergies, identity from the documents ----------------------------------------------
def _alerts(report: ReconciliationReport) -> list[dict[str, str]]:
    order = {"high": 0, "medium": 1, "info": 2}
    alerts = sorted(report.alerts or [], key=lambda a: order.get(a.severity, 3))
    return [{"code": a.code, "severity": a.severity, "severity_word": SEVERITY_WORD.get(a.severity, a.severity),
             "message": typo(a.message)} for a in alerts]


def _fold(text: str) -> str:
    """A key to compare names: lower case, no accents, no plural 's', single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = [w[:-1] if len(w) > 3 and w.endswith("s") else w for w in re.findall(r"[a-z0-9]+", plain.lower())]
    return " ".join(words)


def merged_allergies(report: ReconciliationReport, stay: Stay | None = None) -> list[dict[str, Any]]:
    """The allergies and intolerances written in both documents and in the stay file, one a substance
    (the first reaction written kept), each with where it is written."""
    out: dict[str, dict[str, Any]] = {}
    written: list[tuple[str, str, str | None, str, list[str]]] = []
    for side, ml in (("before", report.before), ("after", report.after)):
        for a in ml.allergies or []:
            written.append((side, a.substance, a.reaction, a.kind, list(a.atc)))
    for text in (stay.allergies if stay is not None else []):
        written.append(("stay", text, None, "allergie", []))
    for side, substance, reaction, kind, atc in written:
        key = _fold(substance)
        if not key:
            continue
        item = out.setdefault(key, {"substance": substance.strip(), "reaction": None, "kind": kind, "atc": [],
                                    "sources": []})
        if reaction and not item["reaction"]:
            item["reaction"] = reaction.strip()
        if kind == "allergie":
            item["kind"] = "allergie"
        item["atc"] = list(dict.fromkeys([*item["atc"], *atc]))
        if SIDE_WORD[side] not in item["sources"]:
            item["sources"].append(SIDE_WORD[side])
    for item in out.values():
        what = item["kind"] + (f" : {item['reaction']}" if item["reaction"] else "")
        item["text"] = typo(f"{item['substance']} ({what})")
        item["where"] = typo(", ".join(item["sources"]))
        item["line"] = typo(f"{item['substance']} ({what}) — selon : {item['where']}")
    return list(out.values())


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _facts(report: ReconciliationReport) -> list[DocumentFacts]:
    return [f for f in (report.after.facts, report.before.facts) if f is not None]


def _document_patient(report: ReconciliationReport) -> PatientFacts:
    """The patient as the documents write it: each item from the hospital document first, then the usual one."""
    patients = [f.patient for f in _facts(report) if f.patient is not None]
    merged: dict[str, Any] = {}
    for key in ("name", "birth_date", "sex", "ins", "ipp"):
        merged[key] = next((getattr(p, key) for p in patients if getattr(p, key)), None)
    return PatientFacts(**merged)


def documents_stay(report: ReconciliationReport) -> Stay:
    """What the documents write of the patient, the stay and the doctors, as a Stay (never guessed)."""
    facts = _facts(report)
    p = _document_patient(report)

    def first(attr: str) -> str | None:
        return next((getattr(f, attr) for f in facts if getattr(f, attr)), None)

    admission, discharge = _date(first("admission_date")), _date(first("discharge_date"))
    if admission and discharge and discharge < admission:
        admission = discharge = None
    hospital_author = report.after.facts.author if report.after.facts is not None else None
    usual = report.before.facts
    gp = usual.author if usual is not None and usual.kind in ("usual", "unknown") else None
    return Stay(
        patient=Patient(name=p.name, birth_date=_date(p.birth_date), sex=p.sex, identifier=p.ipp),
        hospital=first("hospital"), service=first("service"), admission_date=admission, discharge_date=discharge,
        hospital_doctor=Doctor(name=hospital_author) if hospital_author else None,
        gp=Doctor(name=gp) if gp else None,
    )


def _fill(stay: Stay, documents: Stay) -> Stay:
    """The stay file, its empty items taken from the documents (when both name the same patient)."""
    data = stay.model_dump()
    extra = documents.model_dump()
    for key, value in extra.items():
        if key == "patient":
            for k, v in value.items():
                if data["patient"].get(k) is None and v is not None:
                    data["patient"][k] = v
        elif data.get(key) in (None, [], "") and value not in (None, [], ""):
            data[key] = value
    try:
        return Stay.model_validate(data)
    except ValueError:  # the documents' dates do not fit the stay's: keep the stay as given
        return stay


def stay_conflicts(stay: Stay, report: ReconciliationReport) -> list[str]:
    """French names of the identity items on which the stay file and the documents disagree."""
    docs = _document_patient(report)
    if not any(docs.model_dump().values()):
        return []
    p = stay.patient
    mine = PatientFacts(name=p.name, birth_date=p.birth_date.isoformat() if p.birth_date else None,
                        sex=p.sex if p.sex in ("F", "M") else None, ipp=p.identifier)
    try:
        from recon.reconcile.alerts import patient_conflicts  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _patient_conflicts([mine, docs])
    return list(patient_conflicts([mine, docs]))


def _patient_conflicts(patients: list[PatientFacts]) -> list[str]:
    """Used until the engine's comparison is there: the items written on both sides that differ."""
    labels = {"name": "nom", "birth_date": "date de naissance", "sex": "sexe", "ins": "INS", "ipp": "IPP"}
    out = []
    for key, label in labels.items():
        values = {_fold(str(v)) if key == "name" else str(v).strip() for v in
                  (getattr(p, key) for p in patients) if v}
        if key == "name":
            values = {" ".join(sorted(v.split())) for v in values}
        if len(values) > 1:
            out.append(label)
    return out


def _plural(word: str, n: int) -> str:
    if n <= 1:
        return word
    if " " in word:  # 'non repris (à confirmer)'
        return word
    return word + ("x" if word.endswith("eau") else "" if word.endswith(("s", "x")) else "s")


def _doctor(d: Doctor | None) -> dict[str, str] | None:
    if d is None:
        return None
    extra = " — ".join(x for x in (d.title, d.address, f"tél. {d.phone}" if d.phone else None, d.email,
                                  f"RPPS {d.rpps}" if d.rpps else None) if x)
    return {"name": typo(d.name), "detail": typo(extra), "line": typo(f"{d.name}, {extra}" if extra else d.name)}


def _stay_context(stay: Stay, day: dt.date, *, ins: str | None = None) -> dict[str, Any]:
    p = stay.patient
    age = p.age_on(stay.discharge_date or day)
    born = ""
    if p.birth_date:
        born = f"{'née' if p.sex == 'F' else 'né'} le {fr_date(p.birth_date)}" + (f" ({age} ans)" if age is not None
                                                                               else "")
    sex = {"F": "femme", "M": "homme", "X": "sexe non précisé"}.get(p.sex or "", "")
    patient_line = ", ".join(x for x in (p.name, born, sex, f"INS {ins}" if ins else None,
                                         f"IPP {p.identifier}" if p.identifier else None) if x)
    where = " — ".join(x for x in (stay.hospital, f"service {stay.service}" if stay.service else None) if x)
    dates = ""
    if stay.admission_date or stay.discharge_date:
        dates = (f"du {fr_date(stay.admission_date) or TO_COMPLETE} "
                 f"au {fr_date(stay.discharge_date) or TO_COMPLETE}")
    gp, referring, hospital_doctor = _doctor(stay.gp), _doctor(stay.referring_doctor), _doctor(stay.hospital_doctor)
    return {
        "patient": typo(patient_line),
        "patient_name": typo(p.name or ""),
        "hospital": typo(stay.hospital or ""),
        "service": typo(stay.service or ""),
        "where": typo(where),
        "dates": dates,
        "admission": fr_date(stay.admission_date),
        "discharge": fr_date(stay.discharge_date),
        "gp": gp,
        "referring": referring,
        "hospital_doctor": hospital_doctor,
        "reason": typo(stay.reason),
        "summary": [typo(par) for par in re.split(r"\n\s*\n", stay.summary or "") if par.strip()],
        "allergies": [typo(a) for a in stay.allergies],
        "pending_results": [typo(x) for x in stay.pending_results],
        "follow_up": [typo(x) for x in stay.follow_up],
        # (label, value) pairs of the identification block, in the order of art. R1112-1-2
        "identity": [
            ("Patient", typo(patient_line)),
            ("Médecin traitant", gp["line"] if gp else ""),
            ("Médecin adresseur", referring["line"] if referring else ""),
            ("Praticien hospitalier", hospital_doctor["line"] if hospital_doctor else ""),
            ("Établissement, service", typo(where)),
            ("Séjour", dates),
        ],
    }


def _row(line: ReconciliationLine, b: Medication | None, a: Medication | None) -> dict[str, Any]:
    """One report line as the letter shows it."""
    section = section_of(line)
    current = a if line.status not in ("stopped", "suspended") else (b or a)
    current = current or a or b
    if current is None:
        raise RenderError(f"line {line.id} names no medication")
    reason = clean_reason(line.reason)
    details: list[tuple[str, str]] = []  # (label, text) under the drug
    former = former_name(b, a)
    if line.status == "unchanged":
        if former:
            details.append((FORMER_LABEL, former))
        if line.note:
            details.append(("Commentaire", line.note))
    elif line.status == "modified":
        details += _changes(line.changes, b, a)
        if former and b is not None and a is not None:
            details.append((FORMER_LABEL, former) if same_substances(b, a)
                           else ("Remplace", f"{name(b)} : {posology(b)}"))
    elif line.status == "substituted":
        if b is not None:
            details.append((FORMER_LABEL, former) if former and a is not None and same_substances(b, a)
                           else ("Remplace", f"{name(b)} : {posology(b)}"))
    elif line.status == "suspended":
        until = resume_hint(line.reason, a.comment if a else None, b.comment if b else None)
        if a is not None and a.duration is not None:
            until = until or f"suspendu pendant {duration(a.duration)}"
        details.append(("Reprise", until or RESUME_UNKNOWN))
    elif line.status == "added" and current.duration is None:
        details.append(("Durée", "non précisée"))  # when written, the posology ends with it
    reason_label = "Indication" if line.status == "added" else "Motif"
    omission = section == "omission"
    return {
        "id": line.id,
        "status": line.status,
        "section": section,
        "omission": omission,
        "status_word": STATUS_WORD[section],
        "name": typo(name(current)),
        "atc": current.atc,
        "posology": typo(posology(current)),
        "details": [{"label": label, "sep": " " if label in INLINE_LABELS else NBSP + ": ", "text": typo(text),
                     "kind": _kind(label, text)} for label, text in details],
        "reason_label": reason_label,
        "reason": typo(reason) if reason else None,
        "to_confirm": typo(OMISSION_TEXT) if omission and not reason else None,
        "needs_reason": line.status != "unchanged",
        "reason_missing": line.status != "unchanged" and not reason and not omission,
        "needs_review": line.needs_review,
        "review": "; ".join(line.review_reasons),
        # kept for older templates and callers
        "detail": "; ".join(typo(text) for _, text in details),
        "reason_bracketed": typo(bracketed(reason)) if reason else None,
    }


def _kind(label: str, text: str) -> str:
    """'field' (a structured change), 'replaces' (the drug replaced), 'former' (the usual treatment's name of
    the same drug), 'quote' (free text)."""
    if label in INLINE_LABELS:
        return "replaces"
    if label == FORMER_LABEL:
        return "former"
    if label in FREE_TEXT_LABELS and text != RESUME_UNKNOWN:
        return "quote"
    return "field"


def drug_names(report: ReconciliationReport) -> list[str]:
    """Every drug and substance name of the report, longest first."""
    names = {n.strip() for med in (*report.before.medications, *report.after.medications)
             for n in (med.drug_text, *(s.name for s in med.substances)) if len(n.strip()) >= 3}
    return sorted(names, key=lambda n: (-len(n), n))


def _label(m: Medication) -> str:
    return m.drug_text.strip().lower()


def _per_day(m: Medication | None) -> float | None:
    return m.frequency.per_day if m is not None and m.frequency is not None else None


def daily_dose_text(db: Any, da: Any, b: Medication | None, a: Medication | None) -> tuple[str, str] | None:
    """('Dose quotidienne', '40 mg → 80 mg'); with a weekly (or every-other-day) side, the amount over its
    period ('Dose', '10 mg par jour → 70 mg par semaine'), never a weekly drug's daily fraction."""
    if db is None and da is None:
        return None
    pb, pa = _per_day(b), _per_day(a)
    if period(pb) is None and period(pa) is None:
        def plain(q: Any) -> str:
            return f"{fmt_number(q.value)} {q.unit}" if q is not None else "?"
        return "Dose quotidienne", f"{plain(db)} → {plain(da)}"
    return "Dose totale", f"{amount(db, pb)} → {amount(da, pa)}"


def _changes(changes: list[Change], b: Medication | None = None,
             a: Medication | None = None) -> list[tuple[str, str]]:
    """One (label, 'before → after') a changed field, then the daily dose when it changes."""
    parts = [(FIELD_FR.get(c.field, c.field).capitalize(), f"{_value(c.field, c.before)} → {_value(c.field, c.after)}")
             for c in changes]
    if changes:
        db, da = changes[0].daily_dose_before, changes[0].daily_dose_after
        if db is not None and da is not None and (db.value, db.unit) != (da.value, da.unit):
            dose = daily_dose_text(db, da, b, a)
            if dose:
                parts.append(dose)
    return parts


def _value(field: str, v: object) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "oui" if v else "non"
    if isinstance(v, dict):
        if field == "frequency" or "per_day" in v:
            return frequency(v) or "—"
        if field == "duration" or "days" in v:
            return duration(v) or "—"
        if "value" in v and "unit" in v and isinstance(v["value"], int | float):
            return fmt_quantity(Quantity(value=float(v["value"]), unit=str(v["unit"])))
        return str(v.get("text") or "—")
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) or "—"
    return str(v)


# -- output ---------------------------------------------------------------------------------
def render_html(report: ReconciliationReport, stay: StayLike = None, *, today: dt.date | None = None,
                draft: bool = True) -> str:
    """The letter as HTML; a draft ('brouillon — conciliation non validée') unless ``draft=False``, which only
    the letter of a validated reconciliation may ask."""
    try:
        return _env().get_template("letter.html.j2").render(**letter_context(report, stay, today=today, draft=draft))
    except ReconError:
        raise
    except Exception as e:  # jinja2 errors are programming errors, but must not leak a traceback
        raise RenderError(f"the letter could not be rendered ({type(e).__name__})") from e


FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".json": "fhir"}


def write_letter(report: ReconciliationReport, path: str | Path, *, stay: StayLike = None,
                 today: dt.date | None = None, draft: bool = True) -> Path:
    """Write the letter; the suffix chooses the format: .html, .pdf, or .json (a FHIR R4 document Bundle).

    ``stay``: a Stay, its JSON data or the path of a stay.json file (art. R1112-1-2 CSP contents).
    ``draft``: True (the default) titles it a draft; only a validated reconciliation's letter is final."""
    p = Path(path)
    stay = as_stay(stay)
    suffix = p.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise RenderError(f"letter format '{suffix or 'none'}' is not available: write to .html, .pdf or .json")
    if fmt == "html":
        data: bytes = render_html(report, stay, today=today, draft=draft).encode("utf-8")
    elif fmt == "pdf":
        from recon.letter.pdf import render_pdf

        data = render_pdf(report, stay, today=today, draft=draft)
    else:
        from recon.export.fhir import bundle_json

        data = bundle_json(report, stay, today=today, draft=draft).encode("utf-8")
    return write_output(p, data)
