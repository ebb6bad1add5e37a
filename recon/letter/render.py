"""Render the discharge liaison letter (lettre de liaison de sortie) from a reconciliation report.

``letter_context`` turns a report (and the optional stay metadata) into plain data that the
HTML template (Jinja2), the PDF renderer (``recon.letter.pdf``) and the FHIR export share, so
the three always say the same thing. Every report line is shown exactly once, under its
status; a change whose reason is not written in the documents reads "motif à préciser".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from recon.errors import ReconError, RenderError
from recon.letter.describe import duration, fmt_number, frequency, name, posology
from recon.letter.stay import Doctor, Stay, StayLike, as_stay
from recon.models import Change, Medication, ReconciliationLine, ReconciliationReport
from recon.output import write_output

# (status, section title, what the detail of a line tells)
SECTIONS = [
    ("unchanged", "Traitements poursuivis", "Commentaire"),
    ("modified", "Traitements modifiés", "Modification et motif"),
    ("substituted", "Traitements remplacés", "Traitement remplacé et motif"),
    ("suspended", "Traitements suspendus", "Reprise et motif"),
    ("stopped", "Traitements arrêtés", "Motif de l’arrêt"),
    ("added", "Nouveaux traitements", "Indication et durée"),
]
STATUS_WORD = {"unchanged": "poursuivi", "modified": "modifié", "substituted": "remplacé", "suspended": "suspendu",
               "stopped": "arrêté", "added": "nouveau"}
FIELD_FR = {"strength": "dosage", "dose": "dose", "frequency": "fréquence", "route": "voie", "form": "forme",
            "duration": "durée", "as_needed": "prise à la demande", "substance": "substance"}
MISSING_REASON = "motif à préciser"
DRAFT = " — brouillon (conciliation non validée)"
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


def letter_context(report: ReconciliationReport, stay: StayLike = None, *,
                   today: dt.date | None = None, draft: bool = False) -> dict[str, Any]:
    """Everything the letter says, as plain data (strings already in French typography).

    ``stay``: a Stay, its JSON data (dict) or the path of a stay.json file; None when unknown.
    ``draft``: the reconciliation is not validated yet; the title says so."""
    day = today or dt.date.today()
    before = {m.id: m for m in report.before.medications}
    after = {m.id: m for m in report.after.medications}
    known = {line.id for line in report.lines}
    sections = []
    for status, title, detail_title in SECTIONS:
        rows = [_row(line, before.get(line.before or ""), after.get(line.after or ""))
                for line in report.lines if line.status == status]
        if rows:
            sections.append({"status": status, "title": title, "detail_title": detail_title, "rows": rows})
    shown = [row["id"] for s in sections for row in s["rows"]]
    if len(shown) != len(report.lines) or set(shown) != known:
        raise RenderError("the report has lines with an unknown status or duplicate ids")
    counts = ", ".join(f"{report.summary.get(s, 0)} {_plural(STATUS_WORD[s], report.summary.get(s, 0))}"
                       for s, _, _ in SECTIONS)
    stay = as_stay(stay) or Stay()
    return {
        "title": "Lettre de liaison de sortie" + (DRAFT if draft else ""),
        "before_name": report.before.document.name,
        "after_name": report.after.document.name,
        "date": fr_date(day),
        "date_long": fr_date(day, long=True),
        "stay": _stay_context(stay, day),
        "has_stay": stay != Stay(),
        "sections": sections,
        "line_count": len(report.lines),
        "drug_names": drug_names(report),
        "no_treatment": NO_TREATMENT if not report.lines else "",
        "summary_text": typo(f"Bilan de la conciliation : {counts}."),
        "review_count": sum(1 for line in report.lines if line.needs_review),
        "to_complete": TO_COMPLETE,
        "missing_reason": MISSING_REASON,
    }


def _plural(word: str, n: int) -> str:
    if n <= 1:
        return word
    return word + ("x" if word.endswith("eau") else "" if word.endswith(("s", "x")) else "s")


def _doctor(d: Doctor | None) -> dict[str, str] | None:
    if d is None:
        return None
    extra = " — ".join(x for x in (d.title, d.address, f"tél. {d.phone}" if d.phone else None, d.email,
                                  f"RPPS {d.rpps}" if d.rpps else None) if x)
    return {"name": typo(d.name), "detail": typo(extra), "line": typo(f"{d.name}, {extra}" if extra else d.name)}


def _stay_context(stay: Stay, day: dt.date) -> dict[str, Any]:
    p = stay.patient
    age = p.age_on(stay.discharge_date or day)
    born = ""
    if p.birth_date:
        born = f"{'née' if p.sex == 'F' else 'né'} le {fr_date(p.birth_date)}" + (f" ({age} ans)" if age is not None
                                                                               else "")
    sex = {"F": "femme", "M": "homme", "X": "sexe non précisé"}.get(p.sex or "", "")
    patient_line = ", ".join(x for x in (p.name, born, sex, f"IPP {p.identifier}" if p.identifier else None) if x)
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
    current = a if line.status not in ("stopped", "suspended") else (b or a)
    current = current or a or b
    if current is None:
        raise RenderError(f"line {line.id} names no medication")
    reason = clean_reason(line.reason)
    details: list[tuple[str, str]] = []  # (label, text) under the drug
    if line.status == "unchanged":
        if line.note:
            details.append(("Commentaire", line.note))
    elif line.status == "modified":
        details += _changes(line.changes)
        if b is not None and a is not None and _label(b) != _label(a):
            details.append(("Remplace", f"{name(b)} : {posology(b)}"))
    elif line.status == "substituted":
        if b is not None:
            details.append(("Remplace", f"{name(b)} : {posology(b)}"))
    elif line.status == "suspended":
        until = resume_hint(line.reason, a.comment if a else None, b.comment if b else None)
        if a is not None and a.duration is not None:
            until = until or f"suspendu pendant {duration(a.duration)}"
        details.append(("Reprise", until or RESUME_UNKNOWN))
    elif line.status == "added" and current.duration is None:
        details.append(("Durée", "non précisée"))  # when written, the posology ends with it
    reason_label = "Indication" if line.status == "added" else "Motif"
    return {
        "id": line.id,
        "status": line.status,
        "status_word": STATUS_WORD[line.status],
        "name": typo(name(current)),
        "atc": current.atc,
        "posology": typo(posology(current)),
        "details": [{"label": label, "sep": " " if label in INLINE_LABELS else NBSP + ": ", "text": typo(text),
                     "kind": _kind(label, text)} for label, text in details],
        "reason_label": reason_label,
        "reason": typo(reason) if reason else None,
        "needs_reason": line.status != "unchanged",
        "reason_missing": line.status != "unchanged" and not reason,
        "needs_review": line.needs_review,
        "review": "; ".join(line.review_reasons),
        # kept for older templates and callers
        "detail": "; ".join(typo(text) for _, text in details),
        "reason_bracketed": typo(bracketed(reason)) if reason else None,
    }


def _kind(label: str, text: str) -> str:
    """'field' (a structured change), 'replaces' (the drug replaced), 'quote' (free text)."""
    if label in INLINE_LABELS:
        return "replaces"
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


def _changes(changes: list[Change]) -> list[tuple[str, str]]:
    """One (label, 'before → after') a changed field, then the daily dose when it changes."""
    parts = [(FIELD_FR.get(c.field, c.field).capitalize(), f"{_value(c.field, c.before)} → {_value(c.field, c.after)}")
             for c in changes]
    if changes:
        db, da = changes[0].daily_dose_before, changes[0].daily_dose_after
        if db is not None and da is not None and (db.value, db.unit) != (da.value, da.unit):
            parts.append(("Dose quotidienne", f"{fmt_number(db.value)} {db.unit} → {fmt_number(da.value)} {da.unit}"))
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
            return f"{fmt_number(float(v['value']))} {v['unit']}"
        return str(v.get("text") or "—")
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) or "—"
    return str(v)


# -- output ---------------------------------------------------------------------------------
def render_html(report: ReconciliationReport, stay: StayLike = None, *, today: dt.date | None = None,
                draft: bool = False) -> str:
    try:
        return _env().get_template("letter.html.j2").render(**letter_context(report, stay, today=today, draft=draft))
    except ReconError:
        raise
    except Exception as e:  # jinja2 errors are programming errors, but must not leak a traceback
        raise RenderError(f"the letter could not be rendered ({type(e).__name__})") from e


FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".json": "fhir"}


def write_letter(report: ReconciliationReport, path: str | Path, *, stay: StayLike = None,
                 today: dt.date | None = None) -> Path:
    """Write the letter; the suffix chooses the format: .html, .pdf, or .json (a FHIR R4 document Bundle).

    ``stay``: a Stay, its JSON data or the path of a stay.json file (art. R1112-1-2 CSP contents)."""
    p = Path(path)
    stay = as_stay(stay)
    suffix = p.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise RenderError(f"letter format '{suffix or 'none'}' is not available: write to .html, .pdf or .json")
    if fmt == "html":
        data: bytes = render_html(report, stay, today=today).encode("utf-8")
    elif fmt == "pdf":
        from recon.letter.pdf import render_pdf

        data = render_pdf(report, stay, today=today)
    else:
        from recon.export.fhir import bundle_json

        data = bundle_json(report, stay, today=today).encode("utf-8")
    return write_output(p, data)
