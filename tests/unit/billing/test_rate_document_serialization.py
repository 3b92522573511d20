"""Rate versions survive the trip to JSON and back exactly; bad documents are refused."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from cistern.rates.domain import (
    Applicability,
    BudgetStartKind,
    BudgetTier,
    BudgetTieredCharge,
    District,
    FixedCharge,
    MinimumCharge,
    RateVersion,
    RoundingRule,
    SeasonBasis,
    SewerCap,
    SewerVolumetric,
    Tier,
    TieredCharge,
    VolumetricSurcharge,
    VolumeUnit,
)
from cistern.rates.serialization import SerializationError, version_from_dict, version_to_dict

SUMMER = Applicability(months=frozenset({6, 7, 8, 9}))

COMPONENTS = [
    FixedCharge("base", "Base charge", flat=D("12.50")),
    FixedCharge(
        "meter",
        "Meter charge",
        by_meter={'5/8"': D("20.10"), '1"': D("33.52")},
        per_dwelling_unit=D("4.25"),
        installments=12,
        dormant_meter_size='5/8"',
        applies=Applicability(classes=frozenset({"sfr", "mfr"}), district=District.OUT),
    ),
    TieredCharge(
        "use",
        "Water use",
        VolumeUnit.CCF,
        (Tier(D(0), D("0"), "Allowance"), Tier(D(8), D("2.15")), Tier(D(15), D("3.05"))),
        starts_by_meter={'1"': (D(0), D(12), D(24))},
        scale_by_dwelling_units=True,
        whole_units=True,
        first_tier=2,
        out_of_district_prices=(D(0), D("2.50"), D("3.50")),
    ),
    TieredCharge("summer", "Summer use", VolumeUnit.KGAL, (Tier(D(0), D("4.1")),), applies=SUMMER),
    BudgetTieredCharge(
        "budget",
        "Budget tiers",
        (
            BudgetTier(BudgetStartKind.ZERO, D("1.50")),
            BudgetTier(BudgetStartKind.INDOOR, D("2.00")),
            BudgetTier(BudgetStartKind.BUDGET_FRACTION, D("4.00"), D("1.25")),
            BudgetTier(BudgetStartKind.UNITS, D("6.00"), D(40)),
        ),
        gpcd=D(55),
        include_outdoor=False,
    ),
    VolumetricSurcharge(
        "stage2",
        "Stage 2 shortage",
        VolumeUnit.CCF,
        D("0.45"),
        threshold=D(10),
        applies=Applicability(zones=frozenset({"hill"})),
    ),
    SewerVolumetric(
        "sewer",
        "Sewer",
        VolumeUnit.CCF,
        prices_by_strength={"low": D("3.1"), "high": D("5.2")},
        return_factor=D("0.9"),
        cap_kind=SewerCap.WINTER_AVERAGE,
        cap=D(12),
    ),
    SewerVolumetric("sewer_flat_cap", "Sewer", VolumeUnit.CCF, price=D(4), cap_kind=SewerCap.FIXED),
    MinimumCharge("min", "Minimum charge", D("25"), codes=frozenset({"base", "use"})),
]


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: f"{c.kind}-{c.code}")
def test_each_component_shape_round_trips_exactly(component) -> None:
    version = RateVersion("7", date(2026, 7, 1), (component,))
    document = json.loads(json.dumps(version_to_dict(version)))  # through real JSON text
    assert version_from_dict(document, version_id="7") == version


def test_a_whole_version_with_every_option_round_trips_exactly() -> None:
    version = RateVersion(
        "9",
        date(2026, 7, 1),
        tuple(COMPONENTS),
        resolution_number="2026-14",
        resolution_date=date(2026, 5, 20),
        rounding=RoundingRule.HALF_EVEN,
        nominal_days=60,
        normal_days=(56, 64),
        season_basis=SeasonBasis.PERIOD_END,
    )
    document = json.loads(json.dumps(version_to_dict(version)))
    assert version_from_dict(document, version_id="9") == version


def test_decimals_are_written_as_text_never_floats() -> None:
    document = version_to_dict(RateVersion("1", date(2026, 1, 1), (COMPONENTS[0],)))
    assert document["components"][0]["flat"] == "12.50"


def test_defaults_are_left_out_of_the_document() -> None:
    document = version_to_dict(RateVersion("1", date(2026, 1, 1), (COMPONENTS[0],)))
    assert document == {
        "effective_from": "2026-01-01",
        "components": [{"code": "base", "label": "Base charge", "flat": "12.50", "kind": "fixed"}],
    }


def test_a_number_typed_as_a_yaml_float_keeps_its_written_digits() -> None:
    document = {
        "effective_from": "2026-01-01",
        "components": [{"kind": "fixed", "code": "b", "label": "B", "flat": 2.15}],
    }
    version = version_from_dict(document, version_id="1")
    assert version.components[0].flat == D("2.15")


BAD_DOCUMENTS = [
    ({"components": []}, "missing required field “effective_from”"),
    ({"effective_from": "2026-13-01", "components": []}, "is not a date"),
    ({"effective_from": "2026-01-01", "components": [{"kind": "magic"}]}, "“kind” must be one of"),
    (
        {"effective_from": "2026-01-01", "components": [{"kind": "fixed", "code": "b"}]},
        "components[0]: missing required field “label”",
    ),
    (
        {
            "effective_from": "2026-01-01",
            "components": [{"kind": "fixed", "code": "b", "label": "B", "flatt": "1"}],
        },
        "unknown field(s) flatt",
    ),
    (
        {
            "effective_from": "2026-01-01",
            "components": [{"kind": "fixed", "code": "b", "label": "B", "flat": "ten"}],
        },
        "components[0].flat: “ten” is not a number",
    ),
    (
        {
            "effective_from": "2026-01-01",
            "components": [
                {
                    "kind": "tiered",
                    "code": "u",
                    "label": "U",
                    "unit": "barrels",
                    "tiers": [{"start": 0, "price": 1}],
                }
            ],
        },
        "components[0].unit: 'barrels' is not one of",
    ),
    ({"effective_from": "2026-01-01", "components": [], "rounding": "up"}, "is not one of"),
    ({"effective_from": "2026-01-01", "components": [], "nominal_days": "30"}, "whole number"),
    (["not", "a", "mapping"], "must be a mapping"),
]


@pytest.mark.parametrize(("document", "message"), BAD_DOCUMENTS)
def test_a_malformed_document_is_refused_with_where_and_why(document, message) -> None:
    with pytest.raises(SerializationError) as caught:
        version_from_dict(document, version_id="1")
    assert message in str(caught.value)
