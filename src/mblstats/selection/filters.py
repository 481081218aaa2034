"""Unsupervised feature filters: constant features and near-duplicate features.

Both filters look at the training features only (never the outcome), are fitted inside each
cross-validation fold as scikit-learn pipeline steps, and keep pandas column names so the
selected radiomics features stay readable.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)


class RedundancyFilter(TransformerMixin, BaseEstimator):
    """Drop constant features, then one of every pair of near-duplicate features.

    Features are visited in column order; a feature is dropped when its absolute Pearson
    correlation with a feature already kept exceeds ``max_abs_correlation``. Keeping the
    earlier column makes the result independent of anything but the column order and data.

    Parameters
    ----------
    max_abs_correlation : float, default=0.95
        Pairs with |r| above this value count as duplicates. Use 1.0 to drop only constant
        features.
    min_std : float, default=1e-8
        Features whose standard deviation on the training rows is at most this value count
        as constant.

    Attributes
    ----------
    kept_features_ : list of str
        Columns that pass, in input order.
    dropped_constant_ : list of str
    dropped_duplicate_ : dict of str to str
        Dropped column mapped to the kept column it duplicates.
    """

    def __init__(self, max_abs_correlation: float = 0.95, min_std: float = 1e-8):
        self.max_abs_correlation = max_abs_correlation
        self.min_std = min_std

    def fit(self, X: pd.DataFrame, y=None) -> "RedundancyFilter":
        """Find the constant and duplicate columns of ``X`` (n_samples, n_features)."""
        if not 0 < self.max_abs_correlation <= 1:
            raise InputValidationError(
                "max_abs_correlation must lie in (0, 1], got "
                f"{self.max_abs_correlation!r}; 0.9 to 0.95 is usual for radiomics"
            )
        frame = _as_feature_frame(X, "RedundancyFilter.fit")
        values = frame.to_numpy(dtype=float)
        std = values.std(axis=0)
        constant = std <= self.min_std
        self.dropped_constant_ = frame.columns[constant].tolist()

        candidates = np.flatnonzero(~constant)
        centred = values[:, candidates] - values[:, candidates].mean(axis=0)
        unit = centred / np.linalg.norm(centred, axis=0)
        correlation = np.abs(unit.T @ unit)

        # Each kept feature blocks the later features it duplicates, so one pass in column
        # order drops exactly the features that duplicate an earlier kept one.
        blocked_by = np.full(len(candidates), -1)
        kept: list[int] = []
        self.dropped_duplicate_ = {}
        for position, column in enumerate(candidates):
            if blocked_by[position] >= 0:
                kept_column = frame.columns[candidates[blocked_by[position]]]
                self.dropped_duplicate_[frame.columns[column]] = kept_column
                continue
            kept.append(position)
            duplicates = correlation[position] > self.max_abs_correlation
            duplicates[: position + 1] = False
            blocked_by[duplicates & (blocked_by < 0)] = position
        self.kept_features_ = [frame.columns[candidates[position]] for position in kept]
        self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        logger.debug(
            "redundancy filter kept %d of %d features (%d constant, %d duplicate)",
            len(self.kept_features_),
            frame.shape[1],
            len(self.dropped_constant_),
            len(self.dropped_duplicate_),
        )
        if not self.kept_features_:
            raise InputValidationError(
                "every feature is constant on the training rows; check the feature table"
            )
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the kept columns of ``X``."""
        check_is_fitted(self, "kept_features_")
        frame = _as_feature_frame(X, "RedundancyFilter.transform")
        return frame.loc[:, self.kept_features_]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "kept_features_")
        return np.asarray(self.kept_features_, dtype=object)


class ColumnSubset(TransformerMixin, BaseEstimator):
    """Keep a fixed list of columns, for example features that passed a reproducibility check.

    Parameters
    ----------
    columns : sequence of str or None
        Columns to keep, in this order. ``None`` keeps every column.
    """

    def __init__(self, columns=None):
        self.columns = columns

    def fit(self, X: pd.DataFrame, y=None) -> "ColumnSubset":
        if not isinstance(X, pd.DataFrame):
            raise InputValidationError(
                f"ColumnSubset.fit needs a pandas DataFrame, got {type(X).__name__}"
            )
        if self.columns is not None:
            missing = [column for column in self.columns if column not in X.columns]
            if missing:
                raise InputValidationError(
                    f"ColumnSubset: columns {missing[:10]} are not in the feature table"
                )
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.kept_features_ = list(X.columns if self.columns is None else self.columns)
        _as_feature_frame(X.loc[:, self.kept_features_], "ColumnSubset.fit")
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "kept_features_")
        return _as_feature_frame(X.loc[:, self.kept_features_], "ColumnSubset.transform")

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "kept_features_")
        return np.asarray(self.kept_features_, dtype=object)


def _as_feature_frame(X, caller: str) -> pd.DataFrame:
    """Return ``X`` as a float DataFrame, rejecting missing or infinite values."""
    if not isinstance(X, pd.DataFrame):
        raise InputValidationError(
            f"{caller} needs a pandas DataFrame with feature names as columns, "
            f"got {type(X).__name__}"
        )
    values = X.to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        rows, columns = np.nonzero(bad)
        examples = [f"{X.index[r]!r}/{X.columns[c]}" for r, c in zip(rows[:5], columns[:5])]
        raise InputValidationError(
            f"{caller}: {bad.sum()} missing or infinite feature values (row/column: "
            f"{', '.join(examples)}); impute or drop them before modelling"
        )
    return X
