"""The synthetic corpus: reproducible, well-formed spans, distractors without prescribed drugs."""

from __future__ import annotations

import pytest

from nlp_models.corpus import ENTITY_TYPES, LABELS, Example, check, distractor, generate, strip_accents


def test_generate_is_reproducible() -> None:
    a = generate(300, seed=5)
    b = generate(300, seed=5)
    assert [(x.text, x.spans) for x in a] == [(x.text, x.spans) for x in b]
    assert [x.text for x in generate(300, seed=6)] != [x.text for x in a]


def test_spans_are_well_formed() -> None:
    examples = generate(2000, seed=1)
    assert all(check(ex) for ex in examples)
    kinds = {label for ex in examples for _, _, label in ex.spans}
    assert kinds == set(ENTITY_TYPES)
    # spans never start or end on blanks
    for ex in examples:
        for s, e, _ in ex.spans:
            assert ex.text[s:e] == ex.text[s:e].strip()


def test_labels_are_bio() -> None:
    assert LABELS[0] == "O"
    assert len(LABELS) == 1 + 2 * len(ENTITY_TYPES)


def test_distractors_have_no_drug() -> None:
    import random

    rng = random.Random(3)
    for _ in range(300):
        for ex in distractor(rng):
            assert not any(label == "DRUG" for _, _, label in ex.spans)


def test_strip_accents_keeps_length() -> None:
    text = "Allergie : pénicilline ½ cp, œdème, µg"
    assert len(strip_accents(text)) == len(text)
    assert strip_accents("kaliémie") == "kaliemie"


def test_token_labels_follow_spans() -> None:
    pytest.importorskip("tokenizers")
    from nlp_models.train import LABEL2ID, build_tokenizer, token_labels

    examples = generate(500, seed=2)
    tok = build_tokenizer([ex.text for ex in examples], 800)
    ex = Example("KARDEGIC 75 mg : 1 sachet par jour",
                 [(0, 8, "DRUG"), (9, 14, "STRENGTH"), (17, 25, "DOSE"), (26, 34, "FREQUENCY")])
    enc = tok.encode(ex.text)
    labels = token_labels(enc.offsets, enc.special_tokens_mask, ex.spans)
    assert labels[0] == -100 and labels[-1] == -100  # [CLS], [SEP]
    first = {}
    for (s, _), lab in zip(enc.offsets, labels, strict=True):
        if lab >= 0:
            first.setdefault(s, lab)
    assert first[0] == LABEL2ID["B-DRUG"]
    assert first[9] == LABEL2ID["B-STRENGTH"]
    assert first[17] == LABEL2ID["B-DOSE"]
    assert first[26] == LABEL2ID["B-FREQUENCY"]
    assert first[15] == LABEL2ID["O"]  # ":"
