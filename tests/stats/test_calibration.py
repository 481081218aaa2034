"""Calibration intercept, slope, Brier score and calibration curves."""

import numpy as np
import pytest
from scipy import special

from mblstats.stats import (
    SeparationError,
    StatsInputError,
    calibration_curve_binned,
    calibration_curve_lowess,
    calibration_summary,
)

RTOL = 1e-6


def test_calibration_summary_matches_r(simulated):
    data, reference = simulated["data"], simulated["reference"]["calibration"]
    result = calibration_summary(data["y"], data["score_a"])

    assert result.intercept == pytest.approx(reference["intercept"], rel=RTOL)
    assert result.slope == pytest.approx(reference["slope"], rel=RTOL)
    assert result.brier == pytest.approx(reference["brier"], rel=RTOL)
    assert result.intercept_ci_low < result.intercept < result.intercept_ci_high
    assert result.slope_ci_low < result.slope < result.slope_ci_high


def test_calibration_of_own_fit_is_perfect(simulated):
    # Maximum likelihood fitted values satisfy sum(y) = sum(p) and have slope 1 on themselves.
    data = simulated["data"]
    result = calibration_summary(data["y"], simulated["fitted"])
    assert result.intercept == pytest.approx(0.0, abs=1e-6)
    assert result.slope == pytest.approx(1.0, rel=1e-6)


def test_calibration_detects_overconfident_risks(simulated):
    data = simulated["data"]
    base = special.logit(np.asarray(simulated["fitted"]))
    doubled = calibration_summary(data["y"], special.expit(2 * base))
    assert doubled.slope == pytest.approx(0.5, rel=1e-6)


def test_calibration_clips_risks_of_zero_and_one():
    y_true = np.array([0, 0, 1, 0, 1, 1, 0, 1])
    y_prob = np.array([0.0, 0.2, 0.3, 0.4, 0.6, 1.0, 0.7, 0.8])
    result = calibration_summary(y_true, y_prob)
    assert np.isfinite(result.slope)
    assert np.isfinite(result.intercept)
    assert result.brier == pytest.approx(np.mean((y_prob - y_true) ** 2))


def test_calibration_rejects_constant_risk():
    with pytest.raises(StatsInputError, match="0.4 for every sample"):
        calibration_summary([0, 1, 0, 1], [0.4, 0.4, 0.4, 0.4])


def test_calibration_rejects_single_class():
    with pytest.raises(StatsInputError, match="only the class 1"):
        calibration_summary([1, 1, 1], [0.2, 0.5, 0.7])


def test_calibration_rejects_separating_risks():
    with pytest.raises(SeparationError, match="logit_p on its own predicts the outcome"):
        calibration_summary([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])


def test_binned_curve_counts_and_rates(simulated):
    data = simulated["data"]
    curve = calibration_curve_binned(data["y"], data["score_a"], n_bins=5)

    assert len(curve) == 5
    assert curve["n"].sum() == len(data)
    assert curve["events"].sum() == data["y"].sum()
    assert (curve["mean_predicted"].diff().dropna() > 0).all()
    assert (curve["observed_ci_low"] <= curve["observed_rate"]).all()
    assert (curve["observed_rate"] <= curve["observed_ci_high"]).all()


def test_binned_quantile_bins_are_hosmer_lemeshow_groups(simulated):
    from mblstats.stats import hosmer_lemeshow

    data = simulated["data"]
    curve = calibration_curve_binned(data["y"], data["score_a"], n_bins=10)
    groups = hosmer_lemeshow(data["y"], data["score_a"], n_groups=10).table

    assert curve["n"].tolist() == groups["n"].tolist()
    assert curve["events"].tolist() == groups["observed_events"].tolist()


def test_binned_curve_uniform_drops_empty_bins():
    curve = calibration_curve_binned([0, 1, 0, 1], [0.05, 0.15, 0.95, 0.92], strategy="uniform")
    assert curve["bin"].tolist() == [0, 1, 9]
    assert curve["n"].tolist() == [1, 1, 2]


def test_binned_curve_uniform_matches_sklearn(simulated):
    from sklearn.calibration import calibration_curve

    data = simulated["data"]
    observed, predicted = calibration_curve(data["y"], data["score_a"], n_bins=8)
    curve = calibration_curve_binned(data["y"], data["score_a"], n_bins=8, strategy="uniform")

    assert curve["observed_rate"].to_numpy() == pytest.approx(observed)
    assert curve["mean_predicted"].to_numpy() == pytest.approx(predicted)


def test_binned_curve_rejects_bad_strategy():
    with pytest.raises(StatsInputError, match="strategy must be 'quantile' or 'uniform'"):
        calibration_curve_binned([0, 1], [0.2, 0.8], strategy="kmeans")


def test_lowess_curve_follows_true_risk():
    rng = np.random.default_rng(3)
    y_prob = rng.uniform(0.05, 0.95, 4000)
    y_true = rng.binomial(1, y_prob)
    curve = calibration_curve_lowess(y_true, y_prob, grid=[0.2, 0.5, 0.8])

    assert curve["predicted"].tolist() == [0.2, 0.5, 0.8]
    assert curve["observed"].to_numpy() == pytest.approx([0.2, 0.5, 0.8], abs=0.05)


def test_lowess_curve_rejects_bad_frac():
    with pytest.raises(StatsInputError, match="frac must be in"):
        calibration_curve_lowess([0, 1], [0.2, 0.8], frac=0)
