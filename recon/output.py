"""Writing a rendered report, sheet or letter to disk, with the coded error when it cannot be written."""

from __future__ import annotations

from pathlib import Path

from recon.errors import RenderError


def write_output(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path``, creating its folder; E300 when the file cannot be written."""
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as e:
        raise RenderError(f"cannot write {p.name} ({e.strerror})") from e
    return p
