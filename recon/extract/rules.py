"""Rule-based extraction: a Document → medication lines (and warnings for what could not be read).

A medication line is a drug mention at the head of a line (after bullets, numbers,
dates), with its posology read from the rest of the line, from the line's table
columns, and from indented continuation lines. Mentions inside parentheses or after
"remplace…" name another drug and are not prescriptions; lines about allergies,
history, negations and lab values are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recon.extract import patterns as P
from recon.extract import posology as pos
from recon.extract.lexicon import Mention, find_mentions, guess_unknown
from recon.ingest import Document, Line
from recon.link import REVIEW_BELOW, Linker
from recon.models import Candidate, Frequency, Link, Medication, Quantity, Substance, Warning
from recon.reference import substance_key

_NAME_END = re.compile(r"\s*(?::|\||\s-\s|\.{3,}|…|\s{2,}|\(|;|\t|→|,\s)")
_SECONDARY_CUE = re.compile(
    r"(?:remplace\w*|remplacement|relais|[ée]quivalence|au\s+lieu\s+(?:de|du)|[àa]\s+la\s+place|substitu\w*"
    r"|switch|avant\s+(?:le|la|les)|apr[èe]s\s+(?:le|la|les)|associ[ée]\w*\s+[àa]|sous|par|avec|contre|reprise)"
    r"\s+(?:de\s+|d['’]\s*|du\s+|des\s+|la\s+|le\s+|l['’]\s*|les\s+)?$",
    re.IGNORECASE,
)
_LEAD_STATUS = re.compile(
    r"^(?:arr[êe]t(?:er)?|suspension|suspendre|introduction|instauration|ajout|initiation|reprise|poursuite"
    r"|majoration|diminution|augmentation|r[ée]duction)\s+(?:d[eu]\s+|de\s+la\s+|de\s+l['’]\s*|des\s+|d['’]\s*)?$",
    re.IGNORECASE,
)
_HEADER_STOPPED = re.compile(r"arr[êe]t|stopp|suspendu|non\s+poursuivi|interrompu", re.IGNORECASE)
_HEADER_SKIP = re.compile(r"allergi|ant[ée]c[ée]dents|intol[ée]rance", re.IGNORECASE)
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ]")


@dataclass(slots=True)
class _Row:
    """One candidate medication before it becomes a Medication."""

    mention: Mention
    line: Line
    segment: str  # from the mention to the next primary mention on the line
    extra: list[Line] = field(default_factory=list)  # continuation lines
    lead_status: str | None = None
    header_status: str | None = None
    slot_cells: list[str] | None = None


class RuleExtractor:
    name = "rules"

    def __init__(self, linker: Linker) -> None:
        self.linker = linker

    # -- public -----------------------------------------------------------------------
    def extract(self, doc: Document) -> tuple[list[Medication], list[Warning]]:
        rows, warnings = self._rows(doc)
        meds = [self._medication(row, doc) for row in rows]
        meds = _merge_repeats(meds)
        for i, med in enumerate(meds, start=1):
            med.id = f"m{i}"
        return meds, warnings

    # -- rows ---------------------------------------------------------------------------
    def _rows(self, doc: Document) -> tuple[list[_Row], list[Warning]]:
        rows: list[_Row] = []
        warnings: list[Warning] = []
        slot_cols: list[tuple[str, int]] | None = None
        header_status: str | None = None
        skip_section = False
        last: _Row | None = None
        for line in doc.lines:
            text = line.text
            if not text.strip():
                slot_cols = None
                skip_section = False
                last = None
                continue
            cols = _slot_header(text)
            if cols:
                slot_cols = cols
                last = None
                continue
            if P.ALLERGY.search(text) and not re.match(r"^\s*\d", text):
                # an allergy line (and its section when it is a header)
                skip_section = text.rstrip().endswith(":")
                last = None
                continue
            mentions = find_mentions(text, self.linker)
            primary = [m for m in mentions if self._is_primary(text, m, mentions)]
            if not primary:
                if _is_header(text):
                    header_status = "stopped" if _HEADER_STOPPED.search(text) else None
                    skip_section = bool(_HEADER_SKIP.search(text))
                    last = None
                    continue
                if last is not None and _is_continuation(text, last.line.text):
                    last.extra.append(line)
                    continue
                unknown = self._unknown(text)
                if unknown is not None and not skip_section:
                    primary = [unknown]
                else:
                    last = None
                    continue
            if skip_section or P.HISTORY.search(text[: primary[0].start + 40]) or _lab_line(text, primary[0]):
                last = None
                continue
            if _negated(text, primary[0]):
                last = None
                continue
            for k, m in enumerate(primary):
                end = primary[k + 1].start if k + 1 < len(primary) else len(text)
                lead = _LEAD_STATUS.search(_prefix_words(text[: m.start]))
                row = _Row(
                    mention=m,
                    line=line,
                    segment=text[m.start : end],
                    lead_status=pos.parse_status(lead.group(0)) if lead else _list_status(text, m),
                    header_status=header_status,
                    slot_cells=_slot_cells(text, slot_cols) if slot_cols else None,
                )
                rows.append(row)
            last = rows[-1]
        return rows, warnings

    def _is_primary(self, text: str, m: Mention, mentions: list[Mention]) -> bool:
        before = text[: m.start]
        if before.count("(") > before.count(")"):
            return False
        words = _prefix_words(before)
        if not words:
            return True
        if _SECONDARY_CUE.search(before.rstrip()[-40:] + " ") or _SECONDARY_CUE.search(words + " "):
            return False
        if _LEAD_STATUS.search(words):
            return True
        # after a label "… :" with nothing but bullets between
        tail = re.split(r"[:|]", before)[-1]
        if not _LETTERS.search(_strip_noise(tail)):
            # in a table row, only the first cell names the prescribed drug
            if "|" in before and _LETTERS.search(_strip_noise(before.split("|")[0])):
                return False
            return True
        # a list of drugs: "mélatonine et curcuma"
        prev = [p for p in mentions if p.end <= m.start]
        if prev and re.fullmatch(r"\s*(?:,|et|ou|\+)\s*", text[prev[-1].end : m.start]):
            return self._is_primary(text, prev[-1], mentions)
        return False

    def _unknown(self, text: str) -> Mention | None:
        """A line shaped like a prescription whose drug the lexicon does not know."""
        strength = pos.STRENGTH_RE.search(text)
        if not strength or P.LAB_VALUE.search(text):
            return None
        head = text[: strength.start()]
        if not _LETTERS.search(head) or len(_strip_noise(head).split()) > 4:
            return None
        start = len(head) - len(head.lstrip(" \t-•·*►▪>0123456789).]"))
        return guess_unknown(text, start, strength.start(), self.linker) or _unlinked(text, start, strength.start())

    # -- medication ---------------------------------------------------------------------
    def _medication(self, row: _Row, doc: Document) -> Medication:
        m = row.mention
        after_name = row.segment[len(m.text) :]
        cut = _NAME_END.search(after_name)
        name_part = after_name[: cut.start()] if cut else after_name
        posology_part = after_name[len(name_part) :]
        extra_text = " ".join(x.text.strip() for x in row.extra)
        full_posology = f"{posology_part} {extra_text}".strip()
        whole = f"{row.segment} {extra_text}"

        strength = pos.parse_strength(name_part)
        dose = pos.parse_dose(full_posology, strength=strength)
        frequency = pos.parse_frequency(full_posology)
        form, implied_route = pos.parse_form(f"{m.text} {name_part}")
        if form is None:
            form, implied_route = pos.parse_form(full_posology)
        if row.slot_cells is not None:
            dose, frequency = _apply_slots(row.slot_cells, dose, frequency, form)
        if dose is None and frequency is not None and frequency.text and pos.P.SLOTS.search(frequency.text or ""):
            unit = pos.P.FORM_OF_DOSE_UNIT.get(form or "", None)
            dose = Quantity(value=1, unit="comprimé" if form in (None, "comprimé à libération prolongée") else
                            (unit or "comprimé")) if _slots_all_one(frequency.text) else None
        if form is None and dose is not None:
            form = P.FORM_OF_DOSE_UNIT.get(dose.unit)
        route = pos.parse_route(full_posology) or pos.parse_route(name_part)
        if route is None:
            route = implied_route or (P.ROUTE_OF_DOSE_UNIT.get(dose.unit) if dose else None)
        as_needed, as_needed_reason = pos.parse_as_needed(full_posology)
        duration = pos.parse_duration(full_posology)
        status = pos.parse_status(full_posology)
        if status == "active":
            status = row.lead_status or row.header_status or "active"
        if status == "active" and frequency is not None and as_needed and frequency.per_day is None:
            frequency = None

        link = m.link
        substances = [Substance(name=s, atc=link.atc if len(link.substances) == 1 else None, strength=None)
                      for s in link.substances]
        if len(substances) == 1 and strength is not None:
            substances[0].strength = strength
        reasons: list[str] = []
        if link.method == "none":
            reasons.append("drug not found in the reference")
        elif link.method == "fuzzy" and link.score < REVIEW_BELOW:
            reasons.append(f"uncertain drug link (score {link.score:.2f})")
        if status == "active" and dose is None and frequency is None:
            reasons.append("posology not found")
        if link.entry is not None and len({c[0].atc for c in link.candidates}) > 1 and link.method == "exact":
            reasons.append("name shared by several ATC codes")
        confidence = link.score * (0.85 if "posology not found" in reasons else 1.0)
        line_start = row.line.start + (len(row.line.text) - len(row.line.text.lstrip()))
        end = row.extra[-1].end if row.extra else row.line.end
        text = "\n".join([row.line.text.strip(), *(x.text.strip() for x in row.extra)])
        return Medication(
            id="m0",
            text=text,
            span=(line_start, max(line_start, end)),
            page=row.line.page,
            drug_text=m.text,
            substances=substances,
            atc=link.atc,
            product=None,
            link=Link(
                method=link.method,  # type: ignore[arg-type]
                score=round(link.score, 4),
                candidates=[
                    Candidate(name=e.name, atc=e.atc, substances=list(e.substances), score=s)
                    for e, s in link.candidates[:5]
                ],
            ),
            strength=strength,
            form=form,
            route=route,
            dose=dose,
            frequency=frequency,
            as_needed=as_needed,
            as_needed_reason=as_needed_reason,
            duration=duration,
            status=status,  # type: ignore[arg-type]
            confidence=round(max(0.0, min(1.0, confidence)), 4),
            needs_review=bool(reasons),
            review_reasons=reasons,
            comment=_comment(posology_part, extra_text),
        )


# -- helpers -------------------------------------------------------------------------------
def _strip_noise(text: str) -> str:
    text = P.DATE.sub(" ", text)
    text = re.sub(r"\b(?:Qt[ée]|N°|n°)\b", " ", text)
    return re.sub(r"[\d\s\-•·*►▪>→).\[\]|:#/]+", " ", text).strip()


def _prefix_words(before: str) -> str:
    tail = re.split(r"[:|;]", before)[-1]
    return " ".join(_strip_noise(tail).split())


def _list_status(text: str, m: Mention) -> str | None:
    """'Traitements personnels arrêtés : mélatonine et curcuma' → the label's status."""
    label = text[: m.start]
    if ":" in label:
        head = label.rsplit(":", 1)[0]
        if _HEADER_STOPPED.search(head):
            return pos.parse_status(head) if pos.parse_status(head) != "active" else "stopped"
    return None


def _is_header(text: str) -> bool:
    s = text.strip()
    return s.endswith(":") or (s.isupper() and len(s) > 6 and not pos.STRENGTH_RE.search(s))


def _is_continuation(text: str, previous: str) -> bool:
    """An indented line, or a table row with an empty first cell, under a medication line."""
    if re.match(r"^\s*\|", text) or re.match(r"^\s*\|?\s*(?:\|\s*)+\S", text) and text.lstrip().startswith("|"):
        return True
    indent = len(text) - len(text.lstrip())
    prev_indent = len(previous) - len(previous.lstrip())
    return indent > prev_indent + 1 or text.lstrip().startswith(("→", "(", "->"))


def _negated(text: str, m: Mention) -> bool:
    window = text[max(0, m.start - 30) : m.start]
    return bool(P.NEGATION.search(window)) and not re.search(r"\bsans\s+rapport", window, re.IGNORECASE)


def _lab_line(text: str, m: Mention) -> bool:
    before = text[: m.start]
    return bool(P.LAB_VALUE.search(before)) and ":" in before


def _slot_header(text: str) -> list[tuple[str, int]] | None:
    found = [(w.lower(), mm.start()) for w in P.SLOT_HEADER_WORDS for mm in re.finditer(rf"\b{w}\b", text)]
    if len(found) >= 3:
        return sorted(found, key=lambda x: x[1])
    return None


def _slot_cells(text: str, cols: list[tuple[str, int]]) -> list[str] | None:
    cells: list[str] = []
    for k, (_, start) in enumerate(cols):
        lo = max(0, start - 4)
        hi = cols[k + 1][1] - 4 if k + 1 < len(cols) else start + 10
        cells.append(text[lo:hi].strip() if lo < len(text) else "")
    if not all(re.fullmatch(r"(?:-|–|0|\d+(?:[.,]\d+)?(?:\s*UI)?|[½¼¾]|)", c) for c in cells):
        return None
    if not any(c not in ("", "-", "–", "0") for c in cells):
        return None
    return cells


def _apply_slots(cells: list[str], dose: Quantity | None, frequency: Frequency | None, form: str | None
                 ) -> tuple[Quantity | None, Frequency | None]:
    values: list[float] = []
    units = set()
    for c in cells:
        mm = re.match(r"(\d+(?:[.,]\d+)?|[½¼¾])\s*(UI)?", c)
        if mm and c not in ("0",):
            values.append(pos.number(mm.group(1)) or 0)
            units.add(mm.group(2) or "")
        else:
            values.append(0)
    times = [P.SLOT_ORDER[i] if i < len(P.SLOT_ORDER) else "nuit" for i, v in enumerate(values) if v > 0]
    freq = Frequency(per_day=float(len(times)), times_of_day=times, text=" ".join(c or "-" for c in cells))  # type: ignore[arg-type]
    nonzero = {v for v in values if v > 0}
    if len(nonzero) == 1:
        unit = "UI" if "UI" in units else P.FORM_OF_DOSE_UNIT.get(form or "comprimé", "comprimé")
        if form and form.startswith("comprimé"):
            unit = "comprimé"
        dose = dose or Quantity(value=pos._num(nonzero.pop()), unit=unit)
    elif len(nonzero) > 1:
        dose = None
    return dose, freq if frequency is None or not frequency.per_day else frequency


def _slots_all_one(text: str) -> bool:
    vals = {pos.number(v) for v in re.split(r"\s*-\s*", text)} - {0.0, None}
    return vals == {1.0}


def _comment(posology_part: str, extra: str) -> str | None:
    text = " ".join(f"{posology_part} {extra}".split()).strip(" :|-")
    return text or None


def _unlinked(text: str, start: int, end: int) -> Mention | None:
    from recon.link import LinkResult

    name = text[start:end].strip(" :-|")
    if not name or len(name) < 3 or not _LETTERS.search(name):
        return None
    return Mention(start, start + len(name), name, LinkResult(None, "none", 0.0))


def _merge_repeats(meds: list[Medication]) -> list[Medication]:
    """One entry per drug and strength: a drug restated later in the document is merged into the first."""
    out: list[Medication] = []
    for med in meds:
        key = _identity(med)
        twin = next(
            (o for o in out if key and _identity(o) == key and (
                o.strength is None or med.strength is None or o.strength == med.strength)),
            None,
        )
        if twin is None:
            out.append(med)
            continue
        if _richness(med) > _richness(twin):
            out[out.index(twin)] = med.model_copy(update={"status": med.status if med.status != "active"
                                                          else twin.status})
        elif med.status != "active" and twin.status == "active":
            twin.status = med.status
    return out


def _identity(med: Medication) -> frozenset[str]:
    if med.atc and len(med.atc) == 7:
        return frozenset({med.atc})
    return frozenset(substance_key(s.name) for s in med.substances) or frozenset({med.drug_text.lower()})


def _richness(med: Medication) -> int:
    return sum(x is not None for x in (med.strength, med.dose, med.frequency, med.route))
