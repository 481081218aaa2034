"""Figures of the radiomics chapter: the clustered correlation map and features by MBL group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

_GROUP_COLOURS = {"non-MBL": "#4C72B0", "MBL": "#C44E52"}


def plot_feature_correlation(correlation, ax: plt.Axes | None = None) -> plt.Axes:
    """Draw a clustered Spearman correlation map.

    Parameters
    ----------
    correlation : mblstats.radiomics.summary.FeatureCorrelation or None
        Ordered correlation matrix from ``cluster_feature_correlation``; None draws a note
        that the run has too few cases.
    ax : matplotlib Axes, optional
        Axes to draw on; a new square figure is created when omitted.

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    if correlation is None:
        ax.text(0.5, 0.5, "fewer than 3 cases with features in this run", ha="center", va="center")
        ax.set_axis_off()
        return ax
    matrix = correlation.matrix.to_numpy()
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="Spearman ρ")

    if correlation.n_shown <= 30:
        labels = [name.removeprefix("original_") for name in correlation.matrix.index]
        ax.set_xticks(np.arange(len(labels)), labels, rotation=90, fontsize=6)
        ax.set_yticks(np.arange(len(labels)), labels, fontsize=6)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(
        f"{correlation.n_shown} of {correlation.n_features} features, {correlation.n_cases} cases, "
        "ordered by clustering",
        fontsize=9,
    )
    return ax


def plot_features_by_group(long: pd.DataFrame, axes: np.ndarray | None = None) -> np.ndarray:
    """Draw one box plot per feature comparing the MBL and non-MBL groups.

    Parameters
    ----------
    long : pandas.DataFrame
        Columns ``feature``, ``value``, ``group``, from ``features_by_group``.
    axes : array of matplotlib Axes, optional
        At least one axes per feature; a grid of three columns is created when omitted.

    Returns
    -------
    numpy.ndarray of matplotlib Axes
    """
    names = list(dict.fromkeys(long["feature"]))
    if axes is None:
        n_rows = max(1, int(np.ceil(len(names) / 3)))
        _, axes = plt.subplots(n_rows, 3, figsize=(10, 3 * n_rows), squeeze=False)
    flat = np.asarray(axes).ravel()

    if not names:
        flat[0].text(0.5, 0.5, "no cases with both features and a clinical row", ha="center", va="center")
        flat[0].set_axis_off()
    for ax, name in zip(flat, names):
        subset = long[long["feature"] == name]
        sns.boxplot(
            data=subset, x="group", y="value", hue="group", order=["non-MBL", "MBL"],
            palette=_GROUP_COLOURS, legend=False, ax=ax, fliersize=2,
        )
        values = subset["value"].to_numpy(dtype=float)
        # Volumes and diameters span orders of magnitude across tumours: use a log axis there.
        if values.size and values.min() > 0 and values.max() / values.min() > 10:
            ax.set_yscale("log")
        ax.set_title(name.removeprefix("original_"), fontsize=9)
        ax.set_xlabel("")
        ax.set_ylabel("")
    for ax in flat[max(len(names), 1):]:
        ax.set_visible(False)
    flat[0].figure.tight_layout()
    return axes
