"""Dev-set evaluation of the extractors (rules, model, hybrid) with the project's scorer's pairing.

    python -m nlp_models.evaluate [--devset /work/shared/data/devset] [--extractors rules,model,hybrid]
                                  [--json OUT] [--misses]

For every case, BEFORE and AFTER are read with ``recon.ingest.read_document`` and each
extractor's medications are paired with gold by the scorer's rules (``shared/tools/score.py``:
same ATC code or same normalised substance set), giving drug precision / recall / F1 and the
accuracy of each attribute on the paired medications. The dev set is for evaluation only:
nothing here feeds training.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

DEVSET = Path("/work/shared/data/devset")
SCORER = Path("/work/shared/tools/score.py")


def load_scorer(path: Path = SCORER):
    spec = importlib.util.spec_from_file_location("recon_devset_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def make_extractor(name: str, model_dir: Path | None = None):
    from recon.link import default_linker

    linker = default_linker()
    if name == "rules":
        from recon.extract.rules import RuleExtractor

        return RuleExtractor(linker)
    if name == "model":
        from recon.extract.model_runner import ModelExtractor

        return ModelExtractor(linker, model_dir=model_dir)
    if name.startswith("hybrid"):
        from recon.extract.hybrid import HybridExtractor

        return HybridExtractor(linker, model_dir=model_dir, add_missed=name != "hybrid-fill",
                               fill=name != "hybrid-add")
    raise SystemExit(f"unknown extractor {name}")


def _document(case: Path, side: str):
    from recon.ingest import read_document

    for suffix in (".txt", ".pdf"):
        p = case / f"{side}{suffix}"
        if p.exists():
            return read_document(p)
    return None


def perturb(text: str, drug_texts: list[str], seed: int) -> str:
    """A noisier copy of a document, for a robustness check (never for training): each gold drug
    name gets a one-letter typo with probability 1/2, and half the documents lose their accents."""
    import random
    import re

    from nlp_models.corpus import _typo, strip_accents

    rng = random.Random(seed)
    for name in sorted({d for d in drug_texts if d and len(d) >= 5}, key=len, reverse=True):
        if rng.random() < 0.5:
            words = name.split()
            k = max(range(len(words)), key=lambda i: len(words[i]))
            noisy = " ".join(_typo(w, rng) if i == k else w for i, w in enumerate(words))
            text = re.sub(re.escape(name), noisy, text, flags=re.IGNORECASE)
    return strip_accents(text) if rng.random() < 0.5 else text


def evaluate(devset: Path, names: list[str], model_dir: Path | None = None,
             perturb_seed: int | None = None) -> dict[str, dict]:
    scorer = load_scorer()
    cases = sorted(p for p in devset.iterdir() if (p / "gold.json").exists())
    docs = []
    for case in cases:
        gold = json.loads((case / "gold.json").read_text(encoding="utf-8"))
        for side in ("before", "after"):
            doc = _document(case, side)
            if doc is not None and perturb_seed is not None:
                from recon.ingest import Document

                drug_texts = [m.get("drug_text") or "" for m in gold[side]["medications"]]
                seed = perturb_seed * 1000 + len(docs)
                doc = Document.from_pages(name=doc.name, media_type="text/plain", sha256=doc.sha256,
                                          pages=[perturb(doc.text, drug_texts, seed)])
            if doc is not None:
                docs.append((case.name, side, doc, gold[side]["medications"]))
    results: dict[str, dict] = {}
    for name in names:
        extractor = make_extractor(name, model_dir)
        tally = scorer.Tally()
        t0 = time.time()
        for case_name, side, doc, gold_meds in docs:
            meds, _ = extractor.extract(doc)
            tally.add(case_name, side, gold_meds, [m.model_dump(mode="json") for m in meds])
        p, r, f = scorer.prf(tally.found, tally.pred, tally.gold)
        results[name] = {
            "drug_precision": round(p, 4), "drug_recall": round(r, 4), "drug_f1": round(f, 4),
            "gold": tally.gold, "predicted": tally.pred, "found": tally.found,
            "attributes": {k: round(tally.attr_ok[k] / tally.attr_n[k], 4) if tally.attr_n[k] else None
                           for k in scorer.FIELDS},
            "attributes_n": dict(tally.attr_n),
            "lines_exact": round(tally.lines_exact / tally.found, 4) if tally.found else 0.0,
            "seconds": round(time.time() - t0, 1),
            "misses": tally.misses,
            "extras": tally.extras,
        }
    return results


def table(results: dict[str, dict]) -> str:
    fields = next(iter(results.values()))["attributes"].keys()
    head = f"{'extractor':<12} {'P':>6} {'R':>6} {'F1':>6} " + " ".join(f"{f[:9]:>9}" for f in fields) + " exact"
    rows = [head]
    for name, r in results.items():
        attrs = " ".join(f"{(v if v is not None else 0):>9.3f}" for v in r["attributes"].values())
        rows.append(f"{name:<12} {r['drug_precision']:>6.3f} {r['drug_recall']:>6.3f} {r['drug_f1']:>6.3f} {attrs}"
                    f" {r['lines_exact']:.3f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devset", type=Path, default=DEVSET)
    ap.add_argument("--extractors", default="rules,model,hybrid")
    ap.add_argument("--model-dir", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--misses", action="store_true", help="list missed and extra drugs")
    ap.add_argument("--perturb", type=int, default=None, metavar="SEED",
                    help="score noisy copies of the documents (typos in drug names, lost accents)")
    args = ap.parse_args(argv)
    results = evaluate(args.devset, args.extractors.split(","), args.model_dir, args.perturb)
    print(table(results))
    if args.misses:
        for name, r in results.items():
            print(f"\n== {name}: {len(r['misses'])} missed, {len(r['extras'])} extra")
            for m in r["misses"]:
                print("  miss ", m)
            for m in r["extras"]:
                print("  extra", m)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
