"""Figure grids of the nomogram chapter: nomograms, calibration curves and decision curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from mblstats.exceptions import InputValidationError
from mblstats.plots.calibration import plot_calibration
from mblstats.plots.decision_curve import plot_decision_curve
from mblstats.plots.nomogram import nomogram_row_names, plot_nomogram


def plot_nomogram_stack(fits, labels) -> plt.Figure:
    """Draw one nomogram per fit, stacked vertically.

    Parameters
    ----------
    fits : list of NomogramFit
    labels : callable
        Maps a fit to the display names of its predictors (``nomogram_models.axis_labels``).
    """
    _require(fits, "fits")
    rows = [len(fit.nomogram.predictors) + 4 for fit in fits]
    figure, axes = plt.subplots(
        len(fits), 1, figsize=(9, 0.5 * sum(rows) + 0.8 * len(fits)),
        gridspec_kw={"height_ratios": rows}, squeeze=False,
    )
    # Lay out the row names and titles first: the drawing measures label widths.
    for ax, fit in zip(axes[:, 0], fits):
        names = nomogram_row_names(fit.nomogram, labels(fit))
        ax.set_yticks(-np.arange(len(names)), names)
        ax.set_title(f"{fit.modality} {fit.label} ({fit.coding} coding)", loc="left", fontsize=10)
    figure.tight_layout()
    for ax, fit in zip(axes[:, 0], fits):
        plot_nomogram(fit.nomogram, ax=ax, labels=labels(fit))
    figure.tight_layout()
    return figure


def plot_calibration_grid(results, nomogram_labels: dict) -> plt.Figure:
    """Draw calibration curves: one row per nomogram, training left and validation right.

    Each panel shows the LOWESS curves of the nomogram and of its clinical model, the grouped
    observed rates of the nomogram (Hosmer–Lemeshow groups) and the nomogram's intercept,
    slope and Brier score.

    Parameters
    ----------
    results : list of CalibrationResult
    nomogram_labels : dict of str to str
        Nomogram label to its clinical model's label, e.g. ``{"Clinical-RN1": "Clinical 1"}``.
    """
    _require(results, "results")
    panels = sorted({(r.modality, r.model) for r in results if r.model in nomogram_labels}, key=str)
    by_key = {(r.modality, r.model, r.set): r for r in results}
    figure, axes = plt.subplots(len(panels), 2, figsize=(8, 4 * len(panels)), squeeze=False)
    for row, (modality, label) in enumerate(panels):
        for column, set_name in enumerate(("train", "validation")):
            nomogram = by_key[(modality, label, set_name)]
            clinical = by_key[(modality, nomogram_labels[label], set_name)]
            ax = axes[row, column]
            plot_calibration(
                ax=ax,
                smooth={label: nomogram.smooth, clinical.model: clinical.smooth},
                binned=_ordered_interval(nomogram.binned),
                summary=nomogram,
            )
            ax.set_title(
                f"{modality} {label}, {set_name}\nHL p = {nomogram.hl_pvalue:.3f} "
                f"({clinical.model}: {clinical.hl_pvalue:.3f})",
                fontsize=9,
            )
    figure.tight_layout()
    return figure


def plot_decision_curve_grid(curves: dict) -> plt.Figure:
    """Draw one decision curve panel per nomogram (validation set), two panels per row.

    Parameters
    ----------
    curves : dict of (modality, label) to dict of model name to DataFrame
        Output of ``nomogram_evaluation.decision_curves``.
    """
    _require(curves, "curves")
    n_columns = min(2, len(curves))
    n_rows = -(-len(curves) // n_columns)
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(6 * n_columns, 4 * n_rows), squeeze=False)
    for ax, ((modality, label), models) in zip(axes.flat, curves.items()):
        plot_decision_curve(models, ax=ax)
        ax.set_title(f"{modality} {label}, validation set", fontsize=10)
    for ax in list(axes.flat)[len(curves):]:
        ax.set_visible(False)
    figure.tight_layout()
    return figure


def _ordered_interval(binned):
    # Wilson limits of a rate of exactly 0 or 1 can miss the rate by about 1e-17, which
    # matplotlib rejects as a negative error bar.
    rate = binned["observed_rate"]
    return binned.assign(
        observed_ci_low=binned["observed_ci_low"].clip(upper=rate),
        observed_ci_high=binned["observed_ci_high"].clip(lower=rate),
    )


def _require(items, name: str) -> None:
    if not items:
        raise InputValidationError(f"{name} is empty: there is nothing to draw")
