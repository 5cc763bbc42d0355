from __future__ import annotations

from decimal import Decimal

import pytest

from workmate.reviews.pay import band_amount, check_step_factors, proposed_step


def test_band_is_base_times_factor_rounded_to_the_unit():
    assert band_amount(50_000_000, "1.08") == 54_000_000
    assert band_amount(43_333_333, "1.1") == 47_670_000  # 47,666,666.3 → 47,670,000
    assert band_amount(1_234_567, 1, unit=1) == 1_234_567


def test_band_rounds_half_up():
    assert band_amount(15_000, "1") == 20_000
    assert band_amount(14_999, "1") == 10_000


def test_band_refuses_negative_base_and_bad_unit():
    with pytest.raises(ValueError):
        band_amount(-1, "1")
    with pytest.raises(ValueError):
        band_amount(1, "1", unit=0)


def test_step_factors_must_rise():
    assert check_step_factors(["1", "1.08", "1.16"]) == [
        Decimal("1"),
        Decimal("1.08"),
        Decimal("1.16"),
    ]
    for bad in ([], ["1", "1"], ["1.1", "1.0"], ["0", "1"]):
        with pytest.raises(ValueError):
            check_step_factors(bad)


def test_proposed_step_never_cuts_pay():
    band = [60_000_000, 64_800_000, 69_600_000]
    assert proposed_step(band, None) == 1
    assert proposed_step(band, 55_000_000) == 1
    assert proposed_step(band, 60_000_000) == 1
    assert proposed_step(band, 62_000_000) == 2
    assert proposed_step(band, 80_000_000) == 3
