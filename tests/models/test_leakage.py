"""No validation row, and no SMOTE point built from one, reaches a fitted step.

A recording step is inserted before and after SMOTE in the radiomics pipeline. Each records
the rows it is fitted on; the checks compare them with the training rows of each fold.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import RepeatedStratifiedKFold

from mblstats.models.families import RadiomicsModel
from mblstats.models.validation import cross_validate, evaluate_on_validation

from .conftest import FAST

FITS: dict[str, list[pd.DataFrame]] = {"before_smote": [], "after_smote": []}


class RecordingStep(TransformerMixin, BaseEstimator):
    """Pass rows through unchanged; store the rows of every fit in ``FITS[label]``."""

    def __init__(self, label="before_smote"):
        self.label = label

    def fit(self, X, y=None):
        FITS[self.label].append(X.copy())
        return self

    def transform(self, X):
        return X


class RecordedRadiomicsModel(RadiomicsModel):
    def _reduction(self, output):
        pipeline = super()._reduction(output)
        steps = list(pipeline.steps)
        at = [name for name, _ in steps].index("smote")
        steps.insert(at + 1, ("after", RecordingStep("after_smote")))
        steps.insert(at, ("before", RecordingStep("before_smote")))
        pipeline.steps = steps
        return pipeline


def _reset():
    for fits in FITS.values():
        fits.clear()


def _assert_only_training_rows(fit_before, fit_after, train_rows, train_y):
    # Before SMOTE the rows still carry patient ids, which must be the fold's training patients.
    assert set(fit_before.index) == set(train_rows.index)
    # After SMOTE the first rows are the training rows themselves, in order.
    n = len(fit_before)
    np.testing.assert_array_equal(fit_after.iloc[:n].to_numpy(), fit_before.to_numpy())
    # Every synthetic row lies on a segment between two minority training rows.
    minority = fit_before.to_numpy()[np.asarray(train_y) == 1]
    for point in fit_after.iloc[n:].to_numpy():
        assert _on_minority_segment(point, minority), "synthetic row not built from training rows"


def _on_minority_segment(point, minority, tol=1e-8):
    for start in minority:
        direction = minority - start
        length = (direction**2).sum(axis=1)
        usable = length > 0
        if np.allclose(point, start, atol=tol):
            return True
        step = ((point - start) @ direction[usable].T) / length[usable]
        residual = point - start - step[:, None] * direction[usable]
        on_line = np.abs(residual).max(axis=1) < tol * (1 + np.abs(point).max())
        if np.any(on_line & (step >= -tol) & (step <= 1 + tol)):
            return True
    return False


def test_cv_folds_fit_on_training_rows_only(small_cohort):
    _reset()
    X, y = small_cohort["X"], small_cohort["y"]
    train = small_cohort["train"]
    X_train, y_train = X.loc[train, small_cohort["features"].columns], y[train]
    cross_validate(RecordedRadiomicsModel(**FAST), X_train, y_train, n_folds=3, n_repeats=2, seed=9)

    folds = list(RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=9).split(X_train, y_train))
    assert len(FITS["before_smote"]) == len(folds)
    for (fold_train, held_out), before, after in zip(folds, FITS["before_smote"], FITS["after_smote"]):
        assert not set(before.index) & set(X_train.index[held_out])
        _assert_only_training_rows(before, after, X_train.iloc[fold_train], y_train.iloc[fold_train])


def test_final_fit_never_sees_validation(small_cohort):
    _reset()
    X, y = small_cohort["X"], small_cohort["y"]
    train, validation = small_cohort["train"], small_cohort["validation"]
    columns = small_cohort["features"].columns
    evaluate_on_validation(
        RecordedRadiomicsModel(**FAST), X.loc[train, columns], y[train], X.loc[validation, columns], y[validation]
    )
    assert len(FITS["before_smote"]) == 1
    before, after = FITS["before_smote"][0], FITS["after_smote"][0]
    assert not set(before.index) & set(validation)
    _assert_only_training_rows(before, after, X.loc[train, columns], y[train])


def test_segment_check_rejects_outside_point():
    minority = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert _on_minority_segment(np.array([0.5, 0.0]), minority)
    assert not _on_minority_segment(np.array([0.5, 0.5 + 1e-3]), minority)
    assert not _on_minority_segment(np.array([2.0, 0.0]), minority)
