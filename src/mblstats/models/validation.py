"""Internal and external validation of the model families.

- :func:`cross_validate` runs repeated stratified k-fold cross-validation on the training
  set in one of two modes. ``"leakage_safe"`` refits the whole model (filters, scaling,
  mRMR, SMOTE, LASSO, clinical screening, final model) inside every training fold.
  ``"as_published"`` fits the selection once on the whole training set, as the study did, and
  cross-validates only the final model on the fixed design. Every fold's held-out rows then
  took part in choosing the features, so its AUC is optimistic by construction.
- :func:`bootstrap_optimism` estimates the optimism of the apparent AUC, calibration slope
  and Brier score by Harrell's bootstrap, refitting the whole model in each bootstrap sample.
- :func:`evaluate_on_validation` fits once on the training set, chooses the Youden threshold
  on the training predictions and applies it unchanged to the untouched validation set.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from joblib import Parallel, delayed
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

CV_MODES = ("leakage_safe", "as_published")


@dataclasses.dataclass(frozen=True)
class CrossValidationResult:
    """Out-of-fold predictions and AUCs of repeated stratified k-fold cross-validation.

    Attributes
    ----------
    model : str
    mode : {"leakage_safe", "as_published"}
    n_folds, n_repeats : int
    fold_auc : ndarray of shape (n_repeats * n_folds,)
        AUC on each held-out fold.
    oof_prob : DataFrame of shape (n_samples, n_repeats)
        Out-of-fold risk of every training patient in each repeat.
    y_true : Series of shape (n_samples,)
    """

    model: str
    mode: str
    n_folds: int
    n_repeats: int
    fold_auc: np.ndarray
    oof_prob: pd.DataFrame
    y_true: pd.Series

    @property
    def repeat_auc(self) -> np.ndarray:
        """AUC of the pooled out-of-fold risks of each repeat, shape (n_repeats,)."""
        return np.array([roc_auc_score(self.y_true, self.oof_prob[c]) for c in self.oof_prob])

    def to_frame(self) -> pd.DataFrame:
        """Return one row: mean and SD of the fold AUCs, and the mean pooled AUC per repeat."""
        return pd.DataFrame(
            [
                {
                    "model": self.model,
                    "mode": self.mode,
                    "folds": self.n_folds,
                    "repeats": self.n_repeats,
                    "cv_auc_mean": float(np.nanmean(self.fold_auc)),
                    "cv_auc_sd": float(np.nanstd(self.fold_auc, ddof=1)),
                    "cv_auc_pooled": float(np.mean(self.repeat_auc)),
                }
            ]
        )


@dataclasses.dataclass(frozen=True)
class OptimismResult:
    """Harrell's bootstrap optimism correction of AUC, calibration slope and Brier score.

    Attributes
    ----------
    model : str
    apparent : dict of str to float
        Metrics of the model fitted and evaluated on the whole training set.
    optimism : DataFrame of shape (n_bootstrap, 3)
        Per bootstrap sample: metric on the bootstrap sample minus metric on the original
        training set, both from the model fitted on the bootstrap sample.
    """

    model: str
    apparent: dict
    optimism: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Return one row per metric: ``apparent``, ``optimism``, ``corrected``, ``n_bootstrap``."""
        rows = []
        for metric in ("auc", "calibration_slope", "brier"):
            optimism = float(np.nanmean(self.optimism[metric]))
            rows.append(
                {
                    "model": self.model,
                    "metric": metric,
                    "apparent": self.apparent[metric],
                    "optimism": optimism,
                    "corrected": self.apparent[metric] - optimism,
                    "n_bootstrap": int(self.optimism[metric].notna().sum()),
                }
            )
        return pd.DataFrame(rows)


@dataclasses.dataclass(frozen=True)
class ValidationEvaluation:
    """Training and validation metrics of one fitted model at the training Youden threshold.

    Attributes
    ----------
    model, split : str
    threshold : float
        Youden threshold chosen on the training predictions.
    train, validation : ThresholdMetrics
    train_prob, validation_prob : Series
        Predicted risks, indexed by patient.
    y_train, y_validation : Series
    """

    model: str
    split: str
    threshold: float
    train: object
    validation: object
    train_prob: pd.Series
    validation_prob: pd.Series
    y_train: pd.Series
    y_validation: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """Return two rows (train, validation) with every metric and its CI."""
        rows = []
        for label, metrics in (("train", self.train), ("validation", self.validation)):
            values = metrics.as_dict()
            values.pop("undefined")
            rows.append({"model": self.model, "split": self.split, "set": label, **values})
        return pd.DataFrame(rows)


def cross_validate(
    model,
    X: pd.DataFrame,
    y,
    n_folds: int = 10,
    n_repeats: int = 10,
    seed: int = 2019,
    mode: str = "leakage_safe",
    name: str | None = None,
    n_jobs: int | None = None,
) -> CrossValidationResult:
    """Run repeated stratified k-fold cross-validation of an unfitted model on training rows.

    Parameters
    ----------
    model : estimator
        Unfitted model family (see :mod:`mblstats.models.families`).
    X : DataFrame of shape (n_samples, n_columns)
    y : array-like of shape (n_samples,)
    n_folds, n_repeats : int, default=10
    seed : int, default=2019
        Seed of the fold assignment.
    mode : {"leakage_safe", "as_published"}, default="leakage_safe"
    name : str, optional
        Label of the model in the result; defaults to the class name.
    n_jobs : int or None, default=None
        Worker processes for the folds (joblib; ``None`` is one, -1 all cores). Results do
        not depend on it. Network families always train their folds in one batched run.

    Returns
    -------
    CrossValidationResult
    """
    label = name or type(model).__name__
    return cross_validate_models({label: model}, X, y, n_folds, n_repeats, seed, mode, n_jobs)[label]


def cross_validate_models(
    models: dict,
    X: pd.DataFrame,
    y,
    n_folds: int = 10,
    n_repeats: int = 10,
    seed: int = 2019,
    mode: str = "leakage_safe",
    n_jobs: int | None = None,
) -> dict[str, CrossValidationResult]:
    """Cross-validate several models on the same folds, fitting all of them in each fold task.

    Each result equals that of :func:`cross_validate` on the model alone. Fitting the
    models of one fold together lets models with the same reduction steps share the
    LASSO's lambda cross-validation (see :func:`mblstats.selection.cross_validate_lambda`).

    Parameters
    ----------
    models : dict of str to estimator
        Unfitted models by label.
    X, y, n_folds, n_repeats, seed, mode, n_jobs
        As :func:`cross_validate`.

    Returns
    -------
    dict of str to CrossValidationResult
    """
    if mode not in CV_MODES:
        raise InputValidationError(f"mode must be one of {CV_MODES}, got {mode!r}")
    outcome = pd.Series(np.asarray(y).astype(int), index=X.index, name="mbl")
    minority = int(min(outcome.sum(), len(outcome) - outcome.sum()))
    if minority < n_folds:
        raise InputValidationError(
            f"{n_folds}-fold cross-validation needs at least {n_folds} patients per outcome "
            f"class, got {minority}; lower cv_folds"
        )
    folds = RepeatedStratifiedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=seed)
    splits = list(folds.split(np.zeros(len(outcome)), outcome))
    oof = {label: np.full((len(outcome), n_repeats), np.nan) for label in models}
    with threadpool_limits(limits=1, user_api="blas"):
        fixed = {
            label: _fixed_design(model, X, outcome) if mode == "as_published" else (X, model)
            for label, model in models.items()
        }
        pooled = {}
        for label, model in models.items():
            if hasattr(model, "network_estimator"):
                design, final = fixed[label]
                oof[label] = _batched_network_cv(model, final, design, outcome, splits, mode, n_jobs).T
            else:
                pooled[label] = fixed[label]
        if pooled:
            names = ", ".join(pooled)
            logger.info("CV %s (%s): %d folds", names, mode, len(splits))
            fold_prob = Parallel(n_jobs=n_jobs)(
                delayed(_fit_predict)(pooled, outcome, train, test)
                for train, test in tqdm(splits, desc=f"CV {names} ({mode})", leave=False)
            )
            for index, ((_, test), probs) in enumerate(zip(splits, fold_prob)):
                for label, prob in probs.items():
                    oof[label][test, index // n_folds] = prob
    results = {}
    for label in models:
        fold_auc = np.empty(n_folds * n_repeats)
        for index, (_, test) in enumerate(splits):
            fold_auc[index] = roc_auc_score(outcome.iloc[test], oof[label][test, index // n_folds])
        results[label] = CrossValidationResult(
            model=label,
            mode=mode,
            n_folds=n_folds,
            n_repeats=n_repeats,
            fold_auc=fold_auc,
            oof_prob=pd.DataFrame(
                oof[label], index=X.index, columns=[f"repeat_{r}" for r in range(n_repeats)]
            ),
            y_true=outcome,
        )
    return results


def bootstrap_optimism(
    model,
    X: pd.DataFrame,
    y,
    n_bootstrap: int = 200,
    seed: int = 2019,
    name: str | None = None,
    n_jobs: int | None = None,
) -> OptimismResult:
    """Estimate optimism by Harrell's bootstrap, refitting the whole model in each sample.

    For each bootstrap sample (n rows drawn with replacement), the model is fitted on the
    sample and evaluated both on the sample and on the original rows. The optimism is the
    mean difference, and the corrected metric is the apparent metric minus the optimism.
    Samples with a single outcome class are redrawn. A calibration slope that is undefined
    (separated in-sample risks) is left out of the mean for that metric. The samples are
    drawn up front from ``seed``, so ``n_jobs`` (joblib worker processes) does not change
    the result.

    Returns
    -------
    OptimismResult
    """
    label = name or type(model).__name__
    return bootstrap_optimism_models({label: model}, X, y, n_bootstrap, seed, n_jobs)[label]


def bootstrap_optimism_models(
    models: dict,
    X: pd.DataFrame,
    y,
    n_bootstrap: int = 200,
    seed: int = 2019,
    n_jobs: int | None = None,
) -> dict[str, OptimismResult]:
    """Run :func:`bootstrap_optimism` for several models on the same bootstrap samples.

    Every model is refitted in each sample within one task, so models with the same
    reduction steps share the LASSO's lambda cross-validation. Each result equals that of
    :func:`bootstrap_optimism` on the model alone.

    Returns
    -------
    dict of str to OptimismResult
    """
    outcome = pd.Series(np.asarray(y).astype(int), index=X.index)
    rng = np.random.default_rng(seed)
    apparent = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for label, model in models.items():
            fitted = clone(model).fit(X, outcome)
            apparent[label] = _metrics(outcome, fitted.predict_proba(X)[:, 1])
    draws = [_draw_with_both_classes(rng, outcome.to_numpy()) for _ in range(n_bootstrap)]
    names = ", ".join(models)
    rows = Parallel(n_jobs=n_jobs)(
        delayed(_bootstrap_optimism_once)(models, X, outcome, drawn)
        for drawn in tqdm(draws, desc=f"bootstrap {names}", leave=False)
    )
    return {
        label: OptimismResult(
            model=label,
            apparent=apparent[label],
            optimism=pd.DataFrame([row[label] for row in rows]),
        )
        for label in models
    }


def evaluate_on_validation(
    model,
    X_train: pd.DataFrame,
    y_train,
    X_validation: pd.DataFrame,
    y_validation,
    name: str | None = None,
    split: str = "",
) -> ValidationEvaluation:
    """Fit on the training set, choose the Youden threshold there, and evaluate both sets.

    Returns
    -------
    ValidationEvaluation
    """
    from mblstats.stats import threshold_metrics, youden_threshold

    train_y = pd.Series(np.asarray(y_train).astype(int), index=X_train.index)
    validation_y = pd.Series(np.asarray(y_validation).astype(int), index=X_validation.index)
    overlap = X_train.index.intersection(X_validation.index)
    if len(overlap):
        raise InputValidationError(
            f"patients {overlap[:10].tolist()} are in both the training and the validation "
            "set; rebuild the split"
        )
    with threadpool_limits(limits=1, user_api="blas"):
        fitted = model if _is_fitted(model) else clone(model).fit(X_train, train_y)
        train_prob = pd.Series(fitted.predict_proba(X_train)[:, 1], index=X_train.index)
        validation_prob = pd.Series(fitted.predict_proba(X_validation)[:, 1], index=X_validation.index)
    if train_prob.nunique() < 2:
        # A model that gives every training patient one risk has no Youden threshold. Its
        # one risk as threshold calls everybody positive, so the table shows what it is.
        threshold = float(train_prob.iloc[0])
        logger.warning(
            "%s predicts the risk %.6g for every training patient, so its threshold metrics "
            "use that risk as threshold and count every patient as positive",
            name or type(model).__name__, threshold,
        )
    else:
        threshold = youden_threshold(train_y, train_prob)
    return ValidationEvaluation(
        model=name or type(model).__name__,
        split=split,
        threshold=threshold,
        train=threshold_metrics(train_y, train_prob, threshold),
        validation=threshold_metrics(validation_y, validation_prob, threshold),
        train_prob=train_prob,
        validation_prob=validation_prob,
        y_train=train_y,
        y_validation=validation_y,
    )


def _fit_predict(models, outcome, train, test) -> dict[str, np.ndarray]:
    """Fit each (design, estimator) pair on the training rows and return held-out risks by label."""
    probs = {}
    with threadpool_limits(limits=1, user_api="blas"):
        for label, (design, final) in models.items():
            fitted = clone(final).fit(design.iloc[train], outcome.iloc[train])
            probs[label] = fitted.predict_proba(design.iloc[test])[:, 1]
    return probs


def _bootstrap_optimism_once(models, X, outcome, drawn) -> dict[str, dict]:
    rows = {}
    with threadpool_limits(limits=1, user_api="blas"):
        sample_X, sample_y = X.iloc[drawn], outcome.iloc[drawn]
        for label, model in models.items():
            refit = clone(model).fit(sample_X, sample_y)
            on_sample = _metrics(sample_y, refit.predict_proba(sample_X)[:, 1])
            on_original = _metrics(outcome, refit.predict_proba(X)[:, 1])
            rows[label] = {key: on_sample[key] - on_original[key] for key in on_sample}
    return rows


def _batched_network_cv(model, final, design, outcome, splits, mode, n_jobs=None) -> np.ndarray:
    """Cross-validate a network family with all fold networks trained in one batched run.

    The preprocessing (reduction, screening, scaling, SMOTE) is still fitted inside each
    training fold; only the network training is batched. Returns (n_repeats, n_samples).
    """
    from mblstats.models.network import cross_validate_network_with_preprocessing

    if mode == "as_published":
        steps = list(final.steps[:-1]) if isinstance(final, Pipeline) else []
    else:
        steps = model.network_preprocessing(design)
    network = model.network_estimator()
    oof, _, _ = cross_validate_network_with_preprocessing(
        steps, design, outcome.to_numpy(), splits, network.config, n_jobs=n_jobs
    )
    return oof


def _fixed_design(model, X: pd.DataFrame, outcome: pd.Series):
    """Fit the selection once on all rows; return the fixed design and the final estimator."""
    fitted = clone(model).fit(X, outcome)
    if hasattr(fitted, "pipeline_"):
        design = fitted.pipeline_[:-1].transform(fitted._radiomics(X, fitting=False))
        final = fitted.pipeline_.steps[-1][1]
        if getattr(fitted, "smote", False):
            final = Pipeline([("smote", SMOTE(random_state=fitted.seed)), ("final", final)])
        return design, final
    design = fitted.design(X)
    if hasattr(fitted, "network_"):
        final = Pipeline([("scale", clone(fitted.scaler_)), ("final", fitted.network_)])
        return design, final
    return design, fitted.logistic_


def _metrics(y_true: pd.Series, y_prob: np.ndarray) -> dict:
    from mblstats.stats import SeparationError, StatsInputError, calibration_summary

    try:
        calibration = calibration_summary(y_true, y_prob)
        slope, brier = calibration.slope, calibration.brier
    except (SeparationError, StatsInputError):
        slope = np.nan
        brier = float(np.mean((np.asarray(y_prob) - np.asarray(y_true)) ** 2))
    return {"auc": roc_auc_score(y_true, y_prob), "calibration_slope": slope, "brier": brier}


def _draw_with_both_classes(rng: np.random.Generator, outcome: np.ndarray) -> np.ndarray:
    for _ in range(100):
        rows = rng.integers(0, len(outcome), len(outcome))
        if 0 < outcome[rows].sum() < len(rows):
            return rows
    raise InputValidationError("bootstrap samples keep containing one outcome class only")


def _is_fitted(model) -> bool:
    return any(name.endswith("_") and not name.startswith("_") for name in vars(model))
