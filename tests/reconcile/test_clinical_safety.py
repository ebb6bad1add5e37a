"""What the report must never get wrong: omissions told apart, duplicates kept and flagged, daily doses of
patches, solutions, injectables, weekly and as-needed drugs, products of one substance, unknown ≠ equal."""

from __future__ import annotations

from recon.messages import POSSIBLE_OMISSION
from recon.models import Frequency, Medication, Quantity, ReconciliationReport
from recon.reconcile import reconcile
from recon.reconcile.compare import compare, daily_dose
from tests.reconcile.helpers import coverage, med, mlist


def run(before: list, after: list) -> ReconciliationReport:
    return reconcile(mlist(before, "city"), mlist(after, "hospital"))


def q(value: float, unit: str) -> Quantity:
    return Quantity(value=value, unit=unit)


# -- omissions -----------------------------------------------------------------------------------


def test_a_usual_drug_silently_absent_is_a_possible_omission() -> None:
    report = run([med("m1", "furosémide"), med("m2", "ramipril")], [med("m1", "furosémide")])
    line = next(ln for ln in report.lines if ln.before == "m2")
    assert line.status == "stopped" and line.omission is True and line.documented is False
    assert line.needs_review and any(POSSIBLE_OMISSION in r for r in line.review_reasons)
    kept = next(ln for ln in report.lines if ln.before == "m1")
    assert kept.omission is None and kept.documented is None


def test_a_written_stop_with_its_reason_is_documented_not_an_omission() -> None:
    after = [med("m1", "ramipril", status="stopped", dose=None, per_day=None,
                 comment="arrêt : hypotension orthostatique")]
    line = run([med("m1", "ramipril")], after).lines[0]
    assert line.status == "stopped" and line.documented is True and not line.omission


def test_a_drug_already_stopped_at_home_is_not_an_omission() -> None:
    line = run([med("m1", "ramipril", status="stopped")], []).lines[0]
    assert line.status == "stopped" and not line.omission


# -- duplicates ----------------------------------------------------------------------------------


def test_two_prescriptions_of_one_substance_stay_two_lines_with_an_alert() -> None:
    before = [med("m1", "furosémide", strength=(40, "mg"), dose=(1, "comprimé"), per_day=1, drug_text="LASILIX")]
    after = [med("m1", "furosémide", strength=(40, "mg"), dose=(1, "comprimé"), per_day=1, drug_text="LASILIX"),
             med("m2", "furosémide", strength=(40, "mg"), dose=(2, "comprimé"), per_day=1, drug_text="FUROSEMIDE")]
    report = run(before, after)
    coverage(report)
    assert {ln.after for ln in report.lines} == {"m1", "m2"}
    dup = [ln for ln in report.lines if ln.duplicate]
    assert len(dup) == 2 and all(ln.needs_review for ln in dup)
    assert any("120 mg" in (ln.note or "") for ln in dup)  # the substance's real total: 40 + 80 mg


def test_a_restated_line_is_one_medication_not_a_duplicate() -> None:
    report = run([med("m1", "furosémide")], [med("m1", "furosémide"), med("m2", "furosémide")])
    assert not any(ln.duplicate for ln in report.lines)


# -- unknown is not equal ------------------------------------------------------------------------


def test_a_dose_written_on_one_side_only_is_flagged() -> None:
    b = med("m1", "atorvastatine", strength=(20, "mg"), dose=(2, "comprimé"), per_day=1)
    a = med("m1", "atorvastatine", strength=(20, "mg"), dose=None, per_day=1)
    line = run([b], [a]).lines[0]
    assert line.status == "unchanged" and line.needs_review
    assert any("dose" in r and "non vérifiable" in r for r in line.review_reasons)


# -- products of one substance -------------------------------------------------------------------


def test_prolonged_to_immediate_release_is_not_unchanged() -> None:
    b = med("m1", "morphine", strength=(30, "mg"), dose=(1, "gélule"), per_day=2, drug_text="SKENAN LP",
            form="gélule à libération prolongée")
    a = med("m1", "morphine", strength=(30, "mg"), dose=(1, "gélule"), per_day=2, drug_text="ACTISKENAN",
            form="gélule")
    line = run([b], [a]).lines[0]
    assert line.status == "modified" and "form" in {c.field for c in line.changes}


def with_atc(m: Medication, code: str) -> Medication:
    m.atc = code
    for s in m.substances:
        s.atc = code
    return m


def test_another_product_code_of_the_same_substance_is_a_change() -> None:
    b = with_atc(med("m1", "insuline asparte", strength=None, dose=(10, "UI"), per_day=1, drug_text="NOVORAPID"),
                 "A10AB05")
    a = with_atc(med("m1", "insuline asparte", strength=None, dose=(10, "UI"), per_day=1, drug_text="NOVOMIX 30"),
                 "A10AD05")
    assert "form" in {c.field for c in compare(b, a)}


def test_a_dci_code_of_another_anatomy_is_not_a_product_change() -> None:
    b = with_atc(med("m1", "timolol", strength=(0.5, "%"), dose=(1, "goutte"), per_day=2, drug_text="TIMOPTOL",
                     route="ophtalmique"), "S01ED01")
    a = with_atc(med("m1", "timolol", strength=(0.5, "%"), dose=(1, "goutte"), per_day=2, drug_text="TIMOLOL",
                     route="ophtalmique"), "C07AA06")
    assert not compare(b, a)


# -- daily doses ---------------------------------------------------------------------------------


def test_patch_daily_dose_is_the_rate_over_24_hours() -> None:
    patch = med("m1", "fentanyl", strength=(25, "µg/h"), dose=(1, "patch"), per_day=1 / 3, route="transdermique")
    assert daily_dose(patch) == q(0.6, "mg")
    twice = med("m1", "fentanyl", strength=(50, "µg/h"), dose=(1, "patch"), per_day=1 / 3)
    line = run([patch], [twice]).lines[0]
    change = line.changes[0]
    assert change.daily_dose_before == q(0.6, "mg") and change.daily_dose_after == q(1.2, "mg")
    nicotine = med("m1", "nicotine", strength=(21, "mg/24h"), dose=(1, "patch"), per_day=1)
    assert daily_dose(nicotine) == q(21, "mg")


def test_oral_solution_daily_dose_goes_through_the_concentration() -> None:
    sol = med("m1", "lévétiracétam", strength=(100, "mg/ml"), dose=(5, "ml"), per_day=2)
    assert daily_dose(sol) == q(1000, "mg")
    tablets = med("m1", "lévétiracétam", strength=(500, "mg"), dose=(1, "comprimé"), per_day=2)
    changes = compare(tablets, sol)
    assert "strength" not in {c.field for c in changes}  # 500 mg tablet → 100 mg/ml solution: another form
    assert "form" in {c.field for c in changes}
    assert all(c.daily_dose_before == c.daily_dose_after == q(1000, "mg") for c in changes)


def test_a_count_of_a_concentration_is_unknown_not_a_guess() -> None:
    amp = med("m1", "paracétamol", strength=(10, "mg/ml"), dose=(1, "flacon"), per_day=4)
    assert daily_dose(amp) is None
    iv = med("m1", "paracétamol", strength=(10, "mg/ml"), dose=(1, "g"), per_day=4, route="intraveineuse")
    assert daily_dose(iv) == q(4000, "mg")


def test_injectable_units_per_syringe() -> None:
    inj = med("m1", "énoxaparine", strength=(4000, "UI"), dose=(1, "seringue"), per_day=1, route="sous-cutanée")
    assert daily_dose(inj) == q(4000, "UI")


def test_weekly_drug_is_never_a_daily_dose_of_its_weekly_amount() -> None:
    weekly = med("m1", "alendronate", strength=(70, "mg"), dose=(1, "comprimé"), per_day=1 / 7)
    dd = daily_dose(weekly)
    assert dd is not None and abs(dd.value - 10) < 1e-3
    daily = med("m1", "alendronate", strength=(70, "mg"), dose=(1, "comprimé"), per_day=1)
    line = run([weekly], [daily]).lines[0]
    assert line.status == "modified" and "frequency" in {c.field for c in line.changes}


def test_as_needed_daily_dose_is_the_written_maximum() -> None:
    prn = med("m1", "paracétamol", strength=(1, "g"), dose=(1, "comprimé"), per_day=3, as_needed=True)
    prn.frequency = Frequency(per_day=3, max_per_day=3, max_dose=q(3, "comprimé"))
    assert daily_dose(prn) == q(3000, "mg")
    grams = med("m1", "paracétamol", strength=None, dose=(1, "g"), per_day=None, as_needed=True)
    grams.frequency = Frequency(per_day=None, max_dose=q(3, "g"))
    assert daily_dose(grams) == q(3000, "mg")


def test_a_changed_maximum_is_a_change() -> None:
    b = med("m1", "morphine", strength=(5, "mg"), dose=(1, "gélule"), per_day=6, as_needed=True)
    b.frequency = Frequency(per_day=6, max_per_day=6)
    a = med("m1", "morphine", strength=(5, "mg"), dose=(1, "gélule"), per_day=4, as_needed=True)
    a.frequency = Frequency(per_day=4, max_per_day=4)
    assert "frequency" in {c.field for c in compare(b, a)}


# -- no false alarms -----------------------------------------------------------------------------


def test_a_deduced_dose_unit_names_no_form() -> None:
    b = med("m1", "amlodipine", strength=(5, "mg"), dose=(1, "gélule"), per_day=1, form="gélule")
    a = med("m1", "amlodipine", strength=(5, "mg"), dose=None, per_day=1)
    a.dose = Quantity(value=1, unit="comprimé", text="1")  # "1-0-0": no form written
    assert "form" not in {c.field for c in compare(b, a)}


def test_a_form_change_names_forms_not_units_of_mass() -> None:
    b = med("m1", "paracétamol", strength=(500, "mg"), dose=(1, "gélule"), per_day=4)
    a = med("m1", "paracétamol", strength=(10, "mg/ml"), dose=(1, "g"), per_day=4, route="intraveineuse")
    form = next(c for c in compare(b, a) if c.field == "form")
    assert form.before == "gélule" and form.after != "g"
