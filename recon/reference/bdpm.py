"""Import the BDPM (Base de données publique des médicaments, ANSM open data) into a DrugReference.

Files read from a folder (tab-separated, no header, UTF-8 or Latin-1 — each file is tried in
UTF-8 first, then Latin-1):

- ``CIS_bdpm.txt`` (required): CIS, denomination, form, routes (';'), authorisation status,
  procedure, marketing status, date, BDM status, EU number, holder(s), reinforced surveillance;
- ``CIS_COMPO_bdpm.txt`` (required): CIS, element, substance code, substance name, dosage,
  dosage reference, nature (SA active substance / FT therapeutic fraction), link number;
- ``CIS_GENER_bdpm.txt`` (optional): generic group id, label, CIS, type, sort order;
- ``CIS_CIP_bdpm.txt`` (optional): CIS, CIP7, presentation label, …, CIP13 (kept as a count).

The BDPM has no ATC codes: a product gets one through the embedded (Romedi) reference, by
linking its substance names ('CHLORHYDRATE DE TRAMADOL' → tramadol → N02AX02) and, for several
substances, the code of that combination. The result is the embedded reference plus one brand
entry per product name (with its CIS) and ``products`` (CIS → form, routes, substances with
strengths, marketed or not). Nothing of the BDPM is shipped with Recon: ``recon reference
import DIR`` builds it from the user's files and ``recon.reference.store`` keeps it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from recon.errors import ReferenceDataError
from recon.reference.model import DrugEntry, DrugReference, Product
from recon.reference.names import display_dci, fold, salt_words

REQUIRED = ("CIS_bdpm.txt", "CIS_COMPO_bdpm.txt")
_HOMEOPATHY = re.compile(r"pour preparations homeopathiques|\b\d+\s*(?:ch|dh|k)\b", re.I)
_SALT_HEAD = re.compile(r"^(?P<salt>[a-z]+(?:ate|ure|ide|yle))\s+(?:de|d)\s+(?P<rest>.+)$")
_SALT_TAIL = {"base", "anhydre", "monohydrate", "dihydrate", "trihydrate", "hemihydrate", "sesquihydrate",
              "sodique", "disodique", "potassique", "calcique", "magnesique", "hydrate", "hydratee",
              "micronise", "microencapsule", "exprime", "en", "poudre", "sel", "sous", "forme", "de",
              "trometamol", "recombinante", "recombinant", "hexahydrate", "nonahydrate", "heptahydrate",
              "pentahydrate", "tetrahydrate", "element", "liquide", "concentre", "anhydrique", "cilexetil",
              "etexilate", "medoxomil", "olamine", "mofetil", "proxetil", "axetil", "pivoxil", "solution",
              "hemifumarate", "dichlorhydrate", "propionate", "dipropionate", "furoate", "valerate",
              "hydrogenosuccinate", "digluconate", "diacetate", "acetonide", "biogenetique", "humain",
              "humaine", "recombinee"}


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts and the coverage figure."""

    products: int = 0
    marketed: int = 0
    marketed_linked: int = 0  # marketed products whose substances all link to an ATC code
    marketed_not_homeopathic: int = 0
    marketed_not_homeopathic_linked: int = 0
    substances: int = 0
    substances_linked: int = 0
    unlinked_examples: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.marketed_linked / self.marketed if self.marketed else 0.0

    @property
    def coverage_allopathic(self) -> float:
        n = self.marketed_not_homeopathic
        return self.marketed_not_homeopathic_linked / n if n else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "products": self.products, "marketed": self.marketed, "marketed_linked": self.marketed_linked,
            "coverage": round(self.coverage, 4),
            "coverage_without_homeopathy": round(self.coverage_allopathic, 4),
            "substance_names": self.substances, "substance_names_linked": self.substances_linked,
        }


def read_table(path: Path) -> list[list[str]]:
    """Rows of a BDPM file: tab-separated, UTF-8 or Latin-1, fields stripped."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ReferenceDataError(f"cannot read {path.name}: {e.strerror}") from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return [[c.strip() for c in line.split("\t")] for line in text.splitlines() if line.strip()]


def build_from_bdpm(folder: str | Path, base: DrugReference | None = None,
                    report: ImportReport | None = None) -> DrugReference:
    """The embedded reference (or ``base``) plus the BDPM products of ``folder``."""
    folder = Path(folder)
    missing = [name for name in REQUIRED if not _find(folder, name)]
    if missing:
        raise ReferenceDataError(f"{folder} lacks {', '.join(missing)}: download them from "
                                 "base-donnees-publique.medicaments.gouv.fr (Téléchargement)")
    from recon.link.linker import Linker
    from recon.reference.romedi import build_from_romedi

    romedi = base or build_from_romedi()
    linker = Linker(romedi)
    report = report if report is not None else ImportReport()
    ref = DrugReference(source=f"{romedi.source} + bdpm", version=f"{romedi.version}; bdpm {_stamp(folder)}",
                        atc_labels=dict(romedi.atc_labels))
    for e in romedi.entries:
        ref.add(e)

    compo = _compositions(read_table(_find(folder, "CIS_COMPO_bdpm.txt")))  # type: ignore[arg-type]
    groups = _generic_groups(folder)
    presentations = _presentations(folder)
    cache: dict[str, tuple[str, str | None] | None] = {}
    common = _common_words()
    for row in read_table(_find(folder, "CIS_bdpm.txt")):  # type: ignore[arg-type]
        if len(row) < 7 or not row[0].isdigit():
            continue
        cis, denomination, form, routes, marketed = row[0], row[1], row[2], row[3], row[6]
        is_marketed = fold(marketed) == "commercialisee"
        subs = compo.get(cis, [])
        linked = [_link_substance(linker, name, cache) for name, _ in subs]
        names = tuple(dict.fromkeys(link[0] if link else display_dci(name) for (name, _), link in
                                    zip(subs, linked, strict=True)))
        atc = _brand_atc(romedi, denomination, names) or (_atc_of(linker, linked) if subs and all(linked) else None)
        if len(names) == 1 and linked and linked[0]:
            atc = _route_atc(linker, names[0], routes, form, atc)
        product = Product(
            cis=cis, name=denomination, form=form, routes=tuple(r for r in routes.split(";") if r),
            marketed=is_marketed, atc=atc,
            substances=tuple((link[0] if link else display_dci(name), strength) for (name, strength), link
                             in zip(subs, linked, strict=True)),
            generic_group=groups.get(cis), presentations=presentations.get(cis, 0),
        )
        ref.products[cis] = product
        report.products += 1
        homeopathic = bool(_HOMEOPATHY.search(fold(" ".join(n for n, _ in subs)))) or "homeo" in fold(row[5])
        if is_marketed:
            report.marketed += 1
            report.marketed_linked += atc is not None
            if not homeopathic:
                report.marketed_not_homeopathic += 1
                report.marketed_not_homeopathic_linked += atc is not None
                if atc is None and len(report.unlinked_examples) < 30:
                    report.unlinked_examples.append(" + ".join(n for n, _ in subs) or denomination)
        if homeopathic or not names:
            continue
        for alias in _aliases(denomination):
            # names with a strength ('DOLIPRANE 1000 mg') would swallow the strength of a prescription line
            if any(c.isdigit() for c in alias) or fold(alias) in common:
                continue
            ref.add(DrugEntry(alias, fold(alias), atc, names, "brand", cis=cis, rank=0 if atc else 1))
    report.substances = len(cache)
    report.substances_linked = sum(v is not None for v in cache.values())
    return ref


def coverage(folder: str | Path) -> ImportReport:
    """Import ``folder`` and return only the report (the coverage figure)."""
    report = ImportReport()
    build_from_bdpm(folder, report=report)
    return report


# -- reading -------------------------------------------------------------------------------------
def _find(folder: Path, name: str) -> Path | None:
    for candidate in (folder / name, folder / name.lower()):
        if candidate.exists():
            return candidate
    return None


def _compositions(rows: Iterable[list[str]]) -> dict[str, list[tuple[str, str]]]:
    """CIS → active substances (name, strength): the therapeutic fraction (FT) when one is given."""
    by_link: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in rows:
        if len(row) < 8:
            continue
        cis, name, dosage, reference, nature, link = row[0], row[3], row[4], row[5], row[6], row[7]
        strength = f"{dosage} / {reference}" if dosage and reference else dosage
        by_link[(cis, link or name)].setdefault(nature.upper(), (name, strength))
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (cis, _), natures in by_link.items():
        chosen = natures.get("FT") or natures.get("SA")
        if chosen and chosen[0] and chosen[0] not in {n for n, _ in out[cis]}:
            out[cis].append(chosen)
    return out


def _generic_groups(folder: Path) -> dict[str, str]:
    path = _find(folder, "CIS_GENER_bdpm.txt")
    if path is None:
        return {}
    return {row[2]: row[1] for row in read_table(path) if len(row) >= 3}


def _presentations(folder: Path) -> dict[str, int]:
    path = _find(folder, "CIS_CIP_bdpm.txt")
    counts: dict[str, int] = defaultdict(int)
    if path is not None:
        for row in read_table(path):
            if row:
                counts[row[0]] += 1
    return counts


def _stamp(folder: Path) -> str:
    path = _find(folder, "CIS_bdpm.txt")
    if path is None:
        return "unknown"
    import datetime as dt

    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()


# -- linking -------------------------------------------------------------------------------------
def _substance_forms(name: str) -> list[str]:
    """'CHLORHYDRATE DE TRAMADOL' → ['chlorhydrate de tramadol', 'tramadol']; salts and hydrates set aside."""
    forms = []
    inverted = re.match(r"^\s*(?P<head>[^()]+?)\s*\((?P<inner>[^)]*)\)\s*(?P<tail>.*)$", name)
    if inverted:  # 'CALCIUM (CHLORURE DE) DIHYDRATÉ' → 'chlorure de calcium'; 'ACÉTYLSALICYLIQUE (ACIDE)'
        inner = fold(inverted.group("inner"))
        head = fold(inverted.group("head"))
        if inner == "acide":
            forms.append(f"acide {head}")
        elif re.search(r"\b(de|d)$", inner):
            forms.append(f"{inner} {head}")
    key = fold(re.sub(r"\([^)]*\)", " ", name))
    forms.append(key)
    m = _SALT_HEAD.match(key)
    if m:  # 'hemifumarate de bisoprolol' → 'bisoprolol'
        forms.append(m.group("rest"))
    for form in list(forms):
        words = [w for w in form.split() if w not in _SALT_TAIL and not w.isdigit()]
        forms.append(" ".join(words))
        forms.append(" ".join(w for w in words if w not in salt_words()))
    for form in list(forms):  # 'alendronate' → 'acide alendronique'; 'valproate de sodium' → 'acide valproique'
        first = form.split()[0] if form else ""
        if first.endswith("ate") and len(first) > 6 and first not in salt_words():
            forms.append(f"acide {first[:-3]}ique")
    return [f for f in dict.fromkeys(forms) if f]


def _link_substance(linker, name: str, cache: dict[str, tuple[str, str | None] | None]):
    """(French DCI, ATC) of a BDPM substance name, None when the reference does not know it."""
    if name in cache:
        return cache[name]
    found: tuple[str, str | None] | None = None
    for form in _substance_forms(name):
        hits = [e for e in linker.exact(form) if len(e.substances) == 1]
        if hits:
            best = sorted(hits, key=lambda e: (e.rank, e.kind != "dci", len(e.atc or "") != 7))[0]
            found = (best.substances[0], best.atc)
            break
    if found is None:
        for form in _substance_forms(name)[1:]:
            result = linker.fuzzy(form)
            if result.entry is not None and result.score >= 0.9 and len(result.substances) == 1:
                found = (result.substances[0], result.atc)
                break
    cache[name] = found
    return found


# Routes of a product → ATC groups its substance's code should be taken from, when the substance
# has codes for several uses (budésonide: A07EA06 intestinal, R03BA02 inhaled, R01AD05 nasal, D07AC09 skin).
_ROUTE_GROUPS = (
    ("inhal", ("R03",)), ("nasale", ("R01",)), ("ophtalmique", ("S01",)), ("auriculaire", ("S02",)),
    ("cutanee", ("D", "M02")), ("vaginale", ("G01", "G02", "G03")), ("buccale", ("A01",)),
    ("gingivale", ("A01",)), ("dentaire", ("A01",)), ("rectale", ("A06", "A07", "C05")),
    ("intestinale", ("A07",)),
)


def _route_atc(linker, dci: str, routes: str, form: str, default: str | None) -> str | None:
    """The code of ``dci`` that fits the product's route ('inhalée' → R03…), else ``default``."""
    text = fold(f"{routes} {form}")
    wanted = tuple(g for word, groups in _ROUTE_GROUPS if word in text for g in groups)
    codes = {e.atc for e in linker.reference.lookup(dci)
             if e.kind == "dci" and e.atc and len(e.atc) == 7 and len(e.substances) == 1 and e.rank == 0}
    if wanted:
        fitting = sorted(c for c in codes if c.startswith(wanted))
        if fitting:
            return default if default in fitting else fitting[0]
        if default and not default.startswith(("A01", "C05", "D", "G01", "R01", "R02", "S")):
            return default
    elif default and default.startswith(("A01", "C05", "D", "G01", "R01", "R02", "S", "A07E")):
        systemic = sorted(c for c in codes if not c.startswith(("A01", "C05", "D", "G01", "R01", "R02", "S")))
        if systemic and any(w in text for w in ("orale", "injectable", "intraveineuse", "intramusculaire")):
            return systemic[0]
    return default


def _atc_of(linker, linked: list[tuple[str, str | None] | None]) -> str | None:
    subs = tuple(dict.fromkeys(link[0] for link in linked if link))
    if len(subs) == 1:
        return linked[0][1] if linked[0] else None
    from recon.link.linker import _prefer, _substance_set

    joined = linker._by_substances.get(_substance_set(subs))
    if joined:
        return _prefer(joined).atc
    # no code for this set: the 'X en association' code of its substances, when exactly one exists
    codes = {e.atc for s in subs for e in linker.reference.lookup(s)
             if e.kind == "dci" and e.rank == 1 and len(e.substances) == 1 and e.atc and len(e.atc) == 7}
    return codes.pop() if len(codes) == 1 else None


def _brand_atc(romedi: DrugReference, denomination: str, names: tuple[str, ...]) -> str | None:
    """The ATC code of the product's brand in the embedded terminology, when its substances agree."""
    from recon.reference.names import substance_key

    mine = {substance_key(n) for n in names}
    for alias in reversed(_aliases(denomination)):
        for e in romedi.lookup(alias):
            if e.kind == "brand" and e.atc and len(e.atc) == 7 and (
                    not e.substances or mine & {substance_key(s) for s in e.substances}):
                return e.atc
    return None


def _common_words() -> frozenset[str]:
    """Ordinary words that must not become drug names (the terminology's list and the extractor's)."""
    from importlib import resources

    from recon.reference.romedi import ORDINARY_WORDS

    raw = resources.files("recon.resources").joinpath("stop_names.txt").read_text(encoding="utf-8")
    stops = {fold(w) for w in raw.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(ORDINARY_WORDS | stops | {"eau", "oxygene", "air", "glucose", "vaseline", "azote"})


def _aliases(denomination: str) -> list[str]:
    """Names a product is written by: 'DOLIPRANE 1000 mg, comprimé' → 'DOLIPRANE 1000 mg', 'DOLIPRANE'."""
    head = denomination.split(",")[0].strip()
    words = head.split()
    brand: list[str] = []
    for w in words:
        if any(c.isdigit() for c in w):
            break
        brand.append(w)
    out = [head]
    if brand and len(" ".join(brand)) >= 3:
        out.append(" ".join(brand))
    return list(dict.fromkeys(out))
