"""Drawing of decision curves: net benefit of models against treating everyone or no one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from mblstats.exceptions import InputValidationError

REQUIRED_COLUMNS = ("threshold", "net_benefit", "net_benefit_treat_all")


def plot_decision_curve(
    curves,
    ax: plt.Axes | None = None,
    ylim: tuple[float, float] | None = None,
) -> plt.Axes:
    """Draw the net benefit of one or more models with the treat-all and treat-none references.

    Parameters
    ----------
    curves : dict of str to pandas.DataFrame, or pandas.DataFrame
        Output of :func:`mblstats.stats.net_benefit` per model name (a single frame is drawn as
        "model"). The treat-all curve is taken from the first frame, so all frames should come
        from the same outcome data.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created when omitted.
    ylim : (float, float), optional
        Net-benefit range. The default runs from slightly below 0 to just above the largest net
        benefit drawn, which is the prevalence when the thresholds start near 0.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(curves, dict):
        curves = {"model": curves}
    if not curves:
        raise InputValidationError("curves is empty; pass at least one net_benefit() frame.")
    for name, frame in curves.items():
        missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
        if missing:
            raise InputValidationError(
                f"curve {name!r} lacks the column(s) {missing}; pass frames from "
                "mblstats.stats.net_benefit()."
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))

    first = next(iter(curves.values()))
    for name, frame in curves.items():
        ax.plot(frame["threshold"], frame["net_benefit"], linewidth=1.6, label=name)
    ax.plot(
        first["threshold"],
        first["net_benefit_treat_all"],
        color="grey",
        linewidth=1.0,
        label="Treat all",
    )
    ax.axhline(0.0, color="black", linestyle="--", linewidth=1.0, label="Treat none")

    if ylim is None:
        top = max(float(np.nanmax(frame["net_benefit"])) for frame in curves.values())
        top = max(top, float(np.nanmax(first["net_benefit_treat_all"])))
        ylim = (-0.05 * max(top, 0.1), 1.1 * max(top, 0.01))
    ax.set_ylim(*ylim)
    ax.set_xlim(float(first["threshold"].min()), float(first["threshold"].max()))
    ax.set_xlabel("Threshold probability")
    ax.set_ylabel("Net benefit")
    ax.legend(frameon=False, fontsize=8)
    return ax
