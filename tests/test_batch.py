"""`recon batch`: a folder or a pairs CSV on Dask, resumable, failures counted, outputs that never collide.
The documents are fictional lines written here; the cluster is in-process (threads) to stay fast."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import recon.batch as batch
from recon.batch import dask_client, plan, run_batch, safe_name
from recon.cli import main
from recon.errors import BadPairsFile

DOCS = {
    "ordo.txt": "Dr Fictif\nKARDEGIC 75 mg : 1 sachet par jour à midi\n",
    "a/ordo.txt": "METFORMINE 850 mg cp : 1 cp matin et soir\n",
    "b/ordo.txt": "AMLODIPINE 5 mg gél : 1 gélule le matin\n",
    "b/sortie.txt": "BISOPROLOL 2,5 mg cp | 1 cp le matin | PO\n",
    "c/vide.txt": "   \n",  # no text: fails with E103
    "c/ordo.pdf": "not a PDF at all",  # unreadable: fails
    "c/notes.docx": "ignored: not a document Recon reads",
}


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with dask_client(processes=False, workers=2) as c:
        yield c


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    for rel, text in DOCS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def outputs(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))


def test_folder_outputs_named_by_relative_path_and_failures_counted(archive: Path, tmp_path: Path, client) -> None:
    out = tmp_path / "out"
    errors: list[tuple[str, str]] = []
    s = run_batch(archive, out, client=client, on_error=lambda label, msg: errors.append((label, msg)))
    assert (s.total, s.done, s.skipped) == (6, 4, 0)
    assert sum(s.failed.values()) == 2 and s.failed["E103"] == 1
    assert outputs(out) == ["a/ordo.txt.json", "b/ordo.txt.json", "b/sortie.txt.json", "ordo.txt.json"]
    # the same stem in three folders: three outputs, each with its own document
    names = {json.loads((out / o).read_text(encoding="utf-8"))["document"]["name"] for o in outputs(out)}
    assert names == {"ordo.txt", "a/ordo.txt", "b/ordo.txt", "b/sortie.txt"}
    metformine = json.loads((out / "a/ordo.txt.json").read_text(encoding="utf-8"))
    assert [m["atc"] for m in metformine["medications"]] == ["A10BA02"]
    assert sorted(label for label, _ in errors) == ["c/ordo.pdf", "c/vide.txt"]
    assert s.as_dict()["failed_by_code"]["E103"] == 1


def test_an_interrupted_batch_resumes_without_redoing_finished_files(archive: Path, tmp_path: Path, client,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real_write, calls = batch._write, []

    def write_then_stop(path: Path, text: str) -> None:
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C (or a kill) after two documents
        calls.append(path)
        real_write(path, text)

    monkeypatch.setattr(batch, "_write", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run_batch(archive, out, client=client, window=1, on_error=lambda *_: None)
    monkeypatch.setattr(batch, "_write", real_write)
    assert len(outputs(out)) == 2 and not list(out.rglob("*.tmp"))
    before = {o: (out / o).stat().st_mtime_ns for o in outputs(out)}

    s = run_batch(archive, out, client=client, on_error=lambda *_: None)
    assert (s.skipped, s.done, sum(s.failed.values())) == (2, 2, 2)
    assert len(outputs(out)) == 4
    assert {o: (out / o).stat().st_mtime_ns for o in before} == before  # finished files not redone

    again = run_batch(archive, out, client=client, on_error=lambda *_: None)
    assert (again.skipped, again.done, sum(again.failed.values())) == (4, 0, 2)  # failures are tried again


def test_pairs_csv_ids_never_collide(tmp_path: Path, client) -> None:
    (tmp_path / "v.txt").write_text(DOCS["ordo.txt"], encoding="utf-8")
    (tmp_path / "s.txt").write_text(DOCS["b/sortie.txt"], encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("id,before,after\na/b,v.txt,s.txt\na_b,v.txt,s.txt\nmissing,v.txt,nowhere.txt\n",
                     encoding="utf-8")
    out = tmp_path / "out"
    s = run_batch(pairs, out, client=client, on_error=lambda *_: None)
    assert (s.done, s.failed["E101"]) == (2, 1)
    assert outputs(out) == sorted([f"{safe_name('a/b')}.json", "a_b.json"])
    assert safe_name("a/b") != "a_b"
    report = json.loads((out / "a_b.json").read_text(encoding="utf-8"))
    assert "lines" in report and "summary" in report


def test_duplicate_pair_ids_are_refused(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("id,before,after\nx,a.txt,b.txt\nx,c.txt,d.txt\n", encoding="utf-8")
    with pytest.raises(BadPairsFile):
        plan(pairs, tmp_path / "out")


def test_output_folder_inside_the_archive_is_not_read(archive: Path) -> None:
    (archive / "out").mkdir()
    (archive / "out" / "ordo.txt.json").write_text("{}", encoding="utf-8")
    (archive / "out" / "old.txt").write_text("x", encoding="utf-8")
    assert "out/old.txt" not in [i.label for i in plan(archive, archive / "out")]


def test_cli_batch_summary(archive: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli-out"
    code = main(["batch", str(archive), "--output-dir", str(out), "--threads", "--workers", "2"])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert code == 2  # some documents failed
    assert (summary["done"], summary["failed"], summary["total"]) == (4, 2, 6)
    assert "recon: batch: 4 done, 0 skipped, 2 failed" in captured.err
    assert main(["batch", str(tmp_path / "nowhere"), "--output-dir", str(out)]) == 2
