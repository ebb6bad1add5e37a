"""The pharmacist's review of a report: link corrections, qualified divergences, validation.

A review is a list of decisions, in the order they were taken (each one stored, attributed and
dated by whoever keeps the report); ``fold`` turns them into the current state of the review.
A divergence is qualified with the HAS 2018 terms (intentionnelle documentée, intentionnelle non
documentée, non intentionnelle) and, for an unintentional one, the type of medication error.

Qualifications are keyed by the pair of medications the line compares (``pair_key``), not by the
line's number: a corrected link re-reconciles the report and may renumber its lines, and a
qualification stays with the comparison it was made on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from recon.models import ReconciliationLine, ReconciliationReport

Qualification = Literal["documented", "undocumented", "unintentional"]
ErrorType = Literal["omission", "dose", "posologie", "medicament", "forme", "voie", "ajout"]
DecisionKind = Literal["qualify", "relink", "validate", "reopen"]

QUALIFICATION_FR: dict[str, str] = {
    "documented": "divergence intentionnelle documentée",
    "undocumented": "divergence intentionnelle non documentée",
    "unintentional": "divergence non intentionnelle",
}
ERROR_FR: dict[str, str] = {
    "omission": "omission", "dose": "erreur de dose", "posologie": "erreur de posologie",
    "medicament": "erreur de médicament", "forme": "erreur de forme", "voie": "erreur de voie",
    "ajout": "ajout (médicament en trop)",
}
MAX_COMMENT = 2000
STATUS_FR = {"unchanged": "poursuivi", "modified": "modifié", "substituted": "remplacé", "suspended": "suspendu",
             "stopped": "arrêté", "added": "ajouté"}
# a usual drug the hospital prescription leaves out with no written reason, not yet qualified
OMISSION_FR = "non repris (à confirmer)"
PAIR_PATTERN = r"^(m[0-9]{1,5}|-)>(m[0-9]{1,5}|-)$"


def pair_key(line: ReconciliationLine) -> str:
    """What a line compares: 'm2>m2', 'm3>-' (stopped), '->m4' (added)."""
    return f"{line.before or '-'}>{line.after or '-'}"


def divergent(line: ReconciliationLine) -> bool:
    """A line the pharmacist must qualify: every status but 'unchanged'."""
    return line.status != "unchanged"


class QualifyRequest(BaseModel):
    """How the pharmacist qualifies one divergence."""

    model_config = ConfigDict(extra="forbid")
    qualification: Qualification = Field(description="documented | undocumented (both intentional) | unintentional")
    error_type: ErrorType | None = Field(None, description="the medication error, for an unintentional divergence")
    comment: str | None = Field(None, max_length=MAX_COMMENT, description="the pharmacist's comment")
    pair: str | None = Field(None, pattern=PAIR_PATTERN,
                             description="the comparison the client saw on this line ('m2>m5'): refused (409) when "
                                         "the line compares other medications now")

    @model_validator(mode="after")
    def _error_type(self) -> QualifyRequest:
        if self.qualification == "unintentional" and self.error_type is None:
            raise ValueError("an unintentional divergence needs its error_type")
        if self.qualification != "unintentional" and self.error_type is not None:
            raise ValueError("error_type is for unintentional divergences only")
        if self.comment is not None:
            self.comment = self.comment.strip() or None
        return self


class Decision(BaseModel):
    """One stored decision: who, when, what (``kind``), on what (``target``), with what (``payload``)."""

    seq: int
    at: dt.datetime
    by: str
    kind: DecisionKind
    target: str
    payload: dict[str, Any] = Field(default_factory=dict)


class LineReview(BaseModel):
    line_id: str | None = Field(description="the line now; None when the comparison no longer exists")
    pair: str
    status: str
    qualification: Qualification
    qualification_fr: str
    error_type: ErrorType | None = None
    error_type_fr: str | None = None
    comment: str | None = None
    by: str
    at: dt.datetime
    stale: str | None = Field(None, description="why this qualification no longer applies (the line changed)")


class LinkReview(BaseModel):
    side: Literal["before", "after"]
    medication: str
    name: str
    atc: str | None
    substances: list[str]
    previous: str | None = None
    by: str
    at: dt.datetime


class Validation(BaseModel):
    by: str
    at: dt.datetime


class Review(BaseModel):
    """The current state of a report's review, and its history (what was decided, by whom, when)."""

    qualifications: list[LineReview] = Field(default_factory=list)
    stale: list[LineReview] = Field(default_factory=list,
                                    description="qualifications made on a line that changed since (to do again)")
    links: list[LinkReview] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list, description="ids of the divergent lines not yet qualified")
    validation: Validation | None = None
    history: list[Decision] = Field(default_factory=list)

    def for_line(self, line_id: str) -> LineReview | None:
        return next((q for q in self.qualifications if q.line_id == line_id), None)

    def stale_for(self, line_id: str) -> LineReview | None:
        return next((q for q in self.stale if q.line_id == line_id), None)


def closed(decisions: list[Any]) -> bool:
    """Whether the last validation of these decisions (anything with ``kind``, in order) still stands."""
    state = False
    for d in decisions:
        if d.kind == "validate":
            state = True
        elif d.kind == "reopen":
            state = False
    return state


class ReopenRequest(BaseModel):
    """Why a validated reconciliation is opened again (kept in the history)."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=MAX_COMMENT)


def qualify_payload(request: QualifyRequest, line: ReconciliationLine) -> dict[str, Any]:
    """What is stored for a qualification: the request, and the line as it was (status, changed fields),
    so that a later change of the line (a corrected link) is seen."""
    data = request.model_dump(mode="json", exclude={"pair"})
    return {**data, "status": line.status, "changed": sorted(c.field for c in line.changes)}


def _request(payload: dict[str, Any]) -> QualifyRequest:
    return QualifyRequest.model_validate({k: v for k, v in payload.items() if k in QualifyRequest.model_fields})


def _staleness(line: ReconciliationLine | None, payload: dict[str, Any]) -> str | None:
    if line is None:
        return "la ligne n'existe plus : un lien corrigé a changé l'appariement"
    if not divergent(line):
        return "la ligne est maintenant sans divergence"
    was = payload.get("status", line.status)
    if was != line.status:
        return f"la ligne a changé depuis : elle était « {STATUS_FR.get(was, was)} »"
    if "changed" in payload and sorted(payload["changed"]) != sorted(c.field for c in line.changes):
        return "les champs modifiés de la ligne ont changé depuis"
    return None


def fold(report: ReconciliationReport, decisions: list[Decision]) -> Review:
    """The review as it stands after ``decisions`` (in order) on the current ``report``."""
    by_pair = {pair_key(ln): ln for ln in report.lines}
    last: dict[str, Decision] = {}
    links: dict[str, LinkReview] = {}
    validation: Validation | None = None
    for d in sorted(decisions, key=lambda d: d.seq):
        if d.kind == "qualify":
            last[d.target] = d
        elif d.kind == "relink":
            links[d.target] = LinkReview(**d.payload, by=d.by, at=d.at)
        elif d.kind == "validate":
            validation = Validation(by=d.by, at=d.at)
        elif d.kind == "reopen":  # a validation taken back (with its reason, in the history)
            validation = None
    quals: dict[str, LineReview] = {}
    stale: list[LineReview] = []
    for key, d in last.items():
        line = by_pair.get(key)
        q = _request(d.payload)
        why = _staleness(line, d.payload)
        review = LineReview(
            line_id=line.id if line else None, pair=key, status=line.status if line else d.payload.get("status", ""),
            qualification=q.qualification, qualification_fr=QUALIFICATION_FR[q.qualification],
            error_type=q.error_type, error_type_fr=ERROR_FR[q.error_type] if q.error_type else None,
            comment=q.comment, by=d.by, at=d.at, stale=why)
        if why is None:
            quals[key] = review
        else:
            stale.append(review)
    pending = [ln.id for ln in report.lines if divergent(ln) and pair_key(ln) not in quals]
    order = {ln.id: i for i, ln in enumerate(report.lines)}
    return Review(qualifications=sorted(quals.values(), key=lambda q: order[q.line_id or ""]), stale=stale,
                  links=list(links.values()), pending=pending, validation=validation,
                  history=sorted(decisions, key=lambda d: d.seq))


def is_omission(line: ReconciliationLine, review: Review | None = None) -> bool:
    """A possible omission still to confirm: a usual drug absent from the hospital prescription with no
    written reason (``line.omission``), that the pharmacist has not qualified as an intentional stop."""
    if not (line.status == "stopped" and line.omission):
        return False
    q = review.for_line(line.id) if review is not None else None
    return q is None or q.qualification == "unintentional"


def annotate(report: ReconciliationReport, review: Review) -> ReconciliationReport:
    """The report as the letter should tell it. An intentional divergence documented by the pharmacist
    takes the comment as its reason when the documents wrote none; an unintentional one says so in its
    reason (with the error type and the comment), so that the reader of the letter knows it is an
    error reported to the prescriber and not a decision. An undocumented one keeps "motif à préciser".
    A possible omission qualified as intentional becomes a stop (with the comment as its reason when
    documented); qualified as unintentional it stays apart, "divergence non intentionnelle (omission)
    signalée au prescripteur"."""
    out = report.model_copy(deep=True)
    for line in out.lines:
        q = review.for_line(line.id)
        if q is None:
            continue
        written = (line.reason or "").strip()
        if line.omission and q.qualification in ("documented", "undocumented"):
            line.omission = False  # the pharmacist says the stop is intended
        if q.qualification == "documented" and q.comment and not written:
            line.reason = q.comment
        elif q.qualification == "unintentional":
            flag = f"{q.qualification_fr} ({q.error_type_fr}) signalée au prescripteur"
            parts = [p for p in (written, flag + (f" : {q.comment}" if q.comment else "")) if p]
            line.reason = " — ".join(parts)
    return out


__all__ = [
    "ERROR_FR",
    "QUALIFICATION_FR",
    "Decision",
    "DecisionKind",
    "ErrorType",
    "LineReview",
    "LinkReview",
    "Qualification",
    "QualifyRequest",
    "Review",
    "Validation",
    "annotate",
    "divergent",
    "fold",
    "is_omission",
    "pair_key",
]
