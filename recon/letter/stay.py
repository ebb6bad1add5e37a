"""Stay metadata of the discharge liaison letter (art. R1112-1-2 du code de la santé publique).

The reconciliation report gives the medication section; everything else the letter must
carry — who the patient is, who to send it to, when and why the patient stayed, what
happened, what is pending and what comes next — comes from a ``stay.json`` file::

    {
      "patient": {"name": "BERTRAND Josiane", "birth_date": "1941-06-11", "sex": "F"},
      "gp": {"name": "Dr Martin LEFEBVRE", "address": "12, rue des Lilas, 69003 Lyon"},
      "referring_doctor": {"name": "Dr Martin LEFEBVRE"},
      "hospital_doctor": {"name": "Dr P. MARCHETTI", "title": "Praticien hospitalier"},
      "hospital": "CHU de Lyon — Hôpital Lyon-Sud",
      "service": "Cardiologie",
      "admission_date": "2024-03-02",
      "discharge_date": "2024-03-09",
      "reason": "Insuffisance cardiaque décompensée",
      "summary": "…",
      "pending_results": ["…"],
      "follow_up": ["…"]
    }

Every key is optional; what is missing is shown "à compléter" in the letter, never guessed.
French key names are accepted too (``medecin_traitant``, ``date_entree``, ``motif``…).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from recon.errors import FileNotFound, InputError

Sex = Literal["F", "M", "X"]
_SEX = {"f": "F", "femme": "F", "féminin": "F", "feminin": "F", "female": "F",
        "m": "M", "h": "M", "homme": "M", "masculin": "M", "male": "M",
        "x": "X", "autre": "X", "other": "X", "indéterminé": "X", "unknown": "X", "inconnu": "X"}


class _StayModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class Patient(_StayModel):
    name: str | None = Field(default=None, validation_alias=AliasChoices("name", "nom"))
    birth_date: dt.date | None = Field(default=None, validation_alias=AliasChoices("birth_date", "date_naissance"))
    sex: Sex | None = Field(default=None, validation_alias=AliasChoices("sex", "sexe"))
    identifier: str | None = Field(default=None, validation_alias=AliasChoices("identifier", "ipp", "ins"))

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, v: object) -> object:
        if isinstance(v, str):
            return _SEX.get(v.strip().lower(), v)
        return v

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Doctor(_StayModel):
    name: str = Field(validation_alias=AliasChoices("name", "nom"))
    title: str | None = Field(default=None, validation_alias=AliasChoices("title", "qualite", "specialite"))
    rpps: str | None = None
    address: str | None = Field(default=None, validation_alias=AliasChoices("address", "adresse"))
    phone: str | None = Field(default=None, validation_alias=AliasChoices("phone", "telephone", "tel"))
    email: str | None = None

    @field_validator("name")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v:
            raise ValueError("a doctor needs a name")
        return v


class Stay(_StayModel):
    """What art. R1112-1-2 CSP asks of a lettre de liaison, besides the medication."""

    patient: Patient = Field(default_factory=Patient)
    gp: Doctor | None = Field(default=None, validation_alias=AliasChoices("gp", "medecin_traitant"))
    referring_doctor: Doctor | None = Field(
        default=None, validation_alias=AliasChoices("referring_doctor", "medecin_adresseur"))
    hospital_doctor: Doctor | None = Field(
        default=None, validation_alias=AliasChoices("hospital_doctor", "medecin_hospitalier", "praticien"))
    hospital: str | None = Field(default=None, validation_alias=AliasChoices("hospital", "etablissement"))
    service: str | None = None
    admission_date: dt.date | None = Field(
        default=None, validation_alias=AliasChoices("admission_date", "date_entree"))
    discharge_date: dt.date | None = Field(
        default=None, validation_alias=AliasChoices("discharge_date", "date_sortie"))
    reason: str | None = Field(default=None, validation_alias=AliasChoices("reason", "motif"))
    summary: str | None = Field(default=None, validation_alias=AliasChoices("summary", "synthese"))
    allergies: list[str] = Field(default_factory=list)
    pending_results: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("pending_results", "resultats_en_attente"))
    follow_up: list[str] = Field(default_factory=list, validation_alias=AliasChoices("follow_up", "suites"))

    @field_validator("pending_results", "follow_up", "allergies", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        if isinstance(v, str):
            return [v] if v.strip() else []
        return [] if v is None else v

    @field_validator("discharge_date")
    @classmethod
    def _after_admission(cls, v: dt.date | None, info: object) -> dt.date | None:
        data = getattr(info, "data", {}) or {}
        start = data.get("admission_date")
        if v is not None and start is not None and v < start:
            raise ValueError("the discharge date is before the admission date")
        return v


StayLike = Stay | dict | str | Path | None


def load_stay(path: str | Path) -> Stay:
    """Read ``stay.json``. Errors name the file and the faulty keys, never their content."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFound(f"{p.name}: stay file not found")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise InputError(f"{p.name}: the stay file is not UTF-8 text") from e
    except json.JSONDecodeError as e:
        raise InputError(f"{p.name}: the stay file is not valid JSON (line {e.lineno})") from e
    return stay_from_dict(data, name=p.name)


def stay_from_dict(data: object, *, name: str = "stay") -> Stay:
    if not isinstance(data, dict):
        raise InputError(f"{name}: the stay must be a JSON object")
    try:
        return Stay.model_validate(data)
    except ValidationError as e:
        where = "; ".join(
            f"{'.'.join(str(x) for x in err['loc']) or '(root)'}: {_plain(err['type'], err['msg'])}"
            for err in e.errors()[:5]
        )
        raise InputError(f"{name}: invalid stay data ({where})") from e


def as_stay(value: StayLike) -> Stay | None:
    """A Stay from a Stay, a dict (JSON data) or the path of a stay.json file."""
    if value is None or isinstance(value, Stay):
        return value
    if isinstance(value, dict):
        return stay_from_dict(value)
    if isinstance(value, str | Path):
        return load_stay(value)
    raise InputError(f"stay: expected a Stay, a dict or a path, not {type(value).__name__}")


def example_stay() -> Stay:
    """The fictional stay of ``recon demo`` (``templates/stay.example.json``)."""
    from importlib import resources

    return load_stay(str(resources.files("recon.letter") / "templates" / "stay.example.json"))


def _plain(kind: str, msg: str) -> str:
    """pydantic's message without the input value (it may be patient data)."""
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind.startswith("date"):
        return "expected a date YYYY-MM-DD"
    if kind == "literal_error":
        return "expected F, M or X"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")[:80]
    return msg.split(",")[0][:80]


__all__ = ["Doctor", "Patient", "Stay", "StayLike", "as_stay", "example_stay", "load_stay", "stay_from_dict"]
