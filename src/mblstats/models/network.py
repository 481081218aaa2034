"""The study's deep neural network (DNN), trained one fold model at a time or all at once.

The network is fully connected on the selected features, with three hidden ReLU layers of
4, 3 and 2 units, a sigmoid output and binary cross-entropy loss. Repeated 10-fold
cross-validation with 10 repeats needs 100 fits per model. Instead of 100 Keras ``fit``
calls, :func:`fit_networks` trains all fold models in one compiled TensorFlow loop, with a
leading model axis on every weight (see :mod:`mblstats.models._fold_network`). Each model
keeps what a single Keras fit with ``EarlyStopping(restore_best_weights=True)`` does: its
own stratified inner validation split, its own early stopping and its own best-epoch
weights.

Entry points:

- :func:`fit_networks` trains models that share one design matrix, each on its own rows;
- :func:`fit_networks_on_designs` trains one model per fold design (different row counts,
  e.g. after SMOTE, and different feature counts, e.g. after in-fold selection);
- :func:`cross_validate_network` runs a whole repeated K-fold CV and returns out-of-fold
  probabilities per repeat;
- :func:`cross_validate_network_with_preprocessing` does the same with scaling, selection
  and resampling fitted inside each training fold;
- :class:`DenseNetworkClassifier` wraps one model as a scikit-learn estimator for the end
  of an imbalanced-learn ``Pipeline``.

Notes
-----
Training is deterministic: initial weights and inner splits come from NumPy generators
seeded by ``(config.seed, model index)``, and each fit calls
``keras.utils.set_random_seed(config.seed)`` and
``tensorflow.config.experimental.enable_op_determinism()``. Both calls are process-wide:
the first reseeds Python's ``random``, NumPy's global generator and TensorFlow's global
seed, and the second makes every later TensorFlow op in the process deterministic.
Importing TensorFlow through this module sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless the
variable is already set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np
from imblearn.pipeline import Pipeline
from joblib import Parallel, delayed
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from mblstats.exceptions import InputValidationError
from mblstats.models import _fold_network
from mblstats.models._network_estimator import DenseNetworkClassifier
from mblstats.models._network_inputs import (
    NetworkConfig,
    NetworkDesign,
    apply_preprocessing,
    as_design,
    check_both_classes,
    check_matrix,
    check_outcome,
    fit_preprocessing,
    preprocessing_steps,
    row_weights,
    stack_designs,
    take_rows,
)
from mblstats.models._network_results import FittedNetworks, TrainingHistory

__all__ = [
    "DenseNetworkClassifier",
    "FittedNetworks",
    "NetworkConfig",
    "NetworkDesign",
    "TrainingHistory",
    "assemble_out_of_fold",
    "cross_validate_network",
    "cross_validate_network_with_preprocessing",
    "fit_networks",
    "fit_networks_on_designs",
    "inner_validation_split",
]

logger = logging.getLogger(__name__)

# A network whose ReLU units of one layer all went inactive predicts one probability for
# every row. It is retrained from new initial weights (seeded by the attempt) up to this
# many times.
RESTARTS = 3


def inner_validation_split(y, fraction: float, seed: np.random.SeedSequence):
    """Draw a stratified early-stopping split of one model's training rows.

    Parameters
    ----------
    y : ndarray of shape (n_train,), coded 0/1
    fraction : float in (0, 1)
    seed : numpy.random.SeedSequence

    Returns
    -------
    fit_positions, validation_positions : ndarray of int
        Positions into ``y``, each sorted.
    """
    random_state = int(np.random.default_rng(seed).integers(2**31 - 1))
    positions = np.arange(len(y))
    fit_positions, validation_positions = train_test_split(
        positions, test_size=fraction, stratify=y, random_state=random_state
    )
    return np.sort(fit_positions), np.sort(validation_positions)


def fit_networks(X, y, train_masks, config: NetworkConfig | None = None) -> FittedNetworks:
    """Train one network per row of ``train_masks`` on a shared design matrix.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features, already scaled; the network applies no preprocessing.
    y : array-like of shape (n_samples,)
        Outcome coded 0/1 (or bool).
    train_masks : array-like of bool, shape (n_models, n_samples)
        Rows each model may use. The inner early-stopping split is drawn from them.
    config : NetworkConfig, optional

    Returns
    -------
    FittedNetworks
    """
    config = config or NetworkConfig()
    X = check_matrix(X, "X")
    y = check_outcome(y, "y", len(X))
    train_masks = np.asarray(train_masks)
    if train_masks.ndim != 2 or train_masks.shape[1] != len(X) or train_masks.dtype != bool:
        raise InputValidationError(
            f"train_masks must be a bool array of shape (n_models, {len(X)}), got dtype "
            f"{train_masks.dtype} and shape {train_masks.shape}."
        )

    train_rows, validation_rows = [], []
    for model, mask in enumerate(train_masks):
        rows = np.flatnonzero(mask)
        check_both_classes(y[rows], f"model {model}'s training rows")
        fit_positions, validation_positions = _split_rows(y[rows], config, model)
        train_rows.append(rows[fit_positions])
        validation_rows.append(rows[validation_positions])

    n_models = len(train_masks)
    problem = _fold_network.BatchedProblem(
        x=X[None].astype(np.float32),
        y=y[None].astype(np.float32),
        train_weight=row_weights(train_rows, n_models, len(X)),
        validation_weight=row_weights(validation_rows, n_models, len(X)),
    )
    n_features = np.full(n_models, X.shape[1])
    return _train(problem, n_features, train_rows, validation_rows, config)


def fit_networks_on_designs(designs: Sequence, config: NetworkConfig | None = None) -> FittedNetworks:
    """Train one network per design, e.g. one per fold after in-fold preprocessing.

    Designs may differ in rows (SMOTE changes the count) and in columns (in-fold feature
    selection). They are zero-padded into one batch: padded rows carry zero weight in
    every loss, and padded columns meet zero kernel rows that stay zero.

    Parameters
    ----------
    designs : sequence of NetworkDesign or tuple
        A tuple is ``(X_train, y_train)`` or ``(X_train, y_train, X_validation, y_validation)``.
    config : NetworkConfig, optional

    Returns
    -------
    FittedNetworks
        Predict with :meth:`FittedNetworks.predict_proba_on_designs`.

    Notes
    -----
    With SMOTE in the preprocessing, a split drawn from the resampled ``X_train`` puts
    synthetic rows into the early-stopping set. To monitor real rows only, split first
    (:func:`inner_validation_split`), resample the fitting part, and pass the held-out
    rows as ``X_validation``/``y_validation``.

    Examples
    --------
    Scaling and SMOTE fitted inside each fold, then one batched run for all folds:

    >>> import numpy as np
    >>> from imblearn.over_sampling import SMOTE
    >>> from sklearn.model_selection import RepeatedStratifiedKFold
    >>> from sklearn.preprocessing import StandardScaler
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 4))
    >>> y = (X[:, 0] + rng.normal(size=100) > 0.8).astype(int)
    >>> folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0).split(X, y))
    >>> designs, test_designs = [], []
    >>> for train, test in folds:
    ...     scaler = StandardScaler().fit(X[train])
    ...     X_resampled, y_resampled = SMOTE(random_state=0).fit_resample(
    ...         scaler.transform(X[train]), y[train])
    ...     designs.append((X_resampled, y_resampled))
    ...     test_designs.append(scaler.transform(X[test]))
    >>> fitted = fit_networks_on_designs(designs, NetworkConfig(max_epochs=50))
    >>> fold_proba = fitted.predict_proba_on_designs(test_designs)
    >>> assemble_out_of_fold(fold_proba, folds, len(X)).shape
    (2, 100)
    """
    config = config or NetworkConfig()
    if len(designs) == 0:
        raise InputValidationError("designs is empty; pass at least one (X_train, y_train).")
    designs = [as_design(design, index) for index, design in enumerate(designs)]

    blocks, train_rows, validation_rows = [], [], []
    for model, design in enumerate(designs):
        if design.X_validation is None:
            fit_positions, validation_positions = _split_rows(design.y_train, config, model)
            X_block, y_block = design.X_train, design.y_train
        else:
            n_train = len(design.X_train)
            fit_positions = np.arange(n_train)
            validation_positions = np.arange(n_train, n_train + len(design.X_validation))
            X_block = np.vstack([design.X_train, design.X_validation])
            y_block = np.concatenate([design.y_train, design.y_validation])
        blocks.append((X_block, y_block))
        train_rows.append(fit_positions)
        validation_rows.append(validation_positions)

    problem, n_features = stack_designs(blocks, train_rows, validation_rows)
    return _train(problem, n_features, train_rows, validation_rows, config)


def cross_validate_network(X, y, folds: Sequence, config: NetworkConfig | None = None):
    """Cross-validate the network with all fold models trained in one batched run.

    Use this when ``X`` needs no fitted preprocessing; otherwise build per-fold designs
    and call :func:`fit_networks_on_designs`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,), coded 0/1
    folds : sequence of (train_idx, test_idx)
        For example ``list(RepeatedStratifiedKFold(...).split(X, y))``. Consecutive folds
        whose test sets cover every sample once form a repeat.
    config : NetworkConfig, optional

    Returns
    -------
    out_of_fold_proba : ndarray of shape (n_repeats, n_samples)
    fitted : FittedNetworks
        Model ``i`` is fold ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import RepeatedStratifiedKFold
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 4))
    >>> y = (X[:, 0] + rng.normal(size=100) > 0.8).astype(int)
    >>> folds = list(RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0).split(X, y))
    >>> out_of_fold, fitted = cross_validate_network(X, y, folds, NetworkConfig(max_epochs=50))
    >>> out_of_fold.shape, fitted.n_models
    ((2, 100), 10)
    """
    X = check_matrix(X, "X")
    folds = [(np.asarray(train), np.asarray(test)) for train, test in folds]
    train_masks = np.zeros((len(folds), len(X)), bool)
    for index, (train, _) in enumerate(folds):
        train_masks[index, train] = True
    fitted = fit_networks(X, y, train_masks, config)
    all_proba = fitted.predict_proba(X)
    fold_proba = [all_proba[index, test] for index, (_, test) in enumerate(folds)]
    return assemble_out_of_fold(fold_proba, folds, len(X)), fitted


def cross_validate_network_with_preprocessing(
    preprocessing,
    X,
    y,
    folds: Sequence,
    config: NetworkConfig | None = None,
    *,
    early_stopping_rows: str = "resampled",
    n_jobs: int | None = None,
):
    """Cross-validate preprocessing plus network, fitting the preprocessing inside each fold.

    For each fold, a clone of ``preprocessing`` is fitted on the fold's training rows only
    (samplers such as SMOTE resample them, other steps are fitted and transform them) and
    applied to the test rows. All fold networks then train in one batched run.

    Parameters
    ----------
    preprocessing : Pipeline or list of (name, step)
        Unfitted scikit-learn transformers and imbalanced-learn samplers, in order.
    X : ndarray or DataFrame of shape (n_samples, n_columns)
    y : array-like of shape (n_samples,), coded 0/1
    folds : sequence of (train_idx, test_idx)
        As for :func:`cross_validate_network`.
    config : NetworkConfig, optional
    early_stopping_rows : {"resampled", "held_out"}, default="resampled"
        ``"resampled"`` draws the inner split from the preprocessed, resampled training
        design, as :class:`DenseNetworkClassifier` at the end of a Pipeline does.
        ``"held_out"`` first holds out ``config.inner_validation_fraction`` of the fold's
        real training rows, fits the preprocessing on the rest and monitors early stopping
        on the held-out rows, transformed but not resampled.
    n_jobs : int or None, default=None
        Worker processes (joblib) for the per-fold preprocessing; the result does not
        depend on it.

    Returns
    -------
    out_of_fold_proba : ndarray of shape (n_repeats, n_samples)
    fitted : FittedNetworks
        Model ``i`` is fold ``i``.
    fitted_preprocessing : list of imblearn.pipeline.Pipeline
        The fitted preprocessing of each fold.
    """
    config = config or NetworkConfig()
    if early_stopping_rows not in ("resampled", "held_out"):
        raise InputValidationError(
            f"early_stopping_rows must be 'resampled' or 'held_out', got {early_stopping_rows!r}."
        )
    steps = preprocessing_steps(preprocessing)
    y = check_outcome(y, "y", len(X))
    folds = [(np.asarray(train), np.asarray(test)) for train, test in folds]

    prepared = Parallel(n_jobs=n_jobs)(
        delayed(_preprocess_fold)(steps, X, y, train, test, model, config, early_stopping_rows)
        for model, (train, test) in enumerate(tqdm(folds, desc="Preprocessing folds", leave=False))
    )
    designs = [design for design, _, _ in prepared]
    test_designs = [test_design for _, test_design, _ in prepared]
    fitted_preprocessing = [pipeline for _, _, pipeline in prepared]

    fitted = fit_networks_on_designs(designs, config)
    fold_proba = fitted.predict_proba_on_designs(test_designs)
    return assemble_out_of_fold(fold_proba, folds, len(X)), fitted, fitted_preprocessing


def _preprocess_fold(steps, X, y, train, test, model, config, early_stopping_rows):
    """Fit the preprocessing on one fold's training rows; return both designs and the pipeline."""
    with threadpool_limits(limits=1, user_api="blas"):
        X_train, y_train = take_rows(X, train), y[train]
        if early_stopping_rows == "held_out":
            fit_positions, validation_positions = _split_rows(y_train, config, model)
            fitted_steps, X_fit, y_fit = fit_preprocessing(
                steps, take_rows(X_train, fit_positions), y_train[fit_positions]
            )
            X_validation = apply_preprocessing(fitted_steps, take_rows(X_train, validation_positions))
            design = NetworkDesign(X_fit, y_fit, X_validation, y_train[validation_positions])
        else:
            fitted_steps, X_fit, y_fit = fit_preprocessing(steps, X_train, y_train)
            design = NetworkDesign(X_fit, y_fit)
        test_design = apply_preprocessing(fitted_steps, take_rows(X, test))
    return design, test_design, Pipeline(fitted_steps)


def assemble_out_of_fold(fold_proba: Sequence, folds: Sequence, n_samples: int) -> np.ndarray:
    """Place per-fold test predictions into one out-of-fold vector per repeat.

    Parameters
    ----------
    fold_proba : sequence of ndarray of shape (len(test_idx),)
    folds : sequence of (train_idx, test_idx)
    n_samples : int

    Returns
    -------
    ndarray of shape (n_repeats, n_samples)
    """
    repeats, current, covered = [], np.full(n_samples, np.nan), np.zeros(n_samples, bool)
    for index, ((_, test), proba) in enumerate(zip(folds, fold_proba)):
        test = np.asarray(test)
        if covered[test].any():
            repeated = test[covered[test]]
            raise InputValidationError(
                f"Fold {index} tests samples {repeated[:5].tolist()} that an earlier fold of "
                "the same repeat already tested. Folds must partition the samples within "
                "each repeat, as KFold and RepeatedStratifiedKFold produce."
            )
        current[test] = proba
        covered[test] = True
        if covered.all():
            repeats.append(current)
            current, covered = np.full(n_samples, np.nan), np.zeros(n_samples, bool)
    if covered.any() or not repeats:
        raise InputValidationError(
            f"The last repeat's folds test only {covered.sum()} of {n_samples} samples; "
            "folds must partition the samples within each repeat."
        )
    return np.vstack(repeats)


def _train(problem, n_features, train_rows, validation_rows, config) -> FittedNetworks:
    tf = _fold_network.import_tensorflow()
    _configure_threads(tf, config)
    import keras

    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()

    n_models = len(train_rows)
    seeds = [np.random.SeedSequence(config.seed, spawn_key=(model, 1)) for model in range(n_models)]
    kernels, biases = _fold_network.glorot_uniform_weights(
        n_features, problem.x.shape[2], config.hidden_units, seeds
    )
    logger.info(
        "Training %d networks on up to %d rows for up to %d epochs",
        n_models,
        problem.x.shape[1],
        config.max_epochs,
    )
    start = time.perf_counter()
    training = dict(
        learning_rate=config.learning_rate,
        l2=config.l2,
        min_delta=config.min_delta,
        max_epochs=config.max_epochs,
        patience=config.patience,
    )
    result = _fold_network.train_batched(problem, kernels, biases, **training)
    for attempt in range(1, RESTARTS + 1):
        collapsed = np.flatnonzero(_constant_output(problem, result, train_rows))
        if not collapsed.size:
            break
        logger.info(
            "restarting %d network(s) with a constant output from new initial weights "
            "(attempt %d of %d): models %s",
            collapsed.size, attempt, RESTARTS, collapsed.tolist(),
        )
        seeds = [np.random.SeedSequence(config.seed, spawn_key=(int(m), 1, attempt)) for m in collapsed]
        kernels, biases = _fold_network.glorot_uniform_weights(
            np.asarray(n_features)[collapsed], problem.x.shape[2], config.hidden_units, seeds
        )
        retry = _fold_network.train_batched(_subset(problem, collapsed), kernels, biases, **training)
        result = _replace_models(result, collapsed, retry)
    logger.info(
        "Trained %d networks in %.1f s; median best epoch %d",
        n_models,
        time.perf_counter() - start,
        int(np.median(result.best_epochs)),
    )
    constant_output = _constant_output(problem, result, train_rows)
    if constant_output.any():
        logger.warning(
            "%d of %d networks predict a constant probability after %d restarts (all ReLU "
            "units of a layer inactive): models %s",
            constant_output.sum(),
            n_models,
            RESTARTS,
            np.flatnonzero(constant_output).tolist(),
        )
    return FittedNetworks(
        kernels=result.kernels,
        biases=result.biases,
        n_features=np.asarray(n_features),
        best_epochs=result.best_epochs,
        stopped_epochs=result.stopped_epochs,
        train_rows=tuple(train_rows),
        validation_rows=tuple(validation_rows),
        constant_output=constant_output,
        history=TrainingHistory(loss=result.loss, val_loss=result.val_loss),
        config=config,
    )


def _constant_output(problem, result, train_rows) -> np.ndarray:
    """Flag the models whose predicted probability is the same on all their training rows."""
    train_proba = _fold_network.forward_proba(problem.x, result.kernels, result.biases)
    return np.array([np.ptp(train_proba[model, rows]) < 1e-9 for model, rows in enumerate(train_rows)])


def _subset(problem, models: np.ndarray):
    """Return the batched problem of some of its models."""
    def pick(array):
        return array if array.shape[0] == 1 else array[models]

    return _fold_network.BatchedProblem(
        x=pick(problem.x),
        y=pick(problem.y),
        train_weight=problem.train_weight[models],
        validation_weight=problem.validation_weight[models],
    )


def _replace_models(result, models: np.ndarray, retry):
    """Put the results of retrained models into a batched result, padding the loss curves."""
    def replace(old, new):
        merged = old.copy()
        merged[models] = new
        return merged

    def replace_curve(old, new):
        epochs = max(old.shape[1], new.shape[1])
        merged = np.full((old.shape[0], epochs), np.nan, dtype=old.dtype)
        merged[:, : old.shape[1]] = old
        merged[models] = np.nan
        merged[models, : new.shape[1]] = new
        return merged

    return _fold_network.BatchedResult(
        kernels=tuple(replace(o, n) for o, n in zip(result.kernels, retry.kernels)),
        biases=tuple(replace(o, n) for o, n in zip(result.biases, retry.biases)),
        best_epochs=replace(result.best_epochs, retry.best_epochs),
        stopped_epochs=replace(result.stopped_epochs, retry.stopped_epochs),
        loss=replace_curve(result.loss, retry.loss),
        val_loss=replace_curve(result.val_loss, retry.val_loss),
    )


def _configure_threads(tf, config: NetworkConfig) -> None:
    threading = tf.config.threading
    settings = (
        ("intra_op_threads", config.intra_op_threads, threading.get_intra_op_parallelism_threads,
         threading.set_intra_op_parallelism_threads),
        ("inter_op_threads", config.inter_op_threads, threading.get_inter_op_parallelism_threads,
         threading.set_inter_op_parallelism_threads),
    )
    for name, requested, get_threads, set_threads in settings:
        if requested is None or get_threads() == requested:
            continue
        try:
            set_threads(requested)
        except RuntimeError as error:
            raise InputValidationError(
                f"NetworkConfig.{name}={requested} cannot be applied because TensorFlow "
                f"already runs with {get_threads()} (0 means TensorFlow's default). Set the "
                "thread counts in the first network fit of the process, or start a new process."
            ) from error


def _split_rows(y_train: np.ndarray, config: NetworkConfig, model: int):
    if config.inner_validation_fraction == 0:
        return np.arange(len(y_train)), np.arange(0)
    seed = np.random.SeedSequence(config.seed, spawn_key=(model, 0))
    try:
        return inner_validation_split(y_train, config.inner_validation_fraction, seed)
    except ValueError as error:
        counts = np.bincount(y_train.astype(int), minlength=2).tolist()
        raise InputValidationError(
            f"Model {model}: cannot draw a stratified inner validation split of "
            f"{config.inner_validation_fraction} from {len(y_train)} training rows with class "
            f"counts {counts} ({error}). Give each class more training rows, raise "
            "inner_validation_fraction, or set it to 0 to train without early stopping."
        ) from error
