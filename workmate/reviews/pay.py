"""The published pay formula: a band per level and step, as plain arithmetic.

A band's pay is the level's base times the step's factor, rounded to the scale's unit
(10,000 won by default). Everything here is plain Python so that the pay page, the
proposal a level change makes and the tests share one formula.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def band_amount(base: int, factor: Decimal | str | float, unit: int = 10_000) -> int:
    """The pay of one band: `base` × `factor`, rounded half up to a multiple of `unit`."""
    if base < 0:
        raise ValueError(f"A base must not be negative, got {base}.")
    if unit <= 0:
        raise ValueError(f"The rounding unit must be positive, got {unit}.")
    exact = Decimal(base) * Decimal(str(factor))
    units = (exact / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(units) * unit


def check_step_factors(factors: Sequence[Decimal | str | float]) -> list[Decimal]:
    """Step factors as decimals: at least one, each positive, each above the one before."""
    values = [Decimal(str(factor)) for factor in factors]
    if not values:
        raise ValueError("A scale needs at least one step.")
    if any(value <= 0 for value in values):
        raise ValueError("Step factors must be positive.")
    if any(later <= earlier for earlier, later in itertools.pairwise(values)):
        raise ValueError("Each step's factor must be above the one before.")
    return values


def proposed_step(amounts: Sequence[int], current_pay: int | None) -> int:
    """Which step (1-based) of a new band to propose to someone now paid `current_pay`.

    The lowest step that does not cut their pay; the top step when even that is below
    what they earn now (a level down never cuts pay by formula: a person approves that);
    the first step for someone with no pay on record.
    """
    if not amounts:
        raise ValueError("A band has at least one step.")
    if current_pay is None:
        return 1
    for step, amount in enumerate(amounts, start=1):
        if amount >= current_pay:
            return step
    return len(amounts)
