"""The embedded reference built from Romedi: cleaning of substance names, overrides, combinations."""

from __future__ import annotations

import pytest

from recon.reference import build_from_romedi, fold
from recon.reference.romedi import ORDINARY_WORDS, atc_overrides, clean_substance, french_order, split_combination


@pytest.fixture(scope="module")
def ref():
    return build_from_romedi()


def _best(ref, name):
    hits = ref.lookup(name)
    assert hits, name
    return sorted(hits, key=lambda e: (e.rank, not e.substances, len(e.atc or "") != 7))[0]


def test_french_order_and_cleaning() -> None:
    assert french_order("sodium chlorure") == "chlorure de sodium"
    assert french_order("pipemidique acide") == "acide pipemidique"
    assert clean_substance("ascorbique acide (vit c)") == "acide ascorbique"
    assert clean_substance("omeprazole") == "oméprazole"
    assert clean_substance("sodium picosulfate en association") == "picosulfate de sodium"


def test_split_combination() -> None:
    assert split_combination("valsartan, amlodipine et hydrochlorothiazide") == (
        ("valsartan", "amlodipine", "hydrochlorothiazide"), False)
    subs, partial = split_combination("ramipril et diuretiques")
    assert subs == ("ramipril",) and partial
    subs, partial = split_combination("immunoglobulines humaines polyvalentes, pour administration intravasculaire")
    assert subs == ("immunoglobulines humaines polyvalentes",)


@pytest.mark.parametrize("code,substances", [
    ("B01AC06", ("acide acétylsalicylique",)),
    ("A12BA01", ("chlorure de potassium",)),
    ("N02BE01", ("paracétamol",)),
    ("A02BC01", ("oméprazole",)),
])
def test_codes_have_french_dci(ref, code, substances) -> None:
    assert ref.substances_of_atc(code) == substances


def test_no_garbled_or_class_names_left(ref) -> None:
    names = {s for e in ref.entries for s in e.substances}
    assert "opioidesetamol" not in names
    assert not [n for n in names if n.endswith(" acide")]
    assert not [n for n in names if "en association" in n or "diuretiques" in n]


def test_brand_only_codes_get_a_dci(ref) -> None:
    for code in ("A12BA01", "B01AC06", "R03CC02", "S01ED02"):
        assert ref.substances_of_atc(code), code


def test_spelled_combination_entries(ref) -> None:
    entry = _best(ref, "DORZOLAMIDE TIMOLOL")
    assert entry.atc == "S01ED51"
    assert set(entry.substances) == {"dorzolamide", "timolol"}
    assert set(_best(ref, "CODOLIPRANE").substances) == {"paracétamol", "codéine"}
    assert _best(ref, "CODOLIPRANE").atc == "N02AJ06"


def test_recent_drugs_from_overrides(ref) -> None:
    assert _best(ref, "JARDIANCE").substances == ("empagliflozine",)
    assert _best(ref, "OZEMPIC").atc == "A10BJ06"
    assert set(_best(ref, "ENTRESTO").substances) == {"sacubitril", "valsartan"}


def test_ordinary_words_are_not_brands(ref) -> None:
    for word in ORDINARY_WORDS:
        assert all(e.kind != "brand" for e in ref.lookup(word)), word


def test_glued_brand_variants_are_harmless_aliases(ref) -> None:
    assert _best(ref, "DOLIPRANELIQUIZ").atc == "N02BE01"


def test_overrides_file_is_well_formed() -> None:
    for o in atc_overrides():
        assert o.code == "-" or len(o.code) in (5, 7), o
        assert o.substances or o.brands, o
        for s in o.substances:
            assert (s == s.strip() and s == s.lower()) or "(" in s, s


def test_every_entry_key_is_its_folded_name(ref) -> None:
    assert all(e.key == fold(e.name) for e in ref.entries)
    stats = ref.stats()
    assert stats["atc_codes"] > 1900 and stats["names"] > 5000
