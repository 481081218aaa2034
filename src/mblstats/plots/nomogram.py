"""Drawing of a logistic regression nomogram (points, predictors, total points, risk)."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from mblstats.exceptions import InputValidationError

DEFAULT_RISK_TICKS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
TICK_LENGTH = 0.12
# Risk ticks closer than this (in points-ruler units) to the previous kept tick are skipped.
MIN_LABEL_GAP = 3.5
# Offsets from a predictor's axis of the label tiers tried in turn when labels collide:
# below the axis, above it, and a second tier below. Row spacing is 1.
LABEL_TIERS = ((-TICK_LENGTH - 0.04, "top"), (TICK_LENGTH + 0.04, "bottom"), (-TICK_LENGTH - 0.26, "top"))
# Smallest gap between neighbouring labels of one tier, in points-ruler units.
LABEL_PADDING = 0.8
# Characters per line of the level keys below a nomogram, and the height of a key line in
# rows (a row is 0.5 to 0.55 inch in the figures of this package, a 7-point line 0.12 inch).
KEY_LINE_CHARACTERS = 130
KEY_LINE_HEIGHT = 0.25


def plot_nomogram(
    nomogram,
    ax: plt.Axes | None = None,
    risk_label: str = "Risk of MBL",
    risk_ticks=DEFAULT_RISK_TICKS,
    labels: dict | None = None,
    show_linear_predictor: bool = True,
) -> plt.Axes:
    """Draw a nomogram in the layout of rms ``plot.nomogram``.

    Rows from top to bottom: the 0-100 ``Points`` ruler, one axis per predictor with its values
    placed at their points, ``Total points``, optionally ``Linear predictor``, and the risk.
    The total-points row spans the full width from 0 to the maximum attainable total, and the
    linear predictor and risk rows are aligned to it.

    Parameters
    ----------
    nomogram : mblstats.nomogram.Nomogram
        Result of :func:`mblstats.nomogram.build_nomogram`.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure sized to the number of rows is created when omitted.
    risk_label : str, default="Risk of MBL"
        Name of the risk row.
    risk_ticks : sequence of float
        Risks to mark; those outside the attainable range are skipped.
    labels : dict of str to str, optional
        Display names of the predictors (e.g. ``{"size": "Tumour size (cm)"}``).
    show_linear_predictor : bool, default=True
        Draw the linear predictor row.

    Returns
    -------
    matplotlib Axes
    """
    labels = labels or {}
    row_names = nomogram_row_names(nomogram, labels, risk_label, show_linear_predictor)
    created = ax is None
    if created:
        _, ax = plt.subplots(figsize=(9, 0.55 * len(row_names) + 0.6))
    ax.set_xlim(-4, 104)
    ax.set_yticks(-np.arange(len(row_names)), row_names)
    ax.tick_params(axis="y", length=0)
    if created:
        # Fix the layout before drawing, because label widths are measured in data units.
        ax.figure.tight_layout()

    _draw_ruler(ax, 0, np.arange(0, 101, 10), np.arange(0, 101, 10), minor=np.arange(0, 101, 5))
    keys = []
    for row, predictor in enumerate(nomogram.predictors, start=1):
        axis = nomogram.predictor_points(predictor)
        positions, texts = _merge_equal_positions(axis["points"], [_format(v) for v in axis["value"]])
        if not nomogram.is_nominal(predictor):
            _draw_ruler(ax, -row, positions, texts, thin=True)
            continue
        # Level names that do not fit even on three tiers are replaced by numbers, with a
        # key below the nomogram. Names of up to 3 characters are kept as they are.
        numbers = [str(number) for number in range(1, len(texts) + 1)]
        fallback = numbers if max(map(len, texts)) > 3 else None
        if _draw_ruler(ax, -row, positions, texts, alternate=True, fallback_labels=fallback):
            pairs = ", ".join(f"{n} = {text}" for n, text in zip(numbers, texts))
            keys.append(f"{labels.get(predictor, predictor)}: {pairs}")

    total_max = nomogram.max_total_points
    to_x = 100.0 / total_max
    total_ticks = MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]).tick_values(0, total_max)
    total_ticks = total_ticks[(total_ticks >= 0) & (total_ticks <= total_max + 1e-9)]
    row = len(nomogram.predictors) + 1
    _draw_ruler(ax, -row, total_ticks * to_x, [_format(t) for t in total_ticks])

    lp_low, lp_high = nomogram.linear_predictor([0.0, total_max])
    if show_linear_predictor:
        lp_ticks = MaxNLocator(nbins=8).tick_values(lp_low, lp_high)
        lp_ticks = lp_ticks[(lp_ticks >= lp_low) & (lp_ticks <= lp_high)]
        positions = nomogram.total_points_for_lp(lp_ticks) * to_x
        row += 1
        _draw_ruler(ax, -row, positions, [_format(t) for t in lp_ticks])

    risks = np.asarray(risk_ticks, dtype=float)
    if ((risks <= 0) | (risks >= 1)).any():
        raise InputValidationError(f"risk_ticks must lie strictly between 0 and 1, got {risks}.")
    risk_low, risk_high = nomogram.risk([0.0, total_max])
    risks = risks[(risks >= risk_low) & (risks <= risk_high)]
    positions = nomogram.total_points_for_risk(risks) * to_x if risks.size else risks
    keep = _spaced(positions, np.zeros(positions.size), MIN_LABEL_GAP)
    _draw_ruler(ax, -(row + 1), positions[keep], [_format(r) for r in risks[keep]])

    bottom = -len(row_names) + 0.3
    key_lines = [line for key in keys for line in textwrap.wrap(key, KEY_LINE_CHARACTERS)]
    if key_lines:
        ax.text(-4, bottom - 0.1, "\n".join(key_lines), ha="left", va="top", fontsize=7)
    ax.set_ylim(bottom - 0.1 - KEY_LINE_HEIGHT * len(key_lines), 0.6)
    ax.set_xticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def nomogram_row_names(nomogram, labels=None, risk_label="Risk of MBL", show_linear_predictor=True):
    """Return the row names of a nomogram drawing, from top to bottom.

    A caller that lays out several nomograms in one figure sets these as y tick labels and
    fixes the layout before drawing, so that the label widths measured while drawing hold.
    """
    labels = labels or {}
    names = ["Points", *(labels.get(p, p) for p in nomogram.predictors), "Total points"]
    names += ["Linear predictor"] if show_linear_predictor else []
    return [*names, risk_label]


def _draw_ruler(ax, y, positions, tick_labels, minor=None, alternate=False, thin=False, fallback_labels=None):
    """Draw one horizontal axis at height ``y`` with labelled ticks pointing down.

    With ``alternate``, labels that would overlap their neighbours move to the other tiers
    of :data:`LABEL_TIERS`. When they still overlap and ``fallback_labels`` is given, those
    shorter labels replace them. With ``thin``, labels that would overlap the one before
    them are left out (their ticks stay). Returns True when the fallback labels were used.
    """
    positions = np.asarray(positions, dtype=float)
    if positions.size:
        ax.plot([positions.min(), positions.max()], [y, y], color="black", linewidth=0.9)
    texts = []
    for x, text in zip(positions, tick_labels):
        ax.plot([x, x], [y, y - TICK_LENGTH], color="black", linewidth=0.8)
        offset, alignment = LABEL_TIERS[0]
        texts.append(ax.text(x, y + offset, text, ha="center", va=alignment, fontsize=7))
    if minor is not None:
        for x in minor:
            ax.plot([x, x], [y, y - TICK_LENGTH / 2], color="black", linewidth=0.6)
    if len(texts) < 2 or not (alternate or thin):
        return False
    widths = _widths_in_data_units(ax, texts)
    if thin:
        keep = _spaced(positions, widths, LABEL_PADDING)
        for text, kept in zip(texts, keep):
            text.set_visible(bool(kept))
        return False
    tiers, clear = _label_tiers(positions, widths)
    used_fallback = not clear and fallback_labels is not None
    if used_fallback:
        for text, label in zip(texts, fallback_labels):
            text.set_text(label)
        tiers, _ = _label_tiers(positions, _widths_in_data_units(ax, texts))
    for index, tier in enumerate(tiers):
        offset, alignment = LABEL_TIERS[tier]
        texts[index].set_y(y + offset)
        texts[index].set_verticalalignment(alignment)
        if offset > 0:
            x = positions[index]
            ax.plot([x, x], [y, y + TICK_LENGTH], color="black", linewidth=0.8)
    return used_fallback


def _widths_in_data_units(ax, texts) -> np.ndarray:
    """Measure drawn label widths and convert them to x data units of ``ax``."""
    renderer = ax.figure.canvas.get_renderer()
    origin, unit = ax.transData.transform([(0.0, 0.0), (1.0, 0.0)])[:, 0]
    pixels_per_unit = abs(unit - origin)
    # Allow some slack for a layout that narrows the axes after drawing.
    return np.array([1.1 * text.get_window_extent(renderer).width / pixels_per_unit for text in texts])


def _label_tiers(positions, widths) -> tuple[np.ndarray, bool]:
    """Return each label's tier: the first, scanning from the left, where it clears its neighbour.

    A label that clears no tier goes where the last label ends furthest to the left, and
    the returned flag is then False.
    """
    tiers = np.zeros(positions.size, dtype=int)
    right_edge = np.full(len(LABEL_TIERS), -np.inf)
    all_clear = True
    for index in np.argsort(positions, kind="stable"):
        left = positions[index] - widths[index] / 2
        clear = np.flatnonzero(left >= right_edge + LABEL_PADDING)
        all_clear &= bool(clear.size)
        tier = int(clear[0]) if clear.size else int(np.argmin(right_edge))
        tiers[index] = tier
        right_edge[tier] = positions[index] + widths[index] / 2
    return tiers, all_clear


def _merge_equal_positions(positions, texts):
    """Join the labels of values that sit at the same points, such as levels with equal effects."""
    merged: dict[float, list[str]] = {}
    for x, text in zip(np.asarray(positions, dtype=float), texts):
        merged.setdefault(round(float(x), 9), []).append(text)
    order = sorted(merged)
    return np.array(order), [", ".join(merged[x]) for x in order]


def _spaced(positions, widths, padding):
    """Return a mask of the labels to keep, scanning from the left, so that none overlap.

    A label of width ``widths[i]`` centred on ``positions[i]`` is kept when its left edge
    lies at least ``padding`` right of the last kept label's right edge.
    """
    keep = np.zeros(positions.size, dtype=bool)
    right_edge = -np.inf
    for index in np.argsort(positions, kind="stable"):
        if positions[index] - widths[index] / 2 >= right_edge + padding:
            keep[index] = True
            right_edge = positions[index] + widths[index] / 2
    return keep


def _format(value):
    if isinstance(value, (str, bool, np.bool_)):
        return str(value)
    number = float(value)
    if number.is_integer() and abs(number) < 1e6:
        return str(int(number))
    return f"{number:.3g}"
