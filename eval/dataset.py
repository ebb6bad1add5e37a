"""Annotated data sets in the gold format (``shared/contract/gold-format.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    before: Path
    after: Path
    gold: dict[str, Any]


def _document(case_dir: Path, side: str) -> Path | None:
    return next((case_dir / f"{side}{ext}" for ext in (".pdf", ".txt") if (case_dir / f"{side}{ext}").exists()),
                None)


def load_dataset(folder: Path) -> list[Case]:
    cases = []
    for case_dir in sorted(p for p in folder.iterdir() if (p / "gold.json").exists()):
        before, after = _document(case_dir, "before"), _document(case_dir, "after")
        if before and after:
            gold = json.loads((case_dir / "gold.json").read_text(encoding="utf-8"))
            cases.append(Case(case_dir.name, before, after, gold))
    if not cases:
        raise SystemExit(f"no cases with gold.json, before and after documents in {folder}")
    return cases
