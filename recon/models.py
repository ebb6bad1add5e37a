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
    _omit_if_none = frozenset({"text"})
    per_day: float | None
    times_of_day: list[TimeOfDay] = Field(default_factory=list)
    interval_hours: float | None = None
    text: str | None = None


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
    _omit_if_none = frozenset({"sources"})
    schema_version: str = SCHEMA_VERSION
    document: DocumentInfo
    medications: list[Medication]
    warnings: list[Warning] = Field(default_factory=list)
    sources: list[DocumentInfo] | None = Field(default=None, description="*extension*: the documents a merged "
                                               "list was made of, in order (``medication.document`` points here).")


class Change(_Model):
    _omit_if_none = frozenset({"daily_dose_before", "daily_dose_after"})
    field: ChangeField
    before: Any = None
    after: Any = None
    daily_dose_before: Quantity | None = None
    daily_dose_after: Quantity | None = None


class ReconciliationLine(_Model):
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


class ReconciliationReport(_Model):
    schema_version: str = SCHEMA_VERSION
    before: MedicationList
    after: MedicationList
    lines: list[ReconciliationLine]
    summary: dict[str, int]


__all__ = [
    "LINE_STATUSES",
    "SCHEMA_VERSION",
    "Candidate",
    "Change",
    "DocumentInfo",
    "Duration",
    "Frequency",
    "Link",
    "Medication",
    "MedicationList",
    "Product",
    "Quantity",
    "ReconciliationLine",
    "ReconciliationReport",
    "Substance",
    "Warning",
]
