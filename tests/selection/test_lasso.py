"""LASSO logistic regression: glmnet reference, scikit-learn cross-check, CV lambda rules."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from mblstats.exceptions import InputValidationError
from mblstats.selection.lasso import (
    cross_validate_lambda,
    fit_l1_logistic,
    l1_logistic_path,
    lambda_grid,
)
from mblstats.selection.radscore import LassoRadscore


@pytest.fixture(scope="module")
def glmnet_case(shared_dir):
    folder = shared_dir / "oracles" / "r-simulated-300"
    data = pd.read_csv(folder / "data.csv")
    reference = json.loads((folder / "reference.json").read_text())["lasso"]
    x = data[["x1", "x2", "x3"]].to_numpy()
    x = (x - x.mean(axis=0)) / x.std(axis=0)  # population SD, as the reference states
    return x, data["y"].to_numpy(), reference


def _synthetic(seed=0, n=300, p=12):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p))
    x[:, 5] = x[:, 4] + 0.3 * rng.normal(size=n)
    y = (x[:, 0] - 0.8 * x[:, 1] + rng.normal(size=n) > 0.6).astype(int)
    return pd.DataFrame(x, columns=[f"feature_{i}" for i in range(p)]), y


def test_l1_fit_matches_glmnet(glmnet_case):
    x, y, reference = glmnet_case
    intercept, coef = fit_l1_logistic(x, y, reference["lambda"])
    np.testing.assert_allclose(intercept, reference["intercept"], rtol=1e-6)
    np.testing.assert_allclose(coef, reference["coef"], rtol=1e-6)


def test_l1_fit_matches_sklearn_saga():
    x, y = _synthetic()
    lambdas = lambda_grid(x.to_numpy(), y, n_lambdas=8)
    for lam in lambdas:
        intercept, coef = fit_l1_logistic(x.to_numpy(), y, lam)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            saga = LogisticRegression(
                l1_ratio=1.0,
                C=1 / (len(y) * lam),
                solver="saga",
                tol=1e-12,
                max_iter=100_000,
                random_state=0,  # SAGA samples rows at random; some orders stop early
            ).fit(x.to_numpy(), y)
        np.testing.assert_allclose(coef, saga.coef_.ravel(), atol=1e-6)
        np.testing.assert_allclose(intercept, saga.intercept_[0], atol=1e-6)


def test_path_matches_single_fits_until_it_stops():
    x, y = _synthetic()
    lambdas = lambda_grid(x.to_numpy(), y, n_lambdas=30)
    intercepts, coefs = l1_logistic_path(x.to_numpy(), y, lambdas, tol=1e-10)
    for lam, intercept, coef in list(zip(lambdas, intercepts, coefs))[:10]:
        single_intercept, single_coef = fit_l1_logistic(x.to_numpy(), y, lam)
        np.testing.assert_allclose(coef, single_coef, atol=1e-7)
        np.testing.assert_allclose(intercept, single_intercept, atol=1e-7)


def test_lambda_max_zeroes_every_coefficient():
    x, y = _synthetic()
    lambdas = lambda_grid(x.to_numpy(), y, n_lambdas=5)
    _, coefs = l1_logistic_path(x.to_numpy(), y, lambdas)
    assert np.all(coefs[0] == 0)
    assert np.any(coefs[1] != 0)


def test_one_se_lambda_not_below_minimum():
    x, y = _synthetic()
    result = cross_validate_lambda(x, y, n_folds=5, n_lambdas=30, seed=1)
    assert result.lambda_1se >= result.lambda_min
    best = int(np.argmin(result.cv_mean))
    chosen = int(np.flatnonzero(result.lambdas == result.lambda_1se)[0])
    assert result.cv_mean[chosen] <= result.cv_mean[best] + result.cv_se[best]
    assert result.to_frame().shape == (30, 5)


def test_radscore_picks_signal_features():
    x, y = _synthetic()
    radscore = LassoRadscore(n_folds=5, n_lambdas=30, seed=1).fit(x, y)
    assert {"feature_0", "feature_1"} <= set(radscore.selected_features_)
    assert radscore.coef_["feature_0"] > 0
    assert radscore.coef_["feature_1"] < 0
    formula = radscore.formula()
    np.testing.assert_allclose(formula.score(x), radscore.transform(x)["radscore"])
    assert formula.text.startswith("radscore = ")
    assert list(formula.to_frame()["term"])[0] == "(Intercept)"


def test_radscore_deterministic():
    x, y = _synthetic()
    first = LassoRadscore(n_folds=5, n_lambdas=20, seed=3).fit(x, y).transform(x)
    second = LassoRadscore(n_folds=5, n_lambdas=20, seed=3).fit(x, y).transform(x)
    pd.testing.assert_frame_equal(first, second)


def test_lambda_cv_rejects_too_few_events():
    x, _ = _synthetic(n=40)
    y = np.zeros(40, dtype=int)
    y[:3] = 1
    with pytest.raises(InputValidationError, match="at least 10 patients"):
        cross_validate_lambda(x, y, n_folds=10)


def test_lasso_rejects_non_binary_outcome():
    x, y = _synthetic()
    with pytest.raises(InputValidationError, match="coded 0/1"):
        l1_logistic_path(x.to_numpy(), y * 2, np.array([0.1]))


def test_lambda_cv_reuses_equal_inputs():
    x, y = _synthetic(seed=3)
    first = cross_validate_lambda(x, y, n_folds=5, n_lambdas=30, seed=1)
    again = cross_validate_lambda(x.copy(), y.copy(), n_folds=5, n_lambdas=30, seed=1)
    assert again is first
    other_seed = cross_validate_lambda(x, y, n_folds=5, n_lambdas=30, seed=2)
    assert other_seed is not first
    changed = x.copy()
    changed.iloc[0, 0] += 1.0
    assert cross_validate_lambda(changed, y, n_folds=5, n_lambdas=30, seed=1) is not first
