"""Train the medication NER model from scratch on the synthetic corpus, then export it to ONNX.

    python -m nlp_models.train --out recon/extract/model

Steps: generate the corpus (``nlp_models.corpus``), train a WordPiece tokenizer on it
(``tokenizers``; case folded, accents kept), train a tiny BertForTokenClassification
(transformers + torch, CPU, 2 threads) under a wall-time budget, score it on a held-out
synthetic set, export it with ``torch.onnx.export`` (opset 17), quantise it to int8 with
onnxruntime when that keeps the score, and write ``model.onnx``, ``tokenizer.json``,
``labels.json``, ``train_metrics.json`` and ``MODEL_CARD.md`` into ``--out``.

torch and transformers are training extras (``pip install -e .[train]``); serving needs only
onnxruntime and tokenizers (``recon.extract.model_runner``).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import warnings
from pathlib import Path

import numpy as np

from nlp_models.corpus import ENTITY_TYPES, LABELS, Example, generate

MAX_LEN = 128  # tokens a line, [CLS] and [SEP] included
LABEL2ID = {label: i for i, label in enumerate(LABELS)}
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


# --------------------------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------------------------
def build_tokenizer(texts: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=40))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.BertPreTokenizer(), pre_tokenizers.Digits(individual_digits=True)]
    )
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL,
                                        continuing_subword_prefix="##")
    tok.train_from_iterator(texts, trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls),
                                                                                               ("[SEP]", sep)])
    tok.decoder = decoders.WordPiece()
    tok.enable_truncation(MAX_LEN)
    return tok


def token_labels(offsets: list[tuple[int, int]], special: list[int], spans: list[tuple[int, int, str]]) -> list[int]:
    """BIO label ids of tokens from character spans (-100 for special tokens)."""
    out: list[int] = []
    prev_span = -1
    for (s, e), sp in zip(offsets, special, strict=True):
        if sp or s == e:
            out.append(-100)
            continue
        k = next((i for i, (a, b, _) in enumerate(spans) if a <= s < b), -1)
        if k < 0:
            out.append(LABEL2ID["O"])
            prev_span = -1
            continue
        label = spans[k][2]
        out.append(LABEL2ID[("I-" if k == prev_span else "B-") + label])
        prev_span = k
    return out


def encode(tok, examples: list[Example]) -> list[tuple[list[int], list[int]]]:
    encs = tok.encode_batch([ex.text for ex in examples])
    return [(enc.ids, token_labels(enc.offsets, enc.special_tokens_mask, ex.spans))
            for enc, ex in zip(encs, examples, strict=True)]


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------
def spans_of(labels: list[int]) -> set[tuple[int, int, str]]:
    """Entity spans (token indices) from BIO label ids; an I- without its B- opens a span."""
    found: set[tuple[int, int, str]] = set()
    start, kind = -1, ""
    for i, lab in enumerate([*labels, 0]):
        name = LABELS[lab] if lab >= 0 else "O"
        if name == "O" or name.startswith("B-") or (name.startswith("I-") and name[2:] != kind):
            if kind:
                found.add((start, i, kind))
            start, kind = (i, name[2:]) if name != "O" else (-1, "")
    return found


def score(gold: list[list[int]], pred: list[list[int]]) -> dict[str, float]:
    """Token micro-F1 over entity labels (type-level, B/I merged) and entity-level exact-span F1 by type."""
    tp = fp = fn = 0
    ent = {t: [0, 0, 0] for t in ENTITY_TYPES}
    for g, p in zip(gold, pred, strict=True):
        keep = [i for i, x in enumerate(g) if x != -100]
        gk = [g[i] for i in keep]
        pk = [p[i] for i in keep]
        for a, b in zip(gk, pk, strict=True):
            ta, tb = LABELS[a][2:], LABELS[b][2:]
            if ta and ta == tb:
                tp += 1
            else:
                fp += bool(tb)
                fn += bool(ta)
        gs, ps = spans_of(gk), spans_of(pk)
        for t in ENTITY_TYPES:
            gt = {x for x in gs if x[2] == t}
            pt = {x for x in ps if x[2] == t}
            ent[t][0] += len(gt & pt)
            ent[t][1] += len(pt)
            ent[t][2] += len(gt)
    out = {"token_f1": _f1(tp, tp + fp, tp + fn)}
    for t, (a, b, c) in ent.items():
        out[f"entity_f1_{t}"] = _f1(a, b, c)
    a = sum(v[0] for v in ent.values())
    out["entity_f1"] = _f1(a, sum(v[1] for v in ent.values()), sum(v[2] for v in ent.values()))
    return out


def _f1(tp: int, n_pred: int, n_gold: int) -> float:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


# --------------------------------------------------------------------------------------------
# training
# --------------------------------------------------------------------------------------------
def _batches(data: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random, *, shuffle: bool = True):
    """Length-bucketed batches (less padding), padded to the longest of the batch."""
    order = sorted(range(len(data)), key=lambda i: (len(data[i][0]), rng.random() if shuffle else 0))
    chunks = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle:
        rng.shuffle(chunks)
    for chunk in chunks:
        width = max(len(data[i][0]) for i in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        labels = np.full((len(chunk), width), -100, dtype=np.int64)
        for r, i in enumerate(chunk):
            x, y = data[i]
            ids[r, : len(x)] = x
            mask[r, : len(x)] = 1
            labels[r, : len(y)] = y
        yield chunk, ids, mask, labels


def predict_torch(model, data, batch_size: int = 128) -> list[list[int]]:
    import torch

    preds: dict[int, list[int]] = {}
    model.eval()
    with torch.no_grad():
        for chunk, ids, mask, _ in _batches(data, batch_size, random.Random(0), shuffle=False):
            logits = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits
            best = logits.argmax(-1).numpy()
            for r, i in enumerate(chunk):
                preds[i] = best[r, : len(data[i][0])].tolist()
    return [preds[i] for i in range(len(data))]


def predict_onnx(path: Path, data, batch_size: int = 128) -> list[list[int]]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    preds: dict[int, list[int]] = {}
    for chunk, ids, mask, _ in _batches(data, batch_size, random.Random(0), shuffle=False):
        logits = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
        best = logits.argmax(-1)
        for r, i in enumerate(chunk):
            preds[i] = best[r, : len(data[i][0])].tolist()
    return [preds[i] for i in range(len(data))]


def train(args: argparse.Namespace) -> None:
    import torch
    from transformers import BertConfig, BertForTokenClassification

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    train_ex = generate(args.n_train, seed=args.seed)
    held_ex = generate(args.n_held, seed=args.seed + 1000)
    tok = build_tokenizer([ex.text for ex in train_ex], args.vocab)
    train_data = encode(tok, train_ex)
    held_data = encode(tok, held_ex)
    print(f"corpus: {len(train_data)} train, {len(held_data)} held-out lines; vocab {tok.get_vocab_size()}; "
          f"{time.time() - t0:.0f}s")

    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=args.hidden, num_hidden_layers=args.layers,
                        num_attention_heads=args.heads, intermediate_size=args.hidden * 2,
                        max_position_embeddings=MAX_LEN + 2, type_vocab_size=1, num_labels=len(LABELS),
                        id2label=dict(enumerate(LABELS)), label2id=LABEL2ID, hidden_dropout_prob=0.1,
                        attention_probs_dropout_prob=0.1, pad_token_id=0)
    config._attn_implementation = "eager"
    model = BertForTokenClassification(config)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f} M parameters")

    steps_per_epoch = math.ceil(len(train_data) / args.batch)
    total = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = min(500, total // 10)

    budget = args.max_minutes * 60
    step = 0
    t_train = time.time()
    stopped_early = False

    def lr_factor() -> float:
        """Linear warm-up, then linear decay over the steps or the time budget, whichever ends first."""
        if step < warmup:
            return (step + 1) / warmup
        progress = max((step - warmup) / max(1, total - warmup), (time.time() - t_train) / budget)
        return max(0.02, 1 - progress)

    rng = random.Random(args.seed)
    for epoch in range(args.epochs):
        model.train()
        running = 0.0
        for k, (_, ids, mask, labels) in enumerate(_batches(train_data, args.batch, rng)):
            loss = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                         labels=torch.from_numpy(labels)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            for group in opt.param_groups:
                group["lr"] = args.lr * lr_factor()
            opt.step()
            opt.zero_grad()
            running += loss.item()
            step += 1
            if step % 200 == 0:
                print(f"epoch {epoch} step {step}/{total} loss {running / (k + 1):.4f} "
                      f"{time.time() - t_train:.0f}s", flush=True)
            if time.time() - t_train > budget:
                stopped_early = True
                break
        held = score([y for _, y in held_data], predict_torch(model, held_data))
        print(f"epoch {epoch}: held-out {held}", flush=True)
        if stopped_early:
            print("time budget reached")
            break
    train_seconds = time.time() - t_train

    # -- export ---------------------------------------------------------------------------------
    scores = export_and_score(model, held_data, out)
    tok.no_truncation()
    tok.save(str(out / "tokenizer.json"))
    write_labels(out)
    if args.save_torch:
        model.save_pretrained(args.save_torch)
        tok.save(str(Path(args.save_torch) / "tokenizer.json"))

    metrics = {
        "command": f"python -m nlp_models.train --out {args.out}" + _nondefault(args),
        "seed": args.seed,
        "train_lines": len(train_data),
        "held_out_lines": len(held_data),
        "vocab_size": tok.get_vocab_size(),
        "max_len": MAX_LEN,
        "architecture": {"type": "BertForTokenClassification", "layers": args.layers, "hidden": args.hidden,
                         "heads": args.heads, "intermediate": args.hidden * 2, "parameters": n_params},
        "epochs_run": epoch + 1,
        "steps": step,
        "stopped_by_time_budget": stopped_early,
        "train_seconds": round(train_seconds),
        "total_seconds": round(time.time() - t0),
        "threads": args.threads,
        **scores,
        "torch_version": torch.__version__,
    }
    (out / "train_metrics.json").write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(metrics, indent=1))


def export_and_score(model, held_data, out: Path) -> dict:
    """Export to ONNX, quantise to int8 when that keeps the held-out entity F1 (within 0.5 point),
    write ``out/model.onnx``; the held-out scores of torch, ONNX fp32 and the served model."""
    model.eval()
    fp32 = out / "model_fp32.onnx"
    export_onnx(model, fp32)
    gold = [y for _, y in held_data]
    torch_scores = score(gold, predict_torch(model, held_data))
    fp32_scores = score(gold, predict_onnx(fp32, held_data))
    chosen, chosen_scores, quantised = fp32, fp32_scores, False
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8 = out / "model_int8.onnx"
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        int8_scores = score(gold, predict_onnx(int8, held_data))
        print(f"onnx fp32 {fp32_scores['entity_f1']}  int8 {int8_scores['entity_f1']}")
        if int8_scores["entity_f1"] >= fp32_scores["entity_f1"] - 0.005:
            chosen, chosen_scores, quantised = int8, int8_scores, True
    except Exception as exc:  # quantisation is optional
        print(f"quantisation skipped: {exc}")
    final = out / "model.onnx"
    final.unlink(missing_ok=True)
    chosen.rename(final)
    for p in (out / "model_fp32.onnx", out / "model_int8.onnx"):
        p.unlink(missing_ok=True)
    return {"quantised_int8": quantised, "held_out_torch": torch_scores, "held_out_onnx_fp32": fp32_scores,
            "held_out_onnx_served": chosen_scores, "onnx_bytes": final.stat().st_size}


def reexport(args: argparse.Namespace) -> None:
    """Export again from the torch model saved by ``--save-torch`` (same held-out set, same tokenizer)."""
    import torch
    from tokenizers import Tokenizer
    from transformers import BertForTokenClassification

    torch.set_num_threads(args.threads)
    src, out = Path(args.reexport), Path(args.out)
    model = BertForTokenClassification.from_pretrained(str(src)).eval()
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(MAX_LEN)
    held_data = encode(tok, generate(args.n_held, seed=args.seed + 1000))
    scores = export_and_score(model, held_data, out)
    tok.no_truncation()
    tok.save(str(out / "tokenizer.json"))
    write_labels(out)
    path = out / "train_metrics.json"
    metrics = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    metrics.update(scores)
    metrics["reexport_command"] = f"python -m nlp_models.train --out {args.out} --reexport {args.reexport}"
    path.write_text(json.dumps(metrics, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(scores, indent=1))


def write_labels(out: Path) -> None:
    """labels.json (the BIO labels, by id) and ner_config.json (what the runner needs to know)."""
    (out / "labels.json").write_text(json.dumps(list(LABELS), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    config = {"max_len": MAX_LEN, "inputs": ["input_ids", "attention_mask"], "output": "logits"}
    (out / "ner_config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")


def export_onnx(model, path: Path) -> None:
    """torch → ONNX (opset 17), inputs input_ids and attention_mask [batch, seq], output logits."""
    import torch

    model.eval()
    dummy = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones_like(dummy)
    mask[1, 10:] = 0  # a padded row, so that the traced graph keeps the attention mask
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow in transformers
        torch.onnx.export(model, (dummy, mask), str(path), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                        "logits": {0: "batch", 1: "seq"}})


def _nondefault(args: argparse.Namespace) -> str:
    defaults = vars(parser().parse_args(["--out", args.out]))
    return "".join(f" --{k.replace('_', '-')} {v}" for k, v in vars(args).items() if defaults.get(k) != v)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="artefact folder (recon/extract/model)")
    p.add_argument("--n-train", type=int, default=80000)
    p.add_argument("--n-held", type=int, default=3000)
    p.add_argument("--vocab", type=int, default=6000)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2, help="torch threads (1 is faster on a busy 2-core machine)")
    p.add_argument("--max-minutes", type=float, default=17.0, help="wall-time budget of the training loop")
    p.add_argument("--save-torch", default=None, help="also save the torch model here (for tests)")
    p.add_argument("--reexport", default=None, help="no training: export the torch model saved in this folder")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    reexport(args) if args.reexport else train(args)


if __name__ == "__main__":
    main()
