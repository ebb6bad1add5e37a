"""Evaluation of Recon: ``python -m eval all DATASET [--full]``.

Sub-commands: ``accuracy`` (extraction and reconciliation against gold), ``peers`` (EDS-NLP's
``eds.drugs`` on the same documents), ``speed`` (per stage, memory), ``extract`` (documents/s
per extractor, ONNX/torch ratio), ``linking`` (linking accuracy and speed, clean and misspelt),
``ingest`` (PDF layouts and scans, pages/s against pypdfium2 and pdfplumber), ``api`` (HTTP
load and schemathesis). ``all`` runs the first five; ``--full`` adds ``ingest`` and ``api``
(several minutes). ``python -m eval web`` (no DATASET) walks the web page through in Chromium and
saves screenshots under eval/results/web/. ``python -m eval safety [--out eval/results/safety.md]
[--quick]`` (no DATASET) runs the clinical-safety mutation suite (pairs of fictional documents made from
one another by one controlled change). Writes Markdown reports and plots under eval/results/. DATASET is any
folder in the gold format.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from eval.accuracy import FIELDS, STATUSES, Extraction, Reconciliation, prf
from eval.dataset import Case, load_dataset

ROOT = Path(__file__).resolve().parents[1]


def _progress(items: list[Any], desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(items, desc=desc, file=sys.stderr, leave=False, disable=not sys.stderr.isatty())


def run_accuracy(cases: list[Case], *, extractor: str = "hybrid") -> dict[str, Any]:
    from recon.pipeline import extract_document, reconcile

    ext, rec = Extraction(), Reconciliation()
    for case in _progress(cases, "accuracy"):
        lists = {}
        for side, label in (("before", "city"), ("after", "hospital")):
            ml = extract_document(getattr(case, side), side=label, extractor=extractor)
            lists[side] = ml
            ext.add(f"{case.id}/{side}", case.gold[side]["medications"], json.loads(ml.to_json())["medications"])
        rec.add(case.gold, json.loads(reconcile(lists["before"], lists["after"]).to_json()))
    return {"extraction": ext.figures(), "reconciliation": rec.figures(), "misses": ext.misses, "extras": ext.extras}


def run_peers(cases: list[Case]) -> dict[str, Any]:
    from eval.peers import PEERS, build, medications
    from recon.ingest import read_document

    out = {}
    for name, config in PEERS.items():
        nlp = build(config)
        ext = Extraction()
        start = time.perf_counter()
        for case in _progress(cases, name):
            for side in ("before", "after"):
                text = read_document(getattr(case, side)).text
                ext.add(f"{case.id}/{side}", case.gold[side]["medications"], medications(nlp, text))
        fig = ext.figures()
        out[name] = {"drug": fig["drug"], "seconds": time.perf_counter() - start}
    return out


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            mem = f", {int(fh.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU{mem}, Python "
            f"{platform.python_version()}")


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def write_report(out: Path, dataset: Path, results: dict[str, Any]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# Recon evaluation — {dataset.name}", "", f"{time.strftime('%Y-%m-%d %H:%M')} · {machine()}", ""]
    acc = results.get("accuracy")
    if acc:
        e, r = acc["extraction"], acc["reconciliation"]
        d = e["drug"]
        lines += ["## Extraction", "", "| measure | value |", "|---|---|",
                  f"| drug precision / recall / F1 | {d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f} "
                  f"({d['found']} of {d['gold']} gold, {d['pred']} predicted) |"]
        lines += [f"| {k} accuracy | {_fmt(e['attributes'][k])} (n={e['attribute_counts'].get(k, 0)}) |"
                  for k in FIELDS]
        lines += [f"| medication lines fully right | {e['line_exact']:.3f} |", "", "## Reconciliation", "",
                  "| measure | value |", "|---|---|",
                  f"| status accuracy | {r['status_accuracy']:.3f} |"]
        disc = r["discrepancy"]
        lines += [f"| discrepancy precision / recall / F1 | {disc['precision']:.3f} / {disc['recall']:.3f} / "
                  f"{disc['f1']:.3f} |", f"| modified: changed fields named | {_fmt(r['modified_changes_recall'])} |",
                  "", "Confusion of statuses (rows: gold, columns: predicted):", "",
                  "| gold \\ predicted | " + " | ".join([*STATUSES, "missing"]) + " |",
                  "|---" * (len(STATUSES) + 2) + "|"]
        for g in STATUSES:
            row = [str(r["confusion"].get(f"{g}->{p}", 0)) for p in [*STATUSES, "missing"]]
            lines.append(f"| {g} | " + " | ".join(row) + " |")
        lines.append("")
        _plot_attributes(out / "attributes.png", e)
        lines += ["![per-attribute accuracy](attributes.png)", ""]
    peers = results.get("peers")
    if peers and acc:
        ours = acc["extraction"]["drug"]
        lines += ["## Peers (drug detection and ATC linking)", "", "| system | precision | recall | F1 | "
                  "F1 ratio to Recon |", "|---|---|---|---|---|",
                  f"| Recon | {ours['precision']:.3f} | {ours['recall']:.3f} | {ours['f1']:.3f} | 1.00 |"]
        for name, v in peers.items():
            dd = v["drug"]
            ratio = dd["f1"] / ours["f1"] if ours["f1"] else 0
            lines.append(f"| {name} | {dd['precision']:.3f} | {dd['recall']:.3f} | {dd['f1']:.3f} | {ratio:.2f} |")
        lines.append("")
    speed = results.get("speed")
    if speed:
        lines += ["## Speed (one process)", "", f"{speed['documents']} documents: "
                  f"{speed['documents_per_s']:.1f} documents/s, {speed['characters_per_s']:.0f} characters/s "
                  f"(ingest + extract); peak RSS {speed['peak_rss_mb']:.0f} MB.", "",
                  "| stage | p50 ms | p95 ms |", "|---|---|---|"]
        for k, v in speed["stages_ms"].items():
            unit = " (per mention)" if k == "link" else (" (per pair)" if k in ("reconcile", "letter", "total")
                                                         else " (per document)")
            lines.append(f"| {k}{unit} | {v['p50']:.2f} | {v['p95']:.2f} |")
        _plot_latency(out / "latency.png", speed)
        lines += ["", "![latency per stage](latency.png)", ""]
    report = out / "report.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    slim = {k: v for k, v in results.items() if k != "speed"}
    if speed:
        slim["speed"] = {k: v for k, v in speed.items() if k != "stages_ms"} | {
            "stages_ms": {k: {"p50": v["p50"], "p95": v["p95"]} for k, v in speed["stages_ms"].items()}}
    (out / "report.json").write_text(json.dumps(slim, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


def _plot_attributes(path: Path, e: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["drug F1", *FIELDS, "line exact"]
    values = [e["drug"]["f1"], *[e["attributes"][k] or 0 for k in FIELDS], e["line_exact"]]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(names, values, color="#3a6ea5")
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    for i, v in enumerate(values):
        ax.text(i, v + 0.01, f"{v:.2f}", ha="center", fontsize=8)
    ax.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_latency(path: Path, speed: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    stages = list(speed["stages_ms"])
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.boxplot([[1000 * s for s in speed["stages_ms"][k]["samples"]] for k in stages], showfliers=False)
    ax.set_xticks(range(1, len(stages) + 1), stages)
    ax.set_ylabel("ms")
    ax.set_yscale("log")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["web"]:  # no data set: the web page walked through in Chromium, screenshots
        from eval.web_walkthrough import main as web

        return web(argv[1:])
    if argv[:1] == ["safety"]:  # no data set: the clinical-safety mutation suite, fictional documents
        from eval.safety import main as safety

        return safety(argv[1:])
    if argv[:1] == ["variants"]:  # layout variants of a data set, gold carried over (eval/variants.py)
        from eval.variants import main as variants

        return variants(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m eval", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["all", "accuracy", "peers", "speed", "extract", "linking", "ingest", "api"])
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "results")
    ap.add_argument("--repeat", type=int, default=3, help="speed: passes over the data set")
    ap.add_argument("--extractor", default="hybrid", choices=["rules", "model", "hybrid"])
    ap.add_argument("--full", action="store_true", help="all: also the PDF/OCR and HTTP benchmarks (minutes)")
    args = ap.parse_args(argv)
    benches = _benches(args)
    if args.command in benches:
        return benches[args.command]()
    cases = load_dataset(args.dataset)
    results: dict[str, Any] = {}
    if args.command in ("all", "accuracy", "peers"):
        results["accuracy"] = run_accuracy(cases, extractor=args.extractor)
    if args.command in ("all", "peers"):
        results["peers"] = run_peers(cases)
    if args.command in ("all", "speed"):
        from eval.speed import measure

        results["speed"] = measure(cases, repeat=args.repeat, progress=lambda xs: _progress(xs, "speed"))
    report = write_report(args.out, args.dataset, results)
    print(report.read_text(encoding="utf-8"))
    print(f"report: {report}", file=sys.stderr)
    if args.command == "all":
        for name in ("extract", "linking", *(("ingest", "api") if args.full else ())):
            benches[name]()
    return 0


def _benches(args: argparse.Namespace) -> dict[str, Any]:
    """The benchmark modules, each writing its own eval/results/<name>.md."""
    def extract() -> int:
        from eval.bench_extract import main as bench

        return bench([str(args.dataset), "--repeat", str(args.repeat)])

    def linking() -> int:
        from eval.bench_linking import main as bench

        return bench([str(args.dataset), "--edsnlp"])

    def ingest() -> int:
        from eval.bench_ingest import main as bench

        return bench(["--devset", str(args.dataset)])

    def api() -> int:
        from eval.bench_api import main as bench

        return bench(["--fuzz", "220"])

    return {"extract": extract, "linking": linking, "ingest": ingest, "api": api}


__all__ = ["main", "prf", "run_accuracy", "run_peers"]

if __name__ == "__main__":
    sys.exit(main())
