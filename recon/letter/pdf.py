"""The letter as a text-based PDF (A4), drawn with fpdf2 from ``letter_context``.

fpdf2 is pure Python (no cairo/pango). Its built-in fonts only cover Latin-1, so the letter
uses DejaVu Sans, a Unicode TrueType font found, in order, in ``$RECON_FONT_DIR``, in
matplotlib's wheel (``matplotlib/mpl-data/fonts/ttf``, found without importing matplotlib)
or in the system font folders. With none of them, the letter falls back to Helvetica and
writes the few characters Latin-1 lacks (→, —, ’, œ…) in ASCII, so a PDF is always produced.

The text is laid out in reading order, one medication a paragraph ("• NAME dosage : posology",
then "→ Motif : …" lines), so that the PDF reads back — with pdfplumber, or through Recon's own
extraction — as the letter reads.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from recon.errors import ReconError, RenderError
from recon.letter.render import bracketed, letter_context
from recon.letter.stay import StayLike
from recon.models import ReconciliationReport

FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
SYSTEM_FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
                    "/usr/local/share/fonts", "/Library/Fonts"]
_ARTICLES = r"le|la|les|du|de|des|au|aux|à|un|une|et|ou|par|sous|avec"
ASCII_FALLBACK = {"→": "->", "—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "œ": "oe",
                  "Œ": "OE", "•": "-", "≥": ">=", "≤": "<=", "\u202f": " ", "€": "EUR"}

MARGIN = 18.0  # mm
BOTTOM = 20.0
BODY = 10.0  # pt
LINE = 4.9  # mm per body line
INK = (17, 17, 17)
GREY = (85, 85, 85)
BLUE = (34, 51, 68)
RED = (138, 0, 0)
ORANGE = (138, 75, 0)


def font_dir() -> Path | None:
    """A folder holding the DejaVu Sans TTF files, or None."""
    candidates: list[Path] = []
    env = os.environ.get("RECON_FONT_DIR")
    if env:
        candidates.append(Path(env))
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "mpl-data" / "fonts" / "ttf" for p in spec.submodule_search_locations]
    candidates += [Path(p) for p in SYSTEM_FONT_DIRS]
    for folder in candidates:
        if all((folder / f).is_file() for f in FONT_FILES.values()):
            return folder
    return None


def _fpdf_class() -> Any:
    try:
        from fpdf import FPDF
    except ImportError as e:
        raise RenderError("PDF letters need the fpdf2 package: pip install fpdf2") from e

    class LetterPDF(FPDF):  # type: ignore[misc]
        footer_left = ""
        letter_family = "helvetica"

        def footer(self) -> None:
            self.set_y(-BOTTOM + 6)
            self.set_draw_color(200, 210, 220)
            self.line(MARGIN, self.get_y() - 1.5, self.w - MARGIN, self.get_y() - 1.5)
            self.set_font(self.letter_family, "", 8)
            self.set_text_color(*GREY)
            self.cell(0, 4, self.footer_left, align="L")
            self.set_x(MARGIN)
            self.cell(0, 4, f"page {self.page_no()}/{{nb}}", align="R")

    return LetterPDF


class _Writer:
    def __init__(self, ctx: dict[str, Any]) -> None:
        cls = _fpdf_class()
        pdf = cls(orientation="portrait", unit="mm", format="A4")
        folder = font_dir()
        self.unicode = folder is not None
        if folder is not None:
            for style, fname in FONT_FILES.items():
                pdf.add_font("DejaVu", style, str(folder / fname))
            pdf.letter_family = "DejaVu"
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=BOTTOM)
        pdf.alias_nb_pages("{nb}")
        patient = ctx["stay"]["patient_name"]
        pdf.footer_left = self.t(f"{ctx['title']}{' — ' + patient if patient else ''} — {ctx['date']}")
        pdf.set_title(self.t(f"{ctx['title']}{' — ' + patient if patient else ''}"))
        pdf.set_subject(self.t("Traitement médicamenteux de sortie (conciliation médicamenteuse)"))
        pdf.set_creator("Recon")
        pdf.set_lang("fr-FR")
        pdf.set_creation_date(dt.datetime.now(dt.UTC))
        self.pdf = pdf
        self.ctx = ctx
        names = "|".join(re.escape(n) for n in ctx.get("drug_names", []))
        self._names = re.compile(rf"[ \t]+(?P<article>(?:{_ARTICLES})[ \t]+|[lLdD]['’])?(?=(?:{names})\b)",
                                 re.IGNORECASE) if names else None

    def glue(self, text: str) -> str:
        """No-break spaces before each drug name of the report and its article ("avec le méthotrexate"):
        no wrapped line of a quote starts with a drug name, which a reader of the PDF would take for a
        prescription."""
        if self._names is None:
            return text
        return self._names.sub(lambda m: "\u00a0" + re.sub(r"[ \t]+", "\u00a0", m.group("article") or ""), text)

    # -- text helpers ------------------------------------------------------------------------
    def t(self, text: str) -> str:
        """Text the current font can draw."""
        if self.unicode:
            return text
        for k, v in ASCII_FALLBACK.items():
            text = text.replace(k, v)
        return text.encode("latin-1", "replace").decode("latin-1")

    def font(self, style: str = "", size: float = BODY, color: tuple[int, int, int] = INK) -> None:
        self.pdf.set_font(self.pdf.letter_family, style, size)
        self.pdf.set_text_color(*color)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm are left on this one."""
        if self.pdf.get_y() + height > self.pdf.h - BOTTOM:
            self.pdf.add_page()

    def para(self, segments: list[tuple[str, str, tuple[int, int, int]]], *, indent: float = 0.0,
             bullet: str = "", size: float = BODY, line: float = LINE, after: float = 0.6,
             shrink: float = 0.0) -> None:
        """One paragraph of (style, text, color) runs, wrapped at the right margin, with a hanging bullet.
        ``shrink``: how many points the size may lose for the paragraph to fit on one line."""
        pdf = self.pdf
        if shrink:
            room = pdf.w - pdf.r_margin - pdf.l_margin - indent - (4.5 if bullet else 0) - 0.5
            size = self._fitting_size(segments, size, size - shrink, room)
        old = pdf.l_margin
        x = old + indent
        if bullet:
            self.font("", size, INK)
            pdf.set_x(x)
            pdf.cell(4.5, line, self.t(bullet))
            x += 4.5
        pdf.set_left_margin(x)
        pdf.set_x(x)
        for style, text, color in segments:
            if text:
                self.font(style, size, color)
                pdf.write(line, self.t(text))
        pdf.ln(line + after)
        pdf.set_left_margin(old)
        pdf.set_x(old)

    def _fitting_size(self, segments: list[tuple[str, str, tuple[int, int, int]]], size: float, smallest: float,
                      room: float) -> float:
        candidate = size
        while candidate >= smallest - 1e-6:
            width = 0.0
            for style, text, _ in segments:
                self.pdf.set_font(self.pdf.letter_family, style, candidate)
                width += self.pdf.get_string_width(self.t(text))
            if width <= room:
                return candidate
            candidate -= 0.5
        return size  # too long anyway: wrap at the full size

    def heading(self, text: str, *, size: float = 11.5, upper: bool = False) -> None:
        self.room(22)
        pdf = self.pdf
        pdf.ln(3)
        self.font("B", size, BLUE)
        pdf.cell(0, 6, self.t(text.upper() if upper else text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(200, 210, 220)
        pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
        pdf.ln(1.8)

    def missing(self, text: str | None = None) -> None:
        self.para([("I", text or self.ctx["to_complete"], RED)])

    # -- the letter ------------------------------------------------------------------------
    def build(self) -> bytes:
        ctx, stay, pdf = self.ctx, self.ctx["stay"], self.pdf
        pdf.add_page()
        # letterhead: establishment / service, date
        top = pdf.get_y()
        self.font("B", 10.5, BLUE)
        pdf.multi_cell(115, 5, self.t(stay["where"] or "Établissement, service\u00a0: à compléter"),
                       new_x="LMARGIN", new_y="NEXT", align="L")
        bottom = pdf.get_y()
        pdf.set_xy(MARGIN + 115, top)
        self.font("", BODY, INK)
        pdf.cell(0, 5, self.t(f"Le {ctx['date_long']}"), align="R")
        pdf.set_y(max(bottom, top + 5) + 1.5)
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(0.5)
        pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
        pdf.set_line_width(0.2)
        pdf.ln(4)
        self.font("B", 15, INK)
        pdf.multi_cell(0, 8, self.t(ctx["title"]), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
        if ctx["draft_notice"]:
            self.para([("B", ctx["draft_notice"], ORANGE)], after=1.5)
        if ctx["not_discharge"]:
            self.para([("B", ctx["not_discharge"], RED)], after=1.5)
        if ctx["alerts"]:
            self.heading("Points d’attention")
            for a in ctx["alerts"]:
                color = RED if a["severity"] == "high" else ORANGE if a["severity"] == "medium" else INK
                self.para([("B", f"{a['severity_word'].capitalize()}\u00a0: ", color), ("", a["message"], color)],
                          bullet="!", indent=2)

        # identification (art. R1112-1-2 CSP)
        rows = list(stay["identity"])
        for label, value in rows:
            self.room(LINE * 2)
            y = pdf.get_y()
            self.font("", 9.5, GREY)
            pdf.set_xy(MARGIN, y)
            pdf.cell(42, LINE, self.t(label))
            pdf.set_xy(MARGIN + 42, y)
            if value:
                self.font("", BODY, INK)
            else:
                self.font("I", BODY, RED)
            pdf.multi_cell(0, LINE, self.t(value or ctx["to_complete"]), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(0.6)
        if ctx["identity_note"]:
            self.para([("I", ctx["identity_note"], GREY)], size=9, line=4.3)

        self.heading("Allergies et intolérances")
        for a in ctx["allergies"]:
            self.para([("B", a["text"], INK), ("", f" — selon\u00a0: {a['where']}", GREY)], bullet="–", indent=2)
        if not ctx["allergies"]:
            self.para([("", f"Documents et dossier de séjour\u00a0: {ctx['no_allergy']}.", INK)])

        self.heading("Motif d’hospitalisation")
        if stay["reason"]:
            self.para([("", stay["reason"], INK)])
        else:
            self.missing()
        self.heading("Synthèse du séjour")
        for par in stay["summary"] or []:
            self.para([("", par, INK)], after=1.5)
        if not stay["summary"]:
            self.missing()

        self.heading("Traitement médicamenteux de sortie")
        self.para([("", f"Conciliation entre le traitement habituel ({ctx['before_name']}) et la prescription "
                        f"hospitalière ({ctx['after_name']}).", GREY)], size=9, line=4.3, after=1.5)
        if ctx["no_treatment"]:
            self.para([("B", ctx["no_treatment"], INK)])
        for section in ctx["sections"]:
            self.room(20)
            pdf.ln(1.5)
            self.font("B", 10, BLUE)
            pdf.cell(0, 5.5, self.t(f"{section['title'].upper()} ({len(section['rows'])})"),
                     new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
            for row in section["rows"]:
                self.medication(row)
        pdf.ln(1)
        segments = [("", ctx["summary_text"], GREY)]
        if ctx["review_count"]:
            n = ctx["review_count"]
            segments.append(("B", f" {n} ligne{'s' if n > 1 else ''} à vérifier.", ORANGE))
        self.para(segments, size=9, line=4.3)

        self.heading("Résultats d’examens en attente")
        for item in stay["pending_results"]:
            self.para([("", item, INK)], bullet="–", indent=2)
        if not stay["pending_results"]:
            self.missing(f"{ctx['to_complete']} (ou «\u00a0aucun\u00a0»)")
        self.heading("Suites à donner")
        for item in stay["follow_up"]:
            self.para([("", item, INK)], bullet="–", indent=2)
        if not stay["follow_up"]:
            self.missing()

        self.signature()
        try:
            return bytes(pdf.output())
        except Exception as e:  # fpdf2 raises assorted types on font or layout problems
            raise RenderError(f"the PDF letter could not be written ({type(e).__name__})") from e

    def medication(self, row: dict[str, Any]) -> None:
        """The drug line, its structured changes ("→ …", indented under the name), then what it replaces
        and the quoted free text ("↳ …", at the bullet's indent). Read back by a text extractor, the
        indented lines continue the drug line; the "↳" lines stand apart, with several words before any
        drug or dose they quote, so that neither a replaced drug nor a word of a motif ("arrêt du …")
        is read as a prescription or as this drug's status."""
        self.room(LINE * (2 + len(row["details"])))
        head: list[tuple[str, str, tuple[int, int, int]]] = [("B", row["name"], INK), ("", "\u00a0: ", INK),
                                                             ("", row["posology"], INK)]
        if row["needs_review"]:
            head.append(("I", " (à\u00a0vérifier)", ORANGE))
        self.para(head, bullet="•", indent=2, after=0.2)
        small = {"indent": 6.5, "size": 9.5, "line": 4.5, "after": 0.2}
        for d in row["details"]:
            if d["kind"] == "field":
                self.para([("", "→ ", GREY), ("", f"{d['label']}{d['sep']}", GREY), ("", d["text"], INK)], **small)
        glue = self.glue
        apart = {"bullet": "↳", "indent": 2.0, "size": 9.5, "line": 4.5, "after": 0.2, "shrink": 1.5}
        for d in row["details"]:
            if d["kind"] == "replaces":
                self.para([("", "remplace le traitement habituel —\u00a0", GREY), ("", glue(d["text"]), INK)], **apart)
            elif d["kind"] == "former":
                # the usual name of the same drug after "au lieu du": never read back as one more prescription
                self.para([("", "traitement habituel sous un autre nom, au lieu du\u00a0", GREY),
                           ("", glue(d["text"]), INK)], **apart)
            elif d["kind"] == "quote":
                lead = ("note de conciliation" if d["label"] == "Commentaire"
                        else f"{d['label'].lower()} selon les documents")
                self.para([("", f"{lead} (", GREY), ("", glue(bracketed(d["text"])), INK), ("", ")", GREY)], **apart)
        if row["reason"]:
            self.para([("", f"{row['reason_label'].lower()} selon les documents (", GREY),
                       ("", glue(row["reason_bracketed"]), INK), ("", ")", GREY)], **apart)
        elif row["to_confirm"]:
            self.para([("I", row["to_confirm"], ORANGE)], **apart)
        elif row["reason_missing"]:
            self.para([("I", self.ctx["missing_reason"], RED)], **apart)
        self.pdf.ln(1.2)

    def signature(self) -> None:
        ctx, pdf = self.ctx, self.pdf
        doctor = ctx["stay"]["hospital_doctor"]
        self.room(42)
        pdf.ln(6)
        x = pdf.w / 2 + 5
        width = pdf.w - MARGIN - x

        def line(text: str, style: str = "", color: tuple[int, int, int] = INK, size: float = BODY) -> None:
            self.font(style, size, color)
            pdf.set_x(x)
            pdf.multi_cell(width, LINE, self.t(text), new_x="LMARGIN", new_y="NEXT", align="L")

        line(f"Le {ctx['date_long']},")
        if doctor:
            line(doctor["name"], "B")
            if doctor["detail"]:
                line(doctor["detail"], "", GREY, 9)
        else:
            line(f"Praticien hospitalier\u00a0: {ctx['to_complete']}", "I", RED)
        pdf.ln(1)
        line("Signature\u00a0:", "", GREY, 9)
        pdf.ln(14)
        pdf.set_draw_color(150, 150, 150)
        pdf.line(x, pdf.get_y(), x + min(width, 60), pdf.get_y())
        pdf.ln(4)
        self.font("I", 8, GREY)
        pdf.multi_cell(0, 3.8, self.t("Document établi à partir de la conciliation médicamenteuse ; à relire et "
                                      "signer par le médecin hospitalier."), new_x="LMARGIN", new_y="NEXT", align="L")


def render_pdf(report: ReconciliationReport, stay: StayLike = None, *, today: dt.date | None = None,
               draft: bool = True) -> bytes:
    """The letter as PDF bytes (A4, text layer, 'page X/Y' footers, signature block); a draft unless
    ``draft=False`` (only for a validated reconciliation)."""
    try:
        return _Writer(letter_context(report, stay, today=today, draft=draft)).build()
    except ReconError:
        raise
    except Exception as e:
        raise RenderError(f"the PDF letter could not be rendered ({type(e).__name__})") from e


__all__ = ["font_dir", "render_pdf"]
