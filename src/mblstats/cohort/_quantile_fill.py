"""Draw random values whose order statistics hit given values exactly.

The demo cohort must reproduce published medians and quartiles. A median or quartile
computed by linear interpolation (the numpy and pandas default) at probability ``p`` of
``N`` sorted values lies between the order statistics at positions ``floor((N - 1) p)``
and the next one. Pinning those order statistics to the published value makes the
sample quantile equal to it exactly, whatever the other values are.

Values are handled in integer units of a grid (tenths of a year, ten millilitres), so
ties and strict inequalities are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tails:
    """Shape of the random values below the lowest and above the highest pin.

    A value in a tail is drawn as ``edge ± width * Beta(1, b)``, so the larger ``b``, the
    more values cluster near the pinned quantile and the thinner the tail.
    """

    lower_beta: float = 2.0
    upper_beta: float = 2.0


def quantile_pins(n_total: int, quantiles: dict[float, float]) -> list[tuple[int, float]]:
    """Translate target quantiles into pinned order statistics.

    Parameters
    ----------
    n_total : int
        Size of the sample whose quantiles are targeted.
    quantiles : dict of float to float
        Probability (0 to 1) mapped to the target value of the linear-interpolation
        quantile.

    Returns
    -------
    list of (int, float)
        Zero-based positions in the sorted sample and the value each must take.
    """
    pins = []
    for probability, value in sorted(quantiles.items()):
        position = (n_total - 1) * probability
        lower = math.floor(position)
        pins.append((lower, value))
        if position > lower:
            pins.append((lower + 1, value))
    return pins


def fill_to_pins(
    rng: np.random.Generator,
    n_new: int,
    pins: list[tuple[int, float]],
    *,
    low: float,
    high: float,
    unit: float,
    draw_step: float,
    fixed: np.ndarray | None = None,
    tails: Tails = Tails(),
    include_extremes: bool = False,
) -> np.ndarray | None:
    """Draw ``n_new`` values so that, joined with ``fixed``, the pinned order statistics hold.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n_new : int
        Number of values to draw.
    pins : list of (int, float)
        Zero-based positions in the sorted union of ``fixed`` and the new values, and the
        value each must take. Values must not decrease with position.
    low, high : float
        Range of the new values (inclusive).
    unit : float
        Grid of all values: every pin, ``low``, ``high`` and fixed value is a multiple.
    draw_step : float
        Rounding of the random (unpinned) values, a multiple of ``unit``. Values that
        would leave their interval after rounding are moved back inside on the unit grid.
    fixed : numpy.ndarray of shape (n_fixed,), optional
        Values already drawn for other members of the same group.
    tails : Tails
        Shape of the values below the lowest and above the highest pin.
    include_extremes : bool
        Whether one new value must equal ``low`` and one ``high``.

    Returns
    -------
    numpy.ndarray of shape (n_new,) or None
        The new values in random order, or None when the fixed values leave no way to
        satisfy the pins (the caller then draws the fixed values again).
    """
    fixed_units = _to_units(np.asarray([] if fixed is None else fixed, dtype=float), unit)
    low_units = _to_units(low, unit)
    high_units = _to_units(high, unit)
    step_units = max(1, _to_units(draw_step, unit))

    counts_below, counts_equal, values = _counts_per_pinned_value(pins, fixed_units, unit)
    if counts_below is None:
        return None
    n_above = n_new - (counts_below[-1] + counts_equal[-1])
    if n_above < 0:
        return None

    segments = []
    previous_total = 0
    edges = [low_units, *values, high_units]
    for index, value in enumerate(values):
        segments.append((edges[index], value, counts_below[index] - previous_total))
        segments.append((value, value, counts_equal[index]))
        previous_total = counts_below[index] + counts_equal[index]
    segments.append((values[-1], high_units, n_above))

    drawn = []
    last = len(segments) - 1
    for index, (start, stop, count) in enumerate(segments):
        if count == 0:
            continue
        if start == stop:
            drawn.append(np.full(count, start, dtype=np.int64))
            continue
        lowest = start if index == 0 else start + 1
        highest = stop if index == last else stop - 1
        if lowest > highest:
            return None
        segment = _draw_segment(rng, count, lowest, highest, step_units, index, last, tails)
        if include_extremes and index == 0:
            segment[np.argmin(segment)] = low_units
        if include_extremes and index == last:
            segment[np.argmax(segment)] = high_units
        drawn.append(segment)
    if include_extremes and (segments[0][2] == 0 or segments[-1][2] == 0):
        return None

    new_units = rng.permutation(np.concatenate(drawn))
    return np.round(new_units * unit, 10)


def _to_units(value, unit: float):
    return np.rint(np.asarray(value) / unit).astype(np.int64)


def _counts_per_pinned_value(pins, fixed_units, unit):
    """Count the new values needed strictly below and at each distinct pinned value."""
    by_value: dict[int, list[int]] = {}
    for position, value in pins:
        by_value.setdefault(int(_to_units(value, unit)), []).append(position)
    values = sorted(by_value)

    counts_below, counts_equal = [], []
    running_total = 0
    for value in values:
        first, last = min(by_value[value]), max(by_value[value])
        fixed_below = int(np.sum(fixed_units < value))
        fixed_at_or_below = int(np.sum(fixed_units <= value))
        new_below = first - fixed_below
        if new_below < running_total:
            return None, None, values
        new_equal = max(0, last + 1 - fixed_at_or_below - new_below)
        counts_below.append(new_below)
        counts_equal.append(new_equal)
        running_total = new_below + new_equal
    return counts_below, counts_equal, values


def _draw_segment(rng, count, lowest, highest, step_units, index, last, tails):
    """Draw ``count`` grid values in [lowest, highest], shaped as a tail or uniform."""
    width = highest - lowest
    if index == 0:
        raw = highest - width * rng.beta(1.0, tails.lower_beta, size=count)
    elif index == last:
        raw = lowest + width * rng.beta(1.0, tails.upper_beta, size=count)
    else:
        raw = rng.uniform(lowest, highest, size=count)
    rounded = np.rint(raw / step_units).astype(np.int64) * step_units

    # Prefer the nearest multiple of the step inside the interval, then the unit grid.
    first_step = -(-lowest // step_units) * step_units
    last_step = (highest // step_units) * step_units
    if first_step <= last_step:
        return np.clip(rounded, first_step, last_step)
    return np.clip(np.rint(raw).astype(np.int64), lowest, highest)
