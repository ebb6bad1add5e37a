"""Folding, substance keys and the accented DCI lexicon."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from recon.reference.names import accented_names, display_dci, fold, substance_key


@given(st.text(max_size=60))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=60))
def test_fold_output_alphabet(text: str) -> None:
    folded = fold(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert folded == folded.lower()


def test_fold_examples() -> None:
    assert fold("Kardégic®-75") == "kardegic 75"
    assert fold("  ACIDE   ACÉTYLSALICYLIQUE ") == "acide acetylsalicylique"
    assert fold("cœur") == "coeur"


def test_substance_key_removes_salts_and_order() -> None:
    assert substance_key("chlorhydrate de tramadol") == substance_key("tramadol")
    assert substance_key("acide acétylsalicylique") == substance_key("ACETYLSALICYLIQUE ACIDE")


def test_accent_lexicon_is_consistent() -> None:
    lexicon = accented_names()
    assert len(lexicon) >= 500
    for key, name in lexicon.items():
        assert fold(name) == key
        assert name == name.strip() and name == name.lower()


def test_display_dci() -> None:
    assert display_dci("PARACETAMOL") == "paracétamol"
    assert display_dci("acide acetylsalicylique") == "acide acétylsalicylique"
    assert display_dci("unknownium") == "unknownium"
