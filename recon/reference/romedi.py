"""Build the embedded DrugReference from the Romedi terminology shipped in EDS-NLP's wheel.

``edsnlp/resources/drugs.json`` maps ATC codes to names: brands in upper case, the
substance (DCI) in lower case without accents, and for class codes (fewer than 7
characters) the class label. It has noise, cleaned here:

- substance names without accents → accented from ``dci_accents.txt``;
- inverted salts ('sodium chlorure', 'pipemidique acide') → French order;
- codes with no usable substance name → ``atc_names.tsv``;
- suffixes such as 'en association' removed.
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from recon.errors import ReferenceDataError
from recon.reference.model import DrugEntry, DrugReference
from recon.reference.names import display_dci, fold

_ANIONS = {"chlorure", "bromure", "iodure", "fluorure", "sulfate", "phosphate", "carbonate", "bicarbonate",
           "gluconate", "citrate", "lactate", "acetate", "hydroxyde", "oxyde", "picosulfate"}
_ASSOC_SUFFIXES = (" en association", " en associations", " associations", " (active)")
_SALT_ADJECTIVES = {"sodique", "disodique", "monosodique", "potassique", "calcique", "magnesique"}
_SALT_PREFIX = re.compile(
    r"^(chlorhydrate|bromhydrate|maleate|mesilate|besilate|tosilate|fumarate|tartrate|succinate|sulfate)"
    r" d[e']\s*(?=\w{4})"
)


def _romedi_path() -> Path:
    spec = importlib.util.find_spec("edsnlp")  # locate the package without importing it (fast)
    if spec is None or not spec.submodule_search_locations:
        raise ReferenceDataError("EDS-NLP is not installed: `pip install edsnlp` provides the drug terminology")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "drugs.json"
    if not path.exists():
        raise ReferenceDataError(f"the EDS-NLP drug terminology is missing ({path.name}); reinstall edsnlp")
    return path


def _atc_overrides() -> dict[str, tuple[str, ...]]:
    raw = resources.files("recon.resources").joinpath("atc_names.tsv").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, names = line.partition("\t")
        out[code.strip()] = tuple(n.strip() for n in names.split("+") if n.strip())
    return out


def french_order(name: str) -> str:
    """'sodium chlorure' → 'chlorure de sodium'; 'pipemidique acide' → 'acide pipemidique'."""
    words = name.split()
    if len(words) == 2 and words[1] == "acide":
        return f"acide {words[0]}"
    if len(words) == 2 and fold(words[1]) in _ANIONS:
        cation = words[0]
        link = "d'" if cation[:1] in "aeiouyh" else "de "
        return f"{words[1]} {link}{cation}"
    return name


def clean_substance(raw: str) -> str:
    name = raw.strip().lower()
    for suffix in _ASSOC_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    words = name.split()
    if len(words) > 1 and fold(words[-1]) in _SALT_ADJECTIVES:
        name = " ".join(words[:-1])
    name = _SALT_PREFIX.sub("", fold(name)) if _SALT_PREFIX.match(fold(name)) else name
    return display_dci(french_order(name))


def build_from_romedi(path: Path | None = None) -> DrugReference:
    path = path or _romedi_path()
    try:
        data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ReferenceDataError(f"the drug terminology {path.name} cannot be read") from e
    overrides = _atc_overrides()
    ref = DrugReference(source="romedi (edsnlp)", version=_edsnlp_version())
    for code, names in sorted(data.items()):
        lower = [n for n in names if n and not n.isupper() and n.lower() == n]
        upper = [n for n in names if n not in lower]
        if len(code) < 7:
            if lower:
                ref.atc_labels[code] = lower[0]
            for brand in upper:
                ref.add(DrugEntry(brand, fold(brand), code, (), "brand"))
            continue
        if code in overrides:
            substances = overrides[code]
        elif lower:
            substances = (clean_substance(lower[0]),)
        else:
            substances = ()
        if substances and len(substances) == 1:
            ref.add(DrugEntry(substances[0], fold(substances[0]), code, substances, "dci"))
        for name in lower:
            cleaned = clean_substance(name)
            if fold(cleaned) != fold(substances[0] if substances else ""):
                ref.add(DrugEntry(cleaned, fold(cleaned), code, substances or (cleaned,), "dci"))
        dci_keys = {fold(s) for s in substances}
        for name in upper:
            kind = "dci" if fold(name) in dci_keys else "brand"
            ref.add(DrugEntry(name, fold(name), code, substances, kind))
    return ref


def _edsnlp_version() -> str:
    try:
        from importlib.metadata import version

        return f"edsnlp {version('edsnlp')}"
    except Exception:  # pragma: no cover
        return "unknown"


@lru_cache(maxsize=1)
def default_reference() -> DrugReference:
    """The embedded reference, built once per process (well under a second)."""
    return build_from_romedi()
