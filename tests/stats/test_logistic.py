"""Logistic regression table against R glm, reference coding and failure cases."""

import numpy as np
import pandas as pd
import pytest

from mblstats.stats import (
    SeparationError,
    StatsInputError,
    logistic_regression,
)

RTOL = 1e-6
PREDICTORS = ["x1", "x2", "x3", "sex", "site"]
ORACLE_COLUMNS = {
    "coef": "coef",
    "se": "se",
    "z": "z",
    "p": "p",
    "wald_ci_low": "ci_low",
    "wald_ci_high": "ci_high",
    "odds_ratio": "odds_ratio",
}


@pytest.fixture(scope="module")
def model(simulated):
    return logistic_regression(simulated["data"], "y", PREDICTORS, categorical=["site"])


def test_logistic_table_matches_r_glm(model, simulated):
    reference = simulated["reference"]["logistic"]
    assert model.table.index.tolist() == reference["terms"]
    for key, column in ORACLE_COLUMNS.items():
        assert model.table[column].to_numpy() == pytest.approx(reference[key], rel=RTOL), column


def test_logistic_fit_statistics_match_r_glm(model, simulated):
    reference = simulated["reference"]["logistic"]
    assert model.loglik == pytest.approx(reference["loglik"], rel=RTOL)
    assert model.aic == pytest.approx(reference["aic"], rel=RTOL)
    assert model.n == 300
    assert model.n_events == simulated["data"]["y"].sum()


def test_logistic_predictions_match_r_fitted(model, simulated):
    predicted = model.predict_proba(simulated["data"])
    assert predicted == pytest.approx(simulated["fitted"], rel=RTOL)


def test_logistic_odds_ratio_interval(model):
    table = model.table
    assert table["or_ci_low"].to_numpy() == pytest.approx(np.exp(table["ci_low"]).to_numpy())
    assert table["or_ci_high"].to_numpy() == pytest.approx(np.exp(table["ci_high"]).to_numpy())


def test_logistic_default_reference_is_first_sorted(model):
    assert model.reference_levels == {"site": "A"}
    assert model.levels == {"site": ("A", "B", "C")}


def test_logistic_reference_level_reparametrises(model, simulated):
    releveled = logistic_regression(
        simulated["data"], "y", PREDICTORS, categorical=["site"], reference={"site": "B"}
    )
    coef, original = releveled.coef, model.coef

    assert releveled.reference_levels == {"site": "B"}
    assert releveled.table.index.tolist()[-2:] == ["siteA", "siteC"]
    assert coef["siteA"] == pytest.approx(-original["siteB"], rel=1e-8)
    assert coef["siteC"] == pytest.approx(original["siteC"] - original["siteB"], rel=1e-8)
    assert releveled.loglik == pytest.approx(model.loglik, rel=1e-10)


def test_logistic_categorical_dtype_uses_category_order(simulated):
    data = simulated["data"].copy()
    data["site"] = pd.Categorical(data["site"], categories=["C", "A", "B"])
    fitted = logistic_regression(data, "y", PREDICTORS, categorical=["site"])
    assert fitted.reference_levels == {"site": "C"}


def test_logistic_numeric_code_option(simulated):
    # A nominal variable left out of `categorical` is fitted as one numeric slope.
    codes = simulated["data"]["site"].map({"A": 1, "B": 2, "C": 3})
    data = simulated["data"].assign(site_code=codes)
    fitted = logistic_regression(data, "y", ["x1", "site_code"])
    assert fitted.table.index.tolist() == ["(Intercept)", "x1", "site_code"]


def test_logistic_predict_rejects_unseen_level(model, simulated):
    new_data = simulated["data"].head(3).copy()
    new_data.loc[new_data.index[1], "site"] = "D"
    with pytest.raises(StatsInputError, match="level 'D' \\(row 1\\)"):
        model.predict_proba(new_data)


def test_logistic_predict_rejects_missing_column(model, simulated):
    with pytest.raises(StatsInputError, match=r"new_data lacks the predictor column\(s\) \['x3'\]"):
        model.predict_proba(simulated["data"].drop(columns="x3"))


def test_logistic_complete_separation_names_predictor():
    data = pd.DataFrame(
        {
            "y": [0, 0, 0, 1, 1, 1, 0, 1],
            "dose": [1, 2, 3, 4, 5, 6, 2.5, 7],
            "age": [5, 3, 8, 1, 9, 2, 4, 7],
        }
    )
    with pytest.raises(SeparationError, match="dose on its own predicts the outcome"):
        logistic_regression(data, "y", ["dose", "age"])


def test_logistic_quasi_separation_names_level():
    # Every patient at site C has the event; elsewhere the outcome varies.
    rng = np.random.default_rng(5)
    site = np.repeat(["A", "B", "C"], 20)
    y = np.where(site == "C", 1, rng.binomial(1, 0.4, 60))
    data = pd.DataFrame({"y": y, "site": site, "x": rng.normal(size=60)})
    with pytest.raises(SeparationError, match=r"site \(level C\)"):
        logistic_regression(data, "y", ["x", "site"], categorical=["site"])


def test_logistic_rejects_collinear_predictor(simulated):
    data = simulated["data"].assign(x1_copy=lambda frame: 2 * frame["x1"])
    with pytest.raises(StatsInputError, match="x1_copy is constant or a linear combination"):
        logistic_regression(data, "y", ["x1", "x1_copy"])


def test_logistic_rejects_missing_values(simulated):
    data = simulated["data"].copy()
    data.loc[[4, 9], "x2"] = np.nan
    with pytest.raises(StatsInputError, match=r"'x2' has 2 missing value\(s\) \(rows 4, 9\)"):
        logistic_regression(data, "y", ["x1", "x2"])


def test_logistic_rejects_text_predictor_not_categorical(simulated):
    with pytest.raises(StatsInputError, match="'site' is not numeric .* list it in categorical"):
        logistic_regression(simulated["data"], "y", ["x1", "site"])


def test_logistic_rejects_unknown_reference(simulated):
    with pytest.raises(StatsInputError, match="reference level 'Z' of 'site'"):
        logistic_regression(
            simulated["data"], "y", PREDICTORS, categorical=["site"], reference={"site": "Z"}
        )


def test_logistic_rejects_absent_column(simulated):
    with pytest.raises(StatsInputError, match=r"column\(s\) \['age'\] not found"):
        logistic_regression(simulated["data"], "y", ["x1", "age"])


def test_logistic_rejects_non_binary_outcome(simulated):
    data = simulated["data"].assign(y=simulated["data"]["y"] * 2)
    with pytest.raises(StatsInputError, match="outcome column 'y' must contain only 0"):
        logistic_regression(data, "y", ["x1"])


def test_logistic_separation_by_combination_names_minimal_set():
    # x1 + x2 > 0 defines the outcome; x3 is noise and must not be blamed.
    rng = np.random.default_rng(5)
    x1, x2, x3 = rng.normal(size=(3, 40))
    data = pd.DataFrame({"y": (x1 + x2 > 0).astype(int), "x1": x1, "x2": x2, "x3": x3})
    with pytest.raises(SeparationError, match="the combination of x1, x2 predicts"):
        logistic_regression(data, "y", ["x1", "x2", "x3"])


def test_logistic_non_convergence_raises(simulated, monkeypatch):
    from mblstats.stats import ConvergenceError, _glm

    monkeypatch.setattr(_glm, "MAX_ITERATIONS", 2)
    with pytest.raises(ConvergenceError, match="x1, x2 did not converge in 2 Newton iterations"):
        logistic_regression(simulated["data"], "y", ["x1", "x2"])
