"""Benchmark of drug linking on the dev set's gold drug names.

Every ``drug_text`` of the gold files (distinct values) is linked alone; a link is right when
its ATC code equals the gold one, or its substance set equals the gold one (the rule of
``score.py``'s ``same_drug``). The same names are linked again with 1–2 random letter edits
(seeded): a letter replaced, deleted, inserted or two neighbours swapped, never in the first
letter. Prints top-1 accuracy, median and p95 time per mention, and the reference load time;
with ``--edsnlp`` also EDS-NLP's ``eds.drugs`` matcher (exact and simstring) on the same names.

    python -m eval.bench_linking [DEVSET] [--edsnlp] [--show-errors] [--repeat N]   # also eval/results/linking.md
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import sys
import time
from pathlib import Path

DEFAULT_DEVSET = Path(__file__).resolve().parents[2] / "shared" / "data" / "devset"
_SALT_WORDS = {
    "chlorhydrate", "hydrochlorure", "maleate", "besilate", "mesilate", "tosilate", "sodique", "potassique",
    "calcique", "magnesique", "de", "d", "sel", "sulfate", "tartrate", "fumarate", "succinate", "citrate",
    "acetate", "dihydrate", "monohydrate", "hemihydrate", "trihydrate", "anhydre", "base", "arginine",
    "erbumine", "tert-butylamine", "lysine", "disodique", "hyclate", "bromhydrate",
}


def gold_mentions(devset: Path) -> list[tuple[str, frozenset[str], str | None]]:
    """Distinct (drug_text, substance keys, atc) of the gold files."""
    seen: dict[tuple[str, frozenset[str], str | None], None] = {}
    for path in sorted(devset.glob("*/gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        for side in ("before", "after"):
            for med in gold.get(side, {}).get("medications", []):
                subs = frozenset(_skey(s if isinstance(s, str) else s.get("name", "")) for s in med["substances"])
                seen[(med["drug_text"], subs, med.get("atc"))] = None
    return list(seen)


def _skey(name: str) -> str:
    from recon.reference import fold

    return " ".join(sorted(w for w in fold(name).split() if w not in _SALT_WORDS))


def same_drug(gold_subs: frozenset[str], gold_atc: str | None, atc: str | None, subs: tuple[str, ...]) -> bool:
    if gold_atc and atc and gold_atc == atc:
        return True
    pred = frozenset(_skey(s) for s in subs)
    return bool(pred) and pred == gold_subs


def edit(text: str, rng: random.Random) -> str:
    """1 or 2 random letter edits, never on the first letter nor on a non-letter."""
    chars = list(text)
    for _ in range(rng.choice((1, 2))):
        letters = [i for i, c in enumerate(chars) if c.isalpha() and i > 0]
        if not letters:
            break
        i = rng.choice(letters)
        op = rng.choice(("sub", "del", "ins", "swap"))
        new = rng.choice(string.ascii_lowercase)
        new = new.upper() if chars[i].isupper() else new
        if op == "sub":
            chars[i] = new
        elif op == "del" and len(letters) > 4:
            del chars[i]
        elif op == "ins":
            chars.insert(i, new)
        elif i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = new
    return "".join(chars)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_recon(mentions, texts, repeat: int = 1) -> tuple[float, float, float, list[str]]:
    """Top-1 accuracy, median and p95 ms; a mention's time is the least of ``repeat`` runs (noise of a
    shared machine set aside)."""
    from recon.link import default_linker

    linker = default_linker()
    right, times, errors = 0, [], []
    for (_, subs, atc), text in zip(mentions, texts, strict=True):
        best = float("inf")
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            result = linker.link(text)
            best = min(best, time.perf_counter() - t0)
        times.append(best * 1000)
        if same_drug(subs, atc, result.atc, result.substances):
            right += 1
        else:
            errors.append(f"{text!r} → {result.method} {result.atc} {list(result.substances)} {result.score}")
    return right / len(texts), statistics.median(times), _percentile(times, 0.95), errors


def edsnlp_pipeline(matcher: str):
    import edsnlp

    nlp = edsnlp.blank("eds")
    nlp.add_pipe("eds.drugs", config=dict(term_matcher=matcher))
    return nlp


def run_edsnlp(nlp, mentions, texts) -> tuple[float, float, float]:
    """Right when an entity's ATC code (``kb_id_``) equals the gold one; gold mentions without ATC count wrong."""
    right, times = 0, []
    for (_, _subs, atc), text in zip(mentions, texts, strict=True):
        t0 = time.perf_counter()
        doc = nlp(text)
        times.append((time.perf_counter() - t0) * 1000)
        codes = [ent.kb_id_ for ent in doc.ents]  # eds.drugs puts the ATC code in kb_id_
        if atc and atc in codes:
            right += 1
    return right / len(texts), statistics.median(times), _percentile(times, 0.95)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("devset", nargs="?", type=Path, default=DEFAULT_DEVSET)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--edsnlp", action="store_true", help="also run EDS-NLP's eds.drugs on the same mentions")
    p.add_argument("--show-errors", action="store_true")
    p.add_argument("--repeat", type=int, default=3, help="time each mention N times, keep the least (default 3)")
    args = p.parse_args(argv)
    if not args.devset.exists():
        print(f"dev set not found: {args.devset}", file=sys.stderr)
        return 2

    lines: list[str] = []

    def emit(text: str) -> None:
        print(text)
        lines.append(text)

    from recon.link import default_linker
    from recon.reference import default_reference

    default_linker.cache_clear()  # time a cold load even when another benchmark ran first
    default_reference.cache_clear()
    t0 = time.perf_counter()

    default_reference()
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    default_linker()
    index_s = time.perf_counter() - t1

    mentions = gold_mentions(args.devset)
    rng = random.Random(args.seed)
    clean = [m[0] for m in mentions]
    edited = [edit(m[0], rng) for m in mentions]
    emit(f"mentions: {len(mentions)} distinct gold drug_text; reference load {load_s:.2f} s, "
          f"linker index {index_s:.2f} s")
    emit("| linker | set | top-1 | median ms | p95 ms |")
    emit("|---|---|---|---|---|")
    all_errors: list[str] = []
    for label, texts in (("clean", clean), ("1-2 edits", edited)):
        acc, med, p95, errors = run_recon(mentions, texts, args.repeat)
        all_errors += [f"[{label}] {e}" for e in errors]
        emit(f"| recon | {label} | {acc:.3f} | {med:.3f} | {p95:.3f} |")
    if args.edsnlp:
        for matcher in ("exact", "simstring"):
            nlp = edsnlp_pipeline(matcher)
            for label, texts in (("clean", clean), ("1-2 edits", edited)):
                try:
                    acc, med, p95 = run_edsnlp(nlp, mentions, texts)
                except Exception as e:  # an optional peer: report, do not fail
                    emit(f"| eds.drugs {matcher} | {label} | error: {type(e).__name__}: {e} | | |")
                    break
                emit(f"| eds.drugs {matcher} | {label} | {acc:.3f} | {med:.3f} | {p95:.3f} |")
    if args.show_errors:
        print("\n".join(all_errors))
    out = Path(__file__).resolve().parent / "results" / "linking.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# Drug linking — {time.strftime('%Y-%m-%d')}\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
