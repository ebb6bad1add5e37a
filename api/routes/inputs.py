"""Reading request bodies: multipart uploads (kept in memory, never spooled to disk) or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.problems import ApiProblem
from api.settings import Settings
from recon.errors import DocumentTooLarge

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Upload:
    """One document sent by the caller: bytes, the caller's label (echoed in the output only) and
    the suffix that chooses the reader."""

    data: bytes
    name: str
    suffix: str


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_form(request: Request, settings: Settings, fields: tuple[str, ...],
                    repeat: dict[str, int] | None = None) -> dict[str, list[Upload]]:
    """The uploads by field; a field named in ``repeat`` may come up to that many times, the others once."""
    repeat = repeat or {}
    most = sum(repeat.get(f, 1) for f in fields)
    parser = MultiPartParser(request.headers, request.stream(), max_files=most, max_fields=most,
                             max_part_size=settings.max_text_chars * 4)
    parser.spool_max_size = settings.max_body_bytes + 1  # in memory: the body limit bounds it
    try:
        form = await parser.parse()
    except MultiPartException as e:
        raise ApiProblem(422, "malformed multipart body, or too many parts", code="E100") from e
    out: dict[str, list[Upload]] = {}
    try:
        for field, value in form.multi_items():
            if field not in fields or len(out.get(field, ())) >= repeat.get(field, 1):
                raise ApiProblem(422, f"unexpected or repeated multipart field (expected: {', '.join(fields)})",
                                 code="E100")
            if isinstance(value, UploadFile):
                data = await value.read(settings.max_document_bytes + 1)
                name = PurePath((value.filename or "").replace("\\", "/")).name[:120] or f"{field}.txt"
            else:  # a plain form field: its text is the document
                data, name = value.encode("utf-8"), f"{field}.txt"
            if len(data) > settings.max_document_bytes:
                raise DocumentTooLarge(f"{field}: over the {settings.max_document_bytes}-byte limit")
            suffix = PurePath(name).suffix.lower()  # no suffix: refused (E102), as by the library
            out.setdefault(field, []).append(Upload(data, name, suffix))
    finally:
        await form.close()
    return out


async def read_json(request: Request) -> Any:
    body = await request.body()
    try:
        data = json.loads(body)
        if b"\\u" in body:  # escapes may hide lone surrogates, which no UTF-8 output can carry
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data
    except (UnicodeDecodeError, UnicodeEncodeError, json.JSONDecodeError, RecursionError) as e:
        raise RequestValidationError([{"loc": ("body",), "msg": "the body is not valid JSON (UTF-8, no lone "
                                       "surrogates)", "type": "json_invalid"}]) from e


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from e


def require_fields(found: dict[str, list[Upload]], required: tuple[str, ...]) -> None:
    missing = [f for f in required if f not in found]
    if missing:
        raise RequestValidationError([{"loc": ("body", f), "msg": "Field required", "type": "missing"}
                                      for f in missing])
