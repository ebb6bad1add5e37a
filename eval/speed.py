"""Speed of each stage on real documents: ingest, extract (with linking), link alone, reconcile, letter."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

from eval.dataset import Case


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(cases: list[Case], *, repeat: int = 3, progress: Callable[[Any], Any] = lambda x: x
            ) -> dict[str, Any]:
    from recon.extract import extract_medications
    from recon.ingest import read_document
    from recon.letter import render_html
    from recon.link import default_linker
    from recon.reconcile import reconcile

    linker = default_linker()
    stages: dict[str, list[float]] = {k: [] for k in ("ingest", "extract", "link", "reconcile", "letter", "total")}
    chars = docs = 0
    for _ in range(repeat):
        for case in progress(cases):
            lists = []
            total = 0.0
            for path in (case.before, case.after):
                t_in, doc = _timed(lambda p=path: read_document(p))
                t_ex, ml = _timed(lambda d=doc: extract_medications(d))
                t_ln, _ = _timed(lambda m=ml: [linker.link(x.drug_text) for x in m.medications])
                stages["ingest"].append(t_in)
                stages["extract"].append(t_ex)
                stages["link"].append(t_ln / max(1, len(ml.medications)))
                total += t_in + t_ex
                chars += len(doc.text)
                docs += 1
                lists.append(ml)
            t_rc, report = _timed(lambda b=lists[0], a=lists[1]: reconcile(b, a))
            t_lt, _ = _timed(lambda r=report: render_html(r))
            stages["reconcile"].append(t_rc)
            stages["letter"].append(t_lt)
            stages["total"].append(total + t_rc + t_lt)
    doc_time = sum(stages["ingest"]) + sum(stages["extract"])
    return {
        "documents": docs,
        "documents_per_s": docs / doc_time if doc_time else None,
        "characters_per_s": chars / doc_time if doc_time else None,
        "stages_ms": {k: {"p50": 1000 * statistics.median(v), "p95": 1000 * _pct(v, 95), "samples": v}
                      for k, v in stages.items() if v},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]
