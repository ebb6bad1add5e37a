"""The reconciliation report as an HTML "fiche de conciliation des traitements médicamenteux".

The sheet follows the HAS 2018 model (fiche de conciliation des traitements médicamenteux): one row
per line of the report, with the usual treatment (traitement habituel), the hospital treatment
(prescription hospitalière), the line's status, the divergence (the changed fields, old → new, and
the daily doses) and a comment (the written reason, "divergence non documentée" when a discrepancy
has none, the review flags, the usual treatment's name when the hospital writes another). The
report's alerts and the documents' allergies head the sheet; possible omissions (usual drugs left
out with no written reason) have their own table, "Traitements habituels non repris — à confirmer",
until the pharmacist qualifies them as intentional stops.

The page is self-contained (inline CSS, no external resource) and the template is autoescaped:
every text from the documents is escaped.
"""

from __future__ import annotations

import datetime as dt
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
)
from recon.letter.render import merged_allergies
from recon.models import LINE_STATUSES, Change, Medication, Quantity, ReconciliationLine, ReconciliationReport
from recon.output import write_output
from recon.review import Review
from recon.review.model import OMISSION_FR, STATUS_FR, is_omission

TITLE = "Fiche de conciliation des traitements médicamenteux"
# the HAS sheet's words for each status of a line
STATUS_WORD = STATUS_FR
STATUS_PLURAL = {"unchanged": "poursuivis", "modified": "modifiés", "substituted": "remplacés",
                 "suspended": "suspendus", "stopped": "arrêtés", "omission": "non repris (à confirmer)",
                 "added": "ajoutés"}
OMISSIONS_TITLE = "Traitements habituels non repris — à confirmer"
OMISSION_NOTE = "absent de la prescription hospitalière sans motif écrit : poursuite ou arrêt à confirmer"
SEVERITY_WORD = {"high": "important", "medium": "à vérifier", "info": "information"}
ANONYMOUS = {"anonymous": "anonyme"}
FIELD_FR = {"strength": "dosage", "dose": "dose", "frequency": "fréquence", "route": "voie", "form": "forme",
            "duration": "durée", "as_needed": "si besoin", "substance": "substance"}
UNDOCUMENTED = "divergence non documentée"
NONE = "—"
SIDE_FR = {"city": "ville", "hospital": "hôpital", "unknown": "origine inconnue"}


def _value(field: str, v: object) -> str:
    if v is None:
        return NONE
    if isinstance(v, bool):
        return "oui" if v else "non"
    if field == "duration" and isinstance(v, int | float):
        return duration({"value": v, "unit": "day"}) or NONE
    if isinstance(v, dict):
        if field == "frequency" or "per_day" in v:
            return frequency(v) or NONE
        if field == "duration" or "days" in v:
            return duration(v) or NONE
        if "value" in v and "unit" in v and isinstance(v["value"], int | float):
            return fmt_quantity(Quantity(value=float(v["value"]), unit=str(v["unit"])))
        return str(v.get("text") or NONE)
    if isinstance(v, list):
        return ", ".join(str(x) for x in v) or NONE
    if isinstance(v, float):
        return fmt_number(v)
    return str(v)


def _q(q: Quantity | None) -> str:
    return f"{fmt_number(q.value)} {q.unit}" if q is not None else "?"


def _per_day(m: Medication | None) -> float | None:
    return m.frequency.per_day if m is not None and m.frequency is not None else None


def divergence(changes: list[Change], before: Medication | None = None, after: Medication | None = None) -> list[str]:
    """'Fréquence : 1 fois par jour (matin) → 2 fois par jour (matin et midi)', then the daily dose
    ('Dose quotidienne : 40 mg → 80 mg'); a weekly drug's is its week's ('Dose totale : 70 mg par semaine')."""
    parts = [f"{FIELD_FR.get(c.field, c.field).capitalize()} : {_value(c.field, c.before)} → "
             f"{_value(c.field, c.after)}" for c in changes]
    doses = next(((c.daily_dose_before, c.daily_dose_after) for c in changes
                  if c.daily_dose_before is not None or c.daily_dose_after is not None), None)
    if doses is not None:
        db, da = doses
        same = db is not None and da is not None and (db.value, db.unit) == (da.value, da.unit)
        pb, pa = _per_day(before), _per_day(after)
        if period(pb) is None and period(pa) is None:
            parts.append(f"Dose quotidienne : {_q(db)}" + (" (inchangée)" if same else f" → {_q(da)}"))
        else:
            b_text, a_text = amount(db, pb), amount(da, pa)
            parts.append(f"Dose totale : {b_text}" + (" (inchangée)" if b_text == a_text else f" → {a_text}"))
    return parts


def who(by: str | None) -> str:
    """A user name as the sheet shows it (no internal word: 'anonymous' is 'anonyme')."""
    return ANONYMOUS.get(by or "", by or "")


def _med(m: Medication | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {"id": m.id, "name": name(m), "posology": posology(m), "text": m.text, "page": m.page,
            "comment": m.comment, "status": m.status, "chosen_by": who(m.link.chosen_by) or None,
            "document": m.document}


def _when(t: dt.datetime) -> str:
    """A stored time (UTC) as French local time."""
    try:
        from zoneinfo import ZoneInfo

        local = t.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Paris"))
        return local.strftime("%d/%m/%Y %H:%M")
    except (ImportError, LookupError, ValueError):  # no time-zone database: say it is UTC
        return t.strftime("%d/%m/%Y %H:%M") + " UTC"


def _qualification(line: ReconciliationLine, review: Review | None, *, stale: bool = False) -> dict[str, Any] | None:
    if review is None:
        return None
    q = review.stale_for(line.id) if stale else review.for_line(line.id)
    if q is None:
        return None
    return {"label": q.qualification_fr, "code": q.qualification, "error": q.error_type_fr,
            "error_code": q.error_type, "comment": q.comment, "by": who(q.by), "at": _when(q.at), "stale": q.stale}


def _row(line: ReconciliationLine, b: Medication | None, a: Medication | None,
         review: Review | None = None) -> dict[str, Any]:
    div = divergence(line.changes, b, a)
    omission = is_omission(line, review)
    if not div and omission:
        div = ["Traitement habituel non repris"]
    elif not div and line.status in ("stopped", "suspended", "added"):
        div = [f"Traitement {STATUS_WORD[line.status]}"]
    former = former_name(b, a) if line.status in ("unchanged", "modified", "substituted") else None
    qualification = _qualification(line, review)
    # a divergence is documented when the documents write a reason, or the pharmacist says where it is
    undocumented = line.status != "unchanged" and not (line.reason or "").strip() and not (
        qualification and qualification["code"] == "documented")
    return {
        "id": line.id, "status": line.status,
        "status_word": OMISSION_FR if omission else STATUS_WORD[line.status],
        "omission": omission, "omission_note": OMISSION_NOTE if omission and not (line.reason or "").strip() else None,
        "former": f"Traitement habituel : {former}" if former else None,
        "before": _med(b), "after": _med(a), "divergence": div,
        "reason": (line.reason or "").strip() or None, "undocumented": undocumented,
        "note": line.note, "needs_review": line.needs_review, "review": list(line.review_reasons),
        "confidence": line.confidence, "qualification": qualification,
        "stale": _qualification(line, review, stale=True), "pair": f"{line.before or '-'}>{line.after or '-'}",
        "changed": [c.field for c in line.changes],
        "to_qualify": review is not None and line.status != "unchanged",
    }


def fiche_context(report: ReconciliationReport, *, generated: dt.date | None = None,
                  review: Review | None = None) -> dict[str, Any]:
    """Plain data for the template (and for any other view of the sheet); ``review``: the pharmacist's
    qualifications of the divergences and the validation, when the report was reviewed."""
    before = {m.id: m for m in report.before.medications}
    after = {m.id: m for m in report.after.medications}
    rows = [_row(ln, before.get(ln.before or ""), after.get(ln.after or ""), review) for ln in report.lines]
    counts = [{"status": s, "word": STATUS_PLURAL[s],
               "n": sum(1 for r in rows if r["status"] == s and not (s == "stopped" and r["omission"]))}
              for s in LINE_STATUSES]
    omissions = sum(1 for r in rows if r["omission"])
    if omissions:
        counts.insert(LINE_STATUSES.index("stopped") + 1,
                      {"status": "omission", "word": STATUS_PLURAL["omission"], "n": omissions})
    alerts = [{"code": x.code, "severity": x.severity, "severity_word": SEVERITY_WORD.get(x.severity, x.severity),
               "message": x.message, "lines": list(x.lines)}
              for x in sorted(report.alerts or [], key=lambda x: {"high": 0, "medium": 1}.get(x.severity, 2))]
    allergies = [{"substance": x["substance"], "reaction": x["reaction"], "kind": x["kind"], "text": x["text"],
                  "where": x["where"]} for x in merged_allergies(report)]
    docs = []
    for label, ml in (("Traitement habituel (avant)", report.before), ("Traitement hospitalier (après)", report.after)):
        d = ml.document
        docs.append({"label": label, "name": d.name, "side": SIDE_FR.get(d.side, d.side), "pages": d.pages,
                     "sha256": d.sha256[:12], "n": len(ml.medications)})
    kind = report.after.facts.kind if report.after.facts is not None else "unknown"
    return {
        "title": TITLE, "docs": docs, "rows": rows, "counts": counts, "total": len(rows),
        "alerts": alerts, "allergies": allergies, "no_allergy": "aucune allergie connue renseignée",
        "omissions": omissions, "omissions_title": OMISSIONS_TITLE,
        "not_discharge": {"admission": "prescription d'admission", "stay": "prescription du séjour"}.get(kind),
        "needs_review": sum(1 for r in rows if r["needs_review"]),
        "undocumented": sum(1 for r in rows if r["undocumented"]),
        "undocumented_word": UNDOCUMENTED, "dash": NONE,
        "generated": (generated or dt.date.today()).strftime("%d/%m/%Y"),
        "reviewed": review is not None,
        "stale": [{"label": q.qualification_fr, "why": q.stale, "by": who(q.by)} for q in review.stale
                  if q.line_id is None] if review is not None else [],
        "validation": {"by": who(review.validation.by), "at": _when(review.validation.at)}
        if review is not None and review.validation is not None else None,
        "pending": len(review.pending) if review is not None else None,
        "unintentional": sum(1 for r in rows if r["qualification"] and r["qualification"]["code"] == "unintentional"),
    }


def _env() -> Environment:
    return Environment(loader=PackageLoader("recon.export", "templates"),
                       autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render_fiche(report: ReconciliationReport, *, generated: dt.date | None = None,
                 review: Review | None = None) -> str:
    """The HTML sheet (a whole page, UTF-8, no external resource)."""
    try:
        return _env().get_template("fiche.html.j2").render(
            **fiche_context(report, generated=generated, review=review))
    except ReconError:
        raise
    except Exception as e:  # template errors must not leak a traceback with patient data
        raise RenderError(f"the reconciliation sheet could not be rendered ({type(e).__name__})") from e


def write_fiche(report: ReconciliationReport, path: str | Path) -> Path:
    return write_output(path, render_fiche(report))


__all__ = ["STATUS_WORD", "TITLE", "UNDOCUMENTED", "divergence", "fiche_context", "render_fiche", "write_fiche"]
