"""Classification metrics at a risk threshold, with confidence intervals, and Youden's threshold.

A sample is predicted positive when its risk is at least the threshold, the same rule as the
decision curves. Proportions (accuracy, sensitivity, specificity, PPV, NPV) get Wilson score
intervals (statsmodels ``proportion_confint(method="wilson")``); the AUC gets DeLong's interval
from :func:`roc_auc_ci`.

References
----------
.. [1] Wilson EB. Probable inference, the law of succession, and statistical inference.
   J Am Stat Assoc 1927;22:209-12.
.. [2] Youden WJ. Index for rating diagnostic tests. Cancer 1950;3:32-5.
"""

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from ._errors import StatsInputError
from ._validation import as_binary_outcome, as_probabilities, check_fraction
from .roc import roc_auc_ci

PROPORTIONS = {
    # metric: (numerator counts, denominator counts, reason when the denominator is 0)
    "accuracy": (("tp", "tn"), ("tp", "fp", "tn", "fn"), "no samples"),
    "sensitivity": (("tp",), ("tp", "fn"), "no events (y_true == 1)"),
    "specificity": (("tn",), ("tn", "fp"), "no non-events (y_true == 0)"),
    "ppv": (("tp",), ("tp", "fp"), "no predicted positives (all risks below the threshold)"),
    "npv": (("tn",), ("tn", "fn"), "no predicted negatives (all risks at or above the threshold)"),
}
METRICS = ("auc", *PROPORTIONS)


@dataclass(frozen=True)
class ThresholdMetrics:
    """Discrimination and classification metrics of a risk model at one threshold.

    Every metric ``m`` in ``auc``, ``accuracy``, ``sensitivity``, ``specificity``, ``ppv`` and
    ``npv`` has the fields ``m``, ``m_ci_low`` and ``m_ci_high``. A metric that is undefined
    for these data is NaN, and ``undefined`` maps its name to the reason.

    Attributes
    ----------
    threshold : float
        Samples with ``y_prob >= threshold`` are predicted positive.
    tp, fp, tn, fn : int
        Counts of true positives, false positives, true negatives and false negatives.
    alpha : float
        Two-sided error rate of the intervals.
    undefined : dict of str to str
        Reason for each metric reported as NaN.
    """

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    auc: float
    auc_ci_low: float
    auc_ci_high: float
    accuracy: float
    accuracy_ci_low: float
    accuracy_ci_high: float
    sensitivity: float
    sensitivity_ci_low: float
    sensitivity_ci_high: float
    specificity: float
    specificity_ci_low: float
    specificity_ci_high: float
    ppv: float
    ppv_ci_low: float
    ppv_ci_high: float
    npv: float
    npv_ci_low: float
    npv_ci_high: float
    alpha: float
    undefined: dict = field(compare=False)

    def to_frame(self):
        """Return one row per metric: estimate, CI, counts behind it, method and any NaN reason.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``metric``, with columns ``estimate``, ``ci_low``, ``ci_high``,
            ``numerator``, ``denominator``, ``method`` and ``note``.
        """
        counts = {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn}
        level = f"{100 * (1 - self.alpha):g}%"
        rows = []
        for metric in METRICS:
            if metric == "auc":
                numerator = denominator = np.nan
                method = f"DeLong {level} CI"
            else:
                numerator_keys, denominator_keys, _ = PROPORTIONS[metric]
                numerator = sum(counts[k] for k in numerator_keys)
                denominator = sum(counts[k] for k in denominator_keys)
                method = f"Wilson {level} CI"
            rows.append(
                {
                    "metric": metric,
                    "estimate": getattr(self, metric),
                    "ci_low": getattr(self, f"{metric}_ci_low"),
                    "ci_high": getattr(self, f"{metric}_ci_high"),
                    "numerator": numerator,
                    "denominator": denominator,
                    "method": method,
                    "note": self.undefined.get(metric, ""),
                }
            )
        return pd.DataFrame(rows).set_index("metric")

    def as_dict(self):
        """Return the fields as a flat dict (``undefined`` included)."""
        values = {item.name: getattr(self, item.name) for item in fields(self)}
        values["undefined"] = dict(self.undefined)
        return values


def threshold_metrics(y_true, y_prob, threshold, alpha=0.05):
    """Compute AUC, accuracy, sensitivity, specificity, PPV and NPV at a risk threshold.

    Definitions: accuracy = (TP + TN) / n, sensitivity = TP / (TP + FN), specificity =
    TN / (TN + FP), PPV = TP / (TP + FP), NPV = TN / (TN + FN), with ``y_prob >= threshold``
    predicted positive. Intervals: Wilson score for the proportions, as statsmodels
    ``proportion_confint(method="wilson")`` computes them, and DeLong for the AUC, as pROC
    ``ci.auc`` does (see :func:`roc_auc_ci`).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, 1 for an event and 0 for a non-event.
    y_prob : array-like of shape (n_samples,)
        Predicted risk in [0, 1].
    threshold : float
        Risk threshold in [0, 1], normally chosen on training data (see
        :func:`youden_threshold`).
    alpha : float, default=0.05
        Two-sided error rate of every interval.

    Returns
    -------
    ThresholdMetrics

    Notes
    -----
    A proportion whose denominator is 0 (e.g. PPV when no risk reaches the threshold) is NaN
    with its reason in ``undefined``, and so is the AUC when a class has fewer than two
    samples, because DeLong's variance needs two of each. Nothing raises for these cases, so a
    small validation set still gets a full table.

    Examples
    --------
    >>> result = threshold_metrics([1, 1, 0, 0, 1, 0], [0.9, 0.4, 0.3, 0.6, 0.8, 0.1], 0.5)
    >>> result.tp, result.fp, result.tn, result.fn, round(result.sensitivity, 4)
    (2, 1, 2, 1, 0.6667)
    """
    y_true = as_binary_outcome(y_true, "y_true", require_both=False)
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    threshold = check_fraction(threshold, "threshold", low_open=False, high_open=False)
    alpha = check_fraction(alpha, "alpha")

    predicted = y_prob >= threshold
    counts = {
        "tp": int(np.sum(predicted & (y_true == 1))),
        "fp": int(np.sum(predicted & (y_true == 0))),
        "tn": int(np.sum(~predicted & (y_true == 0))),
        "fn": int(np.sum(~predicted & (y_true == 1))),
    }
    undefined = {}
    values = _auc_with_ci(y_true, y_prob, alpha, undefined)
    for metric, (numerator_keys, denominator_keys, reason) in PROPORTIONS.items():
        numerator = sum(counts[k] for k in numerator_keys)
        denominator = sum(counts[k] for k in denominator_keys)
        values.update(_proportion_with_ci(metric, numerator, denominator, alpha))
        if denominator == 0:
            undefined[metric] = f"undefined: {reason}"

    return ThresholdMetrics(
        threshold=threshold,
        **counts,
        **values,
        alpha=alpha,
        undefined=undefined,
    )


def youden_threshold(y_true, y_prob):
    """Choose the risk threshold that maximises Youden's J = sensitivity + specificity - 1.

    Candidate thresholds are the midpoints between consecutive distinct risks, as pROC's
    ``coords(x = "best", best.method = "youden")`` uses, so a threshold never equals an
    observed risk. Ties: when several candidates reach the same maximal J (compared exactly,
    in integer arithmetic), the lowest threshold is returned, which favours sensitivity.
    Choose the threshold on training data only and apply it unchanged to validation data.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, with at least one event and one non-event.
    y_prob : array-like of shape (n_samples,)
        Predicted risk in [0, 1], with at least two distinct values.

    Returns
    -------
    float
        Threshold ``t``; predict positive when ``y_prob >= t``.

    Raises
    ------
    StatsInputError
        On invalid input, a single outcome class or constant risks.

    Examples
    --------
    >>> youden_threshold([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.4, 0.5, 0.7, 0.9])
    0.45
    """
    y_true = as_binary_outcome(y_true, "y_true")
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    distinct = np.unique(y_prob)
    if distinct.size < 2:
        raise StatsInputError(
            f"y_prob is {float(distinct[0])!r} for every sample, so no threshold separates "
            "patients; pass varying risks."
        )

    candidates = (distinct[:-1] + distinct[1:]) / 2
    predicted = y_prob[None, :] >= candidates[:, None]
    n_events = int(y_true.sum())
    n_non_events = y_true.size - n_events
    tp = (predicted & (y_true == 1)).sum(axis=1)
    tn = (~predicted & (y_true == 0)).sum(axis=1)
    # J · n_events · n_non_events, exact in integers so that ties are detected reliably.
    scaled_j = tp * n_non_events + tn * n_events - n_events * n_non_events
    best = np.flatnonzero(scaled_j == scaled_j.max())
    return float(candidates[best[0]])


def _auc_with_ci(y_true, y_prob, alpha, undefined):
    n_events = int(y_true.sum())
    if min(n_events, y_true.size - n_events) < 2:
        undefined["auc"] = (
            "undefined: DeLong's interval needs at least two events and two non-events"
        )
        return {"auc": np.nan, "auc_ci_low": np.nan, "auc_ci_high": np.nan}
    result = roc_auc_ci(y_true, y_prob, alpha=alpha)
    return {"auc": result.auc, "auc_ci_low": result.ci_low, "auc_ci_high": result.ci_high}


def _proportion_with_ci(metric, numerator, denominator, alpha):
    if denominator == 0:
        return {metric: np.nan, f"{metric}_ci_low": np.nan, f"{metric}_ci_high": np.nan}
    low, high = proportion_confint(numerator, denominator, alpha=alpha, method="wilson")
    return {
        metric: numerator / denominator,
        f"{metric}_ci_low": float(low),
        f"{metric}_ci_high": float(high),
    }
