"""The pharmacists' web page, walked through in a real browser: ``python -m eval web [--out DIR]``.

Starts the API on a free loopback port (SQLite in a temporary folder), opens the page in Chromium
(Playwright for Python, the system's Chromium: ``$RECON_CHROMIUM`` or ``chromium`` on the PATH),
and does what a pharmacist does: drops two PDF prescriptions, reads the lines, opens a line's source,
corrects a drug link, qualifies the divergences, validates, downloads the fiche de conciliation and
the discharge letter. Screenshots go to ``eval/results/web/`` (or ``--out``); the function returns
what it saw so that the end-to-end test can assert on it.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recon.examples import __file__ as _examples_init

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = Path(_examples_init).parent
VIEWPORT = {"width": 1440, "height": 900}  # a laptop screen


def chromium_path() -> str | None:
    import os

    return os.environ.get("RECON_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def text_pdf(text: str) -> bytes:
    """A real PDF of a text prescription (DejaVu Sans Mono when found, columns kept)."""
    from fpdf import FPDF

    from recon.letter.pdf import font_dir

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    fonts = font_dir()
    if fonts is not None and (fonts / "DejaVuSansMono.ttf").exists():
        pdf.add_font("mono", "", str(fonts / "DejaVuSansMono.ttf"))
        pdf.set_font("mono", size=8)
    else:
        pdf.set_font("Courier", size=8)
    for line in text.splitlines():
        pdf.cell(0, 4.2, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass
class Server:
    url: str
    settings: Any
    app: Any


@contextlib.contextmanager
def serve(db_dir: Path, **settings: Any) -> Iterator[Server]:
    """The API and its page on http://127.0.0.1:PORT, in a thread, for the duration of the block."""
    import uvicorn

    from api.main import create_app
    from api.settings import Settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = Settings(db_path=db_dir / "recon.sqlite3", env="development", **settings)
    app = create_app(conf)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    try:
        yield Server(f"http://127.0.0.1:{port}", conf, app)
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Walk:
    """What the walkthrough saw, for the test to check."""

    rows: int = 0
    statuses: dict[str, str] = field(default_factory=dict)  # line id → status shown, at first
    relinked_status: str = ""  # the status of the corrected line after the correction
    qualified: int = 0
    validated_text: str = ""
    letter_text: str = ""
    fiche_text: str = ""
    unlabelled: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    source_text: str = ""
    focus_back: bool = False
    auth_asked: bool = True
    keyboard_comment: str = ""
    page_boxes: int = 0
    deleted: bool = False
    reopened_text: str = ""
    recent: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)


def walk(out: Path, *, headless: bool = True) -> Walk:
    """Run the scenario; screenshots to ``out``."""
    import pdfplumber
    from playwright.sync_api import expect, sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("no Chromium found: install Debian's chromium or set RECON_CHROMIUM")
    out.mkdir(parents=True, exist_ok=True)
    seen = Walk()
    with tempfile.TemporaryDirectory(prefix="recon-web-") as tmp:
        work = Path(tmp)
        before = work / "ordonnance-medecin-traitant.pdf"
        after = work / "ordonnance-de-sortie.pdf"
        before.write_bytes(text_pdf((EXAMPLES / "ordonnance_ville.txt").read_text(encoding="utf-8")))
        after.write_bytes(text_pdf((EXAMPLES / "ordonnance_sortie.txt").read_text(encoding="utf-8")))
        with serve(work) as srv, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, headless=headless, args=["--no-sandbox"])
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="fr-FR")
            page = context.new_page()
            page.goto(srv.url + "/")
            expect(page.get_by_role("heading", name="Documents à concilier")).to_be_visible()
            seen.auth_asked = page.locator("#auth").is_visible()  # a local server asks for no key

            def shot(name: str) -> None:
                path = out / f"{len(seen.screenshots) + 1:02d}-{name}.png"
                page.screenshot(path=str(path), full_page=True)
                seen.screenshots.append(path)

            # 1. drop the documents
            page.get_by_label("Traitement habituel").set_input_files(str(before))
            page.get_by_label("Prescription hospitalière").set_input_files(str(after))
            shot("documents")
            page.get_by_role("button", name="Lancer la conciliation").click()
            rows = page.locator("#lines tbody tr")
            expect(rows.first).to_be_visible(timeout=60_000)
            seen.rows = rows.count()
            for i in range(seen.rows):
                r = rows.nth(i)
                seen.statuses[r.get_attribute("data-line") or ""] = r.get_attribute("data-status") or ""
            seen.unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
                .filter((n) => !n.hidden && n.type !== 'hidden' && n.offsetParent !== null)
                .filter((n) => !(n.labels && n.labels.length) && !n.getAttribute('aria-label')
                               && !(n.textContent || '').trim())
                .map((n) => n.id || n.outerHTML.slice(0, 60))""")
            shot("conciliation")

            # 2. a line's source, then correct its drug link (the usual rosuvastatine is in fact atorvastatine)
            row = page.locator("#lines tbody tr", has_text="ROSUVASTATINE")
            opener = row.get_by_role("button", name="Voir la source : ROSUVASTATINE")
            opener.click()
            panel = page.locator("#source")
            expect(panel).to_be_visible()
            seen.source_text = page.locator("#source-mark").inner_text()
            expect(page.locator("#source-frame .hl").first).to_be_visible()  # the page image, the line framed
            seen.page_boxes = page.locator("#source-frame .hl").count()
            shot("source")
            page.get_by_label("Chercher dans le référentiel").fill("atorvastatine")
            page.get_by_role("button", name="Chercher", exact=True).click()
            page.locator("#search-results input[type=radio]").first.check()
            page.get_by_role("button", name="Corriger le lien").click()
            expect(page.locator("#status")).to_contain_text("Lien corrigé")
            fixed = page.locator("#lines tbody tr", has_text="ROSUVASTATINE")
            seen.relinked_status = fixed.get_attribute("data-status") or ""
            shot("lien-corrige")
            page.keyboard.press("Escape")
            expect(panel).to_be_hidden()
            seen.focus_back = bool(page.evaluate("() => document.activeElement && document.activeElement.classList"
                                                 ".contains('source-link')"))

            # 3. qualify every divergence: the stopped STILNOX as an omission, the others as documented
            pending = page.locator("#lines tbody tr td.qual.pending")
            stilnox = page.locator("#lines tbody tr", has_text="STILNOX")
            stilnox.get_by_label("Divergence").select_option("unintentional")
            stilnox.get_by_label("Type d'erreur").select_option("omission")
            stilnox.get_by_label("Commentaire").fill("Arrêt non prévu : reprise à discuter avec le médecin traitant")
            stilnox.get_by_role("button", name="Enregistrer").click()
            expect(page.locator("#status")).to_contain_text("qualifiée")
            shot("qualification")
            # one divergence with the keyboard only: the select, arrows, Tab to the comment, Tab, Enter
            metformine = page.locator("#lines tbody tr", has_text="METFORMINE")
            metformine.get_by_label("Divergence").focus()
            page.keyboard.press("ArrowDown")  # → intentionnelle documentée (the error type stays disabled)
            page.keyboard.press("Tab")
            page.keyboard.type("Adaptation à la fonction rénale, voir CR")
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            expect(page.locator(f"#ligne-{metformine.get_attribute('data-line')} td.qual .who")).to_be_visible()
            seen.keyboard_comment = page.locator("#lines tbody tr", has_text="METFORMINE").get_by_label(
                "Commentaire").input_value()
            while pending.count():
                line = pending.first.locator("xpath=..")
                line_id = line.get_attribute("data-line")
                line.get_by_label("Divergence").select_option("documented")
                line.get_by_label("Commentaire").fill("Décision notée dans le dossier médical")
                line.get_by_role("button", name="Enregistrer").click()
                expect(page.locator(f"#ligne-{line_id} td.qual.pending")).to_have_count(0)
            seen.qualified = page.locator("#lines tbody td.qual .who").count()

            # 4. validate, then download the sheet and the letter
            page.get_by_role("button", name="Valider la conciliation").click()
            page.get_by_role("button", name="Confirmer la validation").click()
            expect(page.locator("#validation-state")).to_contain_text("validée par")
            seen.validated_text = page.locator("#validation-state").inner_text()
            shot("validee")
            with page.expect_download() as dl:
                page.get_by_role("button", name="Télécharger la fiche de conciliation").click()
            fiche = work / "fiche.html"
            dl.value.save_as(fiche)
            seen.fiche_text = fiche.read_text(encoding="utf-8")
            page.locator("#stay summary").click()
            page.get_by_label("Patient (NOM Prénom)").fill("EXEMPLE Jean")
            page.get_by_label("Service").fill("Cardiologie")
            page.get_by_label("Sortie le").fill("2025-09-22")
            with page.expect_download() as dl:
                page.get_by_role("button", name="Télécharger la lettre de liaison (PDF)").click()
            letter = work / "lettre.pdf"
            dl.value.save_as(letter)
            with pdfplumber.open(letter) as pdf:
                seen.letter_text = "\n".join(p.extract_text() or "" for p in pdf.pages)
            # 5. validated by mistake? reopened with its reason (the history keeps both)
            page.get_by_label("Motif de réouverture").fill("Nouvelle information du médecin traitant")
            page.get_by_role("button", name="Rouvrir la conciliation").click()
            expect(page.locator("#status")).to_contain_text("rouverte")
            seen.reopened_text = page.locator("#validation-state").inner_text()
            page.locator("#history summary").click()
            seen.history = page.locator("#history-list li").all_inner_texts()
            # 6. back to the start page: the reconciliation is in the recent list, and opens again
            page.get_by_role("button", name="Nouvelle conciliation").click()
            recent = page.get_by_role("region", name="Conciliations récentes")
            expect(recent).to_be_visible()
            seen.recent = recent.locator("li").all_inner_texts()
            shot("recentes")
            recent.get_by_role("link").first.click()
            expect(page.locator("#lines tbody tr").first).to_be_visible()
            fiche_page = context.new_page()
            fiche_page.goto(fiche.as_uri())
            path = out / f"{len(seen.screenshots) + 1:02d}-fiche.png"
            fiche_page.screenshot(path=str(path), full_page=True)
            seen.screenshots.append(path)
            # 7. the reconciliation erased from the server (confirmed): gone from the recent list too
            page.get_by_role("button", name="Supprimer cette conciliation").click()
            page.get_by_role("button", name="Confirmer la suppression").click()
            expect(page.locator("#status")).to_contain_text("supprimée")
            expect(page.get_by_role("region", name="Conciliations récentes")).to_be_hidden()
            seen.deleted = srv.app.state.runtime.storage.list_reports("anonymous", 10) == []
            browser.close()
    return seen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval web", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "eval" / "results" / "web")
    args = ap.parse_args(argv)
    seen = walk(args.out)
    print(f"{seen.rows} lines; corrected link → {seen.relinked_status}; {seen.qualified} qualified; "
          f"{seen.validated_text}")
    for p in seen.screenshots:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
