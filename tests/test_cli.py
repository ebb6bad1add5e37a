"""The command line of the contract: single and batch forms, errors as one line and a non-zero exit."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from recon.cli import main

ORDONNANCE = """Dr Test
1) KARDEGIC 75 mg : 1 sachet par jour à midi
2) BISOPROLOL 2,5 mg cp : 1 cp le matin
3) ATORVASTATINE 20 mg cp : 1 cp le soir
"""
HOSPITAL = """Prescription d'admission
BISOPROLOL 2,5 mg cp | 1 cp matin et soir | PO
SIMVASTATINE 40 mg cp | 1 cp le soir | PO | équivalence livret
APIXABAN 5 mg cp | 1 cp matin et soir | PO | NOUVEAU - FA
"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recon.cli", *args], capture_output=True, text=True, check=False)


def test_extract_prints_one_contract_document(write_text, capsys, contract) -> None:
    path = write_text("ordo.txt", ORDONNANCE)
    assert main(["extract", str(path), "--side", "city", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    contract(doc, "medication-list")
    assert doc["document"]["side"] == "city"
    assert [m["atc"] for m in doc["medications"]] == ["B01AC06", "C07AB07", "C10AA05"]


def test_extract_batch_writes_one_file_per_input_and_reports_bad_ones(tmp_path, write_text, capsys, contract) -> None:
    good = write_text("a.txt", ORDONNANCE)
    empty = write_text("empty.txt", "  \n")
    out = tmp_path / "out"
    code = main(["extract", str(good), str(empty), "--format", "json", "--output-dir", str(out)])
    assert code != 0
    assert sorted(p.name for p in out.iterdir()) == ["a.json"]
    contract(json.loads((out / "a.json").read_text()), "medication-list")
    assert "E103" in capsys.readouterr().err


def test_reconcile_single_and_pairs(tmp_path, write_text, capsys, contract) -> None:
    before, after = write_text("before.txt", ORDONNANCE), write_text("after.txt", HOSPITAL)
    assert main(["reconcile", str(before), str(after), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    contract(report, "reconciliation")
    statuses = sorted(line["status"] for line in report["lines"])
    assert statuses == ["added", "modified", "stopped", "substituted"]
    pairs = tmp_path / "pairs.csv"
    with pairs.open("w", newline="") as fh:
        csv.writer(fh).writerows([["id", "before", "after"], ["case1", before, after]])
    out = tmp_path / "rep"
    assert main(["reconcile", "--pairs", str(pairs), "--output-dir", str(out)]) == 0
    contract(json.loads((out / "case1.json").read_text()), "reconciliation")


def test_letter_html_lists_each_line_once(tmp_path, write_text) -> None:
    before, after = write_text("before.txt", ORDONNANCE), write_text("after.txt", HOSPITAL)
    out = tmp_path / "letter.html"
    assert main(["letter", str(before), str(after), "--output", str(out)]) == 0
    html = out.read_text()
    assert html.count("data-line=") == 4
    # the usual drug absent from the hospital list with no written reason is a possible omission, told apart
    for title in ("Traitements modifiés", "Traitements remplacés", "Traitements habituels non repris",
                  "Nouveaux traitements"):
        assert title in html


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("missing.txt", None, "E101"), ("ordo.docx", b"PK\x03\x04", "E102"), ("empty.txt", b"", "E103"),
     ("fake.pdf", b"not a pdf", "E104")],
)
def test_bad_input_gives_one_clear_line_and_no_traceback(tmp_path: Path, name, content, code) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run_cli("extract", str(path))
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and code in lines[0]
    assert "Traceback" not in result.stderr


def test_demo_writes_report_and_letter(tmp_path, capsys, contract) -> None:
    assert main(["demo", "--output-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "report:" in out and "letter:" in out
    report = json.loads((tmp_path / "report.json").read_text())
    contract(report, "reconciliation")
    assert {line["status"] for line in report["lines"]} >= {"unchanged", "modified", "substituted", "stopped",
                                                              "added"}
    assert (tmp_path / "letter.html").read_text().startswith("<!DOCTYPE html>")


def test_reconcile_views_fiche_fhir_and_during(write_text, capsys) -> None:
    before, after = write_text("before.txt", ORDONNANCE), write_text("after.txt", HOSPITAL)
    assert main(["reconcile", str(before), str(after), "--format", "fiche"]) == 0
    fiche = capsys.readouterr().out
    assert "Fiche de conciliation" in fiche and fiche.count("<tr") >= 5
    assert main(["reconcile", str(before), str(after), "--format", "fhir"]) == 0
    bundle = json.loads(capsys.readouterr().out)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "document"
    assert main(["reconcile", str(before), str(after), "--during", str(after)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert any("pendant le séjour" in (line.get("note") or "") for line in report["lines"])
