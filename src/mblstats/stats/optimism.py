"""Bootstrap optimism correction of calibration, in the manner of R's ``rms::calibrate``.

The whole modelling procedure (selection, scaling, resampling and fitting, whatever the caller
wraps in ``fit_predict``) is repeated on each bootstrap sample. For each repetition ``b``:

1. Refit on bootstrap sample ``b`` and predict risks for every original row.
2. The *training* calibration compares the predictions of the bootstrap rows with their
   outcomes. The *test* calibration compares the predictions of the original rows with the
   original outcomes.
3. The optimism is ``training - test``, for the smoothed calibration curve on a fixed grid of
   predicted risks and for the calibration intercept, slope and Brier score.

The bias-corrected value is the apparent value (model fitted and assessed on all rows) minus
the mean optimism (Efron 1983; Harrell, Lee and Mark 1996). Curves are LOWESS smooths without
robustness iterations, interpolated to the grid with constant extrapolation beyond the data,
as ``rms::calibrate`` does with ``lowess`` and ``approx(rule = 2)``.

References
----------
.. [1] Efron B. Estimating the error rate of a prediction rule: improvement on
   cross-validation. J Am Stat Assoc 1983;78:316-31.
.. [2] Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med 1996;15:361-87.
"""

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.nonparametric.smoothers_lowess import lowess

from ._errors import StatsInputError
from ._validation import as_binary_outcome, as_probabilities
from .calibration import calibration_summary

logger = logging.getLogger(__name__)

INDEXES = ("intercept", "slope", "brier")
GRID_SIZE = 50


@dataclass(frozen=True, eq=False)
class OptimismCorrectedCalibration:
    """Apparent and bootstrap bias-corrected calibration of a modelling procedure.

    Attributes
    ----------
    curve : pandas.DataFrame
        One row per grid risk: ``predicted``, ``apparent`` (smoothed observed proportion),
        ``optimism`` (mean training minus test) and ``bias_corrected``
        (``apparent - optimism``, clipped to [0, 1]).
    indexes : pandas.DataFrame
        Indexed by ``intercept``, ``slope`` and ``brier``, with columns ``apparent``,
        ``training`` and ``test`` (bootstrap means), ``optimism`` and ``corrected``.
    n_bootstrap : int
        Number of bootstrap repetitions requested.
    n_failed : int
        Repetitions skipped because the refit or its calibration failed (e.g. a bootstrap
        sample with one class or with separation); the means use the others.
    seed : int
        Seed of the bootstrap draws.
    """

    curve: pd.DataFrame = field(repr=False)
    indexes: pd.DataFrame = field(repr=False)
    n_bootstrap: int
    n_failed: int
    seed: int

    def to_frame(self):
        """Return the index table (apparent, optimism and corrected intercept, slope, Brier)."""
        return self.indexes.copy()


def optimism_corrected_calibration(
    fit_predict, X, y, n_bootstrap=200, seed=0, grid=None, frac=2 / 3
):
    """Estimate optimism-corrected calibration by refitting on bootstrap samples.

    Implements the bootstrap optimism correction of ``rms::calibrate(method = "boot")`` for
    the calibration curve and of ``rms::validate`` for the intercept, slope and Brier score,
    with this package's definitions of those indexes (:func:`calibration_summary`). The
    algorithm is described in the module docstring; its numbers are not checked against rms
    output because rms draws its own bootstrap samples.

    Parameters
    ----------
    fit_predict : callable
        ``fit_predict(X_train, y_train, X_new) -> risks`` refits the whole modelling procedure
        on ``(X_train, y_train)`` and returns predicted risks, shape (len(X_new),), for
        ``X_new``. It must not use any data other than its arguments.
    X : pandas.DataFrame or ndarray of shape (n_samples, n_features)
        Predictors; rows are resampled with ``.iloc`` for a DataFrame.
    y : array-like of shape (n_samples,)
        Outcome coded 0/1.
    n_bootstrap : int, default=200
        Number of bootstrap repetitions.
    seed : int, default=0
        Seed of the bootstrap draws (``numpy.random.default_rng``).
    grid : array-like, optional
        Predicted risks at which the curves are evaluated; default 50 equally spaced values
        over the range of the apparent predictions.
    frac : float, default=2/3
        LOWESS span (R's ``f``).

    Returns
    -------
    OptimismCorrectedCalibration

    Raises
    ------
    StatsInputError
        On invalid input, or when more than half of the repetitions fail.
    """
    y = as_binary_outcome(y, "y")
    n_samples = y.size
    if len(X) != n_samples:
        raise StatsInputError(
            f"X has {len(X)} rows but y has {n_samples}; pass one row per sample."
        )
    if (
        isinstance(n_bootstrap, bool)
        or not isinstance(n_bootstrap, (int, np.integer))
        or n_bootstrap < 1
    ):
        raise StatsInputError(f"n_bootstrap must be a positive integer, got {n_bootstrap!r}.")

    apparent_risk = _predict(fit_predict, X, y, np.arange(n_samples), "the apparent fit")
    grid = _grid(apparent_risk, grid)
    apparent_curve = _smooth(y, apparent_risk, grid, frac)
    apparent_indexes = _indexes(y, apparent_risk)

    rng = np.random.default_rng(seed)
    training_curves, test_curves, training_rows, test_rows = [], [], [], []
    n_failed = 0
    for repetition in range(n_bootstrap):
        rows = rng.integers(0, n_samples, n_samples)
        # A refit or calibration that raises ValueError (including StatsInputError) is skipped,
        # as rms skips failed bootstrap fits; other exceptions propagate.
        try:
            risk = _predict(fit_predict, X, y, rows, f"bootstrap repetition {repetition}")
            training = _indexes(y[rows], risk[rows])
            test = _indexes(y, risk)
        except ValueError as error:
            n_failed += 1
            logger.debug("bootstrap repetition %d skipped: %s", repetition, error)
            continue
        training_rows.append(training)
        test_rows.append(test)
        training_curves.append(_smooth(y[rows], risk[rows], grid, frac))
        test_curves.append(_smooth(y, risk, grid, frac))
        if (repetition + 1) % 50 == 0:
            logger.info("optimism bootstrap: %d of %d repetitions", repetition + 1, n_bootstrap)

    if n_failed > n_bootstrap / 2:
        raise StatsInputError(
            f"{n_failed} of {n_bootstrap} bootstrap refits failed (one outcome class, separation "
            "or non-convergence); the optimism estimate would rest on too few samples. Simplify "
            "the model or use a penalised fit."
        )
    if n_failed:
        logger.warning(
            "optimism bootstrap: %d of %d repetitions failed and were skipped",
            n_failed,
            n_bootstrap,
        )

    optimism_curve = np.mean(training_curves, axis=0) - np.mean(test_curves, axis=0)
    curve = pd.DataFrame(
        {
            "predicted": grid,
            "apparent": apparent_curve,
            "optimism": optimism_curve,
            "bias_corrected": np.clip(apparent_curve - optimism_curve, 0.0, 1.0),
        }
    )
    indexes = pd.DataFrame(
        {
            "apparent": pd.Series(apparent_indexes),
            "training": pd.DataFrame(training_rows).mean(),
            "test": pd.DataFrame(test_rows).mean(),
        }
    ).loc[list(INDEXES)]
    indexes["optimism"] = indexes["training"] - indexes["test"]
    indexes["corrected"] = indexes["apparent"] - indexes["optimism"]
    return OptimismCorrectedCalibration(
        curve=curve,
        indexes=indexes,
        n_bootstrap=int(n_bootstrap),
        n_failed=n_failed,
        seed=seed,
    )


def _predict(fit_predict, X, y, rows, context):
    X_train = X.iloc[rows] if isinstance(X, (pd.DataFrame, pd.Series)) else np.asarray(X)[rows]
    risk = fit_predict(X_train, y[rows], X)
    return as_probabilities(risk, f"fit_predict output for {context}", y.size)


def _grid(apparent_risk, grid):
    if grid is None:
        return np.linspace(apparent_risk.min(), apparent_risk.max(), GRID_SIZE)
    values = np.asarray(grid, dtype=float).ravel()
    if values.size == 0 or ((values < 0) | (values > 1)).any() or not np.isfinite(values).all():
        raise StatsInputError("grid must be a non-empty sequence of risks in [0, 1].")
    return values


def _smooth(y, risk, grid, frac):
    """LOWESS of y on risk, averaged over tied risks, interpolated to grid (flat beyond data)."""
    fitted = lowess(y, risk, frac=frac, it=0, return_sorted=True)
    unique_risk, inverse = np.unique(fitted[:, 0], return_inverse=True)
    smoothed = np.bincount(inverse, weights=fitted[:, 1]) / np.bincount(inverse)
    return np.interp(grid, unique_risk, smoothed)


def _indexes(y, risk):
    summary = calibration_summary(y, risk)
    return {"intercept": summary.intercept, "slope": summary.slope, "brier": summary.brier}
