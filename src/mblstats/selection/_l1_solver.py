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
    chunk: int = 10,
    max_newton: int = 200,
    max_sweeps: int = 10_000,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Minimise -loglik/n + lambda * ||b||_1 (intercept unpenalised) along a decreasing grid.

    The grid is solved ``chunk`` lambdas at a time, each chunk warm-started from the last
    solution of the one before. As in glmnet, the path stops early once the model explains
    at least 99.9 % of the null deviance, or once the deviance changes by less than 1e-5
    (relative) across a chunk. The remaining, smaller lambdas then get the last solution,
    which is also what glmnet's ``predict`` returns for lambdas beyond its fitted path.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        0/1 outcome.
    lambdas : ndarray of shape (n_lambdas,)
        Decreasing penalty weights.
    tol : float
        Convergence bound on the largest coefficient change, scaled by each feature's
        weighted standard deviation, between Newton steps.
    chunk : int, default=10
        Lambdas solved together.

    Returns
    -------
    intercepts : ndarray of shape (n_lambdas,)
    coefs : ndarray of shape (n_lambdas, n_features)
    converged : bool
        Whether every solved chunk converged.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    lambdas = np.asarray(lambdas, dtype=float)
    n_lambdas = len(lambdas)

    mean = np.clip(y.mean(), 1e-10, 1 - 1e-10)
    start_intercept, start_coefs = np.log(mean / (1 - mean)), np.zeros(X.shape[1])
    null_deviance = -2 * np.sum(y * np.log(mean) + (1 - y) * np.log(1 - mean))
    intercepts = np.empty(n_lambdas)
    coefs = np.empty((n_lambdas, X.shape[1]))
    converged = True
    previous_deviance = null_deviance

    for first in range(0, n_lambdas, chunk):
        block = slice(first, min(first + chunk, n_lambdas))
        block_intercepts, block_coefs, block_converged = _solve_block(
            X, y, lambdas[block], start_intercept, start_coefs, tol, max_newton, max_sweeps
        )
        intercepts[block], coefs[block] = block_intercepts, block_coefs
        converged &= block_converged
        start_intercept, start_coefs = block_intercepts[-1], block_coefs[-1]

        linear = start_intercept + X @ start_coefs
        deviance = -2 * np.sum(y * linear - np.logaddexp(0.0, linear))
        explained = 1 - deviance / null_deviance
        if explained >= 0.999 or abs(previous_deviance - deviance) < 1e-5 * null_deviance:
            intercepts[block.stop:] = start_intercept
            coefs[block.stop:] = start_coefs
            break
        previous_deviance = deviance
    return intercepts, coefs, converged


def _solve_block(X, y, lambdas, start_intercept, start_coefs, tol, max_newton, max_sweeps):
    """Run proximal Newton for a few lambdas from a shared starting point."""
    n = X.shape[0]
    intercepts = np.full(len(lambdas), start_intercept, dtype=float)
    coefs = np.tile(start_coefs, (len(lambdas), 1))
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

    # Warm-started from the previous Newton step, most lambdas keep their active set and
    # signs, so one exact active-set solve finishes them. A few coordinate-descent sweeps
    # find the active set of the others, and feature-sign search finishes any lambda whose
    # active set is still wrong (strongly correlated features make coordinate descent crawl).
    solutions, exact = _solve_active_sets(gram, cross, lambdas, coefs)
    coefs[exact] = solutions[exact]
    if exact.all():
        return z_mean - np.einsum("lj,lj->l", x_mean, coefs), coefs
    coefs[~exact], _ = _coordinate_sweeps(
        gram[~exact], cross[~exact], diagonal[~exact], scale[~exact], lambdas[~exact], coefs[~exact]
    )
    solutions, exact = _solve_active_sets(gram, cross, lambdas, coefs)
    coefs[exact] = solutions[exact]
    for lam_index in np.flatnonzero(~exact):
        coefs[lam_index] = _feature_sign_search(
            gram[lam_index], cross[lam_index], lambdas[lam_index], coefs[lam_index]
        )
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


def _feature_sign_search(gram, cross, lam, coefs, max_steps=None):
    """Solve min 1/2 b'Gb - c'b + lambda * ||b||_1 exactly by feature-sign search.

    Each step solves the quadratic on the current active set with fixed signs. It then moves
    towards that solution only as far as the objective keeps falling, and a coefficient that
    crosses zero leaves the active set. Once the active set is optimal, the inactive feature
    that violates the optimality condition most joins it. The objective falls at every
    step, so the search ends at the optimum (Lee, Battle, Raina & Ng, NIPS 2006).
    """
    p = len(cross)
    coefs = coefs.copy()
    bound = lam * 1e-9 + 1e-15
    for _ in range(max_steps or 20 * p + 20):
        gradient = cross - gram @ coefs
        active = coefs != 0
        signs = np.sign(coefs)
        if np.all(np.abs(gradient[active] - lam * signs[active]) <= bound):
            violation = np.where(active, -np.inf, np.abs(gradient) - lam)
            j = int(np.argmax(violation))
            if violation[j] <= bound:
                return coefs
            active[j] = True
            signs[j] = np.sign(gradient[j])
        index = np.flatnonzero(active)
        try:
            target = np.linalg.solve(gram[np.ix_(index, index)], cross[index] - lam * signs[index])
        except np.linalg.LinAlgError:
            target = np.linalg.lstsq(gram[np.ix_(index, index)], cross[index] - lam * signs[index], rcond=None)[0]
        moved = _best_point_on_segment(gram, cross, lam, coefs, index, target)
        if np.array_equal(moved, coefs):
            # No point on the segment lowers the objective (rounding on a near-singular Gram
            # matrix), so further steps would repeat this one: stop at the current point.
            return coefs
        coefs = moved
    return coefs


def _best_point_on_segment(gram, cross, lam, coefs, index, target):
    """Return the point of lowest objective among the target and the zero crossings on the way."""
    start = coefs[index]
    direction = target - start
    with np.errstate(divide="ignore", invalid="ignore"):
        crossings = -start / direction
    steps = np.unique(np.append(crossings[(crossings > 0) & (crossings < 1)], 1.0))
    best, best_value = coefs, _quadratic_objective(gram, cross, lam, coefs)
    for step in steps:
        candidate = coefs.copy()
        candidate[index] = start + step * direction
        candidate[index[np.isclose(step, crossings)]] = 0.0
        value = _quadratic_objective(gram, cross, lam, candidate)
        if value < best_value:
            best, best_value = candidate, value
    return best


def _quadratic_objective(gram, cross, lam, coefs):
    return 0.5 * coefs @ gram @ coefs - cross @ coefs + lam * np.abs(coefs).sum()


# Coordinate-descent sweeps before the first attempt at an exact active-set solution.
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
