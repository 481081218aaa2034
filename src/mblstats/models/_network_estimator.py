"""Scikit-learn estimator wrapping one dense network (public through ``network``)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y):
        """Train the network on ``X`` (already scaled) and binary labels ``y``."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if len(classes) != 2:
            raise InputValidationError(
                "Only binary classification is supported: DenseNetworkClassifier needs 2 "
                f"classes in y, got {len(classes)} class(es): {classes.tolist()[:5]}."
            )
        self.classes_ = classes
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
        event_proba = self.predict_proba(X)[:, 1]
        return self.classes_[(event_proba >= 0.5).astype(int)]
