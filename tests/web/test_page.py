"""The pharmacists' page, end to end in a real browser (Playwright driving the system's Chromium):
upload two PDFs, see the lines, open a source, change a link, qualify the divergences, validate,
download the sheet and the letter and read them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.web_walkthrough import chromium_path

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no Chromium on this machine")


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from eval.web_walkthrough import walk

    return walk(tmp_path_factory.mktemp("screens"))


def test_the_lines_appear_with_their_statuses(walked) -> None:  # type: ignore[no-untyped-def]
    assert walked.rows == 10
    statuses = sorted(walked.statuses.values())
    assert statuses.count("stopped") == 2 and statuses.count("added") == 2
    assert {"modified", "substituted", "unchanged"} <= set(statuses)


def test_the_source_line_is_highlighted(walked) -> None:  # type: ignore[no-untyped-def]
    assert walked.source_text.startswith("5) ROSUVASTATINE 10 mg cp")
    assert walked.page_boxes == 1  # framed on the image of the PDF page too


def test_a_corrected_link_changes_the_line(walked) -> None:  # type: ignore[no-untyped-def]
    assert walked.relinked_status == "unchanged"  # rosuvastatine → atorvastatine, as in the hospital list
    assert walked.focus_back  # Escape closed the panel and gave the focus back to its button


def test_divergences_qualified_and_validated(walked) -> None:  # type: ignore[no-untyped-def]
    assert walked.qualified == 6
    assert walked.keyboard_comment == "Adaptation à la fonction rénale, voir CR"  # saved with the keyboard only
    assert "validée par anonyme" in walked.validated_text


def test_reopened_with_its_reason_in_the_history(walked) -> None:  # type: ignore[no-untyped-def]
    assert "peut être validée" in walked.reopened_text
    assert walked.history[-2].endswith("validation")
    assert walked.history[-1].endswith("réouverture : Nouvelle information du médecin traitant")
    assert any("correction de lien : ROSUVASTATINE (rosuvastatine) → atorvastatine" in h for h in walked.history)
    assert any("STILNOX" in h and "Non intentionnelle" in h for h in walked.history)


def test_the_start_page_lists_recent_reconciliations(walked) -> None:  # type: ignore[no-untyped-def]
    assert len(walked.recent) == 1
    assert "ordonnance-medecin-traitant.pdf → ordonnance-de-sortie.pdf — 10 ligne(s), 6 divergence(s)" in \
        walked.recent[0] and walked.recent[0].endswith("à valider")  # reopened


def test_the_reconciliation_can_be_erased(walked) -> None:  # type: ignore[no-untyped-def]
    assert walked.deleted


def test_the_downloaded_sheet_and_letter(walked) -> None:  # type: ignore[no-untyped-def]
    assert "Conciliation validée par anonyme" in walked.fiche_text
    assert "Divergence non intentionnelle" in walked.fiche_text and "omission" in walked.fiche_text
    assert "Médicament corrigé par anonyme" in walked.fiche_text
    text = " ".join(walked.letter_text.split())
    for drug in ("BISOPROLOL", "FUROSEMIDE", "Metformine", "Ramipril"):
        assert drug.lower() in text.lower()
    assert "arrêt" in text.lower()
    assert "EXEMPLE Jean" in text and "Cardiologie" in text and "22/09/2025" in text  # the stay typed in the page


def test_every_control_is_labelled(walked) -> None:  # type: ignore[no-untyped-def]
    assert walked.unlabelled == []
    assert not walked.auth_asked


def test_a_server_with_keys_asks_for_one(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from eval.web_walkthrough import serve

    (tmp_path / "v.txt").write_text("KARDEGIC 75 mg : 1 sachet le midi\n", encoding="utf-8")
    (tmp_path / "h.txt").write_text("KARDEGIC 160 mg : 1 sachet le midi\n", encoding="utf-8")
    with serve(tmp_path, api_keys="alice:alice-key-0123456789") as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(srv.url + "/")
        page.get_by_label("Traitement habituel").set_input_files(str(tmp_path / "v.txt"))
        page.get_by_label("Prescription hospitalière").set_input_files(str(tmp_path / "h.txt"))
        page.get_by_role("button", name="Lancer la conciliation").click()
        expect(page.get_by_role("alert")).to_contain_text("E401")
        key = page.get_by_label("Clé ou jeton d'accès")
        expect(key).to_be_focused()
        key.fill("alice-key-0123456789")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("button", name="Lancer la conciliation").click()
        expect(page.locator("#lines tbody tr")).to_have_count(1, timeout=30_000)
        expect(page.locator("#lines tbody tr").first).to_have_attribute("data-status", "modified")
        expect(page.locator("#history-list")).to_be_attached()
        browser.close()


def test_screenshots_were_taken(walked) -> None:  # type: ignore[no-untyped-def]
    names = [Path(p).name for p in walked.screenshots]
    assert len(names) == 8 and all(Path(p).stat().st_size > 10_000 for p in walked.screenshots)


def test_a_bad_file_gets_a_coded_message(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from eval.web_walkthrough import serve

    (tmp_path / "ordonnance.docx").write_bytes(b"PK\x03\x04 not a prescription")
    (tmp_path / "h.txt").write_text("KARDEGIC 75 mg : 1 sachet le midi\n", encoding="utf-8")
    with serve(tmp_path) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(srv.url + "/")
        page.get_by_role("button", name="Lancer la conciliation").click()
        expect(page.get_by_role("alert")).to_contain_text("Ajoutez au moins un document")
        expect(page.get_by_label("Traitement habituel")).to_be_focused()
        page.get_by_label("Traitement habituel").set_input_files(str(tmp_path / "ordonnance.docx"))
        page.get_by_label("Prescription hospitalière").set_input_files(str(tmp_path / "h.txt"))
        page.get_by_role("button", name="Lancer la conciliation").click()
        expect(page.get_by_role("alert")).to_contain_text("E102")
        expect(page.locator("#result")).to_be_hidden()
        browser.close()
