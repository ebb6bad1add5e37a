"""The evaluation's figures agree with the contract's reference scorer on the same cases."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from eval.__main__ import main as eval_main
from eval.__main__ import run_accuracy
from eval.dataset import load_dataset
from tests.conftest import SHARED

SCORER = SHARED / "tools" / "score.py"


@pytest.fixture
def small_dataset(devset, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for case in sorted(p for p in devset.iterdir() if (p / "gold.json").exists())[::8]:
        (folder / case.name).symlink_to(case)
    return folder


@pytest.mark.skipif(not SCORER.exists(), reason="reference scorer not beside the checkout")
def test_accuracy_agrees_with_reference_scorer(small_dataset, tmp_path) -> None:
    out = tmp_path / "score.json"
    recon = f"{sys.executable} -m recon.cli"
    subprocess.run([sys.executable, str(SCORER), str(small_dataset), "--recon", recon, "--json", str(out)],
                   check=True, capture_output=True)
    ref = json.loads(out.read_text())
    ours = run_accuracy(load_dataset(small_dataset))
    e, r = ours["extraction"], ours["reconciliation"]
    assert e["drug"]["f1"] == pytest.approx(ref["drug"]["f1"])
    for name, value in ref["attributes"].items():
        assert e["attributes"][name] == pytest.approx(value) if value is not None else e["attributes"][name] is None
    assert e["line_exact"] == pytest.approx(ref["line_exact"])
    assert r["status_accuracy"] == pytest.approx(ref["reconciliation"]["status_accuracy"])
    assert r["discrepancy"]["f1"] == pytest.approx(ref["reconciliation"]["discrepancy"]["f1"])


def test_report_with_plots_is_written(small_dataset, tmp_path) -> None:
    out = tmp_path / "results"
    assert eval_main(["speed", str(small_dataset), "--out", str(out), "--repeat", "1"]) == 0
    assert eval_main(["accuracy", str(small_dataset), "--out", str(out)]) == 0
    report = (out / "report.md").read_text()
    assert "drug precision / recall / F1" in report and "gold \\ predicted" in report
    assert (out / "attributes.png").read_bytes()[:4] == b"\x89PNG"
