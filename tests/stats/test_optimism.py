"""Bootstrap optimism-corrected calibration: exact zero optimism, overfitting, determinism."""

import numpy as np
import pandas as pd
import pytest

from mblstats.stats import (
    StatsInputError,
    calibration_summary,
    logistic_regression,
    optimism_corrected_calibration,
)


def _logistic_fit_predict(predictors):
    def fit_predict(X_train, y_train, X_new):
        train = X_train.assign(y=np.asarray(y_train))
        return logistic_regression(train, "y", predictors).predict_proba(X_new)

    return fit_predict


def test_fixed_risks_have_zero_optimism(simulated):
    # A "model" that ignores its training data cannot be optimistic: training and test
    # calibration agree in expectation, and the test curve equals the apparent curve exactly.
    data = simulated["data"]
    risk = data["score_a"].to_numpy()

    def fixed(X_train, y_train, X_new):
        return risk[X_new.index.to_numpy()]

    result = optimism_corrected_calibration(fixed, data[["x1"]], data["y"], n_bootstrap=40, seed=1)
    apparent = calibration_summary(data["y"], risk)

    assert result.indexes.loc["slope", "apparent"] == pytest.approx(apparent.slope)
    assert result.indexes.loc["slope", "test"] == pytest.approx(apparent.slope)
    assert result.indexes.loc["brier", "test"] == pytest.approx(apparent.brier)
    assert abs(result.indexes.loc["slope", "optimism"]) < 0.05


def test_overfitted_model_has_positive_slope_optimism():
    rng = np.random.default_rng(7)
    n = 120
    X = pd.DataFrame(rng.normal(size=(n, 8)), columns=[f"noise{i}" for i in range(8)])
    y = rng.binomial(1, 1 / (1 + np.exp(-0.8 * X["noise0"])))
    result = optimism_corrected_calibration(
        _logistic_fit_predict(list(X.columns)), X, y, n_bootstrap=30, seed=2
    )
    slope = result.indexes.loc["slope"]

    assert slope["apparent"] == pytest.approx(1.0, abs=1e-6)
    assert slope["training"] == pytest.approx(1.0, abs=1e-6)
    assert slope["optimism"] > 0.1
    assert slope["corrected"] < 0.9
    assert result.indexes.loc["brier", "corrected"] > result.indexes.loc["brier", "apparent"]
    assert result.n_failed == 0


def test_optimism_curve_columns_and_determinism(simulated):
    data = simulated["data"]
    fit_predict = _logistic_fit_predict(["x1", "x2"])
    first = optimism_corrected_calibration(fit_predict, data[["x1", "x2"]], data["y"], 15, seed=3)
    second = optimism_corrected_calibration(fit_predict, data[["x1", "x2"]], data["y"], 15, seed=3)

    assert first.curve.columns.tolist() == ["predicted", "apparent", "optimism", "bias_corrected"]
    assert len(first.curve) == 50
    pd.testing.assert_frame_equal(first.curve, second.curve)
    pd.testing.assert_frame_equal(first.indexes, second.indexes)
    corrected = (first.curve["apparent"] - first.curve["optimism"]).clip(0, 1).to_numpy()
    assert first.curve["bias_corrected"].to_numpy() == pytest.approx(corrected)


def test_optimism_skips_failed_refits():
    # With 3 events in 40 rows some bootstrap samples have no event at all and are skipped.
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=40)})
    y = np.zeros(40, dtype=int)
    y[[3, 17, 30]] = 1
    result = optimism_corrected_calibration(
        _logistic_fit_predict(["x"]), X, y, n_bootstrap=30, seed=5
    )
    assert 0 < result.n_failed <= 15


def test_optimism_rejects_mismatched_rows(simulated):
    data = simulated["data"]
    with pytest.raises(StatsInputError, match="X has 10 rows but y has 300"):
        optimism_corrected_calibration(_logistic_fit_predict(["x1"]), data.head(10), data["y"])


def test_optimism_rejects_bad_predictions(simulated):
    data = simulated["data"]

    def log_odds(X_train, y_train, X_new):
        return X_new["x1"].to_numpy() * 3

    with pytest.raises(StatsInputError, match="fit_predict output for the apparent fit"):
        optimism_corrected_calibration(log_odds, data[["x1"]], data["y"], n_bootstrap=5)
