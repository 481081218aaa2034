"""Input checks shared by the statistics functions.

Each check converts its argument to a NumPy array and raises :class:`StatsInputError` with a
message that names the argument, describes what arrived and states what to pass instead.
"""

import numpy as np
import pandas as pd

from ._errors import StatsInputError


def as_1d_float(values, name):
    """Return ``values`` as a finite 1-D float array or raise naming ``name``.

    Parameters
    ----------
    values : array-like of shape (n_samples,)
    name : str
        Argument name used in error messages.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float64
    """
    if isinstance(values, (pd.DataFrame,)):
        if values.shape[1] != 1:
            raise StatsInputError(
                f"{name} must be 1-D, got a DataFrame with {values.shape[1]} columns; "
                "pass a single column."
            )
        values = values.iloc[:, 0]
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise StatsInputError(
            f"{name} must contain numbers, got values that cannot be converted to float: {error}"
        ) from error
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise StatsInputError(
            f"{name} must be 1-D of shape (n_samples,), got shape {array.shape}; "
            "pass one value per sample."
        )
    if array.size == 0:
        raise StatsInputError(f"{name} is empty; pass at least one value per class.")
    bad = ~np.isfinite(array)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise StatsInputError(
            f"{name} contains {bad.sum()} missing or infinite value(s) at position(s) "
            f"{_preview(rows)}; drop or impute those rows first."
        )
    return array


def as_binary_outcome(y_true, name="y_true", require_both=True):
    """Return ``y_true`` as a 0/1 integer array or raise naming ``name``.

    Booleans and the numbers 0 and 1 are accepted. With ``require_both`` the outcome must contain
    at least one event (1) and one non-event (0).
    """
    array = as_1d_float(y_true, name)
    labels = np.unique(array)
    if not np.isin(labels, (0.0, 1.0)).all():
        raise StatsInputError(
            f"{name} must contain only 0 (non-event) and 1 (event), got the values "
            f"{_preview(labels)}; recode the outcome to 0/1."
        )
    if require_both and labels.size < 2:
        present = int(labels[0])
        raise StatsInputError(
            f"{name} contains only the class {present} ({array.size} samples); both events (1) and "
            "non-events (0) are needed."
        )
    return array.astype(int)


def as_probabilities(y_prob, name, n_samples):
    """Return ``y_prob`` as a float array in [0, 1] of length ``n_samples`` or raise."""
    array = as_matching_1d(y_prob, name, n_samples)
    outside = (array < 0) | (array > 1)
    if outside.any():
        rows = np.flatnonzero(outside)
        raise StatsInputError(
            f"{name} must be probabilities in [0, 1], got {outside.sum()} value(s) outside at "
            f"position(s) {_preview(rows)} (e.g. {float(array[rows[0]])!r}); pass predicted risks, "
            "not log-odds or scores."
        )
    return array


def as_matching_1d(values, name, n_samples, reference="y_true"):
    """Return ``values`` as a finite float array of length ``n_samples`` or raise."""
    array = as_1d_float(values, name)
    if array.size != n_samples:
        raise StatsInputError(
            f"{name} has {array.size} values but {reference} has {n_samples}; pass one value per "
            "sample, in the same order."
        )
    return array


def check_fraction(value, name, low_open=True, high_open=True):
    """Return ``value`` as a float strictly (or not) inside (0, 1) or raise naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise StatsInputError(f"{name} must be a number in (0, 1), got {value!r}.") from error
    too_low = number <= 0 if low_open else number < 0
    too_high = number >= 1 if high_open else number > 1
    if not np.isfinite(number) or too_low or too_high:
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise StatsInputError(f"{name} must be in {interval}, got {value!r}.")
    return number


def _preview(values, limit=5):
    """Format the first ``limit`` entries of ``values`` for an error message."""
    shown = ", ".join(str(v) for v in list(values)[:limit])
    return f"{shown}, ..." if len(values) > limit else shown
