"""Peers on the same documents: EDS-NLP's ``eds.drugs`` matcher (exact and simstring) for drug
detection and ATC linking. A peer's medications are its drug entities, one per ATC code."""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

PEERS = {"eds.drugs exact": {"term_matcher": "exact"},
         "eds.drugs simstring": {"term_matcher": "simstring",
                                 "term_matcher_config": {"measure": "dice", "threshold": 0.8}}}


def build(config: dict[str, Any]) -> Any:
    os.environ.setdefault("TQDM_DISABLE", "1")
    import edsnlp

    nlp = edsnlp.blank("eds")
    nlp.add_pipe("eds.normalizer")
    with contextlib.redirect_stderr(io.StringIO()):
        nlp.add_pipe("eds.drugs", config=config)
    return nlp


def medications(nlp: Any, text: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for ent in nlp(text).ents:
        if ent.label_ == "drug" and ent.kb_id_ and ent.kb_id_ not in seen:
            seen[ent.kb_id_] = {"drug_text": ent.text, "atc": ent.kb_id_, "substances": []}
    return list(seen.values())
