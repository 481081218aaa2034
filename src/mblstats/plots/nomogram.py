"""Drawing of a logistic regression nomogram (points, predictors, total points, risk)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from mblstats.exceptions import InputValidationError

DEFAULT_RISK_TICKS = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
TICK_LENGTH = 0.12
# Risk ticks closer than this (in points-ruler units) to the previous kept tick are skipped.
MIN_LABEL_GAP = 3.5


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
    n_rows = len(nomogram.predictors) + (4 if show_linear_predictor else 3)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.55 * n_rows + 0.6))

    row_names = []
    _draw_ruler(ax, 0, np.arange(0, 101, 10), np.arange(0, 101, 10), minor=np.arange(0, 101, 5))
    row_names.append("Points")

    for predictor in nomogram.predictors:
        axis = nomogram.predictor_points(predictor)
        _draw_ruler(ax, -len(row_names), axis["points"], [_format(v) for v in axis["value"]])
        row_names.append(labels.get(predictor, predictor))

    total_max = nomogram.max_total_points
    to_x = 100.0 / total_max
    total_ticks = MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]).tick_values(0, total_max)
    total_ticks = total_ticks[(total_ticks >= 0) & (total_ticks <= total_max + 1e-9)]
    _draw_ruler(ax, -len(row_names), total_ticks * to_x, [_format(t) for t in total_ticks])
    row_names.append("Total points")

    lp_low, lp_high = nomogram.linear_predictor([0.0, total_max])
    if show_linear_predictor:
        lp_ticks = MaxNLocator(nbins=8).tick_values(lp_low, lp_high)
        lp_ticks = lp_ticks[(lp_ticks >= lp_low) & (lp_ticks <= lp_high)]
        positions = nomogram.total_points_for_lp(lp_ticks) * to_x
        _draw_ruler(ax, -len(row_names), positions, [_format(t) for t in lp_ticks])
        row_names.append("Linear predictor")

    risks = np.asarray(risk_ticks, dtype=float)
    if ((risks <= 0) | (risks >= 1)).any():
        raise InputValidationError(f"risk_ticks must lie strictly between 0 and 1, got {risks}.")
    risk_low, risk_high = nomogram.risk([0.0, total_max])
    risks = risks[(risks >= risk_low) & (risks <= risk_high)]
    positions = nomogram.total_points_for_risk(risks) * to_x if risks.size else risks
    keep = _spaced(positions, MIN_LABEL_GAP)
    _draw_ruler(ax, -len(row_names), positions[keep], [_format(r) for r in risks[keep]])
    row_names.append(risk_label)

    ax.set_yticks(-np.arange(len(row_names)), row_names)
    ax.set_ylim(-len(row_names) + 0.3, 0.6)
    ax.set_xlim(-4, 104)
    ax.set_xticks([])
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def _draw_ruler(ax, y, positions, tick_labels, minor=None):
    """Draw one horizontal axis at height ``y`` with labelled ticks pointing down."""
    positions = np.asarray(positions, dtype=float)
    if positions.size:
        ax.plot([positions.min(), positions.max()], [y, y], color="black", linewidth=0.9)
    for x, text in zip(positions, tick_labels):
        ax.plot([x, x], [y, y - TICK_LENGTH], color="black", linewidth=0.8)
        ax.text(x, y - TICK_LENGTH - 0.04, text, ha="center", va="top", fontsize=7)
    if minor is not None:
        for x in minor:
            ax.plot([x, x], [y, y - TICK_LENGTH / 2], color="black", linewidth=0.6)


def _spaced(positions, gap):
    """Return a mask keeping ticks at least ``gap`` apart, scanning from the left."""
    keep = np.zeros(positions.size, dtype=bool)
    last = -np.inf
    for index in np.argsort(positions):
        if positions[index] - last >= gap:
            keep[index] = True
            last = positions[index]
    return keep


def _format(value):
    if isinstance(value, (str, bool, np.bool_)):
        return str(value)
    number = float(value)
    if number.is_integer() and abs(number) < 1e6:
        return str(int(number))
    return f"{number:.3g}"
