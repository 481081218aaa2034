"""Settings and inputs of the dense network: configuration, checks, per-fold designs.

Private helpers of :mod:`mblstats.models.network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from mblstats.exceptions import InputValidationError
from mblstats.models._fold_network import BatchedProblem


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
        on all of a model's training rows, which lets all fold models share one compiled
        step. A Keras epoch with mini-batches takes ``ceil(n / batch_size)`` steps, so the
        defaults here use more epochs and a larger learning rate than Keras' Adam (0.001).
    min_delta : float, default=0.0
        Smallest fall of the validation loss that counts as an improvement.
    seed : int, default=0
        Seed of initial weights, inner splits and TensorFlow's global seed.
    intra_op_threads, inter_op_threads : int or None, default=None
        TensorFlow thread pools; None leaves TensorFlow's own choice. TensorFlow
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
        if isinstance(units, list | tuple) and units and all(_is_integer(u, 1) for u in units):
            # A list (e.g. read from YAML) becomes a tuple so the config stays hashable.
            object.__setattr__(self, "hidden_units", tuple(int(u) for u in units))
        else:
            problems.append(f"hidden_units must be a tuple of positive integers, got {units!r}")

        if not self.learning_rate > 0:
            problems.append(f"learning_rate must be > 0, got {self.learning_rate!r}")
        for name in ("max_epochs", "patience"):
            if not _is_integer(getattr(self, name), 1):
                problems.append(f"{name} must be an integer >= 1, got {getattr(self, name)!r}")
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

        if not _is_integer(self.seed, 0):
            problems.append(f"seed must be an integer >= 0, got {self.seed!r}")
        for name in ("intra_op_threads", "inter_op_threads"):
            value = getattr(self, name)
            if value is not None and not _is_integer(value, 1):
                problems.append(f"{name} must be None or an integer >= 1, got {value!r}")

        if problems:
            raise InputValidationError("Invalid NetworkConfig: " + "; ".join(problems) + ".")


def _is_integer(value, minimum: int) -> bool:
    is_integer = isinstance(value, int | np.integer) and not isinstance(value, bool)
    return is_integer and value >= minimum


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


def stack_designs(blocks, train_rows, validation_rows):
    """Zero-pad per-model ``(X, y)`` blocks into one :class:`BatchedProblem`.

    Returns
    -------
    problem : BatchedProblem
        ``x`` has shape (n_models, max rows, max columns).
    n_features : ndarray of shape (n_models,)
        Each block's own column count.
    """
    n_models = len(blocks)
    n_rows = max(len(X_block) for X_block, _ in blocks)
    n_features = np.array([X_block.shape[1] for X_block, _ in blocks])
    x = np.zeros((n_models, n_rows, n_features.max()), np.float32)
    y = np.zeros((n_models, n_rows), np.float32)
    for model, (X_block, y_block) in enumerate(blocks):
        x[model, : len(X_block), : X_block.shape[1]] = X_block
        y[model, : len(y_block)] = y_block
    problem = BatchedProblem(
        x=x,
        y=y,
        train_weight=row_weights(train_rows, n_models, n_rows),
        validation_weight=row_weights(validation_rows, n_models, n_rows),
    )
    return problem, n_features


def row_weights(rows_per_model, n_models: int, n_rows: int) -> np.ndarray:
    """Return (n_models, n_rows) float32 weights, ``1 / len(rows)`` on each model's rows."""
    weights = np.zeros((n_models, n_rows), np.float32)
    for model, rows in enumerate(rows_per_model):
        if len(rows):
            weights[model, rows] = 1.0 / len(rows)
    return weights


def as_design(design, index: int) -> NetworkDesign:
    if not isinstance(design, NetworkDesign):
        if not isinstance(design, tuple | list) or len(design) not in (2, 4):
            raise InputValidationError(
                f"designs[{index}] must be a NetworkDesign or a tuple (X_train, y_train) or "
                f"(X_train, y_train, X_validation, y_validation), got {type(design).__name__}."
            )
        design = NetworkDesign(*design)
    name = f"designs[{index}]"
    X_train = check_matrix(design.X_train, f"{name}.X_train")
    y_train = check_outcome(design.y_train, f"{name}.y_train", len(X_train))
    check_both_classes(y_train, f"{name}.y_train")
    if (design.X_validation is None) != (design.y_validation is None):
        raise InputValidationError(f"{name}: give both X_validation and y_validation, or neither.")
    if design.X_validation is None:
        return NetworkDesign(X_train, y_train)
    X_validation = check_matrix(design.X_validation, f"{name}.X_validation")
    y_validation = check_outcome(design.y_validation, f"{name}.y_validation", len(X_validation))
    if X_validation.shape[1] != X_train.shape[1]:
        raise InputValidationError(
            f"{name}: X_validation has {X_validation.shape[1]} columns, X_train has "
            f"{X_train.shape[1]}; transform both with the same fitted preprocessing."
        )
    return NetworkDesign(X_train, y_train, X_validation, y_validation)


def check_matrix(X, name: str) -> np.ndarray:
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


def check_outcome(y, name: str, n_rows: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_rows:
        raise InputValidationError(f"{name} must have shape ({n_rows},), got {y.shape}.")
    values = set(np.unique(y).tolist())
    if not values <= {0, 1}:
        raise InputValidationError(
            f"{name} must be coded 0/1 (1 = event), got values {sorted(values, key=str)[:5]}."
        )
    return y.astype(np.float64)


def check_both_classes(y: np.ndarray, where: str) -> None:
    counts = np.bincount(y.astype(int), minlength=2)
    if counts.sum() == 0:
        raise InputValidationError(f"{where} are empty; each model needs training rows.")
    if counts.min() == 0:
        raise InputValidationError(
            f"{where} contain only class {int(np.argmax(counts))} ({counts.max()} rows); "
            "each model needs both outcomes, so use stratified folds."
        )


def preprocessing_steps(preprocessing) -> list[tuple[str, object]]:
    """Return ``(name, step)`` pairs of a Pipeline or a list of steps, skipping passthrough."""
    steps = getattr(preprocessing, "steps", preprocessing)
    try:
        pairs = [(str(name), step) for name, step in steps]
    except (TypeError, ValueError) as error:
        raise InputValidationError(
            "preprocessing must be a Pipeline or a list of (name, step) pairs, got "
            f"{type(preprocessing).__name__}."
        ) from error
    return [(name, step) for name, step in pairs if step is not None and step != "passthrough"]


def fit_preprocessing(steps, X, y):
    """Fit clones of ``steps`` on ``(X, y)`` as an imbalanced-learn Pipeline's ``fit`` would.

    Samplers (steps with ``fit_resample``) resample the rows; other steps are fitted and
    transform them.

    Returns
    -------
    fitted_steps : list of (name, step)
    X_out : ndarray or DataFrame, the transformed (and resampled) rows
    y_out : ndarray of shape (n_out,)
    """
    fitted_steps = []
    for name, step in steps:
        step = clone(step)
        if hasattr(step, "fit_resample"):
            X, y = step.fit_resample(X, y)
        else:
            X = step.fit_transform(X, y)
        fitted_steps.append((name, step))
    return fitted_steps, X, np.asarray(y)


def apply_preprocessing(fitted_steps, X):
    """Transform ``X`` with fitted steps; samplers are skipped, as at prediction time."""
    for _, step in fitted_steps:
        if not hasattr(step, "fit_resample"):
            X = step.transform(X)
    return X


def take_rows(X, rows):
    """Select rows by position from an ndarray or a DataFrame."""
    return X.iloc[rows] if hasattr(X, "iloc") else np.asarray(X)[rows]
