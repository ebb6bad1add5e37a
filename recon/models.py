"""Pydantic models of the output contract (``shared/contract/*.schema.json``), in one place.

The contract's field names and meanings are kept exactly; fields marked *extension* are
additions the contract allows. ``to_json()`` gives the document a caller receives.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

SCHEMA_VERSION = "1.0"

Side = Literal["city", "hospital", "unknown"]
MedStatus = Literal["active", "stopped", "suspended", "new"]
LineStatus = Literal["unchanged", "modified", "substituted", "suspended", "stopped", "added"]
LINE_STATUSES: tuple[str, ...] = ("unchanged", "modified", "substituted", "suspended", "stopped", "added")
TimeOfDay = Literal["matin", "midi", "soir", "coucher", "nuit"]
ChangeField = Literal["strength", "dose", "frequency", "route", "form", "duration", "as_needed", "substance"]
LinkMethod = Literal["exact", "fuzzy", "model", "none"]


class _Model(BaseModel):
    """Base: optional keys listed in ``_omit_if_none`` are left out of the JSON when unset,
    because the contract types them as non-nullable when present."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)
    _omit_if_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _drop_unset_optionals(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in self._omit_if_none:
            if data.get(key) is None:
                data.pop(key, None)
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, indent=indent)


class Quantity(_Model):
    _omit_if_none = frozenset({"text"})
    value: float
    unit: str
    text: str | None = None


class Substance(_Model):
    name: str = Field(description="DCI (INN), French, lower case, e.g. 'paracétamol'.")
    atc: str | None = Field(default=None, pattern=r"^[A-Z][0-9]{2}[A-Z]{0,2}[0-9]{0,2}$")
    strength: Quantity | None = None


class Product(_Model):
    name: str
    cis: str | None = None


class Candidate(_Model):
    """*extension*: one candidate of a link, best first."""

    name: str
    atc: str | None
    substances: list[str]
    score: float


class Link(_Model):
    _omit_if_none = frozenset({"chosen_by"})
    method: LinkMethod
    score: float = Field(ge=0, le=1)
    candidates: list[Candidate] = Field(default_factory=list)
    chosen_by: str | None = Field(default=None, description="*extension*: who picked this drug by hand.")


class Frequency(_Model):
    _omit_if_none = frozenset({"text", "max_per_day", "max_dose"})
    per_day: float | None
    times_of_day: list[TimeOfDay] = Field(default_factory=list)
    interval_hours: float | None = None
    text: str | None = None
    max_per_day: float | None = Field(default=None, description="*extension*: a written maximum number of intakes "
                                      "a day ('max 6/j'); on an as-needed line ``per_day`` carries the same number, "
                                      "as the gold format asks, and this field says it is a ceiling, not a rhythm.")
    max_dose: Quantity | None = Field(default=None, description="*extension*: a written maximum amount a day "
                                      "('max 3 g/j', 'max 6 cp/j'), as written.")


class Duration(_Model):
    _omit_if_none = frozenset({"text"})
    value: float
    unit: Literal["day", "week", "month"]
    days: float | None
    text: str | None = None


class Medication(_Model):
    _omit_if_none = frozenset({"document", "also_in"})
    id: str
    text: str = Field(description="The line as written.")
    span: tuple[int, int] | None
    page: int | None
    drug_text: str
    substances: list[Substance]
    atc: str | None
    product: Product | None = None
    link: Link
    strength: Quantity | None
    form: str | None
    route: str | None
    dose: Quantity | None
    frequency: Frequency | None
    as_needed: bool = False
    as_needed_reason: str | None = None
    duration: Duration | None
    status: MedStatus = "active"
    confidence: float = Field(ge=0, le=1)
    needs_review: bool = False
    review_reasons: list[str] = Field(default_factory=list)
    section: str | None = Field(default=None, description="*extension*: the document section of the line.")
    ald: bool | None = Field(default=None, description="*extension*: bizone ordonnance zone (ALD or not).")
    comment: str | None = Field(default=None, description="*extension*: free text written with the line.")
    document: int | None = Field(default=None, ge=1, description="*extension*: in a list merged from several "
                                 "documents, the line's document (1-based index in the list's ``sources``).")
    also_in: list[int] | None = Field(default=None, description="*extension*: in a merged list, the other "
                                      "documents that list the same drug (see ``review_reasons`` when they differ).")


AllergyKind = Literal["allergie", "intolérance"]
DocumentKind = Literal["usual", "admission", "stay", "discharge", "unknown"]
Sex = Literal["F", "M"]


class Allergy(_Model):
    """*extension*: an allergy or intolerance written in a document (not a prescription)."""

    _omit_if_none = frozenset({"document"})
    substance: str = Field(description="The substance or class as written, e.g. 'pénicilline', 'AINS'.")
    atc: list[str] = Field(default_factory=list, description="ATC codes or prefixes the allergen covers "
                           "(a class: 'J01C' for penicillins), empty when unknown.")
    reaction: str | None = Field(default=None, description="The reaction when written ('urticaire').")
    kind: AllergyKind = "allergie"
    text: str = Field(description="The line as written.")
    page: int | None = None
    span: tuple[int, int] | None = None
    document: int | None = Field(default=None, ge=1, description="In a merged list, the source document.")


class PatientFacts(_Model):
    """*extension*: the patient identity written in a document (each field None when not written)."""

    name: str | None = None
    birth_date: str | None = Field(default=None, description="ISO date, YYYY-MM-DD.")
    sex: Sex | None = None
    ins: str | None = Field(default=None, description="INS (matricule INS, 15 digits) when written.")
    ipp: str | None = None


class DocumentFacts(_Model):
    """*extension*: what a document says about itself: its kind, the patient, the stay, its author."""

    kind: DocumentKind = "unknown"
    patient: PatientFacts | None = None
    admission_date: str | None = None
    discharge_date: str | None = None
    author: str | None = Field(default=None, description="The prescriber or signatory as written.")
    hospital: str | None = None
    service: str | None = None


class Warning(_Model):
    code: str
    message: str
    page: int | None = None
    span: tuple[int, int] | None = None


class DocumentInfo(_Model):
    name: str
    side: Side
    media_type: str
    pages: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class MedicationList(_Model):
    _omit_if_none = frozenset({"sources", "allergies", "facts"})
    schema_version: str = SCHEMA_VERSION
    document: DocumentInfo
    medications: list[Medication]
    warnings: list[Warning] = Field(default_factory=list)
    sources: list[DocumentInfo] | None = Field(default=None, description="*extension*: the documents a merged "
                                               "list was made of, in order (``medication.document`` points here).")
    allergies: list[Allergy] | None = Field(default=None, description="*extension*: allergies and intolerances "
                                            "written in the document (never medication lines).")
    facts: DocumentFacts | None = Field(default=None, description="*extension*: the document's kind, patient "
                                        "identity, stay dates and author as written.")


class Change(_Model):
    _omit_if_none = frozenset({"daily_dose_before", "daily_dose_after"})
    field: ChangeField
    before: Any = None
    after: Any = None
    daily_dose_before: Quantity | None = None
    daily_dose_after: Quantity | None = None


class ReconciliationLine(_Model):
    _omit_if_none = frozenset({"documented", "omission", "duplicate"})
    id: str
    status: LineStatus
    before: str | None
    after: str | None
    changes: list[Change] = Field(default_factory=list)
    reason: str | None = None
    needs_review: bool = False
    confidence: float = Field(ge=0, le=1)
    review_reasons: list[str] = Field(default_factory=list, description="*extension*")
    note: str | None = Field(default=None, description="*extension*: e.g. brand ↔ generic switch.")
    documented: bool | None = Field(default=None, description="*extension*: for a divergence, whether the "
                                    "documents write its reason (None on an unchanged line).")
    omission: bool | None = Field(default=None, description="*extension*: True on a usual drug absent from the "
                                  "hospital prescription with no written reason: a possible omission, to confirm.")
    duplicate: bool | None = Field(default=None, description="*extension*: True when the substance is prescribed "
                                   "on another line of the same list too (a duplication alert).")


class Alert(_Model):
    """*extension*: a report-level alert (patients that differ, an allergy against a prescribed drug, a letter
    built from a non-discharge prescription, a duplicated substance). ``message`` is French."""

    code: str
    message: str
    lines: list[str] = Field(default_factory=list, description="Ids of the report lines concerned.")
    severity: Literal["high", "medium", "info"] = "high"


class ReconciliationReport(_Model):
    _omit_if_none = frozenset({"alerts"})
    schema_version: str = SCHEMA_VERSION
    before: MedicationList
    after: MedicationList
    lines: list[ReconciliationLine]
    summary: dict[str, int]
    alerts: list[Alert] | None = Field(default=None, description="*extension*: report-level alerts (see Alert).")


__all__ = [
    "LINE_STATUSES",
    "SCHEMA_VERSION",
    "Alert",
    "Allergy",
    "Candidate",
    "Change",
    "DocumentFacts",
    "DocumentInfo",
    "Duration",
    "Frequency",
    "Link",
    "Medication",
    "MedicationList",
    "PatientFacts",
    "Product",
    "Quantity",
    "ReconciliationLine",
    "ReconciliationReport",
    "Substance",
    "Warning",
]
