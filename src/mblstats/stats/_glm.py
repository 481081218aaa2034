"""Binomial GLM fitting with explicit checks for rank deficiency, separation and convergence.

statsmodels only warns on separation and non-convergence and then returns meaningless
estimates, so the fits here check the design first and turn each failure into an error that
names the design columns involved.
"""

import logging
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, special
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ._errors import ConvergenceError, SeparationError, StatsInputError

logger = logging.getLogger(__name__)

MAX_ITERATIONS = 100
PARAMETER_TOLERANCE = 1e-10
# An LP optimum above this (on standardised columns, |beta| <= 1) is a separating direction.
SEPARATION_TOLERANCE = 1e-6


def fit_binomial_glm(y, design, offset=None, labels=None):
    """Fit a logistic regression by maximum likelihood to a coefficient change below 1e-10.

    A Newton iteration with step halving finds the estimate, then statsmodels' IRLS confirms
    it and provides standard errors, log-likelihood and intervals.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Outcome coded 0/1.
    design : pandas.DataFrame of shape (n_samples, n_terms)
        Design matrix including the intercept column; column names are used in messages.
    offset : ndarray of shape (n_samples,), optional
        Known part of the linear predictor.
    labels : dict of str to str, optional
        Name to use in error messages for each design column (e.g. ``siteB`` to
        ``site (level B)``); columns not listed keep their own name.

    Returns
    -------
    statsmodels GLMResults

    Raises
    ------
    StatsInputError
        If the design is rank deficient.
    SeparationError
        If a combination of the columns separates events from non-events completely or
        quasi-completely (the maximum likelihood estimate does not exist).
    ConvergenceError
        If the fit has not converged after 100 iterations.
    """
    labels = labels or {}
    _check_full_rank(design, labels)
    if offset is None:
        involved = separating_columns(y, design)
        if involved:
            raise SeparationError(_separation_message(y, design, involved, labels))

    start = _safeguarded_newton(np.asarray(y, dtype=float), np.asarray(design, dtype=float), offset)
    if start is None:
        raise ConvergenceError(_convergence_message(design, labels))

    # statsmodels polishes the estimate from the safeguarded start and supplies the inference.
    model = sm.GLM(y, design, family=sm.families.Binomial(), offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = model.fit(
            start_params=start,
            method="IRLS",
            maxiter=MAX_ITERATIONS,
            tol=PARAMETER_TOLERANCE,
            tol_criterion="params",
        )
    if not result.converged or not np.isfinite(result.params).all():
        raise ConvergenceError(_convergence_message(design, labels))
    logger.debug("IRLS converged in %d iterations", result.fit_history["iteration"])
    return result


def _safeguarded_newton(y, matrix, offset):
    """Maximise the logistic log-likelihood by Newton steps, halving any step that lowers it.

    Plain IRLS from the usual start can overshoot when offsets or predictors are extreme
    (e.g. logits of risks clipped at 1e-6). The log-likelihood is concave, so step halving
    makes every iteration an ascent. Returns None if the coefficients still change by more
    than the tolerance after ``MAX_ITERATIONS`` steps.
    """
    offset = np.zeros(y.size) if offset is None else np.asarray(offset, dtype=float)
    beta = np.zeros(matrix.shape[1])

    def loglik(coefficients):
        eta = matrix @ coefficients + offset
        return float(np.sum(y * eta - np.logaddexp(0.0, eta)))

    current = loglik(beta)
    for _ in range(MAX_ITERATIONS):
        risk = special.expit(matrix @ beta + offset)
        gradient = matrix.T @ (y - risk)
        hessian = (matrix * (risk * (1 - risk))[:, None]).T @ matrix
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            return None
        fraction = 1.0
        while fraction > 1e-12:
            candidate = loglik(beta + fraction * step)
            if candidate >= current - 1e-12 * abs(current):
                break
            fraction /= 2
        beta = beta + fraction * step
        current = loglik(beta)
        if np.max(np.abs(fraction * step)) < PARAMETER_TOLERANCE * (1 + np.max(np.abs(beta))):
            return beta
    return None


def _convergence_message(design, labels):
    terms = _unique_labels(design.columns, labels)
    model = f"the logistic regression on {', '.join(terms)}" if terms else "the intercept-only fit"
    return (
        f"{model} did not converge in {MAX_ITERATIONS} Newton iterations; check for "
        "near-separation or extreme predictor values and rescale or remove the predictors "
        "involved."
    )


def separating_columns(y, design):
    """Return the design columns that take part in a separating direction (empty if none).

    Solves the linear programme of Konis (2007): maximise ``sum(s_i * x_i @ beta)`` subject to
    ``s_i * x_i @ beta >= 0`` for all samples and ``|beta_j| <= 1``, where ``s_i = 2*y_i - 1``.
    A positive optimum means complete or quasi-complete separation along ``beta``, and the
    columns with non-zero ``beta_j`` are those involved. Columns are standardised first so that
    the box constraint treats them alike.
    """
    matrix = np.asarray(design, dtype=float)
    if list(design.columns[:1]) == ["const"] and matrix.shape[1] == 2:
        return _separating_single_column(np.asarray(y), matrix[:, 1], design.columns[1])

    spread = matrix.std(axis=0)
    scale = np.where(spread > 0, spread, np.abs(matrix).max(axis=0))
    scale[scale == 0] = 1.0
    signed = (2 * np.asarray(y) - 1)[:, None] * (matrix / scale)

    solution = optimize.linprog(
        c=-signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        bounds=[(-1, 1)] * signed.shape[1],
        method="highs",
    )
    if solution.status != 0 or -solution.fun <= SEPARATION_TOLERANCE * signed.shape[0]:
        return []
    names = list(design.columns)
    return [names[j] for j in np.flatnonzero(np.abs(solution.x) > 1e-8) if names[j] != "const"]


def _separating_single_column(y, x, name):
    """Closed form of the LP for an intercept plus one column: the classes' ranges touch."""
    events, non_events = x[y == 1], x[y == 0]
    if events.size == 0 or non_events.size == 0:
        return []
    apart = events.min() >= non_events.max() or non_events.min() >= events.max()
    return [name] if apart else []


def _separation_message(y, design, involved, labels):
    """Describe a separation by a minimal set of columns that still separates.

    The LP direction may use columns that are not needed, so columns are dropped one at a time
    while the remaining ones (with the intercept) still separate the outcome.
    """
    keep = ["const"] if "const" in design else []
    minimal = list(involved)
    for column in list(minimal):
        trial = [other for other in minimal if other != column]
        if trial and separating_columns(y, design[keep + trial]):
            minimal = trial

    names = ", ".join(_unique_labels(minimal, labels))
    culprit = f"{names} on its own" if len(minimal) == 1 else f"the combination of {names}"
    return (
        f"perfect or quasi-complete separation: {culprit} predicts the outcome without error "
        "for every sample (or every sample of a level), so the maximum likelihood estimates are "
        "infinite. Remove or merge those predictors (e.g. pool sparse categories) or use a "
        "penalised model."
    )


def _unique_labels(columns, labels):
    """Map design columns to their message labels, dropping the intercept and duplicates."""
    named = [labels.get(column, column) for column in columns if column != "const"]
    return list(dict.fromkeys(named))


def _check_full_rank(design, labels):
    matrix = np.asarray(design, dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    if rank == matrix.shape[1]:
        return

    # Report the columns that add nothing to the span of the columns before them.
    redundant = []
    for j in range(matrix.shape[1]):
        if np.linalg.matrix_rank(matrix[:, : j + 1]) <= j - len(redundant):
            redundant.append(labels.get(design.columns[j], design.columns[j]))
    raise StatsInputError(
        f"the design matrix has rank {rank} but {matrix.shape[1]} columns: "
        f"{', '.join(map(str, redundant))} is constant or a linear combination of earlier "
        "columns (e.g. a category level with no samples, or duplicated predictors). Remove it."
    )


def design_frame(columns, index):
    """Return a float design DataFrame with a leading ``const`` column of ones."""
    frame = pd.DataFrame(columns, index=index, dtype=float)
    frame.insert(0, "const", 1.0)
    return frame
