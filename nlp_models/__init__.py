"""Training of the medication NER model (synthetic corpus, transformers + torch, ONNX export).

- ``nlp_models.corpus``: synthetic labelled lines from templates and the embedded drug reference.
- ``nlp_models.train``: WordPiece tokenizer + tiny BertForTokenClassification trained from scratch on
  CPU, exported to ONNX (int8) into ``recon/extract/model``:
  ``python -m nlp_models.train --out recon/extract/model --threads 1``.
- ``nlp_models.evaluate``: dev-set drug P/R/F1 and attribute accuracy of the rules, model and hybrid
  extractors (``--perturb SEED`` for noisy copies of the documents).
- ``nlp_models.card``: writes ``recon/extract/model/MODEL_CARD.md``.

Serving never imports this package: ``recon.extract.model_runner`` loads the ONNX artefact with
onnxruntime and tokenizers only. torch and transformers are training extras (``.[train]``).
"""
