"""The study's deep neural network (DNN), trained one fold model at a time or all at once.

The network is fully connected on the selected features, with three hidden ReLU layers of
4, 3 and 2 units, a sigmoid output and binary cross-entropy loss. Repeated 10-fold
cross-validation with 10 repeats needs 100 fits per model; rather than 100 Keras ``fit``
calls, :func:`fit_networks` trains all fold models in one compiled TensorFlow loop with a
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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from mblstats.exceptions import InputValidationError
from mblstats.models import _fold_network

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture and training settings of the dense network.

    Attributes
    ----------
    hidden_units : tuple of int, default=(4, 3, 2)
        Units of the hidden ReLU layers; the output layer is one sigmoid unit.
    learning_rate : float, default=0.01
        Adam step size (Keras 3 Adam with beta_1=0.9, beta_2=0.999, epsilon=1e-7).
    max_epochs : int, default=500
        Upper limit on epochs.
    patience : int, default=30
        Epochs without a validation-loss improvement after which a model stops.
    inner_validation_fraction : float, default=0.2
        Share of each model's training rows held out, stratified by outcome, to monitor
        the validation loss. 0 disables early stopping: every model trains ``max_epochs``.
    l2 : float, default=0.0
        L2 penalty on kernels, added to training and validation loss as Keras does.
    batch : {"full"}, default="full"
        Rows per gradient step. ``"full"`` is the only option: each epoch is one Adam step
        on all of a model's training rows. Full-batch steps are what lets all fold models
        share one compiled step. Compared with Keras' default mini-batches, an epoch here
        is one step instead of ``ceil(n / batch_size)``, so ``max_epochs`` and
        ``learning_rate`` are larger than in a mini-batch setup.
    min_delta : float, default=0.0
        Smallest fall of the validation loss that counts as an improvement.
    seed : int, default=0
        Seed of initial weights, inner splits and TensorFlow's global seed.
    intra_op_threads, inter_op_threads : int or None, default=None
        TensorFlow thread pools; None leaves TensorFlow's default (all cores). TensorFlow
        accepts a change only before its runtime starts, so set these in the first fit of
        a process; a different value later raises ``InputValidationError``.
    """

    hidden_units: tuple[int, ...] = (4, 3, 2)
    learning_rate: float = 0.01
    max_epochs: int = 500
    patience: int = 30
    inner_validation_fraction: float = 0.2
    l2: float = 0.0
    batch: str = "full"
    min_delta: float = 0.0
    seed: int = 0
    intra_op_threads: int | None = None
    inter_op_threads: int | None = None

    def __post_init__(self):
        problems = []
        units = self.hidden_units
        if not units or not all(isinstance(u, int | np.integer) and u >= 1 for u in units):
            problems.append(f"hidden_units must be positive integers, got {units!r}")
        if not self.learning_rate > 0:
            problems.append(f"learning_rate must be > 0, got {self.learning_rate!r}")
        for name in ("max_epochs", "patience"):
            value = getattr(self, name)
            if not (isinstance(value, int | np.integer) and value >= 1):
                problems.append(f"{name} must be an integer >= 1, got {value!r}")
        if not 0 <= self.inner_validation_fraction < 1:
            problems.append(
                "inner_validation_fraction must be in [0, 1), "
                f"got {self.inner_validation_fraction!r}"
            )
        if not (self.l2 >= 0 and self.min_delta >= 0):
            problems.append(f"l2 and min_delta must be >= 0, got {self.l2!r} and {self.min_delta!r}")
        if self.batch != "full":
            problems.append(
                f"batch must be 'full' (one Adam step per epoch on all training rows), "
                f"got {self.batch!r}"
            )
        if not (isinstance(self.seed, int | np.integer) and self.seed >= 0):
            problems.append(f"seed must be an integer >= 0, got {self.seed!r}")
        for name in ("intra_op_threads", "inter_op_threads"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, int | np.integer) and value >= 1):
                problems.append(f"{name} must be None or an integer >= 1, got {value!r}")
        if problems:
            raise InputValidationError("Invalid NetworkConfig: " + "; ".join(problems) + ".")


@dataclass(frozen=True)
class NetworkDesign:
    """One model's training data, with optional explicit early-stopping rows.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, n_features)
    y_train : ndarray of shape (n_train,), coded 0/1
    X_validation : ndarray of shape (n_validation, n_features) or None
    y_validation : ndarray of shape (n_validation,) or None
        When given, these rows monitor early stopping and all of ``X_train`` is trained on.
        When None, a stratified ``inner_validation_fraction`` of ``X_train`` is held out.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_validation: np.ndarray | None = None
    y_validation: np.ndarray | None = None


@dataclass(frozen=True)
class TrainingHistory:
    """Per-epoch losses of each model, NaN after the model stopped.

    Attributes
    ----------
    loss : ndarray of shape (n_models, n_epochs_run)
        Mean training binary cross-entropy (plus L2 penalty) before each epoch's step.
    val_loss : ndarray of shape (n_models, n_epochs_run)
        Mean validation loss after each epoch's step; NaN for models without validation rows.
    """

    loss: np.ndarray
    val_loss: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Return a long table with columns model, epoch (from 1), loss and val_loss."""
        n_models, n_epochs = self.loss.shape
        frame = pd.DataFrame(
            {
                "model": np.repeat(np.arange(n_models), n_epochs),
                "epoch": np.tile(np.arange(1, n_epochs + 1), n_models),
                "loss": self.loss.ravel(),
                "val_loss": self.val_loss.ravel(),
            }
        )
        return frame.dropna(subset=["loss"]).reset_index(drop=True)


@dataclass(frozen=True)
class FittedNetworks:
    """Best-epoch weights of ``n_models`` trained networks.

    Attributes
    ----------
    kernels : tuple of ndarray, each of shape (n_models, n_in, n_out)
        The first layer's ``n_in`` is the widest model's feature count; rows past a model's
        own ``n_features`` are zero.
    biases : tuple of ndarray, each of shape (n_models, n_out)
    n_features : ndarray of shape (n_models,)
    best_epochs : ndarray of shape (n_models,)
        Epoch (from 1) whose weights each model kept.
    stopped_epochs : ndarray of shape (n_models,)
        Last epoch each model trained.
    train_rows, validation_rows : tuple of ndarray
        Per model, the row indices it trained on and monitored, into ``X`` for
        :func:`fit_networks` and into the model's design (training rows first, then
        explicit validation rows) for :func:`fit_networks_on_designs`.
    history : TrainingHistory
    config : NetworkConfig
    """

    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    n_features: np.ndarray
    best_epochs: np.ndarray
    stopped_epochs: np.ndarray
    train_rows: tuple[np.ndarray, ...]
    validation_rows: tuple[np.ndarray, ...]
    history: TrainingHistory = field(repr=False)
    config: NetworkConfig

    @property
    def n_models(self) -> int:
        """Number of trained models."""
        return len(self.best_epochs)

    def predict_proba(self, X) -> np.ndarray:
        """Compute every model's P(y = 1) on one design matrix.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            All models must have been trained on ``n_features`` columns.

        Returns
        -------
        ndarray of shape (n_models, n_samples), float64
        """
        X = _check_matrix(X, "X")
        widths = set(self.n_features.tolist())
        if widths != {X.shape[1]}:
            raise InputValidationError(
                f"X has {X.shape[1]} columns but the models were trained on "
                f"{sorted(widths)} features; use predict_proba_on_designs to give each "
                "model its own design."
            )
        return _fold_network.forward_proba(X[None], self.kernels, self.biases)

    def predict_proba_on_designs(self, designs: Sequence) -> list[np.ndarray]:
        """Compute each model's P(y = 1) on its own design matrix (e.g. its fold's test rows).

        Parameters
        ----------
        designs : sequence of array-like, one per model
            Entry ``i`` has shape (n_samples_i, n_features[i]).

        Returns
        -------
        list of ndarray of shape (n_samples_i,)
        """
        if len(designs) != self.n_models:
            raise InputValidationError(
                f"Got {len(designs)} designs for {self.n_models} models; pass one per model."
            )
        probabilities = []
        for model, X in enumerate(designs):
            X = _check_matrix(X, f"designs[{model}]")
            if X.shape[1] != self.n_features[model]:
                raise InputValidationError(
                    f"designs[{model}] has {X.shape[1]} columns but model {model} was "
                    f"trained on {self.n_features[model]}; transform it with that fold's "
                    "fitted preprocessing."
                )
            kernels = tuple(k[model : model + 1] for k in self.kernels)
            biases = tuple(b[model : model + 1] for b in self.biases)
            probabilities.append(_fold_network.forward_proba(X[None], kernels, biases)[0])
        return probabilities

    def to_frame(self) -> pd.DataFrame:
        """Return one row per model: sizes, best and stopped epoch, best validation loss."""
        val_loss = self.history.val_loss
        best_val = np.full(self.n_models, np.nan)
        kept = self.best_epochs >= 1
        best_val[kept] = val_loss[kept, self.best_epochs[kept] - 1]
        return pd.DataFrame(
            {
                "model": np.arange(self.n_models),
                "n_features": self.n_features,
                "n_train": [len(rows) for rows in self.train_rows],
                "n_validation": [len(rows) for rows in self.validation_rows],
                "best_epoch": self.best_epochs,
                "stopped_epoch": self.stopped_epochs,
                "best_val_loss": best_val,
            }
        )

    def to_keras(self, model: int = 0):
        """Build a ``keras.Sequential`` network carrying model ``model``'s weights."""
        import keras

        n_features = int(self.n_features[model])
        layers = [keras.Input((n_features,))]
        layers += [keras.layers.Dense(units, activation="relu") for units in self.config.hidden_units]
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
        network = keras.Sequential(layers)
        weights = [self.kernels[0][model, :n_features], self.biases[0][model]]
        for kernel, bias in zip(self.kernels[1:], self.biases[1:]):
            weights += [kernel[model], bias[model]]
        network.set_weights(weights)
        return network


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
    X = _check_matrix(X, "X")
    y = _check_outcome(y, "y", len(X))
    train_masks = np.asarray(train_masks)
    if train_masks.ndim != 2 or train_masks.shape[1] != len(X) or train_masks.dtype != bool:
        raise InputValidationError(
            f"train_masks must be a bool array of shape (n_models, {len(X)}), got dtype "
            f"{train_masks.dtype} and shape {train_masks.shape}."
        )

    train_rows, validation_rows = [], []
    for model, mask in enumerate(train_masks):
        rows = np.flatnonzero(mask)
        _check_both_classes(y[rows], f"model {model}'s training rows")
        fit_positions, validation_positions = _split_rows(y[rows], config, model)
        train_rows.append(rows[fit_positions])
        validation_rows.append(rows[validation_positions])

    n_models = len(train_masks)
    problem = _fold_network.BatchedProblem(
        x=X[None].astype(np.float32),
        y=y[None].astype(np.float32),
        train_weight=_row_weights(train_rows, n_models, len(X)),
        validation_weight=_row_weights(validation_rows, n_models, len(X)),
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
    """
    config = config or NetworkConfig()
    if len(designs) == 0:
        raise InputValidationError("designs is empty; pass at least one (X_train, y_train).")
    designs = [_as_design(design, index) for index, design in enumerate(designs)]

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

    n_models = len(designs)
    n_rows = max(len(X_block) for X_block, _ in blocks)
    n_features = np.array([X_block.shape[1] for X_block, _ in blocks])
    x = np.zeros((n_models, n_rows, n_features.max()), np.float32)
    y = np.zeros((n_models, n_rows), np.float32)
    for model, (X_block, y_block) in enumerate(blocks):
        x[model, : len(X_block), : X_block.shape[1]] = X_block
        y[model, : len(y_block)] = y_block
    problem = _fold_network.BatchedProblem(
        x=x,
        y=y,
        train_weight=_row_weights(train_rows, n_models, n_rows),
        validation_weight=_row_weights(validation_rows, n_models, n_rows),
    )
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
    """
    X = _check_matrix(X, "X")
    folds = [(np.asarray(train), np.asarray(test)) for train, test in folds]
    train_masks = np.zeros((len(folds), len(X)), bool)
    for index, (train, _) in enumerate(folds):
        train_masks[index, train] = True
    fitted = fit_networks(X, y, train_masks, config)
    all_proba = fitted.predict_proba(X)
    fold_proba = [all_proba[index, test] for index, (_, test) in enumerate(folds)]
    return assemble_out_of_fold(fold_proba, folds, len(X)), fitted


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
            raise InputValidationError(
                f"Fold {index} tests samples {np.flatnonzero(covered[test])[:5].tolist()}... "
                "already tested in the same repeat; folds must partition the samples within "
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


class DenseNetworkClassifier(ClassifierMixin, BaseEstimator):
    """Scikit-learn classifier wrapping one network trained by :func:`fit_networks`.

    Parameters
    ----------
    config : NetworkConfig, optional
        Defaults to ``NetworkConfig()``.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    fitted_ : FittedNetworks
        The single trained model.

    Notes
    -----
    Inside an imbalanced-learn pipeline with SMOTE, the inner early-stopping split is drawn
    after resampling, so synthetic rows take part in early stopping.
    """

    def __init__(self, config: NetworkConfig | None = None):
        self.config = config

    def fit(self, X, y):
        """Train the network on ``X`` (already scaled) and binary labels ``y``."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise InputValidationError(
                f"DenseNetworkClassifier needs exactly 2 classes in y, got {self.classes_.tolist()}."
            )
        masks = np.ones((1, len(X)), bool)
        self.fitted_ = fit_networks(X, y_encoded, masks, self.config)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Return class probabilities, shape (n_samples, 2), columns ordered as ``classes_``."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        proba = self.fitted_.predict_proba(X)[0]
        return np.column_stack([1.0 - proba, proba])

    def predict(self, X) -> np.ndarray:
        """Return the class with probability >= 0.5, shape (n_samples,)."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


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
    result = _fold_network.train_batched(
        problem,
        kernels,
        biases,
        learning_rate=config.learning_rate,
        l2=config.l2,
        min_delta=config.min_delta,
        max_epochs=config.max_epochs,
        patience=config.patience,
    )
    logger.info(
        "Trained %d networks in %.1f s; median best epoch %d",
        n_models,
        time.perf_counter() - start,
        int(np.median(result.best_epochs)),
    )
    return FittedNetworks(
        kernels=result.kernels,
        biases=result.biases,
        n_features=np.asarray(n_features),
        best_epochs=result.best_epochs,
        stopped_epochs=result.stopped_epochs,
        train_rows=tuple(train_rows),
        validation_rows=tuple(validation_rows),
        history=TrainingHistory(loss=result.loss, val_loss=result.val_loss),
        config=config,
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


def _row_weights(rows_per_model, n_models: int, n_rows: int) -> np.ndarray:
    weights = np.zeros((n_models, n_rows), np.float32)
    for model, rows in enumerate(rows_per_model):
        if len(rows):
            weights[model, rows] = 1.0 / len(rows)
    return weights


def _as_design(design, index: int) -> NetworkDesign:
    if not isinstance(design, NetworkDesign):
        if not isinstance(design, tuple | list) or len(design) not in (2, 4):
            raise InputValidationError(
                f"designs[{index}] must be a NetworkDesign or a tuple (X_train, y_train) or "
                f"(X_train, y_train, X_validation, y_validation), got {type(design).__name__}."
            )
        design = NetworkDesign(*design)
    name = f"designs[{index}]"
    X_train = _check_matrix(design.X_train, f"{name}.X_train")
    y_train = _check_outcome(design.y_train, f"{name}.y_train", len(X_train))
    _check_both_classes(y_train, f"{name}.y_train")
    if (design.X_validation is None) != (design.y_validation is None):
        raise InputValidationError(f"{name}: give both X_validation and y_validation, or neither.")
    if design.X_validation is None:
        return NetworkDesign(X_train, y_train)
    X_validation = _check_matrix(design.X_validation, f"{name}.X_validation")
    y_validation = _check_outcome(design.y_validation, f"{name}.y_validation", len(X_validation))
    if X_validation.shape[1] != X_train.shape[1]:
        raise InputValidationError(
            f"{name}: X_validation has {X_validation.shape[1]} columns, X_train has "
            f"{X_train.shape[1]}; transform both with the same fitted preprocessing."
        )
    return NetworkDesign(X_train, y_train, X_validation, y_validation)


def _check_matrix(X, name: str) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputValidationError(f"{name} must be numeric ({error}); encode categories first.") from error
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InputValidationError(f"{name} must be a non-empty 2-D array, got shape {X.shape}.")
    bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if len(bad_rows):
        raise InputValidationError(
            f"{name} has NaN or infinite values in rows {bad_rows[:5].tolist()}"
            f"{'...' if len(bad_rows) > 5 else ''}; impute or drop them first."
        )
    return X


def _check_outcome(y, name: str, n_rows: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_rows:
        raise InputValidationError(f"{name} must have shape ({n_rows},), got {y.shape}.")
    values = set(np.unique(y).tolist())
    if not values <= {0, 1}:
        raise InputValidationError(
            f"{name} must be coded 0/1 (1 = event), got values {sorted(values, key=str)[:5]}."
        )
    return y.astype(np.float64)


def _check_both_classes(y: np.ndarray, where: str) -> None:
    counts = np.bincount(y.astype(int), minlength=2)
    if counts.min() == 0:
        raise InputValidationError(
            f"{where} contain only class {int(np.argmax(counts))} ({counts.max()} rows); "
            "each model needs both outcomes, so use stratified folds."
        )
