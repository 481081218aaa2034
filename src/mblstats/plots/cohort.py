"""Figures of the cohort chapter."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns


def plot_blood_loss(
    clinical: pd.DataFrame, threshold_ml: float, ax: plt.Axes | None = None
) -> plt.Axes:
    """Draw the distribution of blood loss by MBL group on a log scale.

    Parameters
    ----------
    clinical : DataFrame
        Clinical table with ``blood_loss_ml`` and ``has_cte``.
    threshold_ml : float
        MBL threshold, drawn as a dashed vertical line.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created when omitted.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    frame = pd.DataFrame(
        {
            "blood loss (mL)": clinical["blood_loss_ml"].astype(float),
            "group": np.where(clinical["blood_loss_ml"] > threshold_ml, "MBL", "non-MBL"),
        }
    )
    bins = np.geomspace(max(frame["blood loss (mL)"].min(), 10.0), frame["blood loss (mL)"].max(), 40)
    sns.histplot(
        data=frame, x="blood loss (mL)", hue="group", bins=bins, ax=ax,
        hue_order=["non-MBL", "MBL"], palette={"non-MBL": "#4C72B0", "MBL": "#C44E52"},
        element="step", alpha=0.35,
    )
    ax.set_xscale("log")
    ax.axvline(threshold_ml, color="black", linestyle="--", linewidth=1)
    ax.annotate(
        f"threshold {threshold_ml:.0f} mL", (threshold_ml, ax.get_ylim()[1] * 0.95),
        xytext=(4, 0), textcoords="offset points", ha="left", va="top", fontsize=8,
    )
    ax.set_ylabel("patients")
    return ax
