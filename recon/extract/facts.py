"""What a document says besides its prescriptions: allergies and intolerances, the patient's identity,
the document's kind (usual treatment, admission, stay, discharge), the stay's dates, its author.

- ``read_allergies(doc)``: every allergy or intolerance written ("Allergie : pénicilline (urticaire)",
  "Intolérance aux AINS", "allergique à la codéine", an Allergies section, "Pas d'AINS (allergie)"),
  with the ATC codes or prefixes it covers: a class from ``resources/allergy_classes.tsv``, else the
  drug the reference links it to (an allergy to one penicillin covers the penicillins). ``[]`` when the
  document says there is none ("Allergies : aucune connue"), ``None`` when it says nothing.
- ``read_patient(doc)``: name, birth date, sex, INS, IPP as written (dates in ISO form).
- ``read_facts(doc)``: the above identity with the kind, admission and discharge dates, author,
  hospital and service.

The vocabulary is data, in ``facts_patterns.py`` and the resource file; nothing here is logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from recon.extract import facts_patterns as P
from recon.ingest import Document
from recon.ingest.document import Line
from recon.link import Linker, default_linker
from recon.models import Allergy, DocumentFacts, PatientFacts
from recon.reference import fold

_I = re.IGNORECASE
_LABEL = re.compile(P.ALLERGY_LABEL, _I)
_PHRASE = re.compile(P.ALLERGY_PHRASE, _I)
_AFTER = re.compile(P.ALLERGY_AFTER, _I)
_LEAD = re.compile(P.ALLERGEN_LEAD, _I)
_NONE = re.compile(P.ALLERGY_NONE)
_NONE_SENTENCE = re.compile(P.ALLERGY_NONE_SENTENCE, _I)
_SPLIT = re.compile(P.ALLERGEN_SPLIT, _I)
_ARTICLE = re.compile(P.ALLERGEN_ARTICLE, _I)
_NOT_REACTION = re.compile(P.NOT_A_REACTION)
_PARENS = re.compile(r"\(([^()]*)\)")
_BULLET = re.compile(r"^\s*(?:[-•*·>]+|\d{1,2}[).])\s*")


# -- allergy classes ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AllergyClass:
    pattern: re.Pattern[str]
    atc: tuple[str, ...]
    label: str


@lru_cache(maxsize=1)
def allergy_classes() -> tuple[AllergyClass, ...]:
    """The rows of ``resources/allergy_classes.tsv``, in order."""
    raw = resources.files("recon.resources").joinpath("allergy_classes.tsv").read_text(encoding="utf-8")
    rows: list[AllergyClass] = []
    for line in raw.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, atc, label = [*line.split("\t"), "", ""][:3]
        codes = tuple(c for c in atc.split() if c != "-")
        rows.append(AllergyClass(re.compile(rf"(?:^|\s)(?:{pattern})(?:\s|$)"), codes, label.strip()))
    return tuple(rows)


def allergen_class(substance: str) -> AllergyClass | None:
    """The class row an allergen as written falls under (whole words of its folded form), or None."""
    key = fold(substance)
    return next((row for row in allergy_classes() if row.pattern.search(key)), None)


def allergen_atc(substance: str, linker: Linker | None = None) -> tuple[list[str], bool]:
    """The ATC codes or prefixes an allergen covers, and whether the allergen is known (a class of the
    table, or a drug of the reference linked exactly)."""
    row = allergen_class(substance)
    if row is not None:
        return list(row.atc), True
    result = (linker or default_linker()).link(substance, fuzzy=False)
    if not result.linked or result.score < 1.0:
        return [], False
    codes = [result.atc] if result.atc else []
    for prefix, covered in P.ALLERGY_MEMBER_CLASS.items():
        if any(c.startswith(prefix) for c in codes) and covered not in codes:
            codes.append(covered)
    return codes, True


# -- allergies -----------------------------------------------------------------------------------------

def _value_end(text: str, start: int) -> int:
    """Where a value that starts at ``start`` ends: a sentence end, a column gap, ' - ' or '|' outside
    parentheses."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            rest = text[i:]
            if ch == "." and (len(rest) == 1 or rest[1].isspace()):
                return i
            if ch in "|\t" or rest.startswith("  ") or rest.startswith(" - ") or rest.startswith(" -> "):
                return i
        i += 1
    return len(text)


def _split_items(value: str, offset: int) -> list[tuple[str, int]]:
    """The allergens of a value, each with its offset, split at commas, 'et', ';' outside parentheses."""
    items: list[tuple[str, int]] = []
    depth, start, i = 0, 0, 0
    while i <= len(value):
        ch = value[i] if i < len(value) else ""
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = _SPLIT.match(value, i) if ch else None
            if not ch or (m and m.end() > i):
                items.append((value[start:i], offset + start))
                if not ch:
                    break
                assert m is not None
                start = i = m.end()
                continue
        i += 1
    return items


@dataclass(slots=True)
class _Found:
    substance: str
    reaction: str | None
    kind: str
    start: int
    end: int


def _parse_item(raw: str, at: int, kind: str) -> _Found | None:
    """One allergen as written: the substance without articles, the reaction in parentheses."""
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    reaction = None
    m = _PARENS.search(text)
    if m:
        inside = " ".join(m.group(1).split())
        if inside and not _NOT_REACTION.search(fold(inside)):
            reaction = inside.rstrip(" .;,")
    substance = _PARENS.sub(" ", text)
    article = _ARTICLE.match(substance)
    cut = article.end() if article else 0
    substance = " ".join(substance[cut:].split()).strip(" .;,:?!-")
    substance = re.sub(r"\s*[?!]+$", "", substance).strip()
    if not substance or not re.search(r"[A-Za-zÀ-ÿ]", substance) or _NONE.search(fold(substance)):
        return None
    start = at + lead + cut
    return _Found(substance, reaction, kind, start, at + lead + len(text))


def _kind(keyword: str) -> str:
    return "intolérance" if fold(keyword).startswith("intol") else "allergie"


def _line_allergies(line: Line, in_section: bool) -> tuple[list[_Found], bool]:
    """Allergens of one line, and whether the line says there is none."""
    text = line.text
    found: list[_Found] = []
    none = bool(_NONE_SENTENCE.search(text))
    taken: list[tuple[int, int]] = []

    def take_value(start: int, kind: str, *, known_only: bool) -> None:
        end = _value_end(text, start)
        value = text[start:end]
        if _NONE.search(fold(value)):
            nonlocal none
            none = True
            return
        for raw, at in _split_items(value, start):
            item = _parse_item(raw, at, kind)
            if item is None:
                continue
            if known_only and not allergen_atc(item.substance)[1]:
                continue
            found.append(item)
        taken.append((start, end))

    for m in _LABEL.finditer(text):
        if _inside_parens(text, m.start()):
            continue
        take_value(m.end(), _kind(m.group("kw")), known_only=False)
    for m in _PHRASE.finditer(text):
        if any(a - 1 <= m.end() <= b + 1 or a <= m.start() < b for a, b in taken) or _inside_parens(text, m.start()):
            continue
        if _LABEL.match(text, m.start()):
            continue
        take_value(m.end(), _kind(m.group("kw")), known_only=True)
    for m in _AFTER.finditer(text):
        before = text[:m.start()]
        seg_start = max(before.rfind(c) for c in ".;:,(") + 1
        segment = before[seg_start:]
        lead = _LEAD.search(segment.strip())
        words = segment.strip()[lead.end():] if lead else segment.strip()
        if not words or len(words.split()) > 4:
            continue
        at = seg_start + segment.index(words)
        item = _parse_item(words, at, _kind(m.group("kw")))
        if item is not None:
            found.append(item)
    if in_section and not found and not _LABEL.search(text):
        body = _BULLET.sub("", text)
        if body.strip():
            offset = len(text) - len(body)
            take_value(offset, "allergie", known_only=False)
    return found, none


def _inside_parens(text: str, pos: int) -> bool:
    return text.rfind("(", 0, pos) > text.rfind(")", 0, pos)


def read_allergies(doc: Document, linker: Linker | None = None) -> list[Allergy] | None:
    """The allergies and intolerances the document writes, first mention first (one per folded
    substance); ``[]`` when it says there are none, ``None`` when it says nothing about them."""
    out: list[Allergy] = []
    seen: dict[str, Allergy] = {}
    said = False
    for line in doc.lines:
        if not line.text.strip():
            continue
        in_section = line.section == "allergies"
        found, none = _line_allergies(line, in_section)
        said = said or none or bool(found) or (in_section and bool(_LABEL.search(line.text)))
        for item in found:
            key = fold(item.substance)
            if key in seen:
                if seen[key].reaction is None and item.reaction:
                    seen[key].reaction = item.reaction
                continue
            atc, _ = allergen_atc(item.substance, linker)
            allergy = Allergy(substance=item.substance, atc=atc, reaction=item.reaction,
                              kind=item.kind,  # type: ignore[arg-type]
                              text=line.text.strip(), page=line.page,
                              span=(line.start + item.start, line.start + item.end))
            seen[key] = allergy
            out.append(allergy)
    if out:
        return out
    return [] if said else None


# -- dates ---------------------------------------------------------------------------------------------

_DATE = re.compile(P.DATE, _I)


def _iso(m: re.Match[str], *, birth: bool = False, year: int | None = None) -> str | None:
    """The ISO form of a date match (``year`` when the date has none), or None when it is not a date."""
    if m.group("wd"):
        d, mo, y = int(m.group("wd")), P.MONTHS[fold(m.group("wm"))], int(m.group("wy"))
    else:
        d, mo = int(m.group("d")), int(m.group("m"))
        raw = m.group("y")
        if raw is None:
            if year is None:
                return None
            y = year
        elif len(raw) == 2:
            yy = int(raw)
            y = 1900 + yy if birth and yy > date.today().year % 100 else 2000 + yy
        else:
            y = int(raw)
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _date_after(rx: re.Pattern[str], text: str, *, birth: bool = False) -> str | None:
    for m in rx.finditer(text):
        dm = _DATE.match(text, m.end())
        if dm:
            iso = _iso(dm, birth=birth)
            if iso:
                return iso
    return None


_RANGE = re.compile(P.STAY_RANGE.replace("(?P<a>DATE)", r"(?P<a>[^\s]+(?:\s+\w+\s+\d{4})?)")
                    .replace("(?P<b>DATE)", r"(?P<b>[^\s]+(?:\s+\w+\s+\d{4})?)"), _I)


def _stay_range(text: str) -> tuple[str | None, str | None]:
    """'hospitalisée du 26/01 au 02/02/2024': both dates, the first taking the second's year."""
    for m in _RANGE.finditer(text):
        a, b = _DATE.match(m.group("a")), _DATE.match(m.group("b"))
        if not a or not b:
            continue
        end = _iso(b)
        if end is None:
            continue
        year = int(end[:4])
        start = _iso(a, year=year)
        if start and start > end:
            start = _iso(a, year=year - 1)
        return start, end
    return None, None


# -- patient ---------------------------------------------------------------------------------------------

_PATIENT_LABEL = re.compile(P.PATIENT_LABEL, _I)
_FIRST_NAME = re.compile(P.FIRST_NAME_LABEL, _I)
_CIVILITY = re.compile(P.CIVILITY_RX)
_NOT_PATIENT = re.compile(P.NOT_THE_PATIENT, _I)
_FEMININE = re.compile(P.FEMININE_LABEL, _I)
_SEX_LABEL = re.compile(P.SEX_LABEL, _I)
_SEX_MARK = re.compile(P.SEX_MARK)
_BIRTH = re.compile(P.BIRTH_DATE, _I)
_BIRTH_AGE = re.compile(P.BIRTH_DATE_AGE, _I)
_INS = re.compile(P.INS)
_IPP = re.compile(P.IPP, _I)
_TOKEN = re.compile(r"(?:[A-ZÀ-ÝŒ]\.(?:-[A-ZÀ-ÝŒ]\.)?(?=\s)|[A-ZÀ-ÝŒ][A-ZÀ-ÝŒ'’]*(?:-[A-ZÀ-ÝŒ][A-ZÀ-ÝŒ'’]*)*"
                    r"|[A-ZÀ-ÝŒ][a-zà-ÿœ'’]+(?:-[A-ZÀ-ÝŒ][a-zà-ÿœ'’]+)*)(?=[\s,;()|/]|$)")
_UPPER_WORD = re.compile(r"^[A-ZÀ-ÝŒ][A-ZÀ-ÝŒ'’-]+$")
# A name written without a label at the start of a line: 'FAURE Christiane, F, 69 ans', 'LE BIHAN
# Jean-Claude | H | né le …', 'DUBOIS Nathalie (F, 58 a)'.
_BARE_NAME = re.compile(r"^\s*(?P<name>(?:[A-ZÀ-ÝŒ][A-ZÀ-ÝŒ'’-]+\s+){1,3}[A-ZÀ-ÝŒ][a-zà-ÿœ'’]+"
                        r"(?:-[A-ZÀ-ÝŒ][a-zà-ÿœ'’]+)*)\s*(?=(?:[,(|]|\s-\s|\s{2,})\s*(?:[FMH]\b|\d{1,3}\s*a(?:ns)?\b"
                        r"|n[ée]e?\b))")


def _name_at(text: str, pos: int, *, given: bool = False) -> tuple[str | None, int]:
    """The name written at ``pos`` (after a label or a civility): capitalised words and words in
    capitals, up to a comma, a parenthesis, a column gap, a lower-case word or a stop word."""
    words: list[str] = []
    i = pos
    while len(words) < 6:
        gap = re.match(r"[ \t]*", text[i:])
        assert gap is not None
        if words and len(gap.group(0)) >= 2:
            break
        j = i + gap.end()
        m = _TOKEN.match(text, j)
        if not m or fold(m.group(0)) in P.NAME_STOP or fold(m.group(0)).rstrip("s") in P.NAME_STOP:
            break
        if re.match(r"\s*:", text[m.end():]):
            break  # a label ('Prénom :'), not a name
        words.append(m.group(0))
        i = m.end()
    while words and words[-1].endswith(".") and len(words[-1]) <= 4:
        words.pop()  # a trailing initial belongs to the next person ('M. X et Dr Y.')
    if not words or not (given or any(_UPPER_WORD.match(w) or len(words) >= 2 for w in words)):
        return None, pos
    return " ".join(words), i


def _sex_near(text: str, pos: int) -> str | None:
    m = _SEX_MARK.match(text[pos:])
    if m:
        return "M" if m.group("sex") == "H" else m.group("sex")
    m = re.match(r"[\s,;-]*(?P<w>n[ée]e?)(?:\s|$)", text[pos:], _I)
    if m:
        return "F" if fold(m.group("w")) == "nee" else "M"
    return None


def read_patient(doc: Document) -> PatientFacts | None:
    """The patient identity written in the first lines: a labelled name first ('Patient : …',
    'Nom : … Prénom : …'), else a name after Mme/M. that is not a relative's or a carer's, else a
    name in capitals at the start of a line followed by a sex, an age or 'né le'."""
    lines = [ln for ln in doc.lines[:P.PATIENT_LINES] if ln.text.strip()]
    name: str | None = None
    sex: str | None = None
    name_line: Line | None = None
    for ln in lines:  # labelled
        m = _PATIENT_LABEL.search(ln.text)
        if not m:
            continue
        pos = m.end()
        civ = _CIVILITY.match(ln.text, pos)
        if civ:
            sex = P.CIVILITY.get(civ.group("civ").lower())
            pos = civ.end()
        found, end = _name_at(ln.text, pos)
        if not found:
            continue
        first = _FIRST_NAME.search(ln.text, end)
        if first:
            given, end2 = _name_at(ln.text, first.end(), given=True)
            if given:
                found, end = f"{found} {given}", end2
        name, name_line = found, ln
        if _FEMININE.search(ln.text[:m.end()]):
            sex = sex or "F"
        sex = sex or _sex_near(ln.text, end)
        break
    if name is None:
        for ln in lines:  # after a civility
            for civ in _CIVILITY.finditer(ln.text):
                if civ.group("civ") == "M" and ln.text[civ.end("civ"):civ.end("civ") + 1] != ".":
                    continue  # a bare 'M' is a sex letter, not 'M.'
                if _NOT_PATIENT.search(ln.text[max(0, civ.start() - 40):civ.start()]):
                    continue
                found, end = _name_at(ln.text, civ.end())
                if found and any(_UPPER_WORD.match(w) for w in found.split()):
                    name, name_line = found, ln
                    sex = P.CIVILITY.get(civ.group("civ").lower())
                    break
            if name:
                break
    if name is None:
        for ln in lines:  # a bare name in capitals
            m = _BARE_NAME.match(ln.text)
            if m and not _NOT_PATIENT.search(ln.text[:m.start("name")]):
                name, name_line = " ".join(m.group("name").split()), ln
                sex = _sex_near(ln.text, m.end("name"))
                break
    birth = ins = ipp = None
    ordered = ([name_line] if name_line else []) + [ln for ln in lines if ln is not name_line]
    for ln in ordered:
        birth = birth or _date_after(_BIRTH, ln.text, birth=True)
        if birth is None and ln is name_line:
            for dm in _DATE.finditer(ln.text):
                if _BIRTH_AGE.match(ln.text, dm.end()):
                    birth = _iso(dm, birth=True)
                    break
        if sex is None:
            sm = _SEX_LABEL.search(ln.text)
            if sm:
                sex = "M" if sm.group("sex").upper() == "H" else sm.group("sex").upper()
        if ins is None:
            im = _INS.search(ln.text)
            if im:
                ins = re.sub(r"\s", "", im.group("ins"))
        if ipp is None:
            pm = _IPP.search(ln.text)
            if pm:
                ipp = pm.group("ipp")
    if not any((name, birth, sex, ins, ipp)):
        return None
    return PatientFacts(name=name, birth_date=birth, sex=sex, ins=ins, ipp=ipp)  # type: ignore[arg-type]


# -- kind, author, hospital --------------------------------------------------------------------------------

_TITLES = [(kind, re.compile(rx)) for kind, rx in P.KIND_TITLES]
_HINTS = [(kind, re.compile(rx)) for kind, rx in P.KIND_HINTS]


def _first_kind(lines: list[Line], table: list[tuple[str, re.Pattern[str]]]) -> tuple[str, Line] | None:
    for ln in lines:
        key = fold(ln.text)
        for kind, rx in table:
            if rx.search(key):
                return kind, ln
    return None


def document_kind(doc: Document) -> tuple[str, Line | None]:
    """The kind the document's title says (else its hints, else its section headings), with the line."""
    head = [ln for ln in doc.lines if ln.text.strip()][:P.KIND_LINES]
    found = _first_kind(head, _TITLES) or _first_kind(head, _HINTS)
    if found:
        return found
    for ln in doc.lines:
        if ln.section in P.KIND_SECTIONS:
            return P.KIND_SECTIONS[ln.section], ln
    return "unknown", None


_DOCTOR = re.compile(P.DOCTOR)
_AUTHOR_LABEL = re.compile(P.AUTHOR_LABEL, _I)
_SEGMENT_BREAK = re.compile(r"\s+[-–—/]\s+|\s{2,}|[|,;(]")
_DATE_ROW = re.compile(P.DATE_ROW)
_NOT_AUTHOR_AFTER = re.compile(r"[^,(\n]{0,40}[,(]\s*(?:MT\b|m[ée]decin\s+traitant)", re.IGNORECASE)


def _doctor_name(text: str, m: re.Match[str]) -> str | None:
    name, _ = _name_at(text, m.end())
    if not name:
        return None
    return f"{m.group('title')} {name}" if m.group("title") else name


def _author_in(ln: Line, *, labelled_only: bool, line_start: bool = False) -> str | None:
    text = ln.text
    if _DATE_ROW.match(text):
        return None
    for m in _DOCTOR.finditer(text):
        if line_start and text[:m.start()].strip():
            continue
        before = text[:m.start()]
        cut = max((b.end() for b in _SEGMENT_BREAK.finditer(before)), default=0)
        segment = before[cut:]
        if before.rstrip().endswith("(") or _NOT_AUTHOR_AFTER.match(text, m.end()):
            continue
        if segment.strip():
            if not _AUTHOR_LABEL.search(segment.strip()):
                continue
        elif labelled_only:
            continue
        name = _doctor_name(text, m)
        if name:
            return name
    if labelled_only:  # 'Réalisé par : M. Hugo PERRIN'
        for lab in re.finditer(r"(?P<l>[^\W\d][\w\s']{2,30}?)\s*:\s*", text):
            if not _AUTHOR_LABEL.search(lab.group("l") + " :"):
                continue
            civ = _CIVILITY.match(text, lab.end())
            name, _ = _name_at(text, civ.end() if civ else lab.end())
            if name and civ:
                return f"{civ.group(0).strip()} {name}"
    return None


def read_author(doc: Document) -> str | None:
    """The prescriber or signatory: a labelled one ('Prescripteur : Dr …'), else a doctor heading the
    document, else one signing it at the end; never a GP named as addressee or 'médecin traitant'."""
    lines = [ln for ln in doc.lines if ln.text.strip()]
    for ln in lines[:P.KIND_LINES]:
        name = _author_in(ln, labelled_only=True)
        if name:
            return name
    for ln in lines[:P.AUTHOR_HEADER_LINES]:
        name = _author_in(ln, labelled_only=False)
        if name:
            return name
    for ln in lines[-P.AUTHOR_SIGNATURE_LINES:][::-1]:
        name = _author_in(ln, labelled_only=False, line_start=True)
        if name:
            return name
    return None


_HOSPITAL = re.compile(P.HOSPITAL)
_SERVICE = re.compile(P.SERVICE)
_NOT_SERVICE = re.compile(P.NOT_A_SERVICE)
_HEADER_SPLIT = re.compile(P.HEADER_SPLIT)


def _service_part(part: str) -> bool:
    """A header part that can name a service (not a site, an address, a phone, a doctor, a date, a title,
    a town in capitals)."""
    return not (_NOT_SERVICE.search(part) or _HOSPITAL.match(part) or _DATE.search(part) or _DOCTOR.search(part)
                or any(rx.search(fold(part)) for _, rx in _TITLES) or re.fullmatch(r"[A-ZÀ-Ý' -]+", part))


def read_hospital(doc: Document) -> tuple[str | None, str | None]:
    """The establishment and the service named in the first lines of a hospital document: the
    establishment opens a header line ('CHU de X', 'Centre hospitalier …'); the service is a part
    'Service de …' / 'Unité …', else the part after the establishment, else the next line's first part."""
    head = [ln for ln in doc.lines if ln.text.strip()][:P.HOSPITAL_LINES]
    split = [[p.strip(" .") for p in _HEADER_SPLIT.split(ln.text.strip()) if p.strip(" .")] for ln in head]
    hospital: str | None = None
    at, after = -1, 0
    for i, parts in enumerate(split):
        for k, part in enumerate(parts):
            if _HOSPITAL.match(part) and not _SERVICE.search(part):
                hospital = re.split(r",\s*\d", part)[0].strip()
                after = k + 1
                if len(part) <= 5 and k + 1 < len(parts) and _HOSPITAL.match(parts[k + 1]):
                    hospital, after = f"{part} - {parts[k + 1]}", k + 2  # 'CHU - HÔPITAUX DE X'
                at = i
                break
        if hospital:
            break
    if hospital is None:
        return None, None
    explicit = [p for parts in split for p in parts if _SERVICE.search(p) and not _DOCTOR.search(p)]
    if explicit:
        return hospital, explicit[0]
    rest = [p for p in split[at][after:] if _service_part(p)]
    if not rest and at + 1 < len(split):
        rest = [p for p in split[at + 1][:1] if _service_part(p)]
    return hospital, rest[0] if rest else None


def read_facts(doc: Document) -> DocumentFacts:
    """The document's kind, patient, stay dates, author, hospital and service as written."""
    kind, title = document_kind(doc)
    admission = discharge = None
    adm_rx, dis_rx = re.compile(P.ADMISSION_DATE, _I), re.compile(P.DISCHARGE_DATE, _I)
    for ln in doc.lines:
        if not ln.text.strip():
            continue
        if admission is None or discharge is None:
            a, b = _stay_range(ln.text)
            admission, discharge = admission or a, discharge or b
        admission = admission or _date_after(adm_rx, ln.text)
        discharge = discharge or _date_after(dis_rx, ln.text)
        if admission and discharge:
            break
    if kind == "admission" and admission is None and title is not None:
        for dm in _DATE.finditer(title.text):  # 'PRESCRIPTION D'ADMISSION - 12/08/2024'
            admission = _iso(dm)
            if admission:
                break
    hospital, service = read_hospital(doc)
    return DocumentFacts(kind=kind, patient=read_patient(doc),  # type: ignore[arg-type]
                         admission_date=admission, discharge_date=discharge, author=read_author(doc),
                         hospital=hospital, service=service)


__all__ = ["allergen_atc", "allergen_class", "allergy_classes", "document_kind", "read_allergies", "read_author",
           "read_facts", "read_hospital", "read_patient"]
