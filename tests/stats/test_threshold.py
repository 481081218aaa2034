"""Threshold metrics with Wilson and DeLong intervals, and Youden's threshold."""

import math

import numpy as np
import pytest

from mblstats.stats import StatsInputError, roc_auc_ci, threshold_metrics, youden_threshold


def _wilson(successes, n, z=1.959963984540054):
    """Wilson score interval written out from Wilson (1927), independent of statsmodels."""
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_threshold_counts_and_proportions():
    y_true = [1, 1, 1, 0, 0, 0, 0, 1]
    y_prob = [0.9, 0.6, 0.3, 0.5, 0.2, 0.1, 0.6, 0.4]
    result = threshold_metrics(y_true, y_prob, threshold=0.5)

    assert (result.tp, result.fp, result.tn, result.fn) == (2, 2, 2, 2)
    assert result.sensitivity == pytest.approx(0.5)
    assert result.specificity == pytest.approx(0.5)
    assert result.ppv == pytest.approx(0.5)
    assert result.npv == pytest.approx(0.5)
    assert result.accuracy == pytest.approx(0.5)
    assert result.undefined == {}


def test_threshold_uses_at_least_rule():
    # The risk 0.5 equals the threshold and counts as predicted positive.
    result = threshold_metrics([1, 0, 0], [0.5, 0.49, 0.2], threshold=0.5)
    assert result.tp == 1
    assert result.fp == 0


def test_threshold_intervals_are_wilson_and_delong(simulated):
    data = simulated["data"]
    result = threshold_metrics(data["y"], data["score_a"], threshold=0.3)
    auc = roc_auc_ci(data["y"], data["score_a"])

    sensitivity_ci = _wilson(result.tp, result.tp + result.fn)
    assert (result.sensitivity_ci_low, result.sensitivity_ci_high) == pytest.approx(sensitivity_ci)
    ppv_ci = _wilson(result.tp, result.tp + result.fp)
    assert (result.ppv_ci_low, result.ppv_ci_high) == pytest.approx(ppv_ci)
    n = len(data)
    accuracy_ci = _wilson(result.tp + result.tn, n)
    assert (result.accuracy_ci_low, result.accuracy_ci_high) == pytest.approx(accuracy_ci)
    assert (result.auc, result.auc_ci_low, result.auc_ci_high) == pytest.approx(
        (auc.auc, auc.ci_low, auc.ci_high)
    )


def test_threshold_ppv_undefined_without_positives():
    result = threshold_metrics([0, 1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4, 0.5], threshold=0.9)

    assert np.isnan(result.ppv)
    assert np.isnan(result.ppv_ci_low)
    assert "no predicted positives" in result.undefined["ppv"]
    assert result.sensitivity == 0.0
    assert result.npv == pytest.approx(3 / 5)


def test_threshold_single_class_gives_nan_auc():
    result = threshold_metrics([0, 0, 0, 0], [0.1, 0.2, 0.7, 0.8], threshold=0.5)

    assert np.isnan(result.auc)
    assert "two events" in result.undefined["auc"]
    assert np.isnan(result.sensitivity)
    assert "no events" in result.undefined["sensitivity"]
    assert result.specificity == 0.5


def test_threshold_to_frame_lists_every_metric():
    result = threshold_metrics([1, 1, 0, 0, 1, 0], [0.9, 0.4, 0.3, 0.6, 0.8, 0.1], 0.5)
    frame = result.to_frame()

    assert frame.index.tolist() == ["auc", "accuracy", "sensitivity", "specificity", "ppv", "npv"]
    assert frame.loc["sensitivity", "numerator"] == 2
    assert frame.loc["sensitivity", "denominator"] == 3
    assert frame.loc["ppv", "method"] == "Wilson 95% CI"
    assert frame.loc["auc", "method"] == "DeLong 95% CI"


@pytest.mark.parametrize("threshold", [-0.1, 1.5, np.nan, "high"])
def test_threshold_rejects_bad_threshold(threshold):
    with pytest.raises(StatsInputError, match="threshold must be"):
        threshold_metrics([0, 1], [0.2, 0.8], threshold)


def test_youden_picks_best_midpoint():
    # Risks at or above 0.45 give sensitivity 1 and specificity 1.
    y_true = [0, 0, 0, 1, 1, 1]
    y_prob = [0.1, 0.2, 0.4, 0.5, 0.7, 0.9]
    assert youden_threshold(y_true, y_prob) == pytest.approx(0.45)


def test_youden_ties_return_lowest_threshold():
    # 0.15 (sensitivity 1, specificity 1/2) and 0.35 (1/2 and 1) both reach J = 1/2.
    y_true = [0, 1, 0, 1]
    y_prob = [0.1, 0.2, 0.3, 0.4]
    assert youden_threshold(y_true, y_prob) == pytest.approx(0.15)


def test_youden_maximises_j_on_simulated(simulated):
    data = simulated["data"]
    best = youden_threshold(data["y"], data["score_a"])
    y_true = data["y"].to_numpy()
    y_prob = data["score_a"].to_numpy()

    def youden_j(t):
        predicted = y_prob >= t
        return predicted[y_true == 1].mean() + (~predicted[y_true == 0]).mean() - 1

    grid = np.linspace(0, 1, 1001)
    assert youden_j(best) == pytest.approx(max(youden_j(t) for t in grid))


def test_youden_rejects_constant_risk():
    with pytest.raises(StatsInputError, match="no threshold separates"):
        youden_threshold([0, 1, 0], [0.2, 0.2, 0.2])


def test_youden_rejects_single_class():
    with pytest.raises(StatsInputError, match="only the class 0"):
        youden_threshold([0, 0, 0], [0.2, 0.4, 0.6])
