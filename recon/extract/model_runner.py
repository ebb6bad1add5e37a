"""Model extraction: the trained NER model (ONNX) tags each line, its spans become medication lines.

Serving needs only ``onnxruntime`` and ``tokenizers`` (no torch, no transformers). The
artefact lives in ``recon/extract/model/`` (``model.onnx``, ``tokenizer.json``,
``labels.json``); ``nlp_models.train`` builds it. It is loaded lazily, once per process.

A DRUG span starts a medication; the STRENGTH, DOSE, FORM, ROUTE, FREQUENCY, DURATION,
AS_NEEDED and STATUS spans after it on the line (up to the next DRUG span) are read with
the ``recon.extract.posology`` parsers; a STRENGTH span that is a bare number right after
the name ("Kardégic 75 : 1 sachet") takes the usual unit of the drug's class when the dose
counts tablets, capsules or sachets (``posology.bare_strength``). A line with attribute
spans but no DRUG span right under a medication line (its continuation) completes that
medication. The drug text is
linked with the linker; the link method is "model" when the lexicon of the rules would not
have found the name on the line (a typo, a name cut differently) but the linker links it.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from recon.extract import patterns as P
from recon.extract import posology as pos
from recon.ingest import Document
from recon.ingest.document import Line
from recon.link import REVIEW_BELOW, Linker, LinkResult
from recon.messages import DRUG_NOT_IN_REFERENCE, POSOLOGY_NOT_FOUND, UNCERTAIN_LINK
from recon.models import Frequency, Medication, Quantity, Substance, Warning
from recon.reference import fold, substance_key

MODEL_DIR = Path(__file__).with_name("model")
MAX_TOKENS = 96  # the model's maximum length, [CLS] and [SEP] included, unless ner_config.json says
_BATCH = 32
MIN_DRUG_SCORE = 0.5  # mean token probability of a DRUG span
MIN_LINK_SCORE = 0.84  # a name the lexicon does not know links only this close (about 1 letter wrong in 6)
_POSOLOGY = {"STRENGTH", "DOSE", "FREQUENCY", "FORM", "ROUTE"}
_SKIP_SECTIONS = {"allergies", "antecedents"}
_HEADER_STOPPED = re.compile(r"arr[êe]t|stopp|suspendu|non\s+poursuivi|interrompu", re.IGNORECASE)
_HEADER_SUSPENDED = re.compile(r"suspendu|en\s+pause|interrompu", re.IGNORECASE)
_SLOT_CELL = re.compile(r"^(?P<num>\d+(?:[.,]\d+)?|[½¼¾])?\s*(?P<unit>\D*)$")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str  # DRUG, STRENGTH, …
    text: str
    score: float  # mean probability of the span's tokens


class NerModel:
    """The ONNX token classifier and its tokenizer."""

    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_dir = model_dir
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        config_path = model_dir / "ner_config.json"
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        self.max_tokens = int(config.get("max_len", MAX_TOKENS))
        self.tokenizer.enable_truncation(self.max_tokens)
        self.labels: list[str] = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_dir / "model.onnx"), opts, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def logits(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]], list[int]]]:
        """Per text: (logits [tokens, labels], token offsets, special-token mask)."""
        out: list[tuple[np.ndarray, list[tuple[int, int]], list[int]]] = []
        for i in range(0, len(texts), _BATCH):
            encs = self.tokenizer.encode_batch(texts[i : i + _BATCH])
            width = max(len(e.ids) for e in encs)
            ids = np.zeros((len(encs), width), dtype=np.int64)
            mask = np.zeros((len(encs), width), dtype=np.int64)
            for r, e in enumerate(encs):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            with self._lock:
                logits = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})[0]
            for r, e in enumerate(encs):
                out.append((logits[r, : len(e.ids)], list(e.offsets), list(e.special_tokens_mask)))
        return out

    def predict(self, texts: list[str]) -> list[list[Span]]:
        """Entity spans of each text (character offsets in that text)."""
        results: list[list[Span]] = []
        for (logits, offsets, special), text in zip(self.logits(texts), texts, strict=True):
            z = logits - logits.max(-1, keepdims=True)
            probs = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
            best = probs.argmax(-1)
            results.append(_decode(text, offsets, special, [self.labels[int(i)] for i in best],
                                   probs[np.arange(len(best)), best].tolist()))
        return results


def _decode(text: str, offsets: list[tuple[int, int]], special: list[int], labels: list[str],
            probs: list[float]) -> list[Span]:
    """BIO labels of tokens → character spans; an I- that does not continue its type opens a span."""
    spans: list[Span] = []
    cur: list[int] = []  # [start, end]
    kind = ""
    scores: list[float] = []
    for (s, e), sp, name, p in zip(offsets, special, labels, probs, strict=True):
        if sp or s == e:
            continue
        tag, _, typ = name.partition("-")
        if tag == "I" and typ == kind:
            cur[1] = e
            scores.append(p)
            continue
        if kind:
            spans.append(Span(cur[0], cur[1], kind, text[cur[0] : cur[1]], float(np.mean(scores))))
        cur, kind, scores = ([s, e], typ, [p]) if name != "O" else ([], "", [])
    if kind:
        spans.append(Span(cur[0], cur[1], kind, text[cur[0] : cur[1]], float(np.mean(scores))))
    return spans


@lru_cache(maxsize=1)
def load_model(model_dir: str | None = None) -> NerModel:
    """The model, loaded once per process."""
    return NerModel(Path(model_dir) if model_dir else MODEL_DIR)


def model_available(model_dir: Path = MODEL_DIR) -> bool:
    return all((model_dir / f).is_file() for f in ("model.onnx", "tokenizer.json", "labels.json"))


# ------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Row:
    drug: Span
    line: Line
    spans: list[Span] = field(default_factory=list)
    extra: list[Line] = field(default_factory=list)
    header_status: str | None = None
    until: int | None = None  # where the drug's part of its line ends (the next DRUG span), None: the line's end

    @property
    def segment(self) -> str:
        """The line from the drug name to the next drug, then the continuation lines."""
        own = self.line.text[self.drug.end : self.until]
        return " ".join([own, *(x.text.strip() for x in self.extra)])


class ModelExtractor:
    name = "model"

    def __init__(self, linker: Linker, model_dir: Path | None = None) -> None:
        self.linker = linker
        self.model_dir = model_dir
        self._links: dict[str, tuple[LinkResult, str, str]] = {}

    @property
    def model(self) -> NerModel:
        return load_model(str(self.model_dir) if self.model_dir else None)

    def predict_lines(self, doc: Document) -> dict[int, list[Span]]:
        """Spans of every non-blank line, by line number."""
        lines = [ln for ln in doc.lines if ln.text.strip()]
        preds = self.model.predict([_clean(ln.text) for ln in lines]) if lines else []
        return {ln.number: spans for ln, spans in zip(lines, preds, strict=True)}

    def extract(self, doc: Document) -> tuple[list[Medication], list[Warning]]:
        rows = self._rows(doc, self.predict_lines(doc))
        meds = [med for row in rows if (med := self._medication(row)) is not None and _plausible(row, med)]
        meds = _merge_repeats(meds)
        for i, med in enumerate(meds, start=1):
            med.id = f"m{i}"
        return meds, []

    # -- rows ---------------------------------------------------------------------------------
    def _rows(self, doc: Document, spans_by_line: dict[int, list[Span]]) -> list[_Row]:
        rows: list[_Row] = []
        last: list[_Row] = []  # the rows of the last medication line (for continuation lines)
        header_status: str | None = None
        for line in doc.lines:
            text = line.text
            if not text.strip():
                last = []
                continue
            if line.section in _SKIP_SECTIONS:
                last = []
                continue
            spans = _widen_strengths(_join_combinations([_snap(s, text) if s.label == "DRUG" else s
                                                         for s in spans_by_line.get(line.number, [])], text), text)
            drugs = [s for s in spans if s.label == "DRUG" and s.score >= MIN_DRUG_SCORE]
            if not drugs:
                attrs = [s for s in spans if s.label != "DRUG"]
                if last and attrs and _is_continuation(text, last[-1].line.text):
                    last[-1].spans.extend(attrs)
                    last[-1].extra.append(line)
                    continue
                stripped = text.strip()
                if stripped.endswith(":") or (stripped.isupper() and len(stripped) > 6 and not attrs):
                    header_status = ("suspended" if _HEADER_SUSPENDED.search(stripped) else "stopped") \
                        if _HEADER_STOPPED.search(stripped) else None
                last = []
                continue
            # a DRUG span that links to nothing beside one that links is a piece of the line ("CPR PELL")
            linked = [d for d in drugs if self._link(d)[1] != "none"]
            if linked and len(linked) < len(drugs):
                drugs = linked
            new_rows: list[_Row] = []
            for k, d in enumerate(drugs):
                nxt = drugs[k + 1].start if k + 1 < len(drugs) else len(text) + 1
                own = [s for s in spans if s.label != "DRUG" and d.end <= s.start < nxt]
                if k == 0:  # a leading status ("Arrêt du …") belongs to the first drug
                    own = [s for s in spans if s.label == "STATUS" and s.end <= d.start] + own
                new_rows.append(_Row(d, line, own, header_status=header_status,
                                     until=drugs[k + 1].start if k + 1 < len(drugs) else None))
            rows.extend(new_rows)
            last = new_rows
        return rows

    # -- medication ---------------------------------------------------------------------------
    def _link(self, drug: Span) -> tuple[LinkResult, str, str]:
        """(link, method, name) for a DRUG span: the lexicon's exact match, else the linker's best."""
        name = drug.text.strip(" :-|,;.")
        cached = self._links.get(name)
        if cached is None:
            cached = self._links[name] = self._link_name(name)
        return cached

    def _link_name(self, name: str) -> tuple[LinkResult, str, str]:
        exact = self.linker.exact(name)
        if exact:
            return self.linker.link(name, fuzzy=False), "exact", name
        words = name.split()
        # the longest leading words that link exactly ("HUMALOG KWIKPEN" → "HUMALOG"), then fuzzy
        for n in range(len(words) - 1, 0, -1):
            head = " ".join(words[:n])
            if len(fold(head)) >= 3 and self.linker.exact(head):
                return self.linker.link(head, fuzzy=False), "model", head
        result = self.linker.link(name)
        if result.linked and result.score >= MIN_LINK_SCORE:
            return result, "model", name
        for n in range(len(words) - 1, 0, -1):
            head = " ".join(words[:n])
            if len(fold(head)) >= 4:
                result = self.linker.link(head)
                if result.linked and result.score >= MIN_LINK_SCORE:
                    return result, "model", head
        return LinkResult(None, "none", 0.0), "none", name

    def _medication(self, row: _Row) -> Medication:
        by: dict[str, list[Span]] = {}
        for s in row.spans:
            by.setdefault(s.label, []).append(s)
        first = {k: v[0].text for k, v in by.items()}
        link, method, _ = self._link(row.drug)

        strength = pos.parse_strength(first["STRENGTH"]) if "STRENGTH" in first else None
        if strength is None and "STRENGTH" not in first:
            # a strength glued to the name the model tagged as DRUG ("DOLIPRANE1000MG")
            strength = pos.parse_strength(row.drug.text)
        segment = row.segment
        form, implied_route = pos.parse_form(f"{row.drug.text} {_form_words(row, by['FORM'][0])}",
                                             context=segment) if "FORM" in first else (None, None)
        if form is None:
            form, implied_route = pos.parse_form(row.drug.text, context=segment)
        dose = pos.parse_dose(first["DOSE"], strength=strength, form=form, context=segment) \
            if "DOSE" in first else None
        freq_text = " ; ".join(s.text for s in by.get("FREQUENCY", []))
        frequency = None
        if freq_text:
            slots = _slots(by["FREQUENCY"][0].text)
            if slots is not None:
                frequency, slot_dose = slots
                if dose is None and slot_dose is not None:
                    value, unit = slot_dose
                    dose = _slot_quantity(value, unit, form)
            else:
                frequency = pos.parse_frequency(pos.without_maximum(freq_text))
        if dose is None and frequency is not None and frequency.text and P.SLOTS.fullmatch(frequency.text.strip()):
            dose = pos.slot_dose(frequency.text, form)
        if dose is None and "DOSE" in first and _BARE_NUMBER.fullmatch(first["DOSE"].strip()):
            dose = _bare_dose(first["DOSE"], form, strength)
        if dose is None and "DOSE" not in first and "FREQUENCY" in first:
            # a dose the model left untagged before its rhythm ("… gélule LP : 1 matin et soir"): a countable one
            named = [sp.end for sp in row.spans if sp.label in ("STRENGTH", "FORM")
                     and row.line.text[sp.start : sp.end] == sp.text]
            after = row.line.text[max(named, default=row.drug.end) : row.until]
            dose = pos.parse_dose(after, strength=strength, form=form, countable_only=True)
        if form is None and dose is not None and not pos.deduced(dose):  # a deduced unit says no form
            form = P.FORM_OF_DOSE_UNIT.get(dose.unit)
        route = pos.parse_route(" ".join(s.text for s in by.get("ROUTE", []))) if "ROUTE" in by else None
        if route is None:
            route = implied_route or (P.ROUTE_OF_DOSE_UNIT.get(dose.unit) if dose else None)
        as_needed, reason = False, None
        if "AS_NEEDED" in first:
            as_needed, reason = pos.parse_as_needed(first["AS_NEEDED"])
            if not as_needed:
                as_needed, reason = True, first["AS_NEEDED"]
        duration = None
        if "DURATION" in first:
            duration = pos.parse_duration(first["DURATION"]) or pos.parse_duration(f"pendant {first['DURATION']}")
        status = "active"
        for s in by.get("STATUS", []):
            status = pos.parse_status(s.text)
            if status != "active":
                break
        if status == "active" and row.header_status:
            status = row.header_status
        if as_needed and frequency is not None and frequency.per_day is None:
            frequency = None
        bare = _right_after_name(row, "STRENGTH") if strength is None and len(by.get("STRENGTH", [])) == 1 \
            and len(link.substances) == 1 else None
        if bare is not None and _whole_word(bare, row.line.text):
            # a bare number tagged as a strength ("Levothyrox 75 : 1 cp"): the usual unit of its class
            strength = pos.bare_strength(bare.text, atc=link.atc, dose_unit=dose.unit if dose else None)
        # "max 6/j", "max 3 g/j": the maximum a day, read on the drug's part of the line
        frequency = pos.apply_maximum(frequency, segment, dose=dose, strength=strength, as_needed=as_needed)

        substances = [Substance(name=s, atc=link.atc if len(link.substances) == 1 else None, strength=None)
                      for s in link.substances]
        if len(substances) == 1 and strength is not None:
            substances[0].strength = strength
        reasons: list[str] = []
        if method == "none":
            reasons.append(DRUG_NOT_IN_REFERENCE)
        elif link.method == "fuzzy" and link.score < REVIEW_BELOW:
            reasons.append(UNCERTAIN_LINK.format(score=f"{link.score:.2f}"))
        if status == "active" and dose is None and frequency is None:
            reasons.append(POSOLOGY_NOT_FOUND)
        confidence = link.score * row.drug.score * (0.85 if POSOLOGY_NOT_FOUND in reasons else 1.0)
        line_start = row.line.start + (len(row.line.text) - len(row.line.text.lstrip()))
        end = row.extra[-1].end if row.extra else row.line.end
        text = "\n".join([row.line.text.strip(), *(x.text.strip() for x in row.extra)])
        return Medication(
            id="m0",
            text=text,
            span=(line_start, max(line_start, end)),
            page=row.line.page,
            drug_text=row.drug.text,
            substances=substances,
            atc=link.atc,
            product=None,
            link=link.to_model(method=method),
            strength=strength,
            form=form,
            route=route,
            dose=dose,
            frequency=frequency,
            as_needed=as_needed,
            as_needed_reason=reason,
            duration=duration,
            status=status,  # type: ignore[arg-type]
            confidence=round(max(0.0, min(1.0, confidence)), 4),
            needs_review=bool(reasons),
            review_reasons=reasons,
        )


# -- helpers ---------------------------------------------------------------------------------------
_LEADERS = re.compile(r"\.{3,}|…+|_{3,}")


def _clean(text: str) -> str:
    """Dot leaders ('Ebixa 10 mg ........ 1 cp') become blanks of the same length (offsets kept)."""
    return _LEADERS.sub(lambda m: " " * len(m.group(0)), text)


def _snap(span: Span, text: str) -> Span:
    """A DRUG span widened to whole words (the model may tag a piece of a word it does not know)."""
    s, e = span.start, span.end
    while s > 0 and text[s - 1].isalnum():
        s -= 1
    while e < len(text) and text[e].isalnum():
        e += 1
    return span if (s, e) == (span.start, span.end) else Span(s, e, span.label, text[s:e], span.score)


_COMBINATION_GAP = re.compile(r"\s*(?:/|\+|&)\s*")


def _join_combinations(spans: list[Span], text: str) -> list[Span]:
    """'DORZOLAMIDE/TIMOLOL' tagged as two drugs is one combination product."""
    out: list[Span] = []
    for span in spans:
        if not any(ch.isalnum() for ch in span.text):
            continue  # a lone "/" or "." tagged as an entity
        prev = out[-1] if out else None
        if (prev is not None and prev.label == "DRUG" and span.label == "DRUG"
                and _COMBINATION_GAP.fullmatch(text[prev.end : span.start])):
            out[-1] = Span(prev.start, span.end, "DRUG", text[prev.start : span.end], min(prev.score, span.score))
        else:
            out.append(span)
    return out


def _widen_strengths(spans: list[Span], text: str) -> list[Span]:
    """A STRENGTH span cut inside its number ('4000 UI/0,' of '4000 UI/0,4 ml') is widened to the strength
    written there; the spans it then covers (a DOSE '4 ml') are pieces of it and are dropped."""
    out: list[Span] = []
    cover: tuple[int, int] | None = None
    for span in spans:
        if cover is not None and cover[0] <= span.start < cover[1]:
            continue
        if span.label == "STRENGTH":
            m = pos.STRENGTH_RE.match(text, span.start)
            if m is not None and m.end() > span.end:
                span = Span(span.start, m.end(), span.label, text[span.start : m.end()], span.score)
            cover = (span.start, span.end)
        out.append(span)
    return out


def _form_words(row: _Row, form: Span) -> str:
    """A FORM span with the words written after it up to the next separator, where a release marker
    often stands ('gélule' of 'gélule à libération prolongée : 1 matin et soir')."""
    text = row.line.text
    if text[form.start : form.end] != form.text:
        return form.text  # a span of a continuation line
    tail = text[form.end : row.until]
    return form.text + re.split(r"[:|;,(]|\s{2,}", tail, maxsplit=1)[0]


def _plausible(row: _Row, med: Medication) -> bool:
    """A drug the lexicon knows exactly is kept; a fuzzy or unknown name only on a prescription-shaped
    line (the model also tags stray words of narrative text, which then link fuzzily or not at all)."""
    labels = {s.label for s in row.spans}
    if med.link.method == "exact":
        return True
    if med.link.method == "none":
        return bool(labels & {"STRENGTH", "DOSE"})
    return bool(labels & _POSOLOGY)


def _right_after_name(row: _Row, label: str) -> Span | None:
    """The ``label`` span right after the row's drug name on its line (only blanks between them)."""
    text = row.line.text
    first = next((s for s in row.spans if s.label != "STATUS" and s.start >= row.drug.end), None)
    if first is None or first.label != label or text[first.start : first.end] != first.text:
        return None  # another span first, or one of a continuation line
    return first if not text[row.drug.end : first.start].strip() else None


def _whole_word(span: Span, text: str) -> bool:
    """The span is not a piece of a longer word or number ('4' of 'MACROGOL 4000')."""
    before, after = text[max(0, span.start - 2) : span.start].rjust(2), text[span.end : span.end + 2].ljust(2)
    return not (before[1].isalnum() or after[0].isalnum()
                or (before[1] in ",." and before[0].isdigit()) or (after[0] in ",." and after[1].isdigit()))


def _is_continuation(text: str, previous: str) -> bool:
    if text.lstrip().startswith(("|", "→", "->", "(")):
        return True
    indent = len(text) - len(text.lstrip())
    prev_indent = len(previous) - len(previous.lstrip())
    return indent > prev_indent + 1


def _slots(text: str) -> tuple[Frequency, tuple[float, str] | None] | None:
    """Nursing-sheet cells '1 | - | 1 | -' or '6 UI   8 UI   6 UI' → (frequency, the dose when all equal)."""
    if "|" in text:
        cells = [c.strip() for c in text.split("|")]
    elif re.search(r"\S\s{2,}\S", text):
        cells = [c.strip() for c in re.split(r"\s{2,}", text.strip())]
    else:
        return None
    if not 3 <= len(cells) <= 5:
        return None
    values: list[float] = []
    units: set[str] = set()
    for c in cells:
        if c in ("", "-", "–", "0", "/", "x"):
            values.append(0.0)
            continue
        m = _SLOT_CELL.match(c)
        if not m or not m.group("num"):
            return None
        v = pos.number(m.group("num"))
        if v is None:
            return None
        values.append(v)
        units.add(m.group("unit").strip())
    order = [*P.SLOT_ORDER, "nuit"]
    times = [order[i] for i, v in enumerate(values[:5]) if v > 0]
    if not times:
        return None
    freq = Frequency(per_day=float(len(times)), times_of_day=times,  # type: ignore[arg-type]
                     text="-".join(f"{v:g}" for v in values))
    nonzero = {v for v in values if v > 0}
    dose = (nonzero.pop(), units.pop() if len(units) == 1 else "") if len(nonzero) == 1 else None
    return freq, dose


def _slot_quantity(value: float, unit: str, form: str | None) -> Quantity | None:
    if unit:
        return pos.parse_dose(f"{value:g} {unit}")
    if form is None:  # no unit in the cells, no form on the line: tablets, deduced
        return pos.deduced_dose(value, "comprimé")
    unit_of_form = P.DOSE_UNIT_OF_FORM.get(form)
    return Quantity(value=value, unit=unit_of_form) if unit_of_form else None


_BARE_NUMBER = re.compile(r"\d+(?:[.,]5)?|[½¼¾]|1/2|1/4|3/4")


def _bare_dose(text: str, form: str | None, strength: Quantity | None) -> Quantity | None:
    """A DOSE span that is a bare number ('1' of 'SKENAN LP 30 mg gélule : 1 matin et soir'): units of the
    form written, or tablets (deduced) of a strength in mass units when no form is written."""
    value = pos.number(text)
    if not value:
        return None
    unit = P.DOSE_UNIT_OF_FORM.get(form or "")
    if unit:
        return Quantity(value=pos._num(value), unit=unit)
    if form is None and strength is not None and strength.unit in ("mg", "g", "µg"):
        return pos.deduced_dose(value, "comprimé", text)
    return None


def _identity(med: Medication) -> frozenset[str]:
    if med.atc and len(med.atc) == 7:
        return frozenset({med.atc})
    return frozenset(substance_key(s.name) for s in med.substances) or frozenset({fold(med.drug_text)})


_FILLABLE = ("strength", "dose", "frequency", "route", "form", "duration")


def _merge_repeats(meds: list[Medication]) -> list[Medication]:
    """One entry per prescription: a drug restated later (the same line again, or a mention without
    posology) is merged into the first, gaps filled; another posology of the same drug is its own line
    (``posology.is_repeat``, as in the rules)."""
    out: list[Medication] = []
    for med in meds:
        key = _identity(med)
        twin = next((o for o in out if _identity(o) == key and pos.is_repeat(o, med)), None)
        if twin is None:
            out.append(med)
            continue
        for f in _FILLABLE:
            if getattr(twin, f) is None and getattr(med, f) is not None:
                setattr(twin, f, getattr(med, f))
        if twin.status == "active" and med.status != "active":
            twin.status = med.status
    return out


__all__ = ["MODEL_DIR", "ModelExtractor", "NerModel", "Span", "load_model", "model_available"]
