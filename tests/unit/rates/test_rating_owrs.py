"""OWRS import and export: a small document modeled on a published budget-rate file."""

from datetime import date

import pytest
import yaml

from cistern.rates.domain import Rater, RatingAttributes, VolumeUnit
from cistern.rates.domain.owrs import OwrsError, read_owrs
from cistern.rates.domain.owrs_export import write_owrs
from tests.unit.rates.rating_cast import JULY, D

# Modeled on a California district's OWRS file (numbers our own).
CREEKSIDE = """
metadata:
  effective_date: 2025-07-01
  utility_name: "Creekside Water District"
  bill_frequency: monthly
rate_structure:
  RESIDENTIAL_SINGLE:
    - gpcd: 74.8
    - landscape_factor: 0.5
    - indoor: "gpcd*hhsize*days_in_period*(1/748)"
    - outdoor: "landscape_factor*ET*irr_area*0.62*(1/748)"
    - budget: "indoor+outdoor"
    - service_charge:
        depends_on: meter_size
        values:
          5/8"   : 11.39
          1"     : 11.39
          1_1/2" : 37.98
    - tier_starts:
      - 0
      - indoor
      - 100%
      - 125%
      - 150%
    - tier_prices:
      - 1.49
      - 1.70
      - 2.62
      - 4.38
      - 9.17
    - commodity_charge: Budget
    - bill: "commodity_charge+service_charge"
  IRRIGATION:
    tier_starts:
      depends_on: meter_size
      values:
        1":
          - 0
          - 211
        2":
          - 0
          - 871
    tier_prices:
      - 4.07
      - 10.03
    commodity_charge: Tiered
    bill: commodity_charge
  COMMERCIAL:
    service_charge: 17.83
    commodity_charge: 2.1*usage_ccf
    bill: commodity_charge+service_charge
"""


def _load(text: str = CREEKSIDE) -> dict[str, object]:
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def test_an_owrs_budget_file_bills_like_the_hand_computed_budget() -> None:
    # given the imported Creekside schedule and the budget household of the budget tests
    schedule = read_owrs(_load(), version_id="CWD-2025")
    home = RatingAttributes(
        customer_class="RESIDENTIAL_SINGLE",
        household_size=2,
        irrigated_area_sqft=D(748),
        et_inches=D(8),
    )
    # when 14 CCF is billed for July
    bill = Rater([schedule]).rate(home, D(14), VolumeUnit.CCF, JULY)
    # then service 11.39 plus the five budget tiers as hand-computed
    assert [line.amount_cents for line in bill.lines] == [1139, 894, 422, 555, 929, 1174]
    assert schedule.effective_from == date(2025, 7, 1)
    assert schedule.nominal_days == 30


@pytest.mark.parametrize(
    ("meter", "usage", "cents"),
    [('1"', 211, 85877), ('1"', 212, 86880), ('2"', 871, 354497)],
)
def test_owrs_tier_starts_by_meter_size_are_imported(meter: str, usage: int, cents: int) -> None:
    schedule = read_owrs(_load(), version_id="CWD-2025")
    account = RatingAttributes(customer_class="IRRIGATION", meter_size=meter)
    assert Rater([schedule]).rate(account, D(usage), VolumeUnit.CCF, JULY).total_cents == cents


def test_an_owrs_uniform_rate_and_flat_service_charge_are_imported() -> None:
    schedule = read_owrs(_load(), version_id="CWD-2025")
    shop = RatingAttributes(customer_class="COMMERCIAL")
    assert Rater([schedule]).rate(shop, D(10), VolumeUnit.CCF, JULY).total_cents == 1783 + 2100


def test_owrs_meter_sizes_are_read_in_cisterns_spelling() -> None:
    schedule = read_owrs(_load(), version_id="CWD-2025")
    service = schedule.components[0]
    assert set(service.by_meter) == {'5/8"', '1"', '1-1/2"'}


def test_an_exported_schedule_reads_back_the_same() -> None:
    # given an imported schedule
    schedule = read_owrs(_load(), version_id="CWD-2025")
    # when it is written as OWRS YAML and read again
    document = write_owrs(schedule, utility_name="Creekside Water District")
    text = yaml.safe_dump(document, sort_keys=False)
    again = read_owrs(yaml.safe_load(text), version_id="CWD-2025")
    # then nothing is lost
    assert again == schedule


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (("COMMERCIAL", "fixed_drought_surcharge", 3.5), "fixed_drought_surcharge"),
        (("COMMERCIAL", "days_in_period", 30.4), "days_in_period"),
        (("COMMERCIAL", "commodity_charge", "2.1*usage_ccf*1.1"), "commodity_charge"),
        (("COMMERCIAL", "bill", "commodity_charge+drought_charge"), "bill"),
        (
            ("IRRIGATION", "tier_prices", {"depends_on": "water_type", "values": {}}),
            "water_type",
        ),
    ],
)
def test_an_unsupported_owrs_key_is_refused_by_name(
    edit: tuple[str, str, object], named: str
) -> None:
    document = _load()
    class_name, key, value = edit
    structure = document["rate_structure"]
    assert isinstance(structure, dict)
    structure[class_name][key] = value
    with pytest.raises(OwrsError, match=named):
        read_owrs(document, version_id="X")


def test_a_budget_formula_other_than_the_specifications_is_refused() -> None:
    text = CREEKSIDE.replace(
        "landscape_factor*ET*irr_area*0.62", "landscape_factor*ET*irr_area*0.7"
    )
    with pytest.raises(OwrsError, match="outdoor"):
        read_owrs(_load(text), version_id="X")


def test_a_schedule_with_charges_owrs_cannot_express_is_not_exported() -> None:
    from cistern.rates.domain import Applicability, FixedCharge

    schedule = read_owrs(_load(), version_id="CWD-2025")
    per_unit = FixedCharge(
        code="SEWER",
        label="Sewer",
        per_dwelling_unit=D(30),
        applies=Applicability(classes=frozenset({"COMMERCIAL"})),
    )
    extended = type(schedule)(
        version_id="X",
        effective_from=schedule.effective_from,
        components=(*schedule.components, per_unit),
    )
    with pytest.raises(OwrsError, match="SEWER"):
        write_owrs(extended)
