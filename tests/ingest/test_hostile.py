"""Hostile PDFs made here: each gets a coded error (or is read) within its time limit, and leaves nothing behind."""

from __future__ import annotations

import os
import tempfile
import time
import zlib

import pytest

from recon.errors import ReconError
from recon.ingest import read_bytes
from tests.pdfgen import make_pdf

LIMIT_S = 8


def _pdf_with_objects(bodies: list[bytes], *, trailer_extra: bytes = b"", broken_xref: bool = False) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{(off * 7 + 13) if broken_xref else off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R ".encode() + trailer_extra + b">>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _page_doc(content: bytes, *, media_box: bytes = b"[0 0 595 842]", stream_dict: bytes = b"") -> bytes:
    return _pdf_with_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + media_box + b" /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + b" " + stream_dict + b">>\nstream\n" + content
        + b"\nendstream",
    ])


def _bomb() -> bytes:
    comp = zlib.compressobj(9)
    chunk = b"0 0 m " * 100_000
    data = b"".join(comp.compress(chunk) for _ in range(400)) + comp.flush()  # ~240 MB of operators
    return _page_doc(data, stream_dict=b"/Filter /FlateDecode ")


def _many_pages(n: int) -> bytes:
    kids = b" ".join(f"{i + 3} 0 R".encode() for i in range(n))
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>",
              b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(n).encode() + b" >>"]
    bodies += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    return _pdf_with_objects(bodies)


HOSTILE = {
    "not_a_pdf": b"GIF89a" + os.urandom(512),
    "truncated": make_pdf([["1) KARDEGIC 75 mg"]])[:200],
    "broken_xref": _pdf_with_objects([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"],
                                     broken_xref=True),
    "deep_nesting": _page_doc(b"[" * 200_000 + b"]" * 200_000),
    "huge_page": _page_doc(b"BT /F1 12 Tf 10 10 Td (x) Tj ET", media_box=b"[0 0 9000000 9000000]"),
    "thousands_of_pages": _many_pages(3000),
    "encrypted": _pdf_with_objects([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
                                    b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>"],
                                   trailer_extra=b"/Encrypt 3 0 R /ID [<01> <01>] "),
    "bomb": _bomb(),
    "garbage_after_header": b"%PDF-1.7\n" + os.urandom(20_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_pdf_gets_a_coded_error_in_time(name, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("RECON_PARSE_TIMEOUT", str(LIMIT_S))
    monkeypatch.setenv("RECON_PARSE_MEMORY_MB", "1024")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    start = time.monotonic()
    with pytest.raises(ReconError) as info:
        read_bytes(HOSTILE[name], name=f"{name}.pdf", suffix=".pdf")
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_S + 5
    assert info.value.code.startswith("E1")
    assert "Traceback" not in str(info.value)
    assert list(private_tmp.iterdir()) == []
