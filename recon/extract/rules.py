"""Rule-based extraction: a Document → medication lines (and warnings for what could not be read).

A medication line is a drug mention at the head of a line (after bullets, numbers,
dates, a status label such as "NOUVEAU :" or "Arrêt du", or an article in a sentence
such as "L'amiodarone a été arrêtée"), with its posology read from the rest of the line
(what follows the strength when no separator is written), from the line's table columns
(time columns MATIN/MIDI/SOIR/COUCHER or hours, by position, by order, or one space
apart; a strength column), and from indented continuation lines. Several prescriptions
on one line are split at " - ", ";" and at commas that follow a posology. Mentions inside
parentheses, in a table's remark column, or after "remplace…" name another drug and are
not prescriptions; a brand the reference lacks followed by its DCI in parentheses is
read through the DCI. Lines about allergies, history, past dispensings, interactions,
vaccinations, negations and lab values are skipped. A line shaped like a prescription
whose name the reference lacks is kept, unlinked and flagged for review. Section headers
give a status ("Traitements suspendus :") or the as-needed flag ("SI BESOIN :"), and a
label's status ("SUSPENDUS : X") carries to the indented lines under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recon.extract import patterns as P
from recon.extract import posology as pos
from recon.extract.lexicon import Mention, find_mentions, guess_unknown, stop_names
from recon.ingest import Document, Line
from recon.link import REVIEW_BELOW, Linker
from recon.messages import DRUG_NOT_IN_REFERENCE, POSOLOGY_NOT_FOUND, UNCERTAIN_LINK
from recon.models import Frequency, Medication, Quantity, Substance, Warning
from recon.reference import fold, substance_key

# review reason of a name that the reference gives to drugs of different substances
NAME_SHARED = "nom commun à des médicaments de substances différentes"
_NAME_END = re.compile(r"\s*(?::|\||\s-\s|\.{3,}|…|\s{2,}|\(|;|\t|→|,\s)")
_SECONDARY_CUE = re.compile(
    r"(?:remplace\w*|remplacement|relais|[ée]quivalence|au\s+lieu\s+(?:de|du)|[àa]\s+la\s+place|substitu\w*"
    r"|switch|avant\s+(?:le|la|les)|apr[èe]s\s+(?:le|la|les)|associ[ée]\w*\s+[àa]|sous|par|avec|contre|reprise)"
    r"\s+(?:de\s+|d['’]\s*|du\s+|des\s+|la\s+|le\s+|l['’]\s*|les\s+)?$",
    re.IGNORECASE,
)
_LEAD_STATUS = re.compile(
    r"^(?:arr[êe]t(?:er)?|suspension|suspendre|introduction|instauration|ajout|initiation|reprise|poursuite"
    r"|majoration|diminution|augmentation|r[ée]duction|nouveau|nouvelle|stop)"
    r"(?:\s+(?:du|de\s+la|de\s+l['’]|de|des|d['’]|l['’]|la|le|les|par))?\s*$",
    re.IGNORECASE,
)
_HEADER_STOPPED = re.compile(r"arr[êe]t|stopp|suspendu|non\s+(?:poursuivi|repris|reconduit)|interrompu", re.IGNORECASE)
_HEADER_SKIP = re.compile(r"allergi|ant[ée]c[ée]dents|intol[ée]rance", re.IGNORECASE)
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ]")
_LEAD_PARENS = re.compile(r"^\s*\(([^()]{1,60})\)")
_PARENS = re.compile(r"\([^()]*\)")
_LIST_JOIN = re.compile(r"\s*(?:,|et|ou|\+)\s*(?:d[eu]\s+|la\s+|le\s+|l['’]\s*|des\s+)?", re.IGNORECASE)
_TIME_NEXT = re.compile(r"\s*(?:(?:SC|s/c|IV|IM|en\s+sous-cutan\w*|sous-cutan\w*)\s+)?(?:le\s+|au\s+|à\s+|a\s+)?"
                        r"(?:matin|midi|soir|coucher|nuit|\d{1,2}\s*h\b|avant|x\s*\d)",
                        re.IGNORECASE)
# "ADVIL (ibuprofène) : arrêt": a name the reference lacks, with its DCI in parentheses
_BRAND_THEN_DCI = re.compile(
    r"^[\s\-•·*►▪>]*(?:\d{1,2}\s*[).\]-]\s*)?[A-Za-zÀ-ÿ][\w\-]*(?:\s+[A-Za-zÀ-ÿ][\w\-]*)?\s*\($")


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
    header: object | None = None  # the _Header of the table the row is in
    header_as_needed: bool = False


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
        slot_cols: _Header | None = None
        header_status: str | None = None
        header_as_needed = False
        label_status: str | None = None  # "SUSPENDUS : X (…)" then indented lines: the label's status goes on
        skip_section = False
        last: _Row | None = None
        for line in doc.lines:
            text = line.text
            if not text.strip():
                slot_cols = None
                skip_section = False
                header_as_needed = False
                label_status = None
                last = None
                continue
            if not text[:1].isspace():
                label_status = None
            cols = _slot_header(text)
            if cols:
                slot_cols = cols
                last = None
                continue
            allergy = P.ALLERGY.search(text)
            mentions = find_mentions(text, self.linker)
            if allergy and not re.match(r"^\s*\d", text) and not (mentions and mentions[0].start < allergy.start()):
                # an allergy line (and its section when it is a header)
                skip_section = text.rstrip().endswith(":")
                last = None
                continue
            primary = [m for m in mentions if self._is_primary(text, m, mentions)]
            if not primary:
                primary = [m for m in mentions if _BRAND_THEN_DCI.match(text[: m.start])
                           and text[m.end :].lstrip().startswith(")")]
            if not primary:
                continued = last is not None and _is_continuation(text, last.line.text)
                if _is_header(text) and not (continued and not text.rstrip().endswith(":")):
                    header_status = _header_status(text)
                    header_as_needed = bool(P.AS_NEEDED_HEADER.search(text))
                    skip_section = bool(_HEADER_SKIP.search(text))
                    last = None
                    continue
                if continued and last is not None:
                    last.extra.append(line)
                    continue
                unknown = self._unknown(text)
                if unknown is not None and not skip_section:
                    primary = [unknown]
                else:
                    last = None
                    continue
            if (skip_section or P.HISTORY.search(text[: primary[0].start + 40]) or _lab_line(text, primary[0])
                    or P.PAST_LINE.search(text) or P.NOT_PRESCRIPTION.search(text[: primary[0].start])):
                last = None
                continue
            if _negated(text, primary[0]):
                last = None
                continue
            for k, m in enumerate(primary):
                end = primary[k + 1].start if k + 1 < len(primary) else len(text)
                # a drug named after a comma is another item of a list: its words are not this one's posology
                end = min([end] + [o.start for o in mentions if m.end <= o.start < end
                                   and re.search(r"[,;]\s*$", text[: o.start])])
                lead = _LEAD_STATUS.search(_prefix_words(text[: m.start])) or P.LEAD_STATUS_PROSE.search(
                    text[: m.start])
                listed = _list_status(text, m)
                if listed and not text[:1].isspace():
                    label_status = listed
                lead_status = pos.parse_status(lead.group(0)) if lead else (listed or label_status)
                joined = k > 0 and _LIST_JOIN.fullmatch(_PARENS.sub(" ", text[primary[k - 1].end : m.start]))
                if lead_status is None and joined:
                    lead_status = rows[-1].lead_status  # "arrêt du Lercan et du Physiotens"
                row = _Row(
                    mention=m,
                    line=line,
                    segment=text[m.start : end],
                    lead_status=lead_status,
                    header_status=header_status,
                    slot_cells=_slot_cells(text, slot_cols) if slot_cols else None,
                    header=slot_cols,
                    header_as_needed=header_as_needed,
                )
                rows.append(row)
            last = rows[-1]
        return rows, warnings

    def _is_primary(self, text: str, m: Mention, mentions: list[Mention]) -> bool:
        before = text[: m.start]
        if before.count("(") > before.count(")"):
            return False
        if "|" in before:
            # in a table row, only the first cell with letters names the prescribed drug
            cells = before.split("|")[:-1]
            if len(cells) >= 2 and not _LETTERS.search(_strip_noise(" ".join(cells))):
                return False  # a remark column of a continuation row
            if any(_LETTERS.search(_strip_noise(c)) for c in cells):
                return False
        words = _prefix_words(before)
        if not words:
            return True
        if _SECONDARY_CUE.search(before.rstrip()[-40:] + " ") or _SECONDARY_CUE.search(words + " "):
            return False
        if _LEAD_STATUS.search(words) or P.NAME_PREFIX.fullmatch(words) or P.LEAD_STATUS_PROSE.search(before):
            return True
        # after a label "… :" (or a " - " between two prescriptions) with nothing but bullets between
        tail = re.split(r"[:|]|\s[-–]\s", before)[-1]
        if not _LETTERS.search(_strip_noise(tail)):
            return True
        # a list of drugs: "mélatonine et curcuma"
        prev = [p for p in mentions if p.end <= m.start and text[: p.start].count("(") <= text[: p.start].count(")")]
        between = _PARENS.sub(" ", text[prev[-1].end : m.start]) if prev else ""
        if prev and re.fullmatch(r"\s*(?:,|et|ou|\+)\s*(?:d[eu]\s+|la\s+|le\s+|l['’]\s*|des\s+)?", between):
            return self._is_primary(text, prev[-1], mentions)
        # the next item of a list of prescriptions: "Toujeo 28 UI le matin, Humalog 6-8-6, Travatan OD"
        if prev and re.search(r"[,;]\s*$", before) and _has_posology(text[prev[-1].end : m.start]):
            return self._is_primary(text, prev[-1], mentions)
        return False

    def _unknown(self, text: str) -> Mention | None:
        """A line shaped like a prescription whose drug the lexicon does not know: a short name, then a
        strength and some posology ("Curcumaxol 500 mg : 1 gél matin et soir"), or a name, then a
        countable dose and a rhythm ("Harpagophytum : 2 gél matin et soir")."""
        if P.LAB_VALUE.search(text):
            return None
        strength = pos.STRENGTH_RE.search(text)
        if strength is not None:
            name_end, after = strength.start(), text[strength.end() :]
            if P.LAB_UNIT_AFTER.match(after):
                return None
            if (pos.parse_dose(after) is None and pos.parse_form(after)[0] is None
                    and pos.parse_form(text[:name_end])[0] is None and pos.parse_frequency(after) is None):
                return None  # a name and a number, but nothing of a prescription
        else:
            dose = pos.DOSE_RE.search(text)
            if dose is None or not re.search(r"[:\t]|\s{2}", text[: dose.start()]):
                return None
            name_end, after = dose.start(), text[dose.start() :]
            if pos.parse_frequency(after) is None and not pos.parse_as_needed(after)[0]:
                return None
        head = text[:name_end].rstrip(" :-–\t|")
        start = head.rfind(":") + 1 if ":" in head else 0
        start += len(head[start:]) - len(P.BULLET.sub("", head[start:]).lstrip(" \t-•·*►▪>0123456789/).]"))
        name = head[start:]
        words = _strip_noise(name).split()
        if not words or len(words) > 4 or re.search(r"[()]|\bà\b", name):
            return None
        if fold(words[0]) in stop_names() or P.NOT_A_NAME.match(words[0]):
            return None
        return guess_unknown(text, start, len(head), self.linker) or _unlinked(text, start, len(head))

    # -- medication ---------------------------------------------------------------------
    def _medication(self, row: _Row, doc: Document) -> Medication:
        m = row.mention
        after_name = row.segment[len(m.text) :]
        # a parenthesised brand or DCI right after the name ("Lévétiracétam (KEPPRA) 750 mg") belongs to the name
        paren = _LEAD_PARENS.match(after_name)
        inner = paren.group(1) if paren else ""
        rest = after_name[paren.end() :] if paren else after_name
        cut = _NAME_END.search(rest)
        name_part = rest[: cut.start()] if cut else rest
        posology_part = rest[len(name_part) :]
        extra_text = " ".join(x.text.strip() for x in row.extra)

        strength = pos.parse_strength(name_part)
        if strength is None and inner and pos.STRENGTH_RE.search(inner):
            strength = pos.parse_strength(inner)
        if strength is None and posology_part.lstrip().startswith("|"):
            # a table with the strength in its own column: "| Bisoprolol | 5 mg | 1 | |"
            cell = posology_part.lstrip()[1:].split("|")[0].strip()
            strength = pos.parse_strength(cell) if P.STRENGTH_CELL.fullmatch(cell) else None
        if strength is None and row.extra:
            strength = _continued_strength(row.extra[0].text)
        # what follows the strength in the name part is posology when no separator was written
        sm = pos.STRENGTH_RE.search(name_part) or pos.MULTI_STRENGTH_RE.search(name_part)
        if strength is not None and strength.unit == "UI" and sm and _TIME_NEXT.match(name_part[sm.end() :]):
            # "Toujeo 28 UI le matin": units of insulin before a time are a dose
            strength, sm, tail = None, None, name_part
        else:
            tail = name_part[sm.end() :] if sm else _drop_bare_number(name_part)
        full_posology = f"{tail} {posology_part} {extra_text}".strip()

        form, implied_route = pos.parse_form(f"{m.text} {name_part}", context=f"{inner} {full_posology}")
        if form is None:
            form, implied_route = pos.parse_form(f"{inner} {full_posology}")
        as_needed, as_needed_reason = pos.parse_as_needed(full_posology)
        status = pos.parse_status(f"{tail} {posology_part} {extra_text}")
        if status in ("stopped", "suspended") and as_needed:
            cue = pos.status_cue_start(full_posology)
            if cue is not None:
                as_needed, as_needed_reason = pos.parse_as_needed(full_posology[:cue])
        if not as_needed and row.header_as_needed:
            as_needed, as_needed_reason = True, "si besoin"
        # the line's own posology cell first, then what follows the strength, then continuation lines
        # (a countable dose right after the strength first: "1000 mg cp 1 cp si douleur, max 3 cp/j"; masses
        # there are often pack sizes: "STYLO 3ML   1  22 UI LE SOIR")
        own = f"{posology_part} {extra_text}" if posology_part.strip() else full_posology
        dose = pos.parse_dose(tail, strength=strength, form=form, countable_only=True)
        dose = dose or pos.parse_dose(own, strength=strength, form=form) or pos.parse_dose(
            full_posology, strength=strength, form=form)
        # the rhythm is read apart from a maximum a day ("1 cp matin et soir, max 4/j"), added after
        frequency = None
        for piece in _posology_pieces(f"{tail} {posology_part}", row.extra):
            frequency = pos.parse_frequency(pos.without_maximum(piece), as_needed=as_needed)
            if frequency is not None:
                break
        frequency = frequency or pos.parse_frequency(pos.without_maximum(full_posology), as_needed=as_needed)
        if row.slot_cells is not None:
            dose, frequency = _apply_slots(row.slot_cells, row.header, dose, frequency, form)  # type: ignore[arg-type]
        elif frequency is not None and frequency.text and P.SLOTS.search(frequency.text):
            dose = pos.slot_dose(frequency.text, form) or dose
        if form is None and dose is not None and not pos.deduced(dose):  # a deduced unit says no form
            form = P.FORM_OF_DOSE_UNIT.get(dose.unit)
        route = pos.parse_route(full_posology) or pos.parse_route(name_part)
        if route is None:
            route = implied_route or (P.ROUTE_OF_DOSE_UNIT.get(dose.unit) if dose else None)
        if route is None and m.link.atc:
            route = next((r for k, r in P.ROUTE_OF_ATC_PREFIX.items() if m.link.atc.startswith(k)), None)
        duration = pos.parse_duration(full_posology)
        if status == "active":
            status = row.lead_status or row.header_status or "active"
        if status == "active" and frequency is not None and as_needed and frequency.per_day is None:
            frequency = None
        # "2 cp si douleur, maximum 6 cp par jour": 3 intakes of 2 cp, at most 6 cp
        frequency = pos.apply_maximum(frequency, full_posology, dose=dose, strength=strength, as_needed=as_needed)

        link = m.link
        names = link.substances or (_written_substance(m.text),)
        substances = [Substance(name=s, atc=link.atc if len(link.substances) == 1 else None, strength=None)
                      for s in names if s]
        if len(substances) == 1 and strength is not None:
            substances[0].strength = strength
        reasons: list[str] = []
        if link.method == "none":
            reasons.append(DRUG_NOT_IN_REFERENCE)
        elif link.method == "fuzzy" and link.score < REVIEW_BELOW:
            reasons.append(UNCERTAIN_LINK.format(score=f"{link.score:.2f}"))
        if status == "active" and dose is None and frequency is None:
            reasons.append(POSOLOGY_NOT_FOUND)
        if link.entry is not None and link.method == "exact" and len(
                {frozenset(c[0].substances) for c in link.candidates if c[0].substances}) > 1:
            reasons.append(NAME_SHARED)
        confidence = link.score * (0.85 if POSOLOGY_NOT_FOUND in reasons else 1.0)
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
            link=link.to_model(),
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
        head = re.split(r"[:|]", head)[-1]
        status = pos.parse_status(head)
        if status != "active" and len(_strip_noise(head).split()) <= 5:
            return status
        if _HEADER_STOPPED.search(head):
            return "stopped"
    return None


def _header_status(text: str) -> str | None:
    """'Traitements arrêtés :' → stopped, 'Traitements suspendus :' → suspended, 'Nouveaux traitements :' → new."""
    status = pos.parse_status(text)
    if status != "active":
        return status
    if re.search(r"\bne\s+pas\b|\bjamais\b|\bsans\b", text, re.IGNORECASE):
        return None
    return "stopped" if _HEADER_STOPPED.search(text) else None


def _is_header(text: str) -> bool:
    """'Traitements arrêtés :', 'TRAITEMENT DE SORTIE' (an upper-case line without posology)."""
    s = text.strip()
    if s.endswith(":"):
        return True
    if not (s.isupper() and len(s) > 6) or pos.STRENGTH_RE.search(s) or s.startswith("|"):
        return False
    return pos.parse_dose(s) is None and pos.parse_frequency(s) is None


def _is_continuation(text: str, previous: str) -> bool:
    """An indented line, or a table row with an empty first cell, under a medication line."""
    if re.match(r"^\s*\|", text) or (re.match(r"^\s*\|?\s*(?:\|\s*)+\S", text) and text.lstrip().startswith("|")):
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


@dataclass(slots=True)
class _Header:
    """The time columns of a table header: (slot, start, end) each, and whether cells are split by '|'."""

    cols: list[tuple[str, int, int]]
    pipe: bool
    text: str


def _slot_header(text: str) -> _Header | None:
    found = []
    for mm in P.SLOT_HEADER.finditer(text):
        before, after = text[: mm.start()], text[mm.end() :]
        if not (re.search(r"(?:^|\||\s{2}|\t)\s*$", before) and re.match(r"\s*(?:$|\||\s{2}|\t)", after)):
            continue
        found.append((_slot_of_header(mm.group(0)), mm.start(), mm.end()))
    if len(found) >= 3 and not pos.STRENGTH_RE.search(text):
        return _Header(found, "|" in text, text)
    # single spaces between the columns: "Médicament Matin Midi Soir Coucher"
    loose = [(_slot_of_header(mm.group(0)), mm.start(), mm.end()) for mm in P.SLOT_HEADER.finditer(text)]
    others = P.SLOT_HEADER.sub(" ", text).split()
    if len(loose) >= 3 and len(others) <= 3 and not pos.STRENGTH_RE.search(text) and not re.search(r"[,;.:]", text):
        return _Header(loose, "|" in text, text)
    return None


def _slot_of_header(word: str) -> str:
    w = word.lower()
    hour = re.match(r"(\d{1,2})", w)
    if hour:
        h = int(hour.group(1))
        return "matin" if h <= 10 else "midi" if h <= 14 else "soir" if h <= 20 else "coucher"
    for prefix, slot in (("mat", "matin"), ("mid", "midi"), ("soi", "soir"), ("cou", "coucher"), ("nui", "nuit")):
        if w.startswith(prefix):
            return slot
    return "nuit"


def _slot_cells(text: str, header: _Header) -> list[str] | None:
    """The row's value under each time column ('' when empty), or None when the row is not a table row."""
    cells: list[str] = []
    if header.pipe and "|" in text:
        row = text.split("|")
        head = header.text.split("|")
        for _slot, start, _ in header.cols:
            k = header.text[:start].count("|")
            cells.append(row[k].strip() if k < len(row) and k < len(head) else "")
    else:
        groups = [(g.start(), g.end(), g.group(0)) for g in re.finditer(r"\S+(?:[ ]\S+)*", text)]
        run = _trailing_values(text)
        if len(run) == len(header.cols):  # "Amlodipine 5 mg 1 0 0 0": the last values, in column order
            return run if any(c not in ("-", "–", "0") for c in run) else None
        if len(groups) < 2:
            return None
        lo = header.cols[0][1] - 12
        hi = header.cols[-1][2] + 2
        cells = [""] * len(header.cols)
        values = [g for g in groups[1:] if g[0] < hi]
        ordered: list[str] = []  # the cells after the name, in order, when the columns are out of line
        for g in groups[1:]:
            if not P.SLOT_VALUE.fullmatch(g[2]):
                break
            ordered.append(g[2])
        if len(ordered) == len(header.cols) and any(c not in ("-", "–", "0") for c in ordered):
            return ordered
        if not values or (values[0][0] < lo and not P.SLOT_VALUE.fullmatch(values[0][2])):
            return None
        if any(not P.SLOT_VALUE.fullmatch(v[2]) for v in values):
            return None
        if len(values) == len(header.cols):
            cells = [v[2] for v in values]
        else:
            for start, end, value in values:
                centre = (start + end) / 2
                k = min(range(len(header.cols)),
                        key=lambda i: abs((header.cols[i][1] + header.cols[i][2]) / 2 - centre))
                cells[k] = value
    if not all(c == "" or P.SLOT_VALUE.fullmatch(c) for c in cells):
        return None
    if not any(c not in ("", "-", "–", "0") for c in cells):
        return None
    return cells


def _trailing_values(text: str) -> list[str]:
    run: list[str] = []
    for token in reversed(text.split()):
        if not P.BARE_SLOT_VALUE.fullmatch(token):
            break
        run.insert(0, token)
    return run


def _apply_slots(cells: list[str], header: _Header | None, dose: Quantity | None, frequency: Frequency | None,
                 form: str | None) -> tuple[Quantity | None, Frequency | None]:
    amounts: list[tuple[float, str | None]] = []
    times: list[str] = []
    for k, c in enumerate(cells):
        mm = re.match(r"(\d+(?:[.,]\d+)?(?:/\d)?|[½¼¾])\s*(.*)$", c)
        value = pos.number(mm.group(1)) if mm else None
        if not value:
            continue
        unit = None
        if mm and mm.group(2).strip():
            q = pos.parse_dose(c)
            unit = q.unit if q else None
        amounts.append((value, unit))
        slot = header.cols[k][0] if header else P.SLOT_ORDER[min(k, len(P.SLOT_ORDER) - 1)]
        times.append(slot)
    if not amounts:
        return dose, frequency
    ordered = [s for s in (*P.SLOT_ORDER, "nuit") if s in times]
    freq = Frequency(per_day=float(len(amounts)), times_of_day=ordered,  # type: ignore[arg-type]
                     text=" ".join(c or "-" for c in cells))
    if len(set(amounts)) == 1:
        value, unit = amounts[0]
        of_form = P.DOSE_UNIT_OF_FORM.get(form or "")
        if unit or of_form:
            dose = Quantity(value=pos._num(value), unit=unit or of_form)  # type: ignore[arg-type]
        else:  # no unit in the cells, no form on the line: tablets, deduced
            dose = pos.deduced_dose(value, "comprimé")
    else:
        dose = None
    return dose, freq


def _drop_bare_number(name_part: str) -> str:
    """'Levothyrox 75 …': a bare number right after the name is part of the name, not a dose
    (but '1 sachet matin et soir' is a dose)."""
    if pos.DOSE_RE.match(name_part.lstrip()) or pos.BARE_DOSE_RE.match(name_part.lstrip()):
        return name_part
    return re.sub(r"^\s*\d+(?:[.,]\d+)?(?:/\d+(?:[.,]\d+)?)?(?=\s|$)", "", name_part)


def _posology_pieces(line_part: str, extra: list[Line]) -> list[str]:
    """Where to read a rhythm, in order: the line itself (joined to the next line when it breaks
    mid-phrase, "le lundi, le mercredi et le / vendredi"), then each continuation line's cells."""
    pieces: list[str] = []
    if extra and _DANGLING.search(line_part):
        pieces.append(f"{line_part} {extra[0].text.strip()}")
    pieces.append(line_part)
    for x in extra:
        cells = [c for c in x.text.split("|") if c.strip()] if "|" in x.text else [x.text]
        pieces.extend(cells)
    return [p for p in pieces if p.strip()]


_DANGLING = re.compile(r"(?:\b(?:et|ou|le|la|les|de|du|des|à|au|aux|puis|par|pendant|pdt)|[,+\-/])\s*$", re.IGNORECASE)


def _has_posology(text: str) -> bool:
    """A dose and a rhythm, or slots, in a piece of a line: '28 UI le matin', '6-8-6'."""
    if P.SLOTS.search(text):
        return True
    freq = pos.parse_frequency(text)
    return freq is not None and (pos.parse_dose(text) is not None or bool(freq.times_of_day))


def _continued_strength(text: str) -> Quantity | None:
    """A strength wrapped onto the next line of a table's name column ('100 UI/ml', '2,5 mg/0,5 ml')."""
    m = re.match(r"^\s*\|?\s*(" + pos.STRENGTH_RE.pattern + r")", text, re.IGNORECASE)
    return pos.parse_strength(m.group(1)) if m else None


def _written_substance(name: str) -> str:
    """The substance of a drug the reference does not know: the name as written, lower case
    ('Curcuma' → 'curcuma'), so that the same name on both sides reconciles."""
    words = [w for w in P.WORD.findall(name) if len(w) > 1]
    return " ".join(words).lower()


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
    """One entry per prescription: a drug restated later in the document (the same line again, or a mention
    without posology) is merged into the first; another posology of the same drug is its own line
    (``posology.is_repeat``)."""
    out: list[Medication] = []
    for med in meds:
        key = _identity(med)
        twin = next((o for o in out if key and _identity(o) == key and pos.is_repeat(o, med)), None)
        if twin is None:
            out.append(med)
            continue
        if _richness(med) >= _richness(twin):  # on a tie the later line (the newer prescription) wins
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
