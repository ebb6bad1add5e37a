"""ONNX export agrees with torch; the shipped artefact is complete and small.

torch and transformers are training extras: the agreement test is skipped without them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from recon.extract.model_runner import MODEL_DIR, model_available

SAMPLES = [
    "KARDEGIC 75 mg : 1 sachet par jour",
    "2) BISOPROLOL 2,5 mg cp : 1 cp le matin",
    "METFORMINE 850 mg cp              | SUSPENDU                | PO   | 10/12/24 |",
    "Allergie : pénicilline (urticaire)",
    "• Paracétamol 1 g : 1 cp toutes les 6 h si douleur, max 4/j",
]


def test_artefact_is_complete_and_small() -> None:
    if not model_available():
        pytest.skip("model artefact not built")
    labels = json.loads((MODEL_DIR / "labels.json").read_text(encoding="utf-8"))
    assert labels[0] == "O" and "B-DRUG" in labels
    total = sum(p.stat().st_size for p in MODEL_DIR.iterdir() if p.is_file())
    assert total <= 25 * 1024 * 1024


def test_onnx_export_matches_torch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    ort = pytest.importorskip("onnxruntime")
    from nlp_models.corpus import LABELS, generate
    from nlp_models.train import build_tokenizer, export_onnx

    tok = build_tokenizer([ex.text for ex in generate(400, seed=4)], 600)
    config = transformers.BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=130,
                                     num_labels=len(LABELS))
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config).eval()
    path = tmp_path / "m.onnx"
    export_onnx(model, path)

    encs = tok.encode_batch(SAMPLES)
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for r, e in enumerate(encs):
        ids[r, : len(e.ids)] = e.ids
        mask[r, : len(e.ids)] = 1
    with torch.no_grad():
        expected = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits.numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
    real = mask.astype(bool)
    assert np.allclose(got[real], expected[real], atol=1e-4)
    assert (got[real].argmax(-1) == expected[real].argmax(-1)).all()


def test_shipped_model_matches_saved_torch_model() -> None:
    """When the torch weights of the shipped model are at hand (``--save-torch``), both agree on labels."""
    import os

    torch_dir = Path(os.environ.get("RECON_NER_TORCH_DIR", "/nonexistent"))
    if not torch_dir.is_dir() or not model_available():
        pytest.skip("set RECON_NER_TORCH_DIR to the folder written by `nlp_models.train --save-torch`")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from recon.extract.model_runner import NerModel

    ner = NerModel(MODEL_DIR)
    model = transformers.BertForTokenClassification.from_pretrained(str(torch_dir)).eval()
    agree = total = 0
    for (logits, _, special), enc in zip(ner.logits(SAMPLES), ner.tokenizer.encode_batch(SAMPLES), strict=True):
        with torch.no_grad():
            ref = model(input_ids=torch.tensor([enc.ids])).logits[0].numpy()
        keep = [i for i, s in enumerate(special) if not s]
        agree += int((logits[keep].argmax(-1) == ref[keep].argmax(-1)).sum())
        total += len(keep)
    assert agree / total >= 0.98  # int8 quantisation may flip a rare near-tie
