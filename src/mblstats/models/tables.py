"""Tables of model results: the Table 2 equivalent with 95 % CIs next to published values."""

from __future__ import annotations

import pandas as pd

from mblstats.models.validation import ValidationEvaluation

METRIC_LABELS = {
    "auc": "AUC",
    "accuracy": "ACC",
    "sensitivity": "Sens",
    "specificity": "Spec",
    "ppv": "PPV",
    "npv": "NPV",
}


def metrics_frame(evaluations: dict[str, ValidationEvaluation], modality: str) -> pd.DataFrame:
    """Return every metric with its CI, one row per model and set, as numbers."""
    frames = [evaluation.to_frame() for evaluation in evaluations.values()]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "modality", modality)
    return frame


def table_two(
    evaluations: dict[str, ValidationEvaluation],
    modality: str,
    published: pd.DataFrame | None = None,
    digits: int = 2,
) -> pd.DataFrame:
    """Format the Table 2 equivalent: each metric as ``estimate (low–high)``.

    Parameters
    ----------
    evaluations : dict of label to ValidationEvaluation
    modality : str
    published : DataFrame or None
        The published table in long form (``mblstats.models.published.table_two()``); when
        given, a column ``published`` shows the study's AUC / ACC / Sens / Spec / PPV / NPV.
    digits : int, default=2

    Returns
    -------
    DataFrame
        Columns ``model``, ``split``, ``set``, ``threshold``, one per metric and optionally
        ``published``.
    """
    numbers = metrics_frame(evaluations, modality)
    if numbers.empty:
        return numbers
    table = numbers.loc[:, ["model", "split", "set"]].copy()
    table["threshold"] = numbers["threshold"].map(lambda value: f"{value:.{digits + 1}f}")
    for metric, label in METRIC_LABELS.items():
        table[f"{label} (95% CI)"] = [
            _with_interval(row[metric], row[f"{metric}_ci_low"], row[f"{metric}_ci_high"], digits)
            for _, row in numbers.iterrows()
        ]
    if published is not None:
        subset = published[published["modality"] == modality].set_index(["model", "set"])
        table["published"] = [
            " / ".join(f"{subset.loc[(model, label), m]:.2f}" for m in METRIC_LABELS)
            if (model, label) in subset.index
            else ""
            for model, label in zip(table["model"], table["set"])
        ]
    return table


def _with_interval(estimate: float, low: float, high: float, digits: int) -> str:
    if pd.isna(estimate):
        return "undefined"
    return f"{estimate:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"
