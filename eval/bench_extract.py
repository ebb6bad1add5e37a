"""Throughput of each extractor on one core: documents/s, characters/s, peak memory, and the
ONNX (onnxruntime) / torch speed ratio of the NER model.

    python -m eval.bench_extract [DATASET] [--repeat N]      # writes eval/results/extract.md

Documents are the data set's texts (one page each, already read); the reference and the
model are loaded before timing. The torch comparison needs the training extras
(``pip install -e '.[train]'``); it times a network of the shipped architecture (the time
does not depend on the weights) against the shipped ONNX model on the same batches.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "devset"


def _documents(dataset: Path) -> list:
    from recon.ingest import read_document

    docs = []
    for case in sorted(p for p in dataset.iterdir() if (p / "gold.json").exists()):
        for side in ("before", "after"):
            path = next((case / f"{side}{e}" for e in (".txt", ".pdf") if (case / f"{side}{e}").exists()), None)
            if path:
                docs.append(read_document(path))
    return docs


def _throughput(docs: list, name: str, repeat: int) -> tuple[float, float]:
    from recon.extract import extract_medications

    extract_medications(docs[0], extractor=name)  # warm: reference, model
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for d in docs:
            extract_medications(d, extractor=name)
        times.append(time.perf_counter() - start)
    t = statistics.median(times)
    return len(docs) / t, sum(len(d.text) for d in docs) / t


def _onnx_torch_ratio(lines: list[str], repeat: int) -> str:
    """Time of the same network in torch and in onnxruntime on the same padded batches."""
    try:
        import torch
        from transformers import BertConfig, BertForTokenClassification
    except ImportError:
        return "n/a (training extras not installed)"
    import json

    import numpy as np

    from recon.extract.model_runner import load_model

    model = load_model()
    arch = json.loads((ROOT / "recon" / "extract" / "model" / "train_metrics.json").read_text())["architecture"]
    config = BertConfig(vocab_size=model.tokenizer.get_vocab_size(), hidden_size=arch["hidden"],
                        num_hidden_layers=arch["layers"], num_attention_heads=arch["heads"],
                        intermediate_size=arch["intermediate"], max_position_embeddings=model.max_tokens + 2,
                        num_labels=len(model.labels))
    torch.set_num_threads(1)
    net = BertForTokenClassification(config).eval()
    encs = model.tokenizer.encode_batch(lines)
    batches = []
    for i in range(0, len(encs), 32):
        chunk = encs[i : i + 32]
        width = max(len(e.ids) for e in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for r, e in enumerate(chunk):
            ids[r, : len(e.ids)], mask[r, : len(e.ids)] = e.ids, 1
        batches.append((ids, mask))

    def run_onnx() -> None:
        for ids, mask in batches:
            model.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})

    def run_torch() -> None:
        with torch.no_grad():
            for ids, mask in batches:
                net(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))

    def best(fn) -> float:
        out = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
        return min(out)

    t_onnx, t_torch = best(run_onnx), best(run_torch)
    return (f"{t_torch / t_onnx:.2f}× faster with onnxruntime int8 (torch fp32 {1000 * t_torch / len(lines):.3f} ms, "
            f"onnxruntime {1000 * t_onnx / len(lines):.3f} ms per line)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.bench_extract")
    ap.add_argument("dataset", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    docs = _documents(args.dataset)
    rows = []
    for name in ("rules", "model", "hybrid"):
        dps, cps = _throughput(docs, name, args.repeat)
        rows.append(f"| {name} | {dps:.1f} | {cps:,.0f} |")
    lines = [ln.text for d in docs[:10] for ln in d.lines if ln.text.strip()][:200]
    ratio = _onnx_torch_ratio(lines, args.repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = "\n".join([
        f"# Extraction throughput — {time.strftime('%Y-%m-%d')}", "",
        f"{platform.machine()}, one core, Python {platform.python_version()}; {len(docs)} one-page documents "
        f"(median of {args.repeat} passes).", "",
        "| extractor | documents/s | characters/s |", "|---|---|---|", *rows, "",
        f"Peak memory of the process (all three extractors loaded): {rss:.0f} MB.", "",
        f"NER network, torch / onnxruntime time ratio: {ratio}.", ""])
    out = ROOT / "eval" / "results" / "extract.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
