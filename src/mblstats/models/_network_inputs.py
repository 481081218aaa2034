"""Validation of the dense network's inputs and padding of per-fold designs into one batch.

Private helpers of :mod:`mblstats.models.network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mblstats.exceptions import InputValidationError
from mblstats.models._fold_network import BatchedProblem


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
