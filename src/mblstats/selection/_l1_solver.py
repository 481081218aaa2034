"""Proximal Newton solver for L1-penalised logistic regression along a whole lambda grid.

This is glmnet's algorithm (Friedman, Hastie & Tibshirani 2010): each Newton step replaces
the log-likelihood by its weighted least-squares approximation and solves the penalised
quadratic by cyclic coordinate descent with soft-thresholding, finished by an exact solve on
the active set. Every step is vectorised over all lambdas of the grid, so one Python loop
over the features serves every lambda. A backtracking line search on the exact objective
makes each Newton step descend.

It exists because the repeated, nested cross-validation of the radscore fits the LASSO path
about 1000 times per model. On 500 x 30 data with 100 lambdas, scikit-learn's SAGA solver
took 1 to 2.5 s per path and this solver 0.1 to 0.2 s (2 cores, single-threaded BLAS). scikit-learn's SAGA fit is
kept as an independent check in the tests, and both match glmnet to about 1e-8.

Reference: Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear
models via coordinate descent. J Stat Softw. 2010;33(1):1-22.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def l1_logistic_grid(
    X: np.ndarray,
    y: np.ndarray,
    lambdas: np.ndarray,
    tol: float = 1e-10,
    max_newton: int = 200,
    max_sweeps: int = 10_000,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Minimise -loglik/n + lambda * ||b||_1 (intercept unpenalised) for every lambda.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        0/1 outcome.
    lambdas : ndarray of shape (n_lambdas,)
    tol : float
        Convergence bound on the largest coefficient change, scaled by each feature's
        weighted standard deviation, between Newton steps.

    Returns
    -------
    intercepts : ndarray of shape (n_lambdas,)
    coefs : ndarray of shape (n_lambdas, n_features)
    converged : bool
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    lambdas = np.asarray(lambdas, dtype=float)
    n, p = X.shape
    n_lambdas = len(lambdas)

    mean = np.clip(y.mean(), 1e-10, 1 - 1e-10)
    intercepts = np.full(n_lambdas, np.log(mean / (1 - mean)))
    coefs = np.zeros((n_lambdas, p))
    objective = _objective(X, y, lambdas, intercepts, coefs)

    for _ in range(max_newton):
        linear = intercepts[:, None] + coefs @ X.T
        prob = expit(linear)
        weights = np.clip(prob * (1 - prob), 1e-5, None)
        working = linear + (y - prob) / weights

        new_intercepts, new_coefs = _weighted_lasso(
            X, working, weights, lambdas, intercepts.copy(), coefs.copy(), tol, max_sweeps
        )
        new_intercepts, new_coefs, objective = _line_search(
            X, y, lambdas, intercepts, coefs, new_intercepts, new_coefs, objective
        )
        scale = np.sqrt(weights @ X**2 / n)
        change = max(
            np.max(np.abs(new_coefs - coefs) * scale, initial=0.0),
            np.max(np.abs(new_intercepts - intercepts) * 0.5),
        )
        intercepts, coefs = new_intercepts, new_coefs
        if change < tol:
            return intercepts, coefs, True
    return intercepts, coefs, False


def _weighted_lasso(X, working, weights, lambdas, intercepts, coefs, tol, max_sweeps):
    """Coordinate descent on 1/(2n) * sum w (z - b0 - x b)^2 + lambda * ||b||_1, per lambda.

    The intercept is profiled out by centring X and z on their weighted means, and the
    updates use the weighted Gram matrix (covariance updates), so one sweep costs
    O(n_lambdas * n_features^2) whatever the number of samples.
    """
    n = X.shape[0]
    weight_sum = weights.sum(axis=1)
    x_mean = weights @ X / weight_sum[:, None]
    z_mean = (weights * working).sum(axis=1) / weight_sum
    weighted_x = weights[:, :, None] * X[None, :, :]
    gram = np.matmul(weighted_x.transpose(0, 2, 1), X) / n - (
        weight_sum[:, None, None] / n
    ) * x_mean[:, :, None] * x_mean[:, None, :]
    cross = np.einsum("lni,ln->li", weighted_x, working) / n - (
        weight_sum[:, None] / n
    ) * x_mean * z_mean[:, None]
    diagonal = np.einsum("ljj->lj", gram).copy()
    diagonal = np.maximum(diagonal, 1e-12)
    scale = np.sqrt(diagonal)

    todo = np.arange(len(lambdas))
    for _ in range(0, max_sweeps, _SWEEPS_PER_BLOCK):
        coefs[todo], largest = _coordinate_sweeps(
            gram[todo], cross[todo], diagonal[todo], scale[todo], lambdas[todo], coefs[todo]
        )
        solutions, exact = _solve_active_sets(gram[todo], cross[todo], lambdas[todo], coefs[todo])
        coefs[todo[exact]] = solutions[exact]
        todo = todo[~exact & (largest >= tol * 0.1)]
        if len(todo) == 0:
            break
    intercepts = z_mean - np.einsum("lj,lj->l", x_mean, coefs)
    return intercepts, coefs


def _coordinate_sweeps(gram, cross, diagonal, scale, lambdas, coefs):
    """Run a few cyclic coordinate-descent sweeps; return the coefficients and last changes."""
    fitted = np.einsum("lij,lj->li", gram, coefs)
    largest = np.zeros(len(lambdas))
    for _ in range(_SWEEPS_PER_BLOCK):
        largest[:] = 0.0
        for j in range(gram.shape[1]):
            old = coefs[:, j]
            gradient = cross[:, j] - fitted[:, j] + diagonal[:, j] * old
            new = np.sign(gradient) * np.maximum(np.abs(gradient) - lambdas, 0.0) / diagonal[:, j]
            delta = new - old
            if np.any(delta):
                fitted += gram[:, j, :] * delta[:, None]
                coefs[:, j] = new
                np.maximum(largest, np.abs(delta) * scale[:, j], out=largest)
    return coefs, largest


def _solve_active_sets(gram, cross, lambdas, coefs):
    """Solve each lambda's penalised quadratic exactly on its current active set and signs.

    With active set A and signs s, the optimum satisfies G_AA b_A = c_A - lambda * s_A. A
    solution counts as exact only if its signs agree with s and every inactive feature meets
    the optimality condition |c_j - G_jA b_A| <= lambda.

    Returns
    -------
    solutions : ndarray of shape (n_lambdas, n_features)
    exact : ndarray of bool, shape (n_lambdas,)
    """
    active = coefs != 0
    signs = np.sign(coefs)
    both_active = active[:, :, None] & active[:, None, :]
    system = np.where(both_active, gram, 0.0) + np.eye(gram.shape[1]) * (~active)[:, :, None]
    rhs = np.where(active, cross - lambdas[:, None] * signs, 0.0)
    try:
        solutions = np.linalg.solve(system, rhs[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return coefs, np.zeros(len(lambdas), dtype=bool)
    signs_agree = np.all(np.where(active, np.sign(solutions) == signs, True), axis=1)
    gradient = cross - np.einsum("lij,lj->li", gram, solutions)
    optimal = np.all(
        np.where(active, True, np.abs(gradient) <= lambdas[:, None] * (1 + 1e-9)), axis=1
    )
    return solutions, signs_agree & optimal


# Coordinate-descent sweeps between attempts at an exact active-set solution.
_SWEEPS_PER_BLOCK = 5


def _line_search(X, y, lambdas, intercepts, coefs, new_intercepts, new_coefs, objective):
    """Halve the Newton step for every lambda whose objective did not decrease."""
    step = np.ones(len(lambdas))
    for _ in range(30):
        trial_intercepts = intercepts + step * (new_intercepts - intercepts)
        trial_coefs = coefs + step[:, None] * (new_coefs - coefs)
        trial = _objective(X, y, lambdas, trial_intercepts, trial_coefs)
        worse = trial > objective + 1e-15 * np.abs(objective)
        if not worse.any():
            break
        step = np.where(worse, step / 2, step)
    keep = trial <= objective + 1e-15 * np.abs(objective)
    final_intercepts = np.where(keep, trial_intercepts, intercepts)
    final_coefs = np.where(keep[:, None], trial_coefs, coefs)
    return final_intercepts, final_coefs, np.where(keep, trial, objective)


def _objective(X, y, lambdas, intercepts, coefs):
    linear = intercepts[:, None] + coefs @ X.T
    loglik = (y * linear - np.logaddexp(0.0, linear)).mean(axis=1)
    return -loglik + lambdas * np.abs(coefs).sum(axis=1)
