"""Fetch the ANSM's BDPM files (online), or take them from a local folder or a file:// URL, and import them."""

from __future__ import annotations

import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from recon.errors import ReferenceDataError
from recon.reference.store import import_bdpm

OFFICIAL_BASE = "https://base-donnees-publique.medicaments.gouv.fr/download/file/"
REQUIRED = ("CIS_bdpm.txt", "CIS_COMPO_bdpm.txt")
OPTIONAL = ("CIS_GENER_bdpm.txt", "CIS_CIP_bdpm.txt")
MAX_FILE_BYTES = 200 * 1024 * 1024


def update_reference(source: str | None = None, *, output: str | Path | None = None,
                     timeout: float = 60.0) -> tuple[Path, dict[str, object]]:
    """Import the BDPM from ``source``: a folder, a ``file://`` URL, or an ``http(s)://`` base URL
    (default: the official download address). Returns (stored file, import report)."""
    if source and not source.startswith(("http://", "https://")):
        folder = Path(urllib.parse.urlparse(source).path if source.startswith("file://") else source)
        if not folder.is_dir():
            raise ReferenceDataError(f"{folder}: not a folder with the BDPM files ({', '.join(REQUIRED)})")
        return import_bdpm(folder, output)
    base = (source or OFFICIAL_BASE).rstrip("/") + "/"
    with tempfile.TemporaryDirectory(prefix="recon-bdpm-") as tmp:
        for name in (*REQUIRED, *OPTIONAL):
            try:
                _download(base + name, Path(tmp) / name, timeout=timeout)
            except ReferenceDataError:
                if name in REQUIRED:
                    raise
        return import_bdpm(Path(tmp), output)


def _download(url: str, dest: Path, *, timeout: float) -> None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, dest.open("wb") as fh:
            copied = 0
            while chunk := response.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_FILE_BYTES:
                    raise ReferenceDataError(f"{dest.name}: larger than {MAX_FILE_BYTES} bytes, refused")
                fh.write(chunk)
    except ReferenceDataError:
        raise
    except (OSError, ValueError) as e:
        raise ReferenceDataError(
            f"cannot download {dest.name} ({type(e).__name__}); offline, give a folder or file:// URL "
            "holding the BDPM files: `recon reference update DIR`"
        ) from e
    if dest.stat().st_size == 0:
        dest.unlink(missing_ok=True)
        raise ReferenceDataError(f"{dest.name}: empty download")
