"""Calibration of predicted risks: logistic recalibration, Brier score and calibration curves.

The calibration intercept and slope follow Cox's (1958) logistic recalibration in the form of
Van Calster et al. (2016). The slope is the coefficient of ``logit(p)`` in
``glm(y ~ logit(p), binomial)``. The intercept ("calibration-in-the-large") is the intercept of
``glm(y ~ 1 + offset(logit(p)), binomial)``, which is not the intercept of the slope model.
Risks are clipped to [1e-6, 1 - 1e-6] before the logit so that risks of exactly 0 or 1 stay
finite.

References
----------
.. [1] Cox DR. Two further applications of a model for binary regression. Biometrika
   1958;45:562-5.
.. [2] Van Calster B, Nieboer D, Vergouwe Y, et al. A calibration hierarchy for risk models was
   defined: from utopia to empirical data. J Clin Epidemiol 2016;74:167-76.
"""

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.nonparametric.smoothers_lowess import lowess
from statsmodels.stats.proportion import proportion_confint

from ._errors import StatsInputError
from ._glm import design_frame, fit_binomial_glm
from ._quantiles import equal_steps, quantile_type7
from ._validation import as_binary_outcome, as_probabilities

CLIP = 1e-6


@dataclass(frozen=True)
class CalibrationSummary:
    """Calibration intercept and slope from logistic recalibration, and the Brier score.

    Attributes
    ----------
    intercept : float
        Intercept of ``logit P(y=1) = a + logit(p)`` (offset model); 0 when risks are right on
        average, negative when they are too high.
    intercept_ci_low, intercept_ci_high : float
        Wald 95 % confidence interval of the intercept.
    slope : float
        Coefficient ``b`` of ``logit P(y=1) = a + b·logit(p)``; 1 is ideal, below 1 means risks
        too extreme (overfitting).
    slope_ci_low, slope_ci_high : float
        Wald 95 % confidence interval of the slope.
    brier : float
        Mean squared difference between the (unclipped) risk and the outcome.
    n : int
        Number of samples.
    """

    intercept: float
    intercept_ci_low: float
    intercept_ci_high: float
    slope: float
    slope_ci_low: float
    slope_ci_high: float
    brier: float
    n: int

    def to_frame(self):
        """Return the summary as a one-row DataFrame."""
        return pd.DataFrame([asdict(self)])


def calibration_summary(y_true, y_prob):
    """Summarise calibration by logistic recalibration (intercept and slope) and the Brier score.

    Implements Cox's logistic recalibration as defined in the module docstring and matches
    R's ``glm(y ~ offset(qlogis(p)), binomial)`` (intercept), ``glm(y ~ qlogis(p), binomial)``
    (slope) and ``mean((p - y)^2)`` (Brier) with ``p`` clipped to [1e-6, 1 - 1e-6] before the
    logit.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome, 1 for an event and 0 for a non-event; both classes must occur.
    y_prob : array-like of shape (n_samples,)
        Predicted risk in [0, 1].

    Returns
    -------
    CalibrationSummary

    Raises
    ------
    StatsInputError
        On invalid input, a single outcome class, or constant risks (the slope is undefined).
    SeparationError
        If the risks separate events from non-events perfectly (the slope is infinite).
    """
    y_true = as_binary_outcome(y_true, "y_true")
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    if np.ptp(y_prob) == 0:
        raise StatsInputError(
            f"y_prob is {float(y_prob[0])!r} for every sample, so the calibration slope is "
            "undefined; pass varying risks."
        )

    log_odds = special.logit(np.clip(y_prob, CLIP, 1 - CLIP))
    index = np.arange(y_true.size)
    offset_fit = fit_binomial_glm(y_true, design_frame({}, index), offset=log_odds)
    slope_fit = fit_binomial_glm(y_true, design_frame({"logit_p": log_odds}, index))
    intercept_ci = offset_fit.conf_int().loc["const"]
    slope_ci = slope_fit.conf_int().loc["logit_p"]

    return CalibrationSummary(
        intercept=float(offset_fit.params["const"]),
        intercept_ci_low=float(intercept_ci[0]),
        intercept_ci_high=float(intercept_ci[1]),
        slope=float(slope_fit.params["logit_p"]),
        slope_ci_low=float(slope_ci[0]),
        slope_ci_high=float(slope_ci[1]),
        brier=float(np.mean((y_prob - y_true) ** 2)),
        n=int(y_true.size),
    )


def calibration_curve_binned(y_true, y_prob, n_bins=10, strategy="quantile", alpha=0.05):
    """Compute the observed event rate against the mean predicted risk in bins of risk.

    Implements the grouped calibration plot: with ``strategy="quantile"`` the bins are the
    risk groups of :func:`hosmer_lemeshow` with ``n_groups=n_bins``, and with ``"uniform"`` they match scikit-learn's ``calibration_curve(strategy="uniform")``
    except that empty bins are dropped. Observed rates get Wilson intervals.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome coded 0/1.
    y_prob : array-like of shape (n_samples,)
        Predicted risk in [0, 1].
    n_bins : int, default=10
        Number of bins requested.
    strategy : {"quantile", "uniform"}, default="quantile"
        ``"quantile"`` cuts at the quantiles of ``y_prob`` (groups of about equal size, tied
        cut points merged, as the Hosmer–Lemeshow groups); ``"uniform"`` cuts [0, 1] into equal
        widths. Empty bins are dropped.
    alpha : float, default=0.05
        Error rate of the Wilson interval of the observed rate.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin: ``bin``, ``n``, ``mean_predicted``, ``observed_rate``,
        ``observed_ci_low``, ``observed_ci_high``, ``events``.
    """
    y_true = as_binary_outcome(y_true, "y_true", require_both=False)
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise StatsInputError(f"n_bins must be a positive integer, got {n_bins!r}.")

    if strategy == "quantile":
        edges = np.unique(quantile_type7(y_prob, equal_steps(n_bins)))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise StatsInputError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}.")

    # Right-closed bins with the lowest value in the first bin.
    bin_index = np.clip(np.searchsorted(edges, y_prob, side="left"), 1, max(edges.size - 1, 1)) - 1
    frame = pd.DataFrame({"bin": bin_index, "y": y_true, "p": y_prob})
    grouped = frame.groupby("bin")
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "events": grouped["y"].sum(),
            "mean_predicted": grouped["p"].mean(),
        }
    )
    table["observed_rate"] = table["events"] / table["n"]
    low, high = proportion_confint(table["events"], table["n"], alpha=alpha, method="wilson")
    table["observed_ci_low"] = low
    table["observed_ci_high"] = high
    columns = ["n", "mean_predicted", "observed_rate", "observed_ci_low", "observed_ci_high"]
    return table.reset_index()[["bin", *columns, "events"]]


def calibration_curve_lowess(y_true, y_prob, frac=2 / 3, grid=None):
    """Smooth the outcome against the predicted risk with LOWESS.

    Implements Cleveland's (1979) locally weighted linear regression of the outcome on the risk
    with ``statsmodels`` LOWESS and no robustness iterations (``it=0``), the smoother of R's
    ``lowess(p, y, iter = 0)``. Not checked against R output: statsmodels evaluates the local
    fit at each grid value, whereas R interpolates between a subset of fitted points (``delta``),
    so the two can differ slightly for large samples.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Outcome coded 0/1.
    y_prob : array-like of shape (n_samples,)
        Predicted risk in [0, 1].
    frac : float, default=2/3
        Fraction of the samples used for each local fit (R's ``f``).
    grid : array-like, optional
        Risks at which to evaluate the curve; default the sorted unique values of ``y_prob``.

    Returns
    -------
    pandas.DataFrame
        Columns ``predicted`` (risk) and ``observed`` (smoothed event rate, clipped to
        [0, 1]).
    """
    y_true = as_binary_outcome(y_true, "y_true", require_both=False)
    y_prob = as_probabilities(y_prob, "y_prob", y_true.size)
    if not 0 < frac <= 1:
        raise StatsInputError(f"frac must be in (0, 1], got {frac!r}.")

    grid = np.unique(y_prob) if grid is None else np.asarray(grid, dtype=float)
    smoothed = lowess(y_true, y_prob, frac=frac, it=0, xvals=grid)
    return pd.DataFrame({"predicted": grid, "observed": np.clip(smoothed, 0.0, 1.0)})
