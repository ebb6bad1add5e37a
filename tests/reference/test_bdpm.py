"""BDPM import: read from the shared snapshot, never from the repository (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from recon.errors import ReferenceDataError
from recon.reference.bdpm import _aliases, _substance_forms, build_from_bdpm, read_table

BDPM = Path(os.environ.get("RECON_BDPM_DIR", Path(__file__).resolve().parents[3] / "shared" / "data" / "bdpm"))
needs_bdpm = pytest.mark.skipif(not (BDPM / "CIS_bdpm.txt").exists(),
                                reason=f"BDPM snapshot not found at {BDPM} (set RECON_BDPM_DIR)")


def test_substance_forms() -> None:
    assert "tramadol" in _substance_forms("CHLORHYDRATE DE TRAMADOL")
    assert "acide acetylsalicylique" in _substance_forms("ACÉTYLSALICYLIQUE (ACIDE)")
    assert "chlorure de calcium" in _substance_forms("CALCIUM (CHLORURE DE) DIHYDRATÉ")
    assert "acide alendronique" in _substance_forms("ALENDRONATE MONOSODIQUE")


def test_aliases() -> None:
    assert _aliases("DOLIPRANE 1000 mg, comprimé") == ["DOLIPRANE 1000 mg", "DOLIPRANE"]
    assert _aliases("PARACETAMOL BIOGARAN 500 mg, gélule")[-1] == "PARACETAMOL BIOGARAN"


def test_read_table_both_encodings(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes("1\tcomprimé pelliculé\n".encode())
    (tmp_path / "b.txt").write_bytes("1\tcomprimé pelliculé\n".encode("latin-1"))
    assert read_table(tmp_path / "a.txt") == read_table(tmp_path / "b.txt") == [["1", "comprimé pelliculé"]]


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError):
        build_from_bdpm(tmp_path)


def test_small_synthetic_folder(tmp_path: Path) -> None:
    """Two invented products in the BDPM layout (no BDPM data)."""
    (tmp_path / "CIS_bdpm.txt").write_bytes(
        "61111111\tKARDEGIC 75 mg, poudre pour solution buvable en sachet\tpoudre\torale\tAutorisation active\t"
        "Procédure nationale\tCommercialisée\t01/01/2000\t\t\t LAB\tNon\n"
        "62222222\tZZTESTNAME 10 mg, comprimé\tcomprimé\torale\tAutorisation active\tProcédure nationale\t"
        "Non commercialisée\t01/01/2000\t\t\t LAB\tNon\n".encode("latin-1"))
    (tmp_path / "CIS_COMPO_bdpm.txt").write_bytes(
        "61111111\tpoudre\t00001\tACÉTYLSALICYLATE DE DL-LYSINE\t135 mg\tun sachet\tSA\t1\n"
        "61111111\tpoudre\t00002\tACIDE ACÉTYLSALICYLIQUE\t75 mg\tun sachet\tFT\t1\n"
        "62222222\tcomprimé\t00003\tCHLORHYDRATE DE TRAMADOL\t10 mg\tun comprimé\tSA\t1\n".encode())
    ref = build_from_bdpm(tmp_path)
    kardegic = ref.products["61111111"]
    assert kardegic.atc == "B01AC06"
    assert kardegic.substances == (("acide acétylsalicylique", "75 mg / un sachet"),)
    assert kardegic.marketed and kardegic.routes == ("orale",)
    tramadol = ref.products["62222222"]
    assert tramadol.atc == "N02AX02" and not tramadol.marketed
    entry = next(e for e in ref.lookup("ZZTESTNAME") if e.cis == "62222222")
    assert entry.substances == ("tramadol",)


@needs_bdpm
@pytest.mark.slow
def test_import_snapshot_coverage(tmp_path: Path) -> None:
    from recon.link import Linker
    from recon.reference.bdpm import ImportReport
    from recon.reference.store import load_reference, save_reference

    report = ImportReport()
    ref = build_from_bdpm(BDPM, report=report)
    assert report.products > 10000
    assert report.coverage > 0.70
    assert report.coverage_allopathic > 0.80
    linker = Linker(ref)
    assert linker.link("DOLIPRANE 1000 mg").atc == "N02BE01"
    assert linker.link("KARDEGIC 75").atc == "B01AC06"
    back = load_reference(save_reference(ref, tmp_path / "ref.sqlite"))
    assert len(back.products) == len(ref.products)
