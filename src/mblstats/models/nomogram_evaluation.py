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


def chapter_summary(fits, skipped: pd.DataFrame, calibration, curves, first_modality: str) -> dict:
    """Collect the numbers that the chapter's prose quotes, NaN where a model is missing.

    Parameters
    ----------
    fits : list of NomogramFit
    skipped : DataFrame
        ``modality``, ``model``, ``reason`` of the nomograms left out.
    calibration : list of CalibrationResult
    curves : dict
        Output of :func:`decision_curves`.
    first_modality : str
        Modality whose clinical-RN1 values are quoted (the run's ``ct_label``).

    Returns
    -------
    dict of str to str or float
    """
    coding = fits[0].coding if fits else ""
    if fits:
        status = f"The run fitted {len(fits)} nomograms."
    elif len(skipped):
        reasons = "; ".join(sorted(set(skipped["reason"])))
        status = f"No nomogram was fitted ({reasons}), so the sections below are empty."
    else:
        status = "No nomogram was fitted: the run has no feature table, so the sections below are empty."
    values = {
        "status": status,
        "coding": coding or "no",
        "rn1_radscore_or": float("nan"),
        "rn1_radscore_or_low": float("nan"),
        "rn1_radscore_or_high": float("nan"),
        "rn1_validation_hl_p": float("nan"),
        "rn1_validation_slope": float("nan"),
        "rn1_benefit_difference_02": float("nan"),
        "rn2_validation_intercept": float("nan"),
    }
    for result in calibration:
        if (result.modality, result.model, result.set) == (first_modality, "Clinical-RN2", "validation"):
            values["rn2_validation_intercept"] = result.intercept
    first = [fit for fit in fits if fit.modality == first_modality and fit.split == "random"]
    if first:
        radscore = first[0].model.table.loc["radscore"]
        values["rn1_radscore_or"] = float(radscore["odds_ratio"])
        values["rn1_radscore_or_low"] = float(radscore["or_ci_low"])
        values["rn1_radscore_or_high"] = float(radscore["or_ci_high"])
        for result in calibration:
            if (result.modality, result.model, result.set) == (first_modality, first[0].label, "validation"):
                values["rn1_validation_hl_p"] = result.hl_pvalue
                values["rn1_validation_slope"] = result.slope
        table = decision_table({key: value for key, value in curves.items() if key == (first_modality, first[0].label)}, (0.2,))
        values["rn1_benefit_difference_02"] = float(table["difference"].iloc[0])
    return values
