"""Tests of the batched dense network against Keras, scikit-learn and its own invariants.

Keras ``fit`` is the reference: a Keras model started from the same initial weights and
trained full-batch with ``EarlyStopping(restore_best_weights=True)`` must end where the
batched trainer ends. Other checks are invariants (independence of stacked models,
determinism within and across processes, restoration of best-epoch weights) and
behaviour on synthetic data with a known outcome (learnable signal, permuted labels).
"""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

from mblstats.exceptions import InputValidationError
from mblstats.models import _fold_network, network
from mblstats.models.network import (
    DenseNetworkClassifier,
    NetworkConfig,
    NetworkDesign,
    assemble_out_of_fold,
    cross_validate_network,
    fit_networks,
    fit_networks_on_designs,
    inner_validation_split,
)

FAST = NetworkConfig(max_epochs=300, patience=20, seed=7)


def make_problem(n_samples=160, n_features=5, noise=0.5, seed=0):
    """Logistic-style data where the first two features carry the signal."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    score = X[:, 0] - X[:, 1] + noise * rng.normal(size=n_samples)
    y = (score > np.quantile(score, 0.7)).astype(int)
    return X, y


@pytest.fixture(scope="module")
def easy():
    return make_problem()


@pytest.fixture(scope="module")
def folds(easy):
    X, y = easy
    splitter = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=1)
    return list(splitter.split(X, y))


@pytest.fixture(scope="module")
def cv_result(easy, folds):
    X, y = easy
    return cross_validate_network(X, y, folds, FAST)


def test_network_learns_easy_problem(easy, folds, cv_result):
    X, y = easy
    out_of_fold, fitted = cv_result
    assert out_of_fold.shape == (2, len(y))
    assert fitted.n_models == 10
    # Per-fold AUC, because pooling folds mixes differently scaled models.
    proba = fitted.predict_proba(X)
    fold_aucs = [roc_auc_score(y[test], proba[fold, test]) for fold, (_, test) in enumerate(folds)]
    assert np.mean(fold_aucs) > 0.8
    for fold, (_, test) in enumerate(folds):
        np.testing.assert_array_equal(out_of_fold[fold // 5, test], proba[fold, test])


def test_permuted_outcome_near_chance(easy, folds):
    X, y = easy
    y_permuted = np.random.default_rng(3).permutation(y)
    out_of_fold, _ = cross_validate_network(X, y_permuted, folds, FAST)
    aucs = [roc_auc_score(y_permuted, repeat) for repeat in out_of_fold]
    assert abs(np.mean(aucs) - 0.5) < 0.12


def test_same_seed_bit_identical(easy, folds, cv_result):
    X, y = easy
    again, _ = cross_validate_network(X, y, folds, FAST)
    assert np.array_equal(again, cv_result[0])


def test_other_seed_differs(easy, folds, cv_result):
    X, y = easy
    other, _ = cross_validate_network(X, y, folds, NetworkConfig(max_epochs=300, patience=20, seed=8))
    assert not np.array_equal(other, cv_result[0])


def test_bit_identical_across_processes(easy, folds, cv_result, tmp_path):
    X, y = easy
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "folds.npy", np.array([train for train, _ in folds]))
    script = textwrap.dedent(
        f"""
        import numpy as np
        from sklearn.model_selection import RepeatedStratifiedKFold
        from mblstats.models.network import NetworkConfig, cross_validate_network
        X, y = np.load("{tmp_path}/X.npy"), np.load("{tmp_path}/y.npy")
        folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=1).split(X, y))
        assert np.array_equal(np.load("{tmp_path}/folds.npy"), [train for train, _ in folds])
        config = NetworkConfig(max_epochs=300, patience=20, seed=7)
        out_of_fold, _ = cross_validate_network(X, y, folds, config)
        np.save("{tmp_path}/out_of_fold.npy", out_of_fold)
        import os
        print(os.environ["TF_CPP_MIN_LOG_LEVEL"])
        """
    )
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=300, env=environment
    )
    assert np.array_equal(np.load(tmp_path / "out_of_fold.npy"), cv_result[0])
    assert completed.stdout.strip() == "2"


def test_threads_applied_in_fresh_process():
    # Only the thread setup runs, so the child process skips Keras and graph tracing.
    script = textwrap.dedent(
        """
        import os
        from mblstats.models import network
        from mblstats.models._fold_network import import_tensorflow
        tf = import_tensorflow()
        network._configure_threads(tf, network.NetworkConfig(intra_op_threads=1, inter_op_threads=1))
        threading = tf.config.threading
        print(threading.get_intra_op_parallelism_threads(), threading.get_inter_op_parallelism_threads(),
              os.environ["TF_CPP_MIN_LOG_LEVEL"])
        """
    )
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "1"}
    completed = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=300, env=environment
    )
    intra, inter, log_level = completed.stdout.split()
    assert (intra, inter) == ("1", "1")
    assert log_level == "1"


def test_stacked_models_are_independent(easy, folds):
    X, y = easy
    masks = np.zeros((3, len(y)), bool)
    for model, (train, _) in enumerate(folds[:3]):
        masks[model, train] = True
    batched = fit_networks(X, y, masks, FAST)
    alone = fit_networks(X, y, masks[:1], FAST)
    assert batched.best_epochs[0] == alone.best_epochs[0]
    np.testing.assert_allclose(batched.predict_proba(X)[0], alone.predict_proba(X)[0], atol=1e-5)


def test_single_and_batched_auc_agree(easy, folds, cv_result):
    X, y = easy
    _, fitted = cv_result
    batched_proba = fitted.predict_proba(X)
    for fold, (train, test) in enumerate(folds[:3]):
        single = DenseNetworkClassifier(FAST).fit(X[train], y[train])
        single_auc = roc_auc_score(y[test], single.predict_proba(X[test])[:, 1])
        batched_auc = roc_auc_score(y[test], batched_proba[fold, test])
        assert abs(single_auc - batched_auc) < 0.06, f"fold {fold}"


def test_matches_keras_fit_from_same_start(easy):
    import keras

    X, y = easy
    config = NetworkConfig(max_epochs=200, patience=5, learning_rate=0.03, seed=5)
    fitted = fit_networks(X, y, np.ones((1, len(y)), bool), config)
    fit_rows, validation_rows = fitted.train_rows[0], fitted.validation_rows[0]

    seeds = [np.random.SeedSequence(config.seed, spawn_key=(0, 1))]
    kernels, biases = _fold_network.glorot_uniform_weights(
        np.array([X.shape[1]]), X.shape[1], config.hidden_units, seeds
    )
    keras.utils.set_random_seed(config.seed)
    network = fitted.to_keras(0)
    network.set_weights([w[0] for pair in zip(kernels, biases) for w in pair])
    network.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="binary_crossentropy")
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True
    )
    history = network.fit(
        X[fit_rows].astype(np.float32),
        y[fit_rows].astype(np.float32),
        batch_size=len(fit_rows),
        epochs=config.max_epochs,
        validation_data=(X[validation_rows].astype(np.float32), y[validation_rows].astype(np.float32)),
        callbacks=[stopper],
        shuffle=False,
        verbose=0,
    )

    assert fitted.best_epochs[0] == stopper.best_epoch + 1
    assert fitted.stopped_epochs[0] == len(history.history["loss"])
    np.testing.assert_allclose(fitted.history.loss[0, :10], history.history["loss"][:10], rtol=1e-4)
    keras_proba = network.predict(X.astype(np.float32), verbose=0)[:, 0]
    np.testing.assert_allclose(fitted.predict_proba(X)[0], keras_proba, atol=2e-4)


def test_early_stopping_restores_best_epoch():
    X, y = make_problem(n_samples=120, n_features=8, noise=3.0, seed=5)
    config = NetworkConfig(max_epochs=400, patience=10, learning_rate=0.05, seed=2)
    masks = np.ones((4, len(y)), bool)
    fitted = fit_networks(X, y, masks, config)

    assert (fitted.best_epochs < config.max_epochs).all()
    assert (fitted.stopped_epochs == fitted.best_epochs + config.patience).all()
    for model in range(fitted.n_models):
        val_loss = fitted.history.val_loss[model]
        assert np.nanargmin(val_loss) + 1 == fitted.best_epochs[model]
        assert np.isnan(val_loss[fitted.stopped_epochs[model] :]).all()

    # Weights after exactly best_epochs[0] epochs are the ones early stopping kept.
    truncated = fit_networks(X, y, masks, NetworkConfig(
        max_epochs=int(fitted.best_epochs[0]), patience=10, learning_rate=0.05, seed=2
    ))
    assert np.array_equal(truncated.predict_proba(X)[0], fitted.predict_proba(X)[0])


def test_no_validation_trains_all_epochs(easy):
    X, y = easy
    config = NetworkConfig(max_epochs=25, inner_validation_fraction=0.0)
    fitted = fit_networks(X, y, np.ones((2, len(y)), bool), config)
    assert fitted.best_epochs.tolist() == [25, 25]
    assert [len(rows) for rows in fitted.train_rows] == [len(y), len(y)]
    assert np.isnan(fitted.history.val_loss).all()


def test_inner_split_is_stratified_and_inside_training_rows(easy, cv_result, folds):
    _, y = easy
    _, fitted = cv_result
    for model, (train, _) in enumerate(folds):
        fit_rows, validation_rows = fitted.train_rows[model], fitted.validation_rows[model]
        assert np.array_equal(np.sort(np.concatenate([fit_rows, validation_rows])), np.sort(train))
        assert abs(y[validation_rows].mean() - y[train].mean()) < 0.05
        assert len(validation_rows) == pytest.approx(0.2 * len(train), abs=1)
    assert not np.array_equal(fitted.validation_rows[0], fitted.validation_rows[1])


def test_designs_match_shared_design(easy, folds):
    X, y = easy
    masks = np.zeros((2, len(y)), bool)
    designs = []
    for model, (train, _) in enumerate(folds[:2]):
        masks[model, train] = True
        designs.append((X[train], y[train]))
    shared = fit_networks(X, y, masks, FAST)
    stacked = fit_networks_on_designs(designs, FAST)
    assert np.array_equal(shared.best_epochs, stacked.best_epochs)
    np.testing.assert_allclose(shared.predict_proba(X), stacked.predict_proba(X), atol=1e-5)


def test_designs_of_different_shapes_are_padded(easy):
    X, y = easy
    narrow = (X[:100, :2], y[:100])
    long_and_wide = (np.vstack([X, X[y == 1]]), np.concatenate([y, y[y == 1]]))
    batched = fit_networks_on_designs([narrow, long_and_wide], FAST)
    alone = fit_networks_on_designs([narrow], FAST)

    assert batched.n_features.tolist() == [2, 5]
    assert np.all(batched.kernels[0][0, 2:] == 0)
    narrow_test, wide_test = X[100:, :2], X[100:]
    together = batched.predict_proba_on_designs([narrow_test, wide_test])
    np.testing.assert_allclose(together[0], alone.predict_proba_on_designs([narrow_test])[0], atol=1e-5)
    assert together[1].shape == (len(wide_test),)
    with pytest.raises(InputValidationError, match="trained on"):
        batched.predict_proba(X)


def test_design_with_explicit_validation_rows(easy):
    X, y = easy
    design = NetworkDesign(X[:120], y[:120], X[120:], y[120:])
    fitted = fit_networks_on_designs([design], FAST)
    assert np.array_equal(fitted.train_rows[0], np.arange(120))
    assert np.array_equal(fitted.validation_rows[0], np.arange(120, len(y)))
    frame = fitted.to_frame()
    assert frame.loc[0, "n_validation"] == len(y) - 120
    assert frame.loc[0, "best_val_loss"] == np.nanmin(fitted.history.val_loss[0])


def test_classifier_in_imblearn_pipeline(easy):
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = easy
    labels = np.where(y == 1, "mbl", "no_mbl")
    pipeline = make_pipeline(StandardScaler(), SMOTE(random_state=0), DenseNetworkClassifier(FAST))
    pipeline.fit(X[:120], labels[:120])
    proba = pipeline.predict_proba(X[120:])

    assert pipeline.classes_.tolist() == ["mbl", "no_mbl"]
    assert proba.shape == (40, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Loose bound: a single 4-3-2 ReLU network can lose units, and this fit loses some.
    assert roc_auc_score(labels[120:] == "mbl", proba[:, 0]) > 0.7
    assert set(pipeline.predict(X[120:])) <= {"mbl", "no_mbl"}
    assert clone(pipeline).get_params()["densenetworkclassifier__config"] == FAST


def test_assemble_rejects_overlapping_folds():
    folds = [(np.array([2, 3]), np.array([0, 1])), (np.array([0, 3]), np.array([1, 2]))]
    with pytest.raises(InputValidationError, match=r"samples \[1\] that an earlier fold"):
        assemble_out_of_fold([np.zeros(2), np.zeros(2)], folds, 4)
    with pytest.raises(InputValidationError, match="test only 2 of 4"):
        assemble_out_of_fold([np.zeros(2)], folds[:1], 4)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hidden_units": (4, 0)}, "hidden_units"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"patience": 0}, "patience"),
        ({"inner_validation_fraction": 1.0}, "inner_validation_fraction"),
        ({"batch": 16}, "batch must be 'full'"),
        ({"intra_op_threads": 0}, "intra_op_threads"),
        ({"seed": -1}, "seed"),
        ({"hidden_units": 4}, "hidden_units must be a tuple"),
    ],
)
def test_config_rejects_invalid_values(changes, message):
    with pytest.raises(InputValidationError, match=message):
        NetworkConfig(**changes)


def test_invalid_inputs_raise(easy):
    X, y = easy
    with pytest.raises(InputValidationError, match="coded 0/1"):
        fit_networks(X, y + 1, np.ones((1, len(y)), bool))
    with pytest.raises(InputValidationError, match="train_masks must be a bool array"):
        fit_networks(X, y, np.ones((1, len(y) - 1), bool))
    X_nan = X.copy()
    X_nan[4, 1] = np.nan
    with pytest.raises(InputValidationError, match=r"rows \[4\]"):
        fit_networks(X_nan, y, np.ones((1, len(y)), bool))
    with pytest.raises(InputValidationError, match="only class 0"):
        fit_networks(X, y, (y == 0)[None])
    with pytest.raises(InputValidationError, match="model 1's training rows are empty"):
        fit_networks(X, y, np.vstack([np.ones(len(y), bool), np.zeros(len(y), bool)]))
    tiny = np.zeros((1, len(y)), bool)
    tiny[0, np.flatnonzero(y == 1)[:1]] = True
    tiny[0, np.flatnonzero(y == 0)[:5]] = True
    with pytest.raises(InputValidationError, match="Model 0: cannot draw a stratified"):
        fit_networks(X, y, tiny, FAST)
    with pytest.raises(InputValidationError, match="X_validation has 2 columns"):
        fit_networks_on_designs([(X, y, X[:, :2], y)])


def test_threads_cannot_change_after_start(easy, cv_result):
    from mblstats.models._fold_network import import_tensorflow

    tf = import_tensorflow()
    current = tf.config.threading.get_intra_op_parallelism_threads()
    X, y = easy
    with pytest.raises(InputValidationError, match="intra_op_threads=.* cannot be applied"):
        fit_networks(X, y, np.ones((1, len(y)), bool), NetworkConfig(intra_op_threads=current + 1))


def test_stratified_folds_with_classifier_reproducible(easy):
    X, y = easy
    train, test = next(StratifiedKFold(n_splits=4).split(X, y))
    first = DenseNetworkClassifier(FAST).fit(X[train], y[train]).predict_proba(X[test])
    second = DenseNetworkClassifier(FAST).fit(X[train], y[train]).predict_proba(X[test])
    assert np.array_equal(first, second)


def test_constant_output_flags_dead_networks(easy, cv_result, folds):
    X, y = easy
    _, fitted = cv_result
    proba = fitted.predict_proba(X)
    for model, (train, _) in enumerate(folds):
        is_constant = np.ptp(proba[model, train]) < 1e-9
        assert fitted.constant_output[model] == is_constant, f"model {model}"
    assert fitted.to_frame()["constant_output"].tolist() == fitted.constant_output.tolist()


def test_dead_network_restarts_from_new_weights(easy, monkeypatch):
    # Zero kernels leave every ReLU unit of model 1 inactive, so its first training ends
    # with a constant output. The restart draws new weights for model 1 only.
    X, y = easy
    real_weights = _fold_network.glorot_uniform_weights
    calls = []

    def dead_model_one_first(n_features, n_padded, hidden_units, seeds):
        kernels, biases = real_weights(n_features, n_padded, hidden_units, seeds)
        calls.append(len(seeds))
        if len(calls) == 1:
            for kernel in kernels:
                kernel[1] = 0.0
        return kernels, biases

    monkeypatch.setattr(_fold_network, "glorot_uniform_weights", dead_model_one_first)
    masks = np.ones((3, len(y)), bool)
    fitted = fit_networks(X, y, masks, FAST)
    monkeypatch.undo()
    reference = fit_networks(X, y, masks, FAST)

    assert calls == [3, 1]
    assert not fitted.constant_output.any()
    proba, reference_proba = fitted.predict_proba(X), reference.predict_proba(X)
    np.testing.assert_array_equal(proba[[0, 2]], reference_proba[[0, 2]])
    assert roc_auc_score(y, proba[1]) > 0.8


def test_docstring_examples_run():
    result = doctest.testmod(network, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_config_accepts_list_of_units():
    config = NetworkConfig(hidden_units=[4, 3, 2])
    assert config.hidden_units == (4, 3, 2)
    assert hash(config) == hash(NetworkConfig())


@pytest.fixture(scope="module")
def preprocessing_steps():
    from imblearn.over_sampling import SMOTE
    from sklearn.feature_selection import SelectKBest
    from sklearn.preprocessing import StandardScaler

    return [("scale", StandardScaler()), ("select", SelectKBest(k=3)), ("smote", SMOTE(random_state=0))]


@pytest.mark.parametrize("early_stopping_rows", ["resampled", "held_out"])
def test_preprocessing_fitted_inside_folds(early_stopping_rows, preprocessing_steps):
    from mblstats.models.network import cross_validate_network_with_preprocessing

    X, y = make_problem(n_samples=150, n_features=6, seed=11)
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y))
    out_of_fold, fitted, pipelines = cross_validate_network_with_preprocessing(
        preprocessing_steps, X, y, folds, FAST, early_stopping_rows=early_stopping_rows
    )

    assert out_of_fold.shape == (1, len(y))
    assert fitted.n_features.tolist() == [3] * 5
    for model, (train, _) in enumerate(folds):
        if early_stopping_rows == "held_out":
            seed = np.random.SeedSequence(FAST.seed, spawn_key=(model, 0))
            fit_positions, validation_positions = inner_validation_split(y[train], 0.2, seed)
            fit_rows = train[fit_positions]
            assert len(fitted.validation_rows[model]) == len(validation_positions)
            n_design = len(fitted.train_rows[model])
        else:
            fit_rows = train
            n_design = len(fitted.train_rows[model]) + len(fitted.validation_rows[model])
        scaler = pipelines[model].named_steps["scale"]
        np.testing.assert_allclose(scaler.mean_, X[fit_rows].mean(axis=0))
        # SMOTE balanced the fitted rows: twice the majority class.
        assert n_design == 2 * np.sum(y[fit_rows] == 0)
    assert roc_auc_score(y, out_of_fold[0]) > 0.75


def test_preprocessing_cv_matches_single_pipeline(preprocessing_steps):
    from imblearn.pipeline import Pipeline

    from mblstats.models.network import cross_validate_network_with_preprocessing

    X, y = make_problem(n_samples=150, n_features=6, seed=11)
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(X, y))
    out_of_fold, _, _ = cross_validate_network_with_preprocessing(preprocessing_steps, X, y, folds, FAST)
    in_workers, _, _ = cross_validate_network_with_preprocessing(
        preprocessing_steps, X, y, folds, FAST, n_jobs=2
    )
    np.testing.assert_array_equal(in_workers, out_of_fold)

    train, test = folds[0]
    single = Pipeline([*clone(Pipeline(preprocessing_steps)).steps, ("network", DenseNetworkClassifier(FAST))])
    single.fit(X[train], y[train])
    np.testing.assert_allclose(out_of_fold[0, test], single.predict_proba(X[test])[:, 1], atol=1e-5)


@pytest.mark.parametrize(
    "check_name",
    [
        "check_estimators_unfitted",
        "check_classifier_not_supporting_multiclass",
        "check_classifiers_regression_target",
        "check_classifiers_classes",
        "check_estimators_pickle",
        "check_fit2d_1sample",
    ],
)
def test_classifier_passes_sklearn_check(check_name):
    from sklearn.utils import estimator_checks

    estimator = DenseNetworkClassifier(NetworkConfig(max_epochs=5, inner_validation_fraction=0.0))
    getattr(estimator_checks, check_name)("DenseNetworkClassifier", estimator)
