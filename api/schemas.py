"""Request models (what callers send) and response models (what they get back), kept apart.

Responses are the contract documents (``recon.models``), with a few *extension* keys the contract
allows at the top level of a report (``id``, ``created_at``, ``expires_at``, ``context``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from recon.models import MedicationList, ReconciliationReport

Side = Literal["city", "hospital", "unknown"]
REPORT_ID = r"^[0-9a-f]{32}$"
NAME_PATTERN = r"^[^/\\\x00-\x1f]{1,120}$"


# -- requests ------------------------------------------------------------------------------------
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextDocument(_Request):
    """A document given as text (what a .txt upload would hold)."""

    text: str = Field(min_length=1, max_length=200_000, description="the document's text (UTF-8)")
    name: str = Field("document.txt", pattern=NAME_PATTERN, description="a label for the document (no path)")


class ExtractTextRequest(TextDocument):
    side: Side = "unknown"

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "text": "KARDEGIC 75 mg : 1 sachet par jour à midi\nBISOPROLOL 2,5 mg cp : 1 cp le matin",
        "name": "ordonnance.txt", "side": "city"}]})


class ReconcileTextRequest(_Request):
    """Two (or three) documents as text."""

    before: TextDocument = Field(description="usual treatment (city prescription)")
    after: TextDocument = Field(description="hospital prescription")
    during: TextDocument | None = Field(None, description="treatment during the stay (kept in the context)")

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "before": {"text": "KARDEGIC 75 mg : 1 sachet par jour à midi\nATORVASTATINE 20 mg cp : 1 cp le soir",
                   "name": "ordonnance.txt"},
        "after": {"text": "SIMVASTATINE 40 mg cp | 1 cp le soir | PO | équivalence livret",
                  "name": "sortie.txt"}}]})


class ReconcileListsRequest(_Request):
    """Two (or three) medication lists already extracted (contract documents)."""

    before: MedicationList
    after: MedicationList
    during: MedicationList | None = None


class LetterRequest(_Request):
    """A letter from a stored report (``report_id``) or from a report given inline (``report``)."""

    report_id: str | None = Field(None, pattern=REPORT_ID)
    report: ReconciliationReport | None = None
    stay: dict[str, Any] | None = Field(None, description="patient, doctors, dates… (see recon's stay.json)")

    @model_validator(mode="after")
    def _one_source(self) -> LetterRequest:
        if (self.report_id is None) == (self.report is None):
            raise ValueError("give either report_id or report")
        return self

    model_config = ConfigDict(json_schema_extra={"examples": [{"report_id": "0123456789abcdef0123456789abcdef"}]})


# -- responses -----------------------------------------------------------------------------------
class SourcePage(BaseModel):
    page: int
    start: int = Field(description="offset of the page's first character in the document's text (spans count "
                                   "from the document's start)")
    text: str
    boxes: list[list[float]] = Field(default_factory=list, description="[start, end, x0, top, x1, bottom] of each "
                                     "line with a layout, in points from the page's top-left")


class SourceDocument(BaseModel):
    name: str
    media_type: str = "text/plain"
    pages: list[SourcePage]


class ReportContext(BaseModel):
    model_config = ConfigDict(extra="forbid")
    during: MedicationList | None = None
    sources: dict[Literal["before", "after"], list[SourceDocument]] | None = Field(
        None, description="the uploaded documents' text, page by page (stored reports only); a medication's "
                          "``document`` (1-based) picks one when a side has several")


class ReportOut(ReconciliationReport):
    """A reconciliation report (contract), with its storage details when it was stored."""

    _omit_if_none: ClassVar[frozenset[str]] = frozenset({"id", "created_at", "expires_at", "context"})
    id: str | None = Field(None, pattern=REPORT_ID, description="*extension*: set when stored")
    created_at: dt.datetime | None = Field(None, description="*extension*: set when stored")
    expires_at: dt.datetime | None = Field(None, description="*extension*: purge time of a stored report")
    context: ReportContext | None = Field(None, description="*extension*: other inputs (``during``)")


class DrugHit(BaseModel):
    name: str
    kind: str
    atc: str | None
    substances: list[str]
    score: float


class DrugSearch(BaseModel):
    query: str
    method: str
    results: list[DrugHit]


class Problem(BaseModel):
    """RFC 9457 problem details, with Recon's error code."""

    type: str = Field(examples=["urn:recon:error:E102"])
    title: str
    status: int
    detail: str
    code: str = Field(examples=["E102"])
    errors: list[dict[str, Any]] | None = Field(None, description="invalid fields (location and message only)")


class Status(BaseModel):
    status: str
