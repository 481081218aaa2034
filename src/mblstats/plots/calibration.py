"""Drawing of calibration curves: observed against predicted risk."""

from __future__ import annotations

import matplotlib.pyplot as plt

from mblstats.exceptions import InputValidationError


def plot_calibration(
    ax: plt.Axes | None = None,
    smooth=None,
    binned=None,
    optimism=None,
    summary=None,
    label: str = "model",
) -> plt.Axes:
    """Draw calibration curves against the ideal diagonal.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Axes to draw on; a new square figure is created when omitted.
    smooth : pandas.DataFrame or dict of str to DataFrame, optional
        Output of :func:`mblstats.stats.calibration_curve_lowess` (columns ``predicted`` and
        ``observed``), drawn as lines; a dict draws one line per name.
    binned : pandas.DataFrame, optional
        Output of :func:`mblstats.stats.calibration_curve_binned`, drawn as points with their
        Wilson intervals.
    optimism : OptimismCorrectedCalibration, optional
        Output of :func:`mblstats.stats.optimism_corrected_calibration`: the apparent curve is
        drawn dotted and the bias-corrected curve solid, as rms ``plot.calibrate`` does.
    summary : CalibrationSummary, optional
        Output of :func:`mblstats.stats.calibration_summary`; its intercept, slope and Brier
        score are written in the upper left corner.
    label : str, default="model"
        Legend name of the single smooth curve or of the binned points.

    Returns
    -------
    matplotlib Axes
    """
    if smooth is None and binned is None and optimism is None:
        raise InputValidationError(
            "nothing to draw: pass smooth, binned or optimism (outputs of the mblstats.stats "
            "calibration functions)."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))

    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1.0, label="Ideal")
    if smooth is not None:
        curves = smooth if isinstance(smooth, dict) else {label: smooth}
        for name, frame in curves.items():
            _require(frame, ("predicted", "observed"), f"smooth curve {name!r}")
            ax.plot(frame["predicted"], frame["observed"], linewidth=1.6, label=name)
    if binned is not None:
        columns = ("mean_predicted", "observed_rate", "observed_ci_low", "observed_ci_high")
        _require(binned, columns, "binned")
        ax.errorbar(
            binned["mean_predicted"],
            binned["observed_rate"],
            # Wilson limits can miss the observed rate by rounding (about 1e-17), and matplotlib
            # rejects negative error bars, so the lengths are clipped at zero.
            yerr=[
                (binned["observed_rate"] - binned["observed_ci_low"]).clip(lower=0),
                (binned["observed_ci_high"] - binned["observed_rate"]).clip(lower=0),
            ],
            fmt="o",
            markersize=4,
            capsize=2,
            linewidth=0.8,
            label=f"{label} (grouped, 95% CI)" if smooth is None else "grouped, 95% CI",
        )
    if optimism is not None:
        curve = optimism.curve
        _require(curve, ("predicted", "apparent", "bias_corrected"), "optimism.curve")
        ax.plot(
            curve["predicted"], curve["apparent"], linestyle=":", linewidth=1.4, label="Apparent"
        )
        ax.plot(
            curve["predicted"],
            curve["bias_corrected"],
            linewidth=1.6,
            label=f"Bias-corrected ({optimism.n_bootstrap} bootstraps)",
        )
    if summary is not None:
        text = (
            f"Intercept {summary.intercept:.2f}\n"
            f"Slope {summary.slope:.2f}\n"
            f"Brier {summary.brier:.3f}"
        )
        ax.text(0.03, 0.97, text, transform=ax.transAxes, ha="left", va="top", fontsize=8)

    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("Predicted risk")
    ax.set_ylabel("Observed proportion")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    return ax


def _require(frame, columns, name):
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise InputValidationError(
            f"{name} lacks the column(s) {missing}; pass the frame returned by the matching "
            "mblstats.stats function."
        )
