"""Saving and loading a reference (SQLite), and the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from recon.errors import ReferenceDataError
from recon.reference import DrugEntry, DrugReference, Product
from recon.reference.store import data_dir, load_reference, reference_path, save_reference, stored_reference


def _small() -> DrugReference:
    ref = DrugReference(source="test", version="1")
    ref.add(DrugEntry("KARDEGIC", "kardegic", "B01AC06", ("acide acétylsalicylique",), "brand"))
    ref.add(DrugEntry("paracétamol", "paracetamol", "N02BE01", ("paracétamol",), "dci"))
    ref.add(DrugEntry("X 5 mg", "x 5 mg", None, ("a", "b"), "brand", cis="60000001", rank=1))
    ref.atc_labels["B01AC"] = "antiagregants plaquettaires"
    ref.products["60000001"] = Product("60000001", "X 5 mg, comprimé", "comprimé", ("orale",), True, None,
                                       (("a", "5 mg / un comprimé"), ("b", "1 mg")), "G1", 2)
    return ref


def test_round_trip(tmp_path: Path) -> None:
    ref = _small()
    path = save_reference(ref, tmp_path / "ref.sqlite")
    back = load_reference(path)
    assert back.entries == ref.entries
    assert back.atc_labels == ref.atc_labels
    assert back.products == ref.products
    assert back.lookup("Kardégic")[0].atc == "B01AC06"


def test_data_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECON_HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home"
    assert reference_path() == tmp_path / "home" / "reference.sqlite"
    assert stored_reference() is None
    save_reference(_small())
    assert stored_reference() is not None


def test_missing_or_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ReferenceDataError):
        load_reference(tmp_path / "nothing.sqlite")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 10)
    with pytest.raises(ReferenceDataError):
        load_reference(bad)
    monkeypatch.setenv("RECON_HOME", str(tmp_path))
    (tmp_path / "reference.sqlite").write_bytes(b"garbage" * 10)
    assert stored_reference() is None  # logged, not raised
