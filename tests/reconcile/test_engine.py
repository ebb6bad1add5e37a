"""Reconciliation statuses, field-level changes, reasons and alerts on hand-built lines."""

from __future__ import annotations

from recon.models import ReconciliationLine, ReconciliationReport
from recon.reconcile import reconcile
from recon.reconcile.compare import SAME_DAILY_DOSE_NOTE, compare
from recon.reconcile.reasons import justification
from tests.reconcile.helpers import coverage, med, mlist


def run(before: list, after: list) -> ReconciliationReport:
    return reconcile(mlist(before, "city"), mlist(after, "hospital"))


def only(report: ReconciliationReport) -> ReconciliationLine:
    assert len(report.lines) == 1, [(ln.status, ln.before, ln.after) for ln in report.lines]
    return report.lines[0]


def fields(line: ReconciliationLine) -> set[str]:
    return {c.field for c in line.changes}


# -- statuses ------------------------------------------------------------------------------------


def test_same_line_is_unchanged() -> None:
    line = only(run([med("m1", "furosémide", strength=(40, "mg"))], [med("m1", "furosémide", strength=(40, "mg"))]))
    assert line.status == "unchanged" and not line.changes and line.reason is None


def test_brand_and_generic_are_unchanged_with_a_note() -> None:
    line = only(run([med("m1", "paracétamol", drug_text="DOLIPRANE", strength=(1000, "mg"))],
                    [med("m1", "paracétamol", drug_text="PARACETAMOL", strength=(1, "g"))]))
    assert line.status == "unchanged"
    assert line.note and "nom commercial" in line.note


def test_strength_change_is_modified() -> None:
    after = med("m1", "atorvastatine", strength=(40, "mg"), comment="1 cp le soir (majoration : LDL 1,6 g/l)")
    line = only(run([med("m1", "atorvastatine", strength=(20, "mg"))], [after]))
    assert line.status == "modified"
    assert fields(line) == {"strength"}
    change = line.changes[0]
    assert change.daily_dose_before and change.daily_dose_before.value == 20
    assert change.daily_dose_after and change.daily_dose_after.value == 40
    assert line.reason and "majoration" in line.reason


def test_same_class_is_substituted() -> None:
    line = only(run([med("m1", "ésoméprazole", strength=(20, "mg"))], [med("m1", "pantoprazole", strength=(20, "mg"))]))
    assert line.status == "substituted"
    assert fields(line) == {"substance"}


def test_absent_from_after_is_stopped_and_new_in_after_is_added() -> None:
    report = run([med("m1", "ramipril")], [med("m1", "bisoprolol")])
    assert sorted(ln.status for ln in report.lines) == ["added", "stopped"]


def test_stopped_in_after_is_stopped_with_its_reason() -> None:
    line = only(run([med("m1", "ramipril", strength=(5, "mg"))],
                    [med("m1", "ramipril", strength=None, dose=None, per_day=None, status="stopped",
                         comment="arrêt en raison d'une hyperkaliémie à 6,1")]))
    assert line.status == "stopped"
    assert line.reason and "hyperkaliémie" in line.reason


def test_suspended_in_after_is_suspended() -> None:
    line = only(run([med("m1", "metformine", strength=(1000, "mg"))],
                    [med("m1", "metformine", strength=(1000, "mg"), dose=None, per_day=None, status="suspended",
                         comment="SUSPENDU (injection de produit de contraste)")]))
    assert line.status == "suspended"
    assert line.reason and "contraste" in line.reason


def test_a_line_with_no_posology_that_says_suspended_is_suspended() -> None:
    after = med("m1", "amlodipine", strength=None, dose=None, per_day=None,
                text="- Amlodipine suspendu, à réintroduire selon la tension")
    line = only(run([med("m1", "amlodipine", strength=(5, "mg"))], [after]))
    assert line.status == "suspended"


def test_not_taken_up_is_stopped() -> None:
    after = med("m1", "furosémide", strength=None, dose=None, per_day=None,
                text="Traitement personnel non repris : LASILIX (insuffisance rénale)")
    assert only(run([med("m1", "furosémide")], [after])).status == "stopped"


def test_never_stop_is_not_a_stop() -> None:
    after = med("m1", "furosémide", strength=None, dose=None, per_day=None, text="LASILIX : ne pas arrêter")
    assert only(run([med("m1", "furosémide")], [after])).status != "stopped"


def test_a_regimen_that_ends_is_prescribed_not_stopped() -> None:
    before = med("m1", "ramipril")
    after = med("m2", "prednisone", strength=(20, "mg"), dose=(2, "comprimé"), duration_days=5, status="stopped",
                text="CORTANCYL 20 mg : 2 cp le matin pendant 5 jours, puis 1 cp pendant 5 jours, puis arrêt")
    report = run([before], [after])
    assert {ln.status for ln in report.lines} == {"stopped", "added"}
    added = next(ln for ln in report.lines if ln.after == "m2")
    assert added.status == "added"


def test_taper_of_a_usual_drug_is_modified() -> None:
    before = med("m1", "furosémide", strength=(1, "mg"), dose=(1, "comprimé"), per_day=2)
    after = med("m1", "furosémide", strength=(1, "mg"), dose=(0.5, "comprimé"), per_day=2, duration_days=7,
                status="stopped", text="½ cp matin et soir pendant 7 jours, puis arrêt - sevrage progressif")
    line = only(run([before], [after]))
    assert line.status == "modified"
    assert {"dose", "duration"} <= fields(line)


def test_stop_named_in_after_only_needs_review() -> None:
    report = run([], [med("m1", "millepertuis", strength=None, dose=None, per_day=None, status="stopped")])
    line = only(report)
    assert line.status == "stopped" and line.needs_review


def test_a_name_quoted_without_posology_in_a_prescribed_list_is_a_stop() -> None:
    before = [med("m1", "furosémide"), med("m2", "metformine"), med("m3", "ramipril")]
    after = [med("m1", "furosémide", strength=None, dose=None, per_day=None, text="Antécédents : ..., Lasilix, ..."),
             med("m2", "metformine"), med("m3", "ramipril")]
    line = next(ln for ln in run(before, after).lines if ln.before == "m1")
    assert line.status == "stopped" and line.needs_review


def test_a_change_written_in_after_makes_the_line_modified() -> None:
    before = med("m1", "furosémide", dose=(1, "comprimé"))
    after = med("m1", "furosémide", dose=(1, "comprimé"), comment="1 cp le soir (INR 3,8 ; dose réduite)")
    line = only(run([before], [after]))
    assert line.status == "modified" and line.needs_review
    assert fields(line) == {"dose"}


def test_an_interaction_warning_is_not_a_change_of_dose() -> None:
    after = med("m1", "furosémide", comment="1 cp le matin (majoration du risque hémorragique avec l'AINS)")
    assert only(run([med("m1", "furosémide")], [after])).status == "unchanged"


# -- change fields -------------------------------------------------------------------------------


def test_dose_change() -> None:
    changes = compare(med("b", "furosémide", dose=(1, "comprimé")), med("a", "furosémide", dose=(1.5, "comprimé")))
    assert [c.field for c in changes] == ["dose"]


def test_frequency_change() -> None:
    changes = compare(med("b", "metformine", per_day=2), med("a", "metformine", per_day=3))
    assert [c.field for c in changes] == ["frequency"]


def test_route_change_is_also_a_form_change() -> None:
    b = med("b", "paracétamol", strength=(1, "g"), dose=(1, "comprimé"), route="orale", form="comprimé")
    a = med("a", "paracétamol", strength=(10, "mg/ml"), dose=(1, "g"), route="intraveineuse")
    changes = compare(b, a)
    # a concentration against a unit strength is another presentation, not another dosage
    assert {"route", "form"} <= {c.field for c in changes} and "strength" not in {c.field for c in changes}
    assert changes[0].daily_dose_before == changes[0].daily_dose_after


def test_form_change_from_the_units_of_the_doses() -> None:
    changes = compare(med("b", "pantoprazole", dose=(1, "gélule")), med("a", "pantoprazole", dose=(1, "comprimé")))
    assert [c.field for c in changes] == ["form"]


def test_duration_given_in_after_is_a_change() -> None:
    changes = compare(med("b", "atorvastatine"), med("a", "atorvastatine", duration_days=15))
    assert [c.field for c in changes] == ["duration"]


def test_as_needed_change() -> None:
    changes = compare(med("b", "paracétamol", as_needed=True), med("a", "paracétamol", as_needed=False))
    assert [c.field for c in changes] == ["as_needed"]


def test_same_daily_dose_other_schedule_is_modified_with_a_note() -> None:
    line = only(run([med("m1", "furosémide", strength=(20, "mg"), per_day=2)],
                    [med("m1", "furosémide", strength=(40, "mg"), per_day=1)]))
    assert line.status == "modified"
    assert {"strength", "frequency"} <= fields(line)
    assert line.note and SAME_DAILY_DOSE_NOTE in line.note


# -- what is not a change ------------------------------------------------------------------------


def test_grams_and_milligrams() -> None:
    assert not compare(med("b", "paracétamol", strength=(1, "g")), med("a", "paracétamol", strength=(1000, "mg")))


def test_one_tablet_of_40_mg_is_40_mg() -> None:
    b = med("b", "furosémide", strength=(40, "mg"), dose=(1, "comprimé"))
    a = med("a", "furosémide", strength=(40, "mg"), dose=(40, "mg"))
    assert not compare(b, a)


def test_a_value_missing_on_one_side_is_unknown_not_changed() -> None:
    b = med("b", "furosémide", strength=(40, "mg"), per_day=None, route=None)
    a = med("a", "furosémide", strength=None, per_day=2, route="orale")
    assert not compare(b, a)


def test_capsule_is_gelule_and_concentrations_convert() -> None:
    assert not compare(med("b", "pantoprazole", dose=(1, "gélule")), med("a", "pantoprazole", dose=(1, "capsule")))
    b = med("b", "latanoprost", strength=(0.005, "%"), dose=(1, "goutte"), route="ophtalmique")
    a = med("a", "latanoprost", strength=(50, "µg/ml"), dose=(1, "goutte"), route="ophtalmique")
    assert not compare(b, a)


def test_tablet_forms_of_one_family_and_per_dose_units() -> None:
    b = med("b", "metformine", form="comprimé", dose=(1, "comprimé"))
    a = med("a", "metformine", form="comprimé orodispersible", dose=(1, "comprimé"))
    assert not compare(b, a)
    b = med("b", "salbutamol", strength=(100, "µg"), dose=(2, "bouffée"), route="inhalée")
    a = med("a", "salbutamol", strength=(100, "µg/dose"), dose=(2, "bouffée"), route="inhalée")
    assert not compare(b, a)


def test_if_needed_written_but_not_flagged_is_not_a_change() -> None:
    b = med("b", "paracétamol", as_needed=False, comment="1 cp si douleur")
    a = med("a", "paracétamol", as_needed=True, comment="1 cp si douleur, max 3/j")
    assert not compare(b, a)


def test_no_posology_before_is_unknown_but_a_written_change_counts() -> None:
    b = med("m1", "furosémide", strength=(40, "mg"), dose=None, per_day=None)
    assert not compare(b, med("m1", "furosémide", strength=(40, "mg"), dose=(2, "comprimé"), per_day=1))
    after = med("m1", "furosémide", strength=(40, "mg"), dose=(2, "comprimé"), per_day=1,
                comment="2 cp le matin (dose doublée : décompensation cardiaque)")
    line = only(run([b], [after]))
    assert line.status == "modified" and fields(line) == {"dose"}
    assert line.reason and "décompensation" in line.reason


def test_a_continued_name_without_posology_is_not_a_stop() -> None:
    before = [med("m1", "furosémide"), med("m2", "metformine"), med("m3", "ramipril")]
    after = [med("m1", "furosémide", strength=None, dose=None, per_day=None, text="LASILIX : poursuivi"),
             med("m2", "metformine"), med("m3", "ramipril")]
    line = next(ln for ln in run(before, after).lines if ln.before == "m1")
    assert line.status == "unchanged"


# -- pairing -------------------------------------------------------------------------------------


def test_same_drug_twice_pairs_each_strength_with_its_match() -> None:
    before = [med("m1", "lévothyroxine", strength=(75, "µg")), med("m2", "lévothyroxine", strength=(25, "µg"))]
    after = [med("m1", "lévothyroxine", strength=(25, "µg")), med("m2", "lévothyroxine", strength=(75, "µg"))]
    report = run(before, after)
    assert {(ln.before, ln.after, ln.status) for ln in report.lines} == {("m1", "m2", "unchanged"),
                                                                         ("m2", "m1", "unchanged")}


def test_two_strengths_become_one_the_other_line_stops_with_review() -> None:
    before = [med("m1", "lévothyroxine", strength=(75, "µg")), med("m2", "lévothyroxine", strength=(25, "µg"))]
    after = [med("m1", "lévothyroxine", strength=(100, "µg"))]
    report = run(before, after)
    assert sorted(ln.status for ln in report.lines) == ["modified", "stopped"]
    stopped = next(ln for ln in report.lines if ln.status == "stopped")
    assert stopped.needs_review and any("deux lignes" in r for r in stopped.review_reasons)
    assert stopped.note and "totale" in stopped.note and "inchangée" in stopped.note


def test_a_repeated_line_joins_the_first() -> None:
    before = [med("m1", "furosémide"), med("m2", "furosémide")]  # two dispensings
    report = run(before, [med("m1", "furosémide")])
    assert [(ln.before, ln.after, ln.status) for ln in report.lines] == [("m1", "m1", "unchanged"),
                                                                          ("m2", None, "unchanged")]
    assert report.lines[1].needs_review and report.lines[1].note


def test_same_drug_is_preferred_to_same_class() -> None:
    report = run([med("m1", "atorvastatine")], [med("m1", "simvastatine"), med("m2", "atorvastatine")])
    assert {(ln.before, ln.after, ln.status) for ln in report.lines} == {("m1", "m2", "unchanged"),
                                                                         (None, "m1", "added")}


def test_written_replacement_wins_over_a_name_quoted_in_a_paragraph() -> None:
    before = [med("m1", "ésoméprazole", strength=(20, "mg"), drug_text="INEXIUM")]
    after = [
        med("m1", "ésoméprazole", strength=None, dose=None, per_day=None, drug_text="Inexium",
            text="Traitement habituel : Inexium, Kardégic"),
        med("m2", "pantoprazole", strength=(40, "mg"), comment="1 cp le matin (remplace INEXIUM, livret)"),
        med("m3", "furosémide"),
    ]
    report = run(before, after)
    sub = next(ln for ln in report.lines if ln.status == "substituted")
    assert (sub.before, sub.after) == ("m1", "m2")
    assert sub.reason and "remplace INEXIUM" in sub.reason
    assert coverage(report)["after", "m1"] == 1
    mention = next(ln for ln in report.lines if ln.after == "m1")
    assert mention.status == "unchanged" and mention.before is None and mention.needs_review


def test_combination_whose_link_lost_a_component_still_pairs() -> None:
    before = [med("m1", "fluticasone", drug_text="SERETIDE")]
    before[0].substances[0].name = "fluticasone"
    before[0].substances.append(before[0].substances[0].model_copy(update={"name": "salmétérol"}))
    after = [med("m1", "fluticasone", drug_text="FLUTICASONE/SALMETEROL", text="FLUTICASONE/SALMETEROL 250/50")]
    line = only(run(before, after))
    assert line.status == "unchanged"


# -- alerts --------------------------------------------------------------------------------------


def test_two_drugs_of_one_class_in_a_list_need_review() -> None:
    report = run([], [med("m1", "bisoprolol"), med("m2", "nébivolol")])
    assert all(ln.needs_review for ln in report.lines)
    assert any("même classe ATC" in r for r in report.lines[0].review_reasons)


def test_unknown_drug_needs_review() -> None:
    line = only(run([med("m1", "plante inconnue", link="none")], []))
    assert line.needs_review and any("référentiel" in r for r in line.review_reasons)


def test_ambiguous_pairing_needs_review() -> None:
    before = [med("m1", "ésoméprazole"), med("m2", "atorvastatine")]
    after = [med("m1", "pantoprazole"), med("m2", "simvastatine")]
    report = run(before, after)
    assert {ln.status for ln in report.lines} == {"substituted"}
    report = run([med("m1", "ésoméprazole")], [med("m1", "pantoprazole"), med("m2", "pantoprazole", per_day=1)])
    assert any(ln.needs_review for ln in report.lines)


# -- reasons -------------------------------------------------------------------------------------


def test_justification_drops_posology_dates_and_status_words() -> None:
    assert justification("1 cp le matin | PO | 20/03/2024") is None
    assert justification("1 cp le soir | PO | 20/03/2024 | Équivalence livret pour rosuvastatine") == (
        "Équivalence livret pour rosuvastatine")
    assert justification("1 cp matin et soir pendant 15 jours puis ARRÊT (hyponatrémie à 128 mmol/l)") == (
        "hyponatrémie à 128 mmol/l")
    assert justification("SUSPENDU") is None
    assert justification("1 cp si douleur") is None
