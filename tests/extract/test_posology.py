"""Posology grammar, one notation per case (EDS-NLP style: text in, expected value out)."""

from __future__ import annotations

import pytest

from recon.extract import posology as pos


@pytest.mark.parametrize(
    ("text", "per_day"),
    [
        ("1 cp matin et soir", 2),
        ("1 cp le matin", 1),
        ("1-0-1", 2),
        ("1-1-1", 3),
        ("1-1-1-1", 4),
        ("½-0-½", 2),
        ("0-0-1", 1),
        ("x3/j", 3),
        ("3x/j", 3),
        ("2 fois/j", 2),
        ("3 fois par jour", 3),
        ("deux fois par jour", 2),
        ("1 cp/j", 1),
        ("1 cp par jour", 1),
        ("toutes les 8 h", 3),
        ("toutes les 6 heures", 4),
        ("toutes les 12h", 2),
        ("1 j/2", 0.5),
        ("1 jour sur 2", 0.5),
        ("tous les 2 jours", 0.5),
        ("1 fois/sem le lundi", 1 / 7),
        ("1 fois par semaine", 1 / 7),
        ("1 cp le mercredi", 1 / 7),
        ("1 cp le dimanche matin à jeun", 1 / 7),
        ("1 cp le lundi, le mercredi et le vendredi", 3 / 7),
        ("1 cp le matin, 6 jours sur 7 (pas le dimanche)", 6 / 7),
        ("1 cp par jour, 5 jours sur 7", 5 / 7),
        ("du lundi au vendredi", 5 / 7),
        ("1 patch /72 h", 1 / 3),
        ("1 patch tous les 3 jours", 1 / 3),
        ("1 injection toutes les 4 semaines", 1 / 28),
        ("1 ampoule par mois", 1 / 30),
        ("1 ampoule tous les 3 mois", 1 / 90),
        ("1 gél à 8h, 12h, 16h et 20h", 4),
        ("1 cp le soir au coucher", 1),
        ("1 cp le matin au petit-déjeuner", 1),
        ("1 cp à jeun", 1),
        ("8 UI avant chaque repas", 3),
        ("1 cp matin + soir, avant les repas", 2),
        ("1 g/24 h", 1),
        ("1 000 ml sur 24 h", 1),
        ("2 g à l'induction (dose unique)", 1),
        ("2 cp si douleur, maximum 6 cp par jour", 6),  # divided by the dose in rules
        ("1 cp si angoisse, max 3/j", 3),
        ("1 cp si angoisse, jusqu'à 3 par jour", 3),
        ("1 cp si angoisse, 3 fois par jour au maximum", 3),
        ("1 goutte ODG matin et soir", 2),
        ("1 cp le matin (50 mg/j) pendant 3 semaines, puis 1 cp tous les 2 jours", 1),
        ("1 collyre (1 fl/mois) : 1 goutte matin et soir", 2),
    ],
)
def test_per_day(text: str, per_day: float) -> None:
    freq = pos.parse_frequency(text)
    assert freq is not None and freq.per_day == pytest.approx(per_day, abs=1e-4)


@pytest.mark.parametrize("text", ["", "1 cp", "QSP 3 mois", "si besoin", "ne pas écraser"])
def test_no_frequency(text: str) -> None:
    assert pos.parse_frequency(text) is None


def test_max_is_a_fallback_on_a_regular_line() -> None:
    freq = pos.parse_frequency("1 cp matin et soir, max 4/j", as_needed=False)
    assert freq is not None and freq.per_day == 2


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1 cp", 1, "comprimé"),
        ("2 cpr", 2, "comprimé"),
        ("½ cp", 0.5, "comprimé"),
        ("¼ de cp le soir", 0.25, "comprimé"),
        ("1/2 cp", 0.5, "comprimé"),
        ("1 cp et demi le soir", 1.5, "comprimé"),
        ("1 cp ½ le matin", 1.5, "comprimé"),
        ("2 cp ½ le matin", 2.5, "comprimé"),
        ("1 et demi cp", 1.5, "comprimé"),
        ("1 gél", 1, "gélule"),
        ("2 gélules", 2, "gélule"),
        ("1 sach à midi", 1, "sachet"),
        ("2 bouffées", 2, "bouffée"),
        ("2 bouff. matin et soir", 2, "bouffée"),
        ("1 inhalation", 1, "bouffée"),
        ("1 INH MATIN ET SOIR", 1, "bouffée"),
        ("3 gouttes par jour", 3, "goutte"),
        ("1 gtte ODG", 1, "goutte"),
        ("1 c. à café 4 fois/j", 1, "cuillère à café"),
        ("1 cuillère à soupe", 1, "cuillère à soupe"),
        ("1 ser. 1x/j", 1, "seringue"),
        ("1 lyoc si douleur", 1, "comprimé"),
        ("1 patch", 1, "patch"),
        ("1 suppositoire", 1, "suppositoire"),
        ("14 UI à 8 h", 14, "UI"),
        ("22 unités le soir", 22, "UI"),
        ("40 mg matin et midi", 40, "mg"),
        ("1 g/24 h pendant 7 jours", 1, "g"),
        ("1 000 ml/24 h", 1000, "ml"),
        ("(100 ml) 1 g IV toutes les 6 h", 1, "g"),
    ],
)
def test_dose(text: str, value: float, unit: str) -> None:
    dose = pos.parse_dose(text)
    assert dose is not None and (dose.value, dose.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "form", "value", "unit"),
    [
        ("1 matin et soir", "comprimé", 1, "comprimé"),
        ("1 le soir", "gélule", 1, "gélule"),
        ("1 si pas de selles depuis 3 jours", "suppositoire", 1, "suppositoire"),
        ("½ le soir", "comprimé", 0.5, "comprimé"),
    ],
)
def test_bare_dose_counts_units_of_the_form(text: str, form: str, value: float, unit: str) -> None:
    dose = pos.parse_dose(text, form=form)
    assert dose is not None and (dose.value, dose.unit) == (value, unit)


@pytest.mark.parametrize("text", ["", "matin et soir", "B/28  3", "QSP 3 mois"])
def test_no_dose(text: str) -> None:
    assert pos.parse_dose(text, form="comprimé") is None


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("75 mg", 75, "mg"),
        ("1 000 mg", 1000, "mg"),
        ("1000mg", 1000, "mg"),
        ("0,5 mg", 0.5, "mg"),
        ("2.5 mg", 2.5, "mg"),
        ("1 g", 1, "g"),
        ("100 microgrammes", 100, "µg"),
        ("75 µg", 75, "µg"),
        ("88 mcg", 88, "µg"),
        ("5 mg/ml", 5, "mg/ml"),
        ("100 UI/ml", 100, "UI/ml"),
        ("300 unités/ml", 300, "UI/ml"),
        ("25 µg/h", 25, "µg/h"),
        ("25 microgrammes/heure", 25, "µg/h"),
        ("9,5MG/24H", 9.5, "mg/24h"),
        ("100µG/DOS", 100, "µg/dose"),
        ("2,5 µg/dose", 2.5, "µg/dose"),
        ("50 microgrammes/ml", 50, "µg/ml"),
        ("0,005%", 0.005, "%"),
        ("50 000 UI", 50000, "UI"),
        ("4000 UI/0,4 ml", 4000, "UI"),
        ("2,5 mg/0,5 ml", 2.5, "mg"),
    ],
)
def test_strength(text: str, value: float, unit: str) -> None:
    strength = pos.parse_strength(text)
    assert strength is not None and (strength.value, strength.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "atc", "dose_unit", "value", "unit"),
    [
        ("75", "B01AC06", "sachet", 75, "mg"),
        ("20", "A02BC01", "gélule", 20, "mg"),
        ("0,4", "G04CA02", "gélule", 0.4, "mg"),
        ("100", "H03AA01", "comprimé", 100, "µg"),
        ("50", "H02AA02", "comprimé", 50, "µg"),
        ("10", "A06AD15", "sachet", 10, "g"),
    ],
)
def test_bare_strength_takes_the_usual_unit_of_its_class(text: str, atc: str, dose_unit: str, value: float,
                                                         unit: str) -> None:
    strength = pos.bare_strength(text, atc=atc, dose_unit=dose_unit)
    assert strength is not None and (strength.value, strength.unit) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "atc", "dose_unit"),
    [
        ("75 mg", "B01AC06", "sachet"),  # not bare: parse_strength reads it
        ("75", "B01AC06", None),  # no tablet, capsule or sachet counted
        ("28", "A10AE04", "UI"),  # an insulin: a bare number is a dose
        ("4000", "B01AB05", "seringue"),  # not an oral solid
        ("25", "G03AC09", "comprimé"),  # sex hormones: mg or µg
        ("500", "J01CR", "comprimé"),  # a class code: no single substance to know the unit of
        ("500", None, "comprimé"),
        ("0", "C07AB07", "comprimé"),
        ("4000", "A06AD15", "sachet"),  # more than a gram: part of the name ("MACROGOL 4000")
    ],
)
def test_bare_strength_not_guessed(text: str, atc: str | None, dose_unit: str | None) -> None:
    assert pos.bare_strength(text, atc=atc, dose_unit=dose_unit) is None


def test_combination_strength_is_the_first_component() -> None:
    strength = pos.parse_strength("200/6 µg/dose")
    assert strength is not None and strength.value == 200 and strength.text


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("pendant 10 jours", 10),
        ("pdt 10 j", 10),
        ("x 7 j", 7),
        ("durant 2 semaines", 14),
        ("pendant un mois", 30),
        ("pendant 3 semaines", 21),
        ("durée prévue 7 j", 7),
        ("x 48 h puis contrôle", 2),
        ("(dose unique)", 1),
        ("2 cp le matin pdt 5 j, puis 1 cp pdt 5 j", 5),
        ("1 g toutes les 8 h   IV   Pneumopathie - 7 jours", 7),
    ],
)
def test_duration(text: str, days: float) -> None:
    duration = pos.parse_duration(text)
    assert duration is not None and duration.days == pytest.approx(days)


@pytest.mark.parametrize("text", ["QSP 3 mois", "qsp 28 jours", "ordonnance pour 3 mois", "renouvelable 3 mois",
                                  "1 000 ml sur 24 h", "1 cp le matin", "1 si pas de selles depuis 3 jours",
                                  "1 patch tous les 3 jours", "contrôle dans 10 jours"])
def test_no_duration(text: str) -> None:
    assert pos.parse_duration(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("si besoin", True),
        ("SB", True),
        ("1 cp si douleur", True),
        ("1 cp si angoisse", True),
        ("1 cp si migraine", True),
        ("2 bouffées en cas de crise", True),
        ("1 gél après chaque selle liquide, max 6/j", True),
        ("à la demande", True),
        ("1 cp le matin", False),
        ("1 cp le soir (en cas de jeûne, ne pas arrêter)", False),
    ],
)
def test_as_needed(text: str, expected: bool) -> None:
    assert pos.parse_as_needed(text)[0] is expected


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("1 amp IV", "intraveineuse"),
        ("IVL 30 min", "intraveineuse"),
        ("IVSE", "intraveineuse"),
        ("1 inj SC", "sous-cutanée"),
        ("s/c", "sous-cutanée"),
        ("1 amp per os", "orale"),
        ("PO", "orale"),
        ("IM", "intramusculaire"),
        ("1 goutte dans les deux yeux", "ophtalmique"),
        ("1 gtte ODG", "ophtalmique"),
        ("sous la langue", "sublinguale"),
        ("en application locale", "cutanée"),
    ],
)
def test_route(text: str, route: str) -> None:
    assert pos.parse_route(text) == route


@pytest.mark.parametrize(
    ("text", "form", "route"),
    [
        ("cp", "comprimé", "orale"),
        ("CPR PELL", "comprimé", "orale"),
        ("gél", "gélule", "orale"),
        ("500 MG GEL", "gélule", "orale"),
        ("2,5 % gel", "gel", "cutanée"),
        ("EMULGEL", "gel", "cutanée"),
        ("caps", "capsule", "orale"),
        ("collyre", "collyre", "ophtalmique"),
        ("DISP TRANSD", "patch", "transdermique"),
        ("gttes buv", "gouttes buvables", "orale"),
        ("cp orodispersible", "comprimé orodispersible", "orale"),
        ("LP", "comprimé à libération prolongée", "orale"),
    ],
)
def test_form(text: str, form: str, route: str) -> None:
    assert pos.parse_form(text) == (form, route)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("1 cp le matin", "active"),
        ("ARRÊT", "stopped"),
        ("arrêté", "stopped"),
        ("STOP", "stopped"),
        ("suspendu", "suspended"),
        ("SUSPENDU - reprise selon créatinine", "suspended"),
        ("en pause", "suspended"),
        ("NOUVEAU", "new"),
        ("introduit pour constipation", "new"),
        ("- introduction (néphroprotection)", "new"),
        ("1 cp pendant 15 jours puis ARRÊT", "active"),
        ("NE PAS ARRÊTER - horaires stricts", "active"),
        ("introduit il y a 3 semaines par le médecin traitant", "active"),
        ("(débuté le 08/11)", "active"),
        ("interdoses adaptées au nouveau palier", "active"),
        ("suspension buvable en sachet", "active"),
        ("ne le prend plus depuis 2 mois", "stopped"),
        ("1 cp matin et soir (arrêt si créatinine > 150)", "active"),
        ("(arrêté le 12/03 par le cardiologue)", "stopped"),
    ],
)
def test_status(text: str, status: str) -> None:
    assert pos.parse_status(text) == status
