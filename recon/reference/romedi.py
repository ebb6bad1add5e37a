"""Build the embedded DrugReference from the Romedi terminology shipped in EDS-NLP's wheel.

``edsnlp/resources/drugs.json`` maps ATC codes to names: brands in upper case, the
substance (DCI) in lower case without accents, and for class codes (fewer than 7
characters) the class label. It has noise, cleaned here:

- substance names without accents → accented from ``dci_accents.txt``;
- inverted names ('sodium chlorure', 'pipemidique acide') → French order;
- suffixes ('en association', 'associations incluses', '(vit c)') removed;
- combinations written 'x et y' / 'x, y et z' → one substance per part; parts that name a
  class ('diuretiques', 'inhibiteur de la decarboxylase') mark the code as partial;
- upper-case entries that spell substances ('DORZOLAMIDE TIMOLOL') → that substance list;
- codes with no usable substance name, or a garbled one → ``atc_names.tsv``, which also
  adds codes and brands missing from the terminology (recent drugs).
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from recon.errors import ReferenceDataError
from recon.reference.model import DrugEntry, DrugReference
from recon.reference.names import display_dci, fold, salt_words

_ANIONS = {"chlorure", "bromure", "iodure", "fluorure", "sulfate", "phosphate", "carbonate", "bicarbonate",
           "gluconate", "citrate", "lactate", "acetate", "hydroxyde", "oxyde", "picosulfate", "peroxyde",
           "cromoglicate", "bitartrate", "aspartate", "pidolate", "dobesilate", "hypochlorite",
           "glycerophosphate", "monofluorophosphate", "alginate", "ascorbate", "fumarate", "succinate",
           "valproate", "nitrate", "thiosulfate", "polystyrene"}
_LIGHT_SUFFIX = re.compile(
    r"(\s+en associations?\b.*|,?\s*associations? incluses?.*|\s*\([^)]*\)\s*$|\s+a usage topique$"
    r"|,\s*sequentiel$)"
)
_SALT_ADJECTIVES = {"sodique", "disodique", "monosodique", "potassique", "calcique", "magnesique"}
_SALT_PREFIX = re.compile(
    r"^(chlorhydrate|bromhydrate|bromure|maleate|mesilate|besilate|tosilate|fumarate|tartrate|succinate)"
    r" d(?:e\s+|['’]\s*|\s+)(?=\w{4})"
)
# Words that make a part of a combination a class, not a substance.
_CLASS_WORDS = {"diuretiques", "thiazidiques", "thiazides", "epargneurs", "autres", "inhibiteur",
                "inhibiteurs", "estrogene", "estrogenes", "antiinfectieux", "antiseptiques", "antibiotiques",
                "psycholeptiques", "sulfamides", "medicaments", "associations", "association", "sels",
                "derives", "preparations", "expectorants", "antihypertenseurs", "antiflatulents",
                "divers", "diverses", "differents", "antibacteriens", "corticoides", "vitamines",
                "polyvitamines", "electrolytes", "acides", "substances", "vaccin", "virus", "antigene",
                "antigenes", "laxatifs", "microorganismes", "progestatifs", "progestatif", "antispasmodiques",
                "mineraux", "hydrates", "emulsions", "solutions"}
# English or misspelt forms in the terminology → French DCI.
_RENAMES = {
    "colecalciferol": "cholécalciférol",
    "dapagliflozin": "dapagliflozine", "daunorubicin": "daunorubicine", "embtricitabine": "emtricitabine",
    "diphenydramine": "diphénhydramine", "dabigatran etexilate": "dabigatran",
    "glyceryle trinitrate": "trinitrine", "nitroglycerine": "trinitrine", "norepinephrine": "noradrénaline",
    "epinephrine": "adrénaline", "sodium cromoglicate": "acide cromoglicique",
    "cromoglicate de sodium": "acide cromoglicique", "olmesartan medoxomil": "olmésartan médoxomil",
    "povidone iodee": "povidone iodée", "erythropoietine": "époétine", "calcium acetate anhydre": "acétate de calcium",
    "hydrogene peroxyde": "peroxyde d'hydrogène", "benzoyle peroxyde": "peroxyde de benzoyle",
    "fluticasone furoate": "fluticasone", "hydrocortisone butyrate": "hydrocortisone",
    "hydrocortisone aceponate": "hydrocortisone", "docusate sodique": "docusate sodique",
}


_OVERRIDDEN: set[str] = set()


@dataclass(frozen=True, slots=True)
class Override:
    """One line of atc_names.tsv: a code's substances, for the whole code or for some brands only."""

    code: str
    substances: tuple[str, ...]
    brands: tuple[str, ...]
    preferred: bool = False  # the code a DCI written alone links to, when several codes share the DCI


def _romedi_path() -> Path:
    spec = importlib.util.find_spec("edsnlp")  # locate the package without importing it (fast)
    if spec is None or not spec.submodule_search_locations:
        raise ReferenceDataError("EDS-NLP is not installed: `pip install edsnlp` provides the drug terminology")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "drugs.json"
    if not path.exists():
        raise ReferenceDataError(f"the EDS-NLP drug terminology is missing ({path.name}); reinstall edsnlp")
    return path


def atc_overrides() -> list[Override]:
    """Lines of ``atc_names.tsv``: CODE <TAB> dci [+ dci…] [<TAB> BRAND, BRAND…]."""
    raw = resources.files("recon.resources").joinpath("atc_names.tsv").read_text(encoding="utf-8")
    out: list[Override] = []
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        code = cols[0].strip()
        names = cols[1] if len(cols) > 1 else ""
        subs = tuple(n.strip() for n in names.split("+") if n.strip() and n.strip() != "-")
        brands = tuple(b.strip() for b in cols[2].split(",") if b.strip() not in ("", "-")) if len(cols) > 2 else ()
        if brands == ("*",):
            out.append(Override(code, subs, (), preferred=True))
            continue
        out.append(Override(code, subs, brands))
    return out


def french_order(name: str) -> str:
    """'sodium chlorure' → 'chlorure de sodium'; 'pipemidique acide' → 'acide pipemidique'."""
    words = name.split()
    if len(words) >= 2 and words[-1] == "acide":
        return "acide " + " ".join(words[:-1])
    if len(words) == 2 and fold(words[1]) in _ANIONS and fold(words[0]) not in _ANIONS:
        cation = words[0]
        link = "d'" if cation[:1] in "aeiouyhé" else "de "
        return f"{words[1]} {link}{cation}"
    return name


def clean_substance(raw: str) -> str:
    """One substance name of the terminology as French DCI text ('ascorbique acide (vit c)' → 'acide ascorbique')."""
    name = " ".join(raw.strip().lower().split())
    name = _LIGHT_SUFFIX.sub("", name).strip(" ,")
    if fold(name) in _RENAMES:
        return display_dci(_RENAMES[fold(name)])
    words = name.split()
    if len(words) > 1 and fold(words[-1]) in _SALT_ADJECTIVES and fold(name) not in _RENAMES:
        name = " ".join(words[:-1])
    if _SALT_PREFIX.match(fold(name)):
        name = _SALT_PREFIX.sub("", fold(name))
    name = french_order(name)
    if _SALT_PREFIX.match(fold(name)):  # 'tiotropium bromure' → 'bromure de tiotropium' → 'tiotropium'
        name = _SALT_PREFIX.sub("", fold(name))
    if fold(name) in _RENAMES:
        name = _RENAMES[fold(name)]
    return display_dci(name)


def split_combination(raw: str) -> tuple[tuple[str, ...], bool]:
    """'valsartan, amlodipine et hydrochlorothiazide' → the three names; partial=True when a part is a class."""
    name = " ".join(raw.strip().lower().split())
    partial = bool(re.search(r"\ben associations?\b", name)) and "incluses" not in name
    name = _LIGHT_SUFFIX.sub("", name).strip(" ,")
    if re.search(r"\s+et\s+", name):  # 'a, b et c'
        parts = [p.strip() for p in re.split(r",\s*|\s+et\s+", name) if p.strip()]
    else:  # 'immunoglobulines humaines polyvalentes, pour administration …': a description after the comma
        parts = [name.split(",")[0].strip()] if name.split(",")[0].strip() else []
    out: list[str] = []
    for part in parts:
        if set(fold(part).split()) & _CLASS_WORDS:
            partial = True
            continue
        out.append(clean_substance(part))
    return tuple(dict.fromkeys(out)), partial


class _Segmenter:
    """Cut an upper-case name into known substance names: 'DORZOLAMIDE TIMOLOL' → dorzolamide, timolol."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known  # folded DCI → display
        self.longest = max((len(k.split()) for k in known), default=1)

    def __call__(self, name: str) -> tuple[str, ...] | None:
        words = fold(name).split()
        out: list[str] = []
        i = 0
        skip = salt_words() | {"a", "la", "le", "l", "au", "aux", "des"}
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                key = " ".join(words[i:i + n])
                if key in self.known:
                    out.append(self.known[key])
                    i += n
                    break
            else:
                if words[i] in skip or words[i] in _ANIONS or words[i] == "propionate":
                    i += 1
                    continue
                return None
        return tuple(dict.fromkeys(out)) or None


def build_from_romedi(path: Path | None = None) -> DrugReference:
    path = path or _romedi_path()
    try:
        data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"the drug terminology {path.name} cannot be read") from e
    data = {_fix_code(code): names for code, names in data.items()}
    overrides = atc_overrides()
    code_override = {o.code: o.substances for o in overrides
                     if not o.brands and o.substances and not o.preferred}
    ref = DrugReference(source="romedi (edsnlp)", version=_edsnlp_version())
    _OVERRIDDEN.clear()
    _OVERRIDDEN.update(code_override)

    # pass 1: substances of every full code, and the set of known single substance names
    parsed: dict[str, tuple[tuple[str, ...], bool]] = {}
    known: dict[str, str] = {}
    for code, names in data.items():
        if len(code) < 7:
            continue
        lower = [n for n in names if _is_lower(n)]
        best: tuple[tuple[str, ...], bool] | None = None
        for name in lower:
            subs, partial = split_combination(name)
            if subs and (best is None or (best[1] and not partial)):
                best = (subs, partial)
        if best:
            parsed[code] = best
            if len(best[0]) == 1 and not best[1]:
                known.setdefault(fold(best[0][0]), best[0][0])
    for subs in code_override.values():
        for s in subs:
            known.setdefault(fold(s), s)
    for o in overrides:
        for s in o.substances:
            known.setdefault(fold(s), s)
    segment = _Segmenter(known)

    # pass 2: entries
    for code, names in sorted(data.items()):
        lower = [n for n in names if _is_lower(n)]
        upper = [n for n in names if not _is_lower(n)]
        if len(code) < 7:
            if lower:
                ref.atc_labels[code] = lower[0]
            for brand in upper:
                spelled = segment(brand)
                subs = spelled or code_override.get(code, ())
                ref.add(DrugEntry(brand, fold(brand), code, subs,
                                  "dci" if spelled else "brand", rank=0 if subs else 2))
            continue
        spelled_combos = {s for s in (segment(n) for n in upper) if s and len(s) > 1}
        if code in code_override:
            substances, rank = code_override[code], 0
        elif code in parsed:
            substances, partial = parsed[code]
            rank = 1 if partial else 0
            if partial and len(spelled_combos) == 1:
                substances = next(iter(spelled_combos))  # rank stays 1: a guess
        elif len(spelled_combos) == 1:
            substances, rank = next(iter(spelled_combos)), 0
        else:
            singles = [s for s in (segment(n) for n in upper) if s and len(s) == 1]
            substances, rank = (singles[0], 0) if len(set(singles)) == 1 else ((), 2)
        _add_code(ref, code, substances, rank, lower, upper, segment)

    # codes and brands the terminology lacks, or whose brands need their own substances
    for o in overrides:
        if o.code == "-":  # a substance without ATC code (plants)
            for brand in o.brands:
                ref.add(DrugEntry(brand, fold(brand), None, o.substances, "brand"))
            for s in o.substances:
                ref.add(DrugEntry(s, fold(s), None, (s,), "dci"))
            continue
        if o.brands:
            for brand in o.brands:
                subs = o.substances or ref.substances_of_atc(o.code)
                ref.put_first(DrugEntry(brand, fold(brand), o.code, subs, "brand", rank=0 if subs else 2))
            if (o.code not in data or len(o.substances) > 1) and o.substances \
                    and not ref.lookup(" + ".join(o.substances)):
                _add_dci(ref, o.code, o.substances, 0)
        elif o.code not in data and o.substances:
            _add_dci(ref, o.code, o.substances, 0)
    _prune_brand_homonyms(ref)
    _apply_preferences(ref, [o for o in overrides if o.preferred])
    _add_lone_substances(ref)
    return ref


def _add_lone_substances(ref: DrugReference) -> None:
    """A substance known only inside combinations ('acide clavulanique', 'sacubitril') gets its own name,
    without ATC code, so that a combination written part by part links."""
    for s in sorted({s for e in list(ref.entries) for s in e.substances if len(e.substances) > 1}):
        if not ref.lookup(s) and len(fold(s)) >= 4:
            ref.add(DrugEntry(s, fold(s), None, (s,), "dci", rank=1))


def _apply_preferences(ref: DrugReference, preferred: list[Override]) -> None:
    """A DCI shared by several codes: the DCI entries of the other codes go to rank 1."""
    for o in preferred:
        subs = set(o.substances)
        for key in {fold(s) for s in o.substances} | {fold(" + ".join(o.substances))}:
            bucket = ref._index.get(key, [])
            for i, e in enumerate(bucket):
                if e.kind == "dci" and e.atc != o.code and set(e.substances) == subs and e.rank == 0:
                    new = DrugEntry(e.name, e.key, e.atc, e.substances, e.kind, e.cis, 1)
                    bucket[i] = new
                    ref.entries[ref.entries.index(e)] = new


def _add_dci(ref: DrugReference, code: str, substances: tuple[str, ...], rank: int) -> None:
    if len(substances) == 1:
        ref.add(DrugEntry(substances[0], fold(substances[0]), code, substances, "dci", rank=rank))
    elif substances:
        for joined in (" + ".join(substances), " et ".join(substances)):
            ref.add(DrugEntry(joined, fold(joined), code, substances, "dci", rank=rank))


def _add_code(ref: DrugReference, code: str, substances: tuple[str, ...], rank: int, lower: list[str],
              upper: list[str], segment: _Segmenter) -> None:
    _add_dci(ref, code, substances, rank)
    for name in lower if rank < 2 else ():
        subs, partial = split_combination(name)
        if partial or code in _OVERRIDDEN:
            continue  # a class name ('ramipril et diuretiques') or a garbled one: the DCI entry covers it
        cleaned = clean_substance(name) if len(subs) <= 1 and not partial else " et ".join(subs)
        if not cleaned or (fold(cleaned) in {fold(s) for s in substances} and len(substances) == 1):
            continue
        own = substances if (partial or not subs or set(subs) <= set(substances)) else subs
        ref.add(DrugEntry(cleaned, fold(cleaned), code, own, "dci", rank=rank if own == substances else 0))
    dci_keys = {fold(s) for s in substances}
    for name in upper:
        spelled = segment(name)
        if spelled and len(spelled) > 1:
            ref.add(DrugEntry(name, fold(name), code, spelled, "dci", rank=0))
        elif spelled and fold(spelled[0]) in dci_keys and len(substances) == 1:
            ref.add(DrugEntry(name, fold(name), code, substances, "dci", rank=rank))
        elif spelled:  # a single substance written under a combination or class code
            ref.add(DrugEntry(name, fold(name), code, spelled, "dci", rank=max(rank, 1)))
        else:
            ref.add(DrugEntry(name, fold(name), code, substances, "brand", rank=rank))


# Brand names of the terminology that are ordinary words of prescriptions and letters (forms,
# first names, English words): kept out of the reference so that they never make a mention.
ORDINARY_WORDS = frozenset([
    "acti", "alma", "art", "carlin", "collyre", "cristal", "cyclo", "daily", "dio", "diane", "ery", "gel",
    "jasmine", "muse", "pilo", "refresh", "sirop", "solution", "suppositoire", "suppositoires", "thais",
    "toco", "decan", "femi", "nonan", "lyso", "doxy", "ether", "hec", "drill", "mag"
])


def _prune_brand_homonyms(ref: DrugReference) -> None:
    """Drop brand entries whose whole name is an ordinary word (see ``ORDINARY_WORDS``)."""
    drop = [k for k in list(ref._index) if k in ORDINARY_WORDS]
    for key in drop:
        kept = [e for e in ref._index[key] if e.kind != "brand"]
        removed = {id(e) for e in ref._index[key] if e.kind == "brand"}
        if kept:
            ref._index[key] = kept
        else:
            del ref._index[key]
        ref.entries[:] = [e for e in ref.entries if id(e) not in removed]


def _fix_code(code: str) -> str:
    """'JO5AX09' (letter O typed for a zero) → 'J05AX09'."""
    if len(code) >= 3 and code[1] == "O":
        return code[0] + "0" + code[2:]
    return code


def _is_lower(name: str) -> bool:
    return bool(name) and not name.isupper() and name.lower() == name


def _edsnlp_version() -> str:
    try:
        from importlib.metadata import version

        return f"edsnlp {version('edsnlp')}"
    except Exception:  # pragma: no cover
        return "unknown"


@lru_cache(maxsize=1)
def default_reference() -> DrugReference:
    """The reference of this process, built or loaded once.

    The one stored by ``recon reference import`` (see ``recon.reference.store``) when there is
    one, unless ``RECON_REFERENCE=embedded``; otherwise the embedded Romedi reference.
    """
    import os

    if os.environ.get("RECON_REFERENCE", "").lower() != "embedded":
        from recon.reference.store import stored_reference

        stored = stored_reference()
        if stored is not None:
            return stored
    return build_from_romedi()
