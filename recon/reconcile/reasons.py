"""Find the justification written near a line: "arrêt … en raison de …", "majoration …", "(hyperkaliémie)"."""

from __future__ import annotations

import re

from recon.models import Medication

_POSOLOGY_ONLY = re.compile(
    r"^[\s\d,./½¼¾xX×:|\-–]*(?:(?:cp|cpr|comprimés?|gél(?:ules?)?|sachets?|bouffées?|gouttes?|UI|mg|g|µg|ml|amp"
    r"|le|la|les|au|à|a|de|du|par|jour|j|fois|matin|midi|soir|coucher|et|en|PO|IV|SC|IM|INH|OPH|si|besoin"
    r"|douleur|max|h|avant|après|repas|jeun|ODG|poursuivi|inchangé|traitement|personnel|\d+/\d+/\d+)"
    r"[\s\d,./½¼¾xX×:|\-–()]*)*$",
    re.IGNORECASE,
)
_CUE = re.compile(
    r"en\s+raison|pour\s|car\s|suite|motif|→|=>|\bdû\b|contre-indication|\bCI\b|hyper|hypo|insuffisance|effet"
    r"|intol[ée]rance|iatrog|[ée]quivalence|livret|remplac|relais|adapt|major|diminu|r[ée]duit|augment|introdu"
    r"|nouveau|arr[êe]t|suspen|reprise|reprendre|non\s+r[ée]f[ée]renc|hors\s+livret|\(|:|—|\s-\s",
    re.IGNORECASE,
)


def reason_for(*meds: Medication | None) -> str | None:
    """The first comment of the given lines that carries a justification, as written."""
    for med in meds:
        if med is None or not med.comment:
            continue
        comment = med.comment.strip()
        if _POSOLOGY_ONLY.match(comment):
            continue
        if _CUE.search(comment) or len(comment.split()) >= 3:
            return comment[:300]
    return None
