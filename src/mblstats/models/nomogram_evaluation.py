"""Calibration and decision curves of the clinical-RN nomograms and their clinical models.

Calibration is assessed on the training and validation patients with the Hosmer–Lemeshow
test (g = 10 quantile groups), logistic recalibration (intercept and slope), the Brier score,
and binned and LOWESS curves. Decision curves give the net benefit on the validation
patients, where the models were not fitted.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from mblstats.exceptions import InputValidationError
from mblstats.stats import (
    SeparationError,
    StatsInputError,
    calibration_curve_binned,
    calibration_curve_lowess,
    calibration_summary,
    hosmer_lemeshow,
    net_benefit,
)

logger = logging.getLogger(__name__)

DECISION_THRESHOLDS = np.round(np.arange(1, 61) / 100, 2)
TABLE_THRESHOLDS = (0.1, 0.2, 0.3)


@dataclasses.dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Calibration of one model's risks on one set of patients.

    Attributes
    ----------
    modality, split, model, set : str
        ``set`` is ``"train"`` or ``"validation"``.
    n, n_events : int
    hl_statistic, hl_pvalue : float
        Hosmer–Lemeshow χ² and p-value; NaN with ``note`` set when the test is undefined.
    hl_df : int
        Degrees of freedom, ``n_groups - 2``.
    intercept, slope, brier : float
        Calibration intercept and slope (logistic recalibration) and Brier score.
    binned : DataFrame
        Output of :func:`mblstats.stats.calibration_curve_binned` (HL quantile groups).
    smooth : DataFrame
        Output of :func:`mblstats.stats.calibration_curve_lowess`.
    note : str
        Why a statistic is missing, or empty.
    """

    modality: str
    split: str
    model: str
    set: str
    n: int
    n_events: int
    hl_statistic: float
    hl_df: int
    hl_pvalue: float
    intercept: float
    slope: float
    brier: float
    binned: pd.DataFrame = dataclasses.field(repr=False)
    smooth: pd.DataFrame = dataclasses.field(repr=False)
    note: str = ""

    def to_frame(self) -> pd.DataFrame:
        """Return the statistics as a one-row frame (without the curves)."""
        fields = [f.name for f in dataclasses.fields(self) if f.name not in ("binned", "smooth")]
        return pd.DataFrame([{name: getattr(self, name) for name in fields}])


def calibrate(y_true, y_prob, n_groups: int = 10, **labels) -> CalibrationResult:
    """Compute the Hosmer–Lemeshow test, recalibration, Brier score and curves of one model.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 outcome.
    y_prob : array-like of shape (n_samples,)
        Predicted risk.
    n_groups : int, default=10
        Hosmer–Lemeshow groups; the binned curve uses the same groups.
    **labels
        ``modality``, ``split``, ``model`` and ``set`` of the result.
    """
    y_true, y_prob = np.asarray(y_true, dtype=int), np.asarray(y_prob, dtype=float)
    notes = []
    try:
        test = hosmer_lemeshow(y_true, y_prob, n_groups)
        hl_statistic, hl_pvalue = test.statistic, test.pvalue
    except StatsInputError as error:
        hl_statistic = hl_pvalue = float("nan")
        notes.append(f"Hosmer-Lemeshow undefined: {error}")
    try:
        summary = calibration_summary(y_true, y_prob)
        intercept, slope = summary.intercept, summary.slope
    except (StatsInputError, SeparationError) as error:
        intercept = slope = float("nan")
        notes.append(f"recalibration undefined: {error}")
    if notes:
        logger.warning("%s: %s", labels, "; ".join(notes))
    return CalibrationResult(
        modality=labels.get("modality", ""),
        split=labels.get("split", ""),
        model=labels.get("model", ""),
        set=labels.get("set", ""),
        n=int(y_true.size),
        n_events=int(y_true.sum()),
        hl_statistic=float(hl_statistic),
        hl_df=n_groups - 2,
        hl_pvalue=float(hl_pvalue),
        intercept=float(intercept),
        slope=float(slope),
        brier=float(np.mean((y_prob - y_true) ** 2)),
        binned=calibration_curve_binned(y_true, y_prob, n_bins=n_groups),
        smooth=calibration_curve_lowess(y_true, y_prob),
        note="; ".join(notes),
    )


def calibration_results(fits, n_groups: int = 10) -> list[CalibrationResult]:
    """Calibrate each nomogram and its clinical model on the training and validation sets."""
    results = []
    for fit in fits:
        for set_name, rows in fit.risks.groupby("set", sort=False):
            for model in (fit.label, fit.clinical_label):
                results.append(
                    calibrate(
                        rows["y_true"], rows[model], n_groups,
                        modality=fit.modality, split=fit.split, model=model, set=set_name,
                    )
                )
    return results


def calibration_table(results: list[CalibrationResult]) -> pd.DataFrame:
    """Return one row per model and set: n, events, HL statistic, df and p, intercept, slope, Brier."""
    if not results:
        return pd.DataFrame()
    return pd.concat([result.to_frame() for result in results], ignore_index=True)


def decision_curves(fits, thresholds=DECISION_THRESHOLDS) -> dict[tuple[str, str], dict[str, pd.DataFrame]]:
    """Compute the validation net benefit of each nomogram and its clinical model.

    Returns
    -------
    dict of (modality, model label) to dict of model name to DataFrame
        Output of :func:`mblstats.stats.net_benefit` per model; every frame also carries the
        treat-all net benefit of the same validation patients.
    """
    curves = {}
    for fit in fits:
        validation = fit.risks[fit.risks["set"] == "validation"]
        curves[(fit.modality, fit.label)] = {
            model: net_benefit(validation["y_true"], validation[model], thresholds)
            for model in (fit.clinical_label, fit.label)
        }
    return curves


def decision_table(curves: dict, thresholds=TABLE_THRESHOLDS) -> pd.DataFrame:
    """Return the net benefit at a few thresholds: one row per nomogram and threshold.

    Columns are ``modality``, ``nomogram``, ``threshold``, ``treat all``, the clinical
    model, the nomogram, and ``difference`` (nomogram minus clinical model).
    """
    rows = []
    for (modality, label), models in curves.items():
        clinical_label, nomogram_label = list(models)
        for threshold in thresholds:
            values = {name: _at(frame, threshold, "net_benefit") for name, frame in models.items()}
            rows.append(
                {
                    "modality": modality,
                    "nomogram": label,
                    "threshold": threshold,
                    "treat all": _at(models[nomogram_label], threshold, "net_benefit_treat_all"),
                    "clinical": values[clinical_label],
                    "clinical-RN": values[nomogram_label],
                    "difference": values[nomogram_label] - values[clinical_label],
                }
            )
    return pd.DataFrame(rows)


def _at(frame: pd.DataFrame, threshold: float, column: str) -> float:
    match = frame.loc[np.isclose(frame["threshold"], threshold), column]
    if match.empty:
        raise InputValidationError(
            f"threshold {threshold} is not on the decision curve; add it to the curve's thresholds"
        )
    return float(match.iloc[0])
