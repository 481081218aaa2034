"""L1-penalised (LASSO) logistic regression with lambda chosen by cross-validation.

The objective is glmnet's for the binomial family:

    minimise  -loglik(b0, b) / n + lambda * ||b||_1,

with the intercept b0 unpenalised. The solver (``_l1_solver``) is glmnet's proximal Newton
with coordinate descent, vectorised over the lambda grid; it matches glmnet 4.1-6 to about
1e-8 relative. scikit-learn's ``LogisticRegression(l1_ratio=1, C=1/(n*lambda),
solver="saga")`` minimises the same objective and serves as the independent check in the
tests, but it is about ten times slower along a path.

Lambda is chosen as in ``cv.glmnet``. The grid is log-spaced from ``lambda_max`` (the
smallest lambda that zeroes every coefficient) down to ``lambda_max * min_ratio``, and each
lambda gets its stratified k-fold cross-validated binomial deviance. The rule ``"min"`` takes
the lambda of minimum deviance, and ``"1se"`` the largest lambda whose mean deviance lies
within one standard error of that minimum.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import logging

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from mblstats.exceptions import InputValidationError
from mblstats.selection._l1_solver import l1_logistic_grid

logger = logging.getLogger(__name__)

LAMBDA_RULES = ("1se", "min")

# Convergence bound of the final fit (matches glmnet to about 1e-8) and of the path fits that
# only rank lambdas by cross-validated deviance.
_FINAL_TOL = 1e-10
_PATH_TOL = 1e-7

# Results of recent lambda cross-validations in this process, keyed by the content of their
# inputs. Models with the same reduction steps (RN and Clinical-RN, for one) fit the same
# LASSO on the same rows of every fold and bootstrap sample, so the second fit reuses the first.
_RECENT_CV: collections.OrderedDict[str, LassoCVResult] = collections.OrderedDict()
_RECENT_CV_SIZE = 64


@dataclasses.dataclass(frozen=True)
class LassoCVResult:
    """Cross-validated deviance along a lambda grid.

    Attributes
    ----------
    lambdas : ndarray of shape (n_lambdas,)
        Decreasing grid.
    cv_mean, cv_se : ndarray of shape (n_lambdas,)
        Mean binomial deviance over folds and its standard error (as in ``cv.glmnet``).
    n_nonzero : ndarray of shape (n_lambdas,)
        Non-zero coefficients of the fit on all rows at each lambda.
    coef_path : DataFrame of shape (n_lambdas, n_features)
        Coefficients of the fit on all rows at each lambda.
    lambda_min, lambda_1se : float
    rule : {"1se", "min"}
        Rule that picked :attr:`lambda_chosen`.
    lambda_chosen : float
    """

    lambdas: np.ndarray
    cv_mean: np.ndarray
    cv_se: np.ndarray
    n_nonzero: np.ndarray
    coef_path: pd.DataFrame
    lambda_min: float
    lambda_1se: float
    rule: str
    lambda_chosen: float

    def to_frame(self) -> pd.DataFrame:
        """Return one row per lambda: ``lambda``, ``log_lambda``, ``cv_mean``, ``cv_se``, ``n_nonzero``."""
        return pd.DataFrame(
            {
                "lambda": self.lambdas,
                "log_lambda": np.log(self.lambdas),
                "cv_mean": self.cv_mean,
                "cv_se": self.cv_se,
                "n_nonzero": self.n_nonzero,
            }
        )


def fit_l1_logistic(
    X: np.ndarray, y: np.ndarray, lam: float, tol: float = _FINAL_TOL
) -> tuple[float, np.ndarray]:
    """Fit L1-penalised logistic regression at one lambda (glmnet's binomial objective).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Predictors; standardise them first, as glmnet does, for the penalty to treat
        features alike.
    y : ndarray of shape (n_samples,)
        0/1 outcome.
    lam : float
        Penalty weight lambda > 0.
    tol : float, default=1e-10
        Convergence bound on the largest scaled coefficient change.

    Returns
    -------
    intercept : float
    coef : ndarray of shape (n_features,)
    """
    if not lam > 0:
        raise InputValidationError(f"lambda must be positive, got {lam!r}")
    intercepts, coefs, converged = _solve(X, y, np.array([lam]), tol)
    if not converged:
        raise InputValidationError(
            f"L1 logistic regression at lambda={lam:.4g} did not converge in 200 Newton steps; "
            "a feature may separate the outcome perfectly, so raise lambda or drop it"
        )
    return float(intercepts[0]), coefs[0]


def lambda_grid(X: np.ndarray, y: np.ndarray, n_lambdas: int = 100, min_ratio: float | None = None) -> np.ndarray:
    """Return glmnet's decreasing log-spaced lambda grid for a binomial model.

    ``lambda_max = max_j |x_j' (y - mean(y))| / n`` is the smallest lambda at which every
    coefficient is zero; ``min_ratio`` defaults to 0.01 when n < p and 1e-4 otherwise, as in
    glmnet.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = X.shape
    if n_lambdas < 2:
        raise InputValidationError(f"n_lambdas must be at least 2, got {n_lambdas!r}")
    if min_ratio is None:
        min_ratio = 0.01 if n < p else 1e-4
    centred = X - X.mean(axis=0)
    lambda_max = np.max(np.abs(centred.T @ (y - y.mean()))) / n
    if not lambda_max > 0:
        raise InputValidationError(
            "every feature is uncorrelated with the outcome or constant, so no LASSO path exists"
        )
    return np.exp(np.linspace(np.log(lambda_max), np.log(lambda_max * min_ratio), n_lambdas))


def l1_logistic_path(
    X: np.ndarray, y: np.ndarray, lambdas: np.ndarray, tol: float = _PATH_TOL
) -> tuple[np.ndarray, np.ndarray]:
    """Fit L1-penalised logistic regression at every lambda of a grid.

    Returns
    -------
    intercepts : ndarray of shape (n_lambdas,)
    coefs : ndarray of shape (n_lambdas, n_features)
    """
    intercepts, coefs, converged = _solve(X, y, lambdas, tol)
    if not converged:
        logger.warning(
            "the LASSO path did not converge at some of its smallest lambdas; the "
            "cross-validated deviance there is approximate"
        )
    return intercepts, coefs


def _solve(X, y, lambdas, tol):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if set(np.unique(y)) - {0, 1}:
        raise InputValidationError(
            f"the LASSO outcome must be coded 0/1, got the values {np.unique(y)[:5]}"
        )
    # Single-threaded BLAS: these matrices are small, and several BLAS threads spinning on
    # two busy cores made each product about 100 times slower.
    with threadpool_limits(limits=1, user_api="blas"):
        return l1_logistic_grid(X, y, np.asarray(lambdas, dtype=float), tol=tol)


def cross_validate_lambda(
    X: pd.DataFrame,
    y,
    n_folds: int = 10,
    rule: str = "1se",
    n_lambdas: int = 100,
    seed: int = 2019,
) -> LassoCVResult:
    """Choose lambda by stratified k-fold cross-validated binomial deviance.

    Parameters
    ----------
    X : DataFrame of shape (n_samples, n_features)
        Standardised predictors.
    y : array-like of shape (n_samples,)
        0/1 outcome.
    n_folds : int, default=10
    rule : {"1se", "min"}, default="1se"
        One-standard-error rule or minimum deviance.
    n_lambdas : int, default=100
    seed : int, default=2019
        Seed of the fold assignment.

    Returns
    -------
    LassoCVResult
        Calls on equal inputs within one process share one result (the last 64 are kept),
        so treat its arrays as read-only.
    """
    if rule not in LAMBDA_RULES:
        raise InputValidationError(f"lambda rule must be one of {LAMBDA_RULES}, got {rule!r}")
    values = X.to_numpy(dtype=float)
    outcome = np.asarray(y).astype(int)
    minority = int(min(outcome.sum(), len(outcome) - outcome.sum()))
    if minority < n_folds:
        raise InputValidationError(
            f"the LASSO's {n_folds}-fold cross-validation needs at least {n_folds} patients in "
            f"each outcome class, got {minority}; lower n_folds"
        )
    key = _content_key(X, outcome, n_folds, rule, n_lambdas, seed)
    if key in _RECENT_CV:
        _RECENT_CV.move_to_end(key)
        return _RECENT_CV[key]
    result = _cross_validate_lambda(X, values, outcome, n_folds, rule, n_lambdas, seed)
    _RECENT_CV[key] = result
    if len(_RECENT_CV) > _RECENT_CV_SIZE:
        _RECENT_CV.popitem(last=False)
    return result


def _content_key(X: pd.DataFrame, outcome: np.ndarray, *settings) -> str:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(np.ascontiguousarray(X.to_numpy(dtype=float)).tobytes())
    digest.update(repr((list(X.columns), list(X.shape), settings)).encode())
    digest.update(np.ascontiguousarray(outcome, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _cross_validate_lambda(X, values, outcome, n_folds, rule, n_lambdas, seed) -> LassoCVResult:
    lambdas = lambda_grid(values, outcome, n_lambdas)

    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    fold_deviance = np.empty((n_folds, len(lambdas)))
    fold_sizes = np.empty(n_folds)
    for fold, (train, test) in enumerate(folds.split(values, outcome)):
        intercepts, coefs = l1_logistic_path(values[train], outcome[train], lambdas)
        linear = intercepts[None, :] + values[test] @ coefs.T
        fold_deviance[fold] = _binomial_deviance(outcome[test], linear)
        fold_sizes[fold] = len(test)

    weights = fold_sizes / fold_sizes.sum()
    cv_mean = weights @ fold_deviance
    cv_se = np.sqrt(weights @ (fold_deviance - cv_mean) ** 2 / (n_folds - 1))
    best = int(np.argmin(cv_mean))
    within = np.flatnonzero(cv_mean <= cv_mean[best] + cv_se[best])
    lambda_min = float(lambdas[best])
    lambda_1se = float(lambdas[within.min()])

    _, coefs = l1_logistic_path(values, outcome, lambdas)
    return LassoCVResult(
        lambdas=lambdas,
        cv_mean=cv_mean,
        cv_se=cv_se,
        n_nonzero=(coefs != 0).sum(axis=1),
        coef_path=pd.DataFrame(coefs, columns=X.columns, index=pd.Index(lambdas, name="lambda")),
        lambda_min=lambda_min,
        lambda_1se=lambda_1se,
        rule=rule,
        lambda_chosen=lambda_1se if rule == "1se" else lambda_min,
    )


def _binomial_deviance(y_true: np.ndarray, linear: np.ndarray) -> np.ndarray:
    """Mean binomial deviance -2 * loglik / n per column of linear predictors (n, n_lambdas)."""
    loglik = y_true[:, None] * linear - np.logaddexp(0.0, linear)
    return -2.0 * loglik.mean(axis=0)
