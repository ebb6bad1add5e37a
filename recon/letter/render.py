"""Render the discharge liaison letter (lettre de liaison de sortie) from a reconciliation report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from recon.errors import RenderError
from recon.letter.describe import name, posology
from recon.models import Medication, ReconciliationLine, ReconciliationReport

SECTIONS = [
    ("unchanged", "Traitements poursuivis", "Commentaire"),
    ("modified", "Traitements modifiés", "Modification"),
    ("substituted", "Traitements remplacés", "Remplace"),
    ("suspended", "Traitements suspendus", "Reprise"),
    ("stopped", "Traitements arrêtés", "Traitement arrêté"),
    ("added", "Nouveaux traitements", "Indication / durée"),
]
FIELD_FR = {"strength": "dosage", "dose": "dose", "frequency": "fréquence", "route": "voie", "form": "forme",
            "duration": "durée", "as_needed": "si besoin", "substance": "substance"}


def _env() -> Environment:
    return Environment(loader=PackageLoader("recon.letter", "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def letter_context(report: ReconciliationReport) -> dict[str, Any]:
    before = {m.id: m for m in report.before.medications}
    after = {m.id: m for m in report.after.medications}
    sections = []
    for status, title, detail_title in SECTIONS:
        rows = [_row(line, before.get(line.before or ""), after.get(line.after or ""))
                for line in report.lines if line.status == status]
        if rows:
            sections.append({"status": status, "title": title, "detail_title": detail_title, "rows": rows})
    counts = ", ".join(f"{report.summary.get(s, 0)} {t.lower()}" for s, t, _ in SECTIONS)
    return {
        "before_name": report.before.document.name,
        "after_name": report.after.document.name,
        "date": dt.date.today().strftime("%d/%m/%Y"),
        "sections": sections,
        "summary_text": f"Bilan : {counts}.",
    }


def _row(line: ReconciliationLine, b: Medication | None, a: Medication | None) -> dict[str, Any]:
    shown = a or b
    if shown is None:
        raise RenderError(f"line {line.id} names no medication")
    detail = ""
    if line.status == "modified":
        detail = "; ".join(
            f"{FIELD_FR[c.field]} : {_value(c.before)} → {_value(c.after)}" for c in line.changes
        )
    elif line.status == "substituted" and b is not None:
        detail = f"{name(b)} — {posology(b)}"
    elif line.status == "unchanged":
        detail = line.note or ""
    elif line.status == "stopped" and b is not None:
        detail = f"{name(b)} — {posology(b)}"
    return {
        "id": line.id,
        "name": name(shown),
        "posology": posology(shown) if line.status not in ("stopped", "suspended") else (posology(b) if b else ""),
        "detail": detail,
        "reason": line.reason,
        "needs_reason": line.status != "unchanged",
        "needs_review": line.needs_review,
        "review": "; ".join(line.review_reasons),
    }


def _value(v: object) -> str:
    if isinstance(v, dict):
        if "value" in v and "unit" in v:
            from recon.letter.describe import fmt_number

            return f"{fmt_number(float(v['value']))} {v['unit']}"
        if "per_day" in v:
            per = v.get("per_day")
            return f"{per:g}/j" if isinstance(per, int | float) else "?"
    if isinstance(v, bool):
        return "oui" if v else "non"
    return "—" if v is None else str(v)


def render_html(report: ReconciliationReport) -> str:
    try:
        return _env().get_template("letter.html.j2").render(**letter_context(report))
    except Exception as e:  # jinja2 errors are programming errors, but must not leak a traceback
        raise RenderError(f"the letter could not be rendered ({type(e).__name__})") from e


def write_letter(report: ReconciliationReport, path: str | Path) -> Path:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".html", ".htm"):
        raise RenderError(f"letter format '{suffix or 'none'}' is not available: write to a .html file")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(render_html(report), encoding="utf-8")
    except OSError as e:
        raise RenderError(f"cannot write {p.name} ({e.strerror})") from e
    return p
