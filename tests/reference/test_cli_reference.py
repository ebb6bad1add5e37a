"""`recon reference import / update / info / reset` with the BDPM snapshot (skipped when absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from recon.cli import main
from tests.conftest import SHARED

BDPM = Path(os.environ.get("RECON_BDPM_DIR", SHARED / "data" / "bdpm"))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("RECON_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECON_REFERENCE", raising=False)
    from recon.reference import romedi

    romedi.default_reference.cache_clear()
    yield tmp_path / "home"
    romedi.default_reference.cache_clear()


@pytest.mark.skipif(not (BDPM / "CIS_bdpm.txt").exists(), reason=f"BDPM snapshot not found at {BDPM}")
def test_update_from_file_url_stores_a_reference_that_info_reports(home, capsys) -> None:
    assert main(["reference", "update", BDPM.resolve().as_uri()]) == 0
    report = json.loads(capsys.readouterr().out)
    stored = Path(report["stored_file"])
    assert stored.exists() and stored.is_relative_to(home)
    from recon.reference import romedi

    romedi.default_reference.cache_clear()
    assert main(["reference", "info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["stored_file"] == str(stored) and info["products"] > 10000
    assert main(["reference", "reset"]) == 0
    assert not stored.exists()


def test_update_offline_from_a_missing_folder_is_a_coded_error(home, capsys, tmp_path) -> None:
    assert main(["reference", "update", str(tmp_path / "nope")]) == 2
    assert "[E200]" in capsys.readouterr().err
