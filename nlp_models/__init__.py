"""Training of the medication NER model (synthetic corpus, transformers + torch, ONNX export).

Serving never imports this package: `recon.extract` loads the exported ONNX artefact with
onnxruntime only. The trained model is not built yet; extraction uses the rules.
"""
