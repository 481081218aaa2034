"""Degenerate inputs across the risk-based functions: NaN, one class, constant or 0/1 risks."""

import numpy as np
import pytest
from scipy import optimize, special

from mblstats.stats import (
    SeparationError,
    StatsInputError,
    calibration_curve_binned,
    calibration_curve_lowess,
    calibration_summary,
    hosmer_lemeshow,
    net_benefit,
    roc_auc_ci,
    threshold_metrics,
    youden_threshold,
)

Y_TRUE = np.array([0, 1, 0, 1, 1, 0, 0, 1])
Y_PROB = np.array([0.1, 0.7, 0.3, 0.6, 0.4, 0.2, 0.5, 0.8])

RISK_FUNCTIONS = {
    "roc_auc_ci": (roc_auc_ci, "y_score"),
    "hosmer_lemeshow": (lambda y, p: hosmer_lemeshow(y, p, n_groups=3), "y_prob"),
    "net_benefit": (net_benefit, "y_prob"),
    "calibration_summary": (calibration_summary, "y_prob"),
    "calibration_curve_binned": (calibration_curve_binned, "y_prob"),
    "calibration_curve_lowess": (calibration_curve_lowess, "y_prob"),
    "threshold_metrics": (lambda y, p: threshold_metrics(y, p, 0.5), "y_prob"),
    "youden_threshold": (youden_threshold, "y_prob"),
}


@pytest.mark.parametrize("name", RISK_FUNCTIONS)
def test_nan_risk_is_rejected(name):
    function, argument = RISK_FUNCTIONS[name]
    y_prob = Y_PROB.copy()
    y_prob[2] = np.nan
    message = f"{argument} contains 1 missing .* position\\(s\\) 2"
    with pytest.raises(StatsInputError, match=message):
        function(Y_TRUE, y_prob)


@pytest.mark.parametrize("name", RISK_FUNCTIONS)
def test_nan_outcome_is_rejected(name):
    function, _ = RISK_FUNCTIONS[name]
    y_true = Y_TRUE.astype(float)
    y_true[5] = np.nan
    with pytest.raises(StatsInputError, match="y_true contains 1 missing"):
        function(y_true, Y_PROB)


@pytest.mark.parametrize("name", RISK_FUNCTIONS)
def test_length_mismatch_is_rejected(name):
    function, argument = RISK_FUNCTIONS[name]
    with pytest.raises(StatsInputError, match=f"{argument} has 7 values but y_true has 8"):
        function(Y_TRUE, Y_PROB[:7])


@pytest.mark.parametrize("name", ["roc_auc_ci", "calibration_summary", "youden_threshold"])
def test_one_class_is_rejected(name):
    function, _ = RISK_FUNCTIONS[name]
    with pytest.raises(StatsInputError, match="only the class 0"):
        function(np.zeros(8, dtype=int), Y_PROB)


def test_one_class_documented_results():
    y_true = np.zeros(8, dtype=int)
    assert np.isnan(threshold_metrics(y_true, Y_PROB, 0.5).sensitivity)
    assert net_benefit(y_true, Y_PROB, [0.5]).loc[0, "true_positives"] == 0
    assert hosmer_lemeshow(y_true, Y_PROB, n_groups=3).statistic > 0


@pytest.mark.parametrize("name", ["hosmer_lemeshow", "calibration_summary", "youden_threshold"])
def test_constant_risk_is_rejected(name):
    function, _ = RISK_FUNCTIONS[name]
    with pytest.raises(StatsInputError, match="0.3 for every sample"):
        function(Y_TRUE, np.full(8, 0.3))


def test_constant_risk_documented_results():
    constant = np.full(8, 0.3)
    assert roc_auc_ci(Y_TRUE, constant).auc == 0.5
    assert threshold_metrics(Y_TRUE, constant, 0.3).sensitivity == 1.0
    assert net_benefit(Y_TRUE, constant, [0.3]).loc[0, "n_treated"] == 8


def test_zero_one_risks_documented_results():
    y_prob = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0])
    summary = calibration_summary(Y_TRUE, y_prob)
    # The offset model's score equation sum(y - expit(a + logit(p))) = 0, solved directly.
    offset = special.logit(np.clip(y_prob, 1e-6, 1 - 1e-6))
    root = optimize.brentq(lambda a: np.sum(Y_TRUE - special.expit(a + offset)), -50, 50)
    assert summary.intercept == pytest.approx(root, rel=1e-8)
    assert np.isfinite(summary.slope)
    assert summary.brier == pytest.approx(np.mean((y_prob - Y_TRUE) ** 2))
    assert roc_auc_ci(Y_TRUE, y_prob).auc == pytest.approx(10 / 16)
    with pytest.raises(StatsInputError, match=r"risk group \[0, 0.3333\] has 0 expected events"):
        hosmer_lemeshow(Y_TRUE, y_prob, n_groups=3)


def test_zero_one_risks_that_separate_are_rejected():
    with pytest.raises(SeparationError, match="separation"):
        calibration_summary(Y_TRUE, Y_TRUE.astype(float))


def test_risk_outside_unit_interval_is_rejected():
    with pytest.raises(StatsInputError, match="pass predicted risks, not log-odds"):
        calibration_summary(Y_TRUE, Y_PROB * 3 - 1)
