"""ROC curves of fitted models on training and validation sets (the study's Figure 2 layout)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_curve


def plot_roc(curves, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Draw one ROC curve per model on ``ax``, with the AUC in the legend.

    Parameters
    ----------
    curves : sequence of (label, y_true, y_prob, auc)
        One entry per model; ``auc`` is shown in the legend as computed by the caller.
    ax : Axes, optional
    title : str

    Returns
    -------
    Axes
    """
    ax = ax or plt.gca()
    for label, y_true, y_prob, auc in curves:
        fpr, tpr, _ = roc_curve(np.asarray(y_true), np.asarray(y_prob))
        ax.plot(fpr, tpr, lw=1.5, label=f"{label} (AUC {auc:.2f})")
    ax.plot([0, 1], [0, 1], ls="--", lw=0.8, color="grey", label="chance")
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="1 − specificity", ylabel="Sensitivity", title=title)
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


def plot_roc_grid(evaluations_by_modality: dict, axes: np.ndarray | None = None) -> np.ndarray:
    """Draw training and validation ROC curves per modality (rows) and set (columns).

    Parameters
    ----------
    evaluations_by_modality : dict of str to dict of str to ValidationEvaluation
        Modality → model label → evaluation.
    axes : ndarray of Axes of shape (n_modalities, 2), optional

    Returns
    -------
    ndarray of Axes
    """
    modalities = list(evaluations_by_modality)
    if axes is None:
        _, axes = plt.subplots(len(modalities), 2, figsize=(10, 5 * len(modalities)), squeeze=False)
    for row, modality in enumerate(modalities):
        evaluations = evaluations_by_modality[modality]
        for column, label in enumerate(("train", "validation")):
            curves = [
                (
                    name,
                    getattr(evaluation, f"y_{label}"),
                    getattr(evaluation, f"{label}_prob"),
                    getattr(evaluation, label).auc,
                )
                for name, evaluation in evaluations.items()
            ]
            plot_roc(curves, axes[row, column], title=f"{modality}: {label}")
    return axes
