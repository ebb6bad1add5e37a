"""The linker: exact names, noise words, typos, combinations, score scale, speed."""

from __future__ import annotations

import statistics
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recon.link import FUZZY_CUTOFF, REVIEW_BELOW, Linker, LinkResult, default_linker
from recon.link.linker import max_edits


@pytest.fixture(scope="module")
def linker() -> Linker:
    return default_linker()


def test_thresholds() -> None:
    assert 0 < FUZZY_CUTOFF < REVIEW_BELOW < 1
    assert max_edits(4) == 0 and max_edits(6) == 1 and max_edits(10) == 2 and max_edits(14) == 3
    assert max_edits(6, lenient=True) == 2


@pytest.mark.parametrize("text", ["KARDEGIC 75", "Kardégic", "aspirine", "ACIDE ACETYLSALICYLIQUE",
                                  "acide acétylsalicylique", "KARDEGIC 75 mg poudre", "kardegic"])
def test_aspirin_names(linker, text) -> None:
    result = linker.link(text)
    assert result.atc == "B01AC06", text
    assert result.substances == ("acide acétylsalicylique",)
    assert result.method == "exact" and result.score == 1.0


@pytest.mark.parametrize("text,atc", [
    ("TAHOR 20", "C10AA05"), ("TAHOR 20 mg", "C10AA05"), ("DOLIPRANE 1000", "N02BE01"),
    ("ATORVASTATINE BIOGARAN", "C10AA05"), ("HUMALOG KwikPen", "A10AB04"), ("SPASFON LYOC", "A03AX12"),
    ("Ramipril (TRIATEC)", "C09AA05"), ("ADVIL (ibuprofène)", "M01AE01"), ("MACROGOL 4000", "A06AD15"),
    ("JARDIANCE", "A10BK03"), ("SERETIDE DISKUS", "R03AK06"), ("Codoliprane", "N02AJ06"),
])
def test_noise_words_and_parentheses(linker, text, atc) -> None:
    result = linker.link(text)
    assert result.atc == atc, (text, result)
    assert result.method == "exact"


@pytest.mark.parametrize("text,atc", [
    ("KARDEGYC", "B01AC06"), ("amoxiciline", "J01CA04"), ("Donezepil", "N06DA02"), ("paracetamool", "N02BE01"),
    ("atorvastatinne", "C10AA05"), ("bisoprolool", "C07AB07"), ("SERETID DISKUS", "R03AK06"),
    ("metformnie", "A10BA02"),
])
def test_typos(linker, text, atc) -> None:
    result = linker.link(text)
    assert result.atc == atc, (text, result)
    assert result.method == "fuzzy"
    assert FUZZY_CUTOFF <= result.score < 1.0


@pytest.mark.parametrize("text,substances", [
    ("LEVODOPA/BENSERAZIDE", {"lévodopa", "bensérazide"}),
    ("paracétamol + codéine", {"paracétamol", "codéine"}),
    ("amoxicilline et acide clavulanique", {"amoxicilline", "acide clavulanique"}),
    ("AMOXICILLINE/AC. CLAVULANIQUE", {"amoxicilline", "acide clavulanique"}),
    ("FLUTICASONE/SALMETEROL", {"fluticasone", "salmétérol"}),
    ("DORZOLAMIDE/TIMOLOL", {"dorzolamide", "timolol"}),
    ("perindoprl/indapamide", {"périndopril", "indapamide"}),
])
def test_combinations(linker, text, substances) -> None:
    result = linker.link(text)
    assert set(result.substances) == substances, (text, result)
    assert result.atc is not None and len(result.atc) >= 5


def test_word_order(linker) -> None:
    assert linker.link("acetylsalicylique acide").atc in {"B01AC06", "N02BA01", "A01AD05"}
    assert linker.fuzzy("clavulanique acide amoxicilline").entry is not None


def test_unknown_and_empty(linker) -> None:
    assert linker.link("").method == "none"
    assert linker.link("zzzzqqqq").method == "none"
    assert not linker.link("xy").linked
    assert linker.fuzzy("matin").entry is None


def test_exact_is_what_the_extractor_uses(linker) -> None:
    assert linker.exact("kardegic")[0].atc == "B01AC06"
    assert linker.exact("chlorhydrate de tramadol")  # salt-stripped alias
    assert linker.exact("tahor 20") == []  # the extractor cuts strengths itself


def test_link_result_fields(linker) -> None:
    result = linker.link("KARDEGYC", limit=3)
    assert isinstance(result, LinkResult)
    assert result.linked and result.entry is not None and len(result.candidates) <= 3
    assert all(0 < score <= 1 for _, score in result.candidates)


NAMES = sorted(default_linker().reference.keys())


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NAMES))
def test_a_name_links_to_itself_with_score_one(name: str) -> None:
    linker = default_linker()
    result = linker.link(name)
    assert result.score == 1.0 and result.method == "exact"
    assert result.entry is not None and result.entry in linker.reference.lookup(name)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([n for n in NAMES if len(n) >= 8 and " " not in n]))
def test_fuzzy_against_itself_scores_one(name: str) -> None:
    result = default_linker().fuzzy(name)
    assert result.entry is not None and result.score == 1.0


def test_fuzzy_speed(linker) -> None:
    queries = ["kardegyc", "amoxiciline", "donezepil", "paracetamool", "seretid diskus", "atorvastatinne",
               "bisoprolool", "metformnie", "levothyroxin", "esomeprazol"] * 5
    linker.link(queries[0])
    times = []
    for q in queries:
        t0 = time.perf_counter()
        linker.link(q)
        times.append(time.perf_counter() - t0)
    assert statistics.median(times) < 0.005  # 2 ms expected; slack for loaded test machines
