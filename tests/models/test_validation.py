"""Cross-validation modes, bootstrap optimism, validation evaluation and the null test."""

import numpy as np
import pandas as pd
import pytest

from mblstats.exceptions import InputValidationError
from mblstats.models.families import make_family
from mblstats.models.null_test import permutation_null_test, permutation_null_test_models
from mblstats.models.validation import (
    bootstrap_optimism,
    bootstrap_optimism_models,
    cross_validate,
    cross_validate_models,
    evaluate_on_validation,
)

from .conftest import FAST


@pytest.fixture(scope="module")
def training(small_cohort):
    train = small_cohort["train"]
    return small_cohort["X"].loc[train], small_cohort["y"][train]


def test_cv_out_of_fold_covers_every_patient(training):
    X, y = training
    result = cross_validate(make_family("RN", **FAST), X, y, n_folds=3, n_repeats=2, seed=1)
    assert result.oof_prob.shape == (len(y), 2)
    assert result.oof_prob.notna().all().all()
    assert len(result.fold_auc) == 6
    assert result.to_frame().loc[0, "cv_auc_mean"] > 0.6


def test_as_published_cv_is_optimistic_on_noise(training):
    # With pure-noise features, selecting on all training rows before CV inflates the CV AUC;
    # selecting inside the folds keeps it near 0.5.
    X, y = training
    rng = np.random.default_rng(0)
    noise = pd.DataFrame(rng.normal(size=(len(X), 150)), index=X.index).add_prefix("noise_")
    options = {**FAST, "mrmr_k": 10, "lambda_rule": "min"}
    safe = cross_validate(make_family("RN", **options), noise, y, n_folds=5, n_repeats=1, seed=2)
    published = cross_validate(
        make_family("RN", **options), noise, y, n_folds=5, n_repeats=1, seed=2, mode="as_published"
    )
    assert safe.to_frame().loc[0, "cv_auc_pooled"] < 0.62
    assert published.to_frame().loc[0, "cv_auc_pooled"] > safe.to_frame().loc[0, "cv_auc_pooled"] + 0.1


def test_bootstrap_optimism_is_positive(training):
    X, y = training
    result = bootstrap_optimism(make_family("Clinical", **FAST), X, y, n_bootstrap=8, seed=3)
    frame = result.to_frame().set_index("metric")
    assert frame.loc["auc", "optimism"] > 0
    assert frame.loc["auc", "corrected"] < frame.loc["auc", "apparent"]
    assert frame.loc["calibration_slope", "apparent"] == pytest.approx(1.0, abs=1e-4)
    assert frame.loc["calibration_slope", "corrected"] < 1.0


def test_validation_threshold_comes_from_training(small_cohort):
    from mblstats.stats import youden_threshold

    X, y = small_cohort["X"], small_cohort["y"]
    train, validation = small_cohort["train"], small_cohort["validation"]
    evaluation = evaluate_on_validation(
        make_family("Clinical-RN", **FAST), X.loc[train], y[train], X.loc[validation], y[validation]
    )
    assert evaluation.threshold == youden_threshold(y[train], evaluation.train_prob)
    assert evaluation.validation.threshold == evaluation.threshold
    frame = evaluation.to_frame()
    assert list(frame["set"]) == ["train", "validation"]
    assert frame.loc[1, "tp"] + frame.loc[1, "fn"] == y[validation].sum()


def test_validation_rejects_shared_patients(small_cohort):
    X, y, train = small_cohort["X"], small_cohort["y"], small_cohort["train"]
    with pytest.raises(InputValidationError, match="in both the training and the validation"):
        evaluate_on_validation(make_family("Clinical"), X.loc[train], y[train], X.loc[train[:5]], y[train[:5]])


def test_cv_rejects_too_few_events(training):
    X, y = training
    few = y.copy()
    few[:] = 0
    few.iloc[:4] = 1
    with pytest.raises(InputValidationError, match="lower cv_folds"):
        cross_validate(make_family("Clinical"), X, few, n_folds=10)


def test_null_test_centres_on_half(small_cohort):
    X, y = small_cohort["X"], small_cohort["y"]
    train, validation = small_cohort["train"], small_cohort["validation"]
    features = small_cohort["features"].columns
    result = permutation_null_test(
        make_family("RN", **{**FAST, "mrmr_k": 4, "n_lambdas": 10, "lasso_folds": 3}),
        X.loc[train, features],
        y[train],
        X.loc[validation, features],
        y[validation],
        n_permutations=20,
        seed=4,
    )
    assert abs(result.null_auc.mean() - 0.5) <= 0.05
    assert result.observed_auc > 0.7
    assert result.p_value == pytest.approx(1 / 21)


@pytest.mark.parametrize("name", ["RN", "DNN"])
def test_cv_same_seed_identical(name, training):
    X, y = training
    first = cross_validate(make_family(name, **FAST), X, y, n_folds=3, n_repeats=1, seed=5)
    second = cross_validate(make_family(name, **FAST), X, y, n_folds=3, n_repeats=1, seed=5)
    pd.testing.assert_frame_equal(first.oof_prob, second.oof_prob)


def test_parallel_workers_same_results(training):
    X, y = training
    model = make_family("Clinical-RN", **FAST)
    serial = cross_validate(model, X, y, n_folds=3, n_repeats=1, seed=6)
    parallel = cross_validate(model, X, y, n_folds=3, n_repeats=1, seed=6, n_jobs=2)
    pd.testing.assert_frame_equal(serial.oof_prob, parallel.oof_prob)
    boot_serial = bootstrap_optimism(model, X, y, n_bootstrap=2, seed=6)
    boot_parallel = bootstrap_optimism(model, X, y, n_bootstrap=2, seed=6, n_jobs=2)
    pd.testing.assert_frame_equal(boot_serial.optimism, boot_parallel.optimism)


def test_models_together_equal_alone(small_cohort, training):
    # Validating RN and Clinical-RN together shares their LASSO fits on every resample, and
    # each result must still equal the one of the model validated alone.
    X, y = training
    names = ("RN", "Clinical-RN")
    models = {name: make_family(name, **FAST) for name in names}
    together = cross_validate_models(models, X, y, n_folds=3, n_repeats=1, seed=4)
    optimism = bootstrap_optimism_models(models, X, y, n_bootstrap=3, seed=4)
    validation_X = small_cohort["X"].loc[small_cohort["validation"]]
    validation_y = small_cohort["y"][small_cohort["validation"]]
    null = permutation_null_test_models(models, X, y, validation_X, validation_y, 2, seed=4)
    for name in names:
        alone = cross_validate(make_family(name, **FAST), X, y, n_folds=3, n_repeats=1, seed=4, name=name)
        pd.testing.assert_frame_equal(together[name].oof_prob, alone.oof_prob)
        alone_optimism = bootstrap_optimism(make_family(name, **FAST), X, y, 3, seed=4, name=name)
        pd.testing.assert_frame_equal(optimism[name].optimism, alone_optimism.optimism)
        alone_null = permutation_null_test(
            make_family(name, **FAST), X, y, validation_X, validation_y, 2, seed=4, name=name
        )
        np.testing.assert_array_equal(null[name].null_auc, alone_null.null_auc)
        assert null[name].observed_auc == alone_null.observed_auc
    assert not np.allclose(together["RN"].oof_prob, together["Clinical-RN"].oof_prob)


def test_constant_model_evaluates_with_everyone_positive(small_cohort):
    from sklearn.dummy import DummyClassifier

    X, y = small_cohort["X"][["age_years"]], small_cohort["y"]
    train, validation = small_cohort["train"], small_cohort["validation"]
    evaluation = evaluate_on_validation(
        DummyClassifier(strategy="prior"), X.loc[train], y[train], X.loc[validation], y[validation]
    )
    assert evaluation.threshold == pytest.approx(y[train].mean())
    assert evaluation.validation.specificity == 0.0
    assert evaluation.validation.sensitivity == 1.0
    assert evaluation.validation.auc == 0.5
