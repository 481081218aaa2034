"""Permuted-outcome (null) test of the whole leakage-safe pipeline.

The training outcome is shuffled, which destroys any real association while keeping the
class balance. The whole model (filters, scaling, mRMR, SMOTE, LASSO, clinical screening,
final model) is then fitted on the shuffled training rows and scored on the validation rows
with their true outcome. A pipeline without leakage gives validation AUCs centred on 0.5.
An average well above 0.5 means information from the validation rows reaches the fit.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class NullTestResult:
    """Validation AUCs of models fitted on permuted training outcomes.

    Attributes
    ----------
    model : str
    null_auc : ndarray of shape (n_permutations,)
    observed_auc : float or None
        Validation AUC with the real training outcome, when computed.
    """

    model: str
    null_auc: np.ndarray
    observed_auc: float | None = None

    @property
    def p_value(self) -> float | None:
        """Permutation p-value (1 + #{null AUC >= observed}) / (1 + n_permutations)."""
        if self.observed_auc is None:
            return None
        exceed = int(np.sum(self.null_auc >= self.observed_auc))
        return (1 + exceed) / (1 + len(self.null_auc))

    def to_frame(self) -> pd.DataFrame:
        """Return one row: permutations, mean and SD of the null AUCs, observed AUC, p-value."""
        return pd.DataFrame(
            [
                {
                    "model": self.model,
                    "n_permutations": len(self.null_auc),
                    "null_auc_mean": float(np.mean(self.null_auc)),
                    "null_auc_sd": float(np.std(self.null_auc, ddof=1)) if len(self.null_auc) > 1 else np.nan,
                    "observed_auc": self.observed_auc,
                    "p_value": self.p_value,
                }
            ]
        )


def permutation_null_test(
    model,
    X_train: pd.DataFrame,
    y_train,
    X_validation: pd.DataFrame,
    y_validation,
    n_permutations: int = 20,
    seed: int = 2019,
    observed: bool = True,
    name: str | None = None,
    n_jobs: int | None = None,
) -> NullTestResult:
    """Fit ``model`` on permuted training outcomes and score each fit on the validation set.

    Parameters
    ----------
    model : estimator
        Unfitted model family.
    X_train, y_train : training rows and 0/1 outcome
    X_validation, y_validation : validation rows and their true 0/1 outcome
    n_permutations : int, default=20
    seed : int, default=2019
        Seed of the permutations.
    observed : bool, default=True
        Also fit on the real outcome, to report the observed AUC and a permutation p-value.
    n_jobs : int or None, default=None
        Worker processes (joblib). The permutations are drawn up front from ``seed``, so the
        result does not depend on it.

    Returns
    -------
    NullTestResult
    """
    label = name or type(model).__name__
    return permutation_null_test_models(
        {label: model}, X_train, y_train, X_validation, y_validation, n_permutations, seed,
        observed, n_jobs,
    )[label]


def permutation_null_test_models(
    models: dict,
    X_train: pd.DataFrame,
    y_train,
    X_validation: pd.DataFrame,
    y_validation,
    n_permutations: int = 20,
    seed: int = 2019,
    observed: bool = True,
    n_jobs: int | None = None,
) -> dict[str, NullTestResult]:
    """Run :func:`permutation_null_test` for several models on the same permutations.

    All models are fitted on one permutation within one task, so models with the same
    reduction steps share the LASSO's lambda cross-validation. Each result equals that of
    :func:`permutation_null_test` on the model alone.

    Returns
    -------
    dict of str to NullTestResult
    """
    rng = np.random.default_rng(seed)
    train_y = np.asarray(y_train).astype(int)
    validation_y = np.asarray(y_validation).astype(int)
    names = ", ".join(models)
    permutations = [rng.permutation(train_y) for _ in range(n_permutations)]
    null_rows = Parallel(n_jobs=n_jobs)(
        delayed(_validation_auc)(models, X_train, shuffled, X_validation, validation_y)
        for shuffled in tqdm(permutations, desc=f"null test {names}", leave=False)
    )
    observed_auc = {}
    if observed:
        observed_auc = _validation_auc(models, X_train, train_y, X_validation, validation_y)
    results = {}
    for label in models:
        null_auc = np.array([row[label] for row in null_rows])
        logger.info(
            "null test %s: mean null AUC %.3f over %d permutations",
            label, null_auc.mean(), n_permutations,
        )
        results[label] = NullTestResult(
            model=label, null_auc=null_auc, observed_auc=observed_auc.get(label)
        )
    return results


def _validation_auc(models, X_train, y_train, X_validation, y_validation) -> dict[str, float]:
    aucs = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for label, model in models.items():
            fitted = clone(model).fit(X_train, y_train)
            aucs[label] = float(roc_auc_score(y_validation, fitted.predict_proba(X_validation)[:, 1]))
    return aucs
