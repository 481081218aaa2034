"""Quantiles computed with R's arithmetic, so that cut points tie with data exactly as in R."""

import numpy as np


def equal_steps(n_groups):
    """Return R's ``seq(0, 1, 1/g)``: ``(0:g) * (1/g)`` capped at 1."""
    return np.minimum(np.arange(n_groups + 1) * (1.0 / n_groups), 1.0)


def quantile_type7(values, probs):
    """Return R's type-7 quantiles of ``values`` at ``probs``, rounded as R rounds them.

    R 4.2 (``stats::quantile``) interpolates as ``(1 - h) * x[lo] + h * x[hi]`` with a 1-based
    ``index = 1 + (n - 1) * p``. NumPy's ``method="linear"`` rounds differently in the last
    bit, which can move a risk that ties with a cut point into the neighbouring group.
    """
    ordered = np.sort(values)
    index = 1 + (ordered.size - 1) * probs  # 1-based, as R rounds it
    lo = np.floor(index)
    hi = np.ceil(index)
    quantiles = ordered[lo.astype(int) - 1]
    upper = ordered[hi.astype(int) - 1]
    interpolate = (index > lo) & (upper != quantiles)
    h = (index - lo)[interpolate]
    quantiles[interpolate] = (1 - h) * quantiles[interpolate] + h * upper[interpolate]
    return quantiles
