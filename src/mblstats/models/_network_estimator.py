"""Scikit-learn estimator wrapping one dense network (public through ``network``)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mblstats.exceptions import InputValidationError
from mblstats.models._network_inputs import NetworkConfig


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
        # Imported here because network imports this module.
        from mblstats.models.network import fit_networks

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
