"""The clinical-RN nomograms: Table 3 regressions, nomogram points and predicted risks.

For each modality and split the clinical-RN model is refitted on the training patients as a
:func:`mblstats.stats.logistic_regression` of MBL on the radscore and the clinical variables
that the Clinical family screened on the same training patients. The radscore comes from the
cached RN fit and the screened variables and their coding from the cached Clinical fit
(:func:`mblstats.models.stage.fit_cached`). When the earlier chapters cached these fits, no
LASSO or screening is run again. The regression is the one the Clinical-RN family fits with
scikit-learn (the same risks to about 1e-10 on the demo runs), refitted with standard errors
so that it can be printed as Table 3 and drawn as a nomogram.

Nominal variables enter in the run's coding. In treatment coding each variable keeps its
levels (one dummy per non-reference level), and levels that the Clinical family pooled with
the reference (too few training patients, or one outcome only) are pooled here too. In
``"as_published"`` coding, tumour type, location, surgeon and operation method enter as
their integer codes, as the study did.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from mblstats.cohort.variables import CATEGORICAL_LEVELS, CONTINUOUS_COLUMNS, VARIABLE_LABELS
from mblstats.exceptions import InputValidationError
from mblstats.nomogram import Nomogram, build_nomogram
from mblstats.stats import ConvergenceError, LogisticModel, SeparationError, logistic_regression

logger = logging.getLogger(__name__)

OUTCOME = "mbl"
INTERCEPT = "(Intercept)"
SPLIT_SUFFIXES = {"random": "1", "temporal": "2"}


@dataclasses.dataclass(frozen=True, eq=False)
class NomogramFit:
    """The clinical-RN regression of one modality and split, its nomogram and its risks.

    Attributes
    ----------
    modality, split : str
        Modality label and split kind (``"random"`` or ``"temporal"``).
    label, clinical_label : str
        Model labels of the study, e.g. ``"Clinical-RN1"`` and ``"Clinical 1"``.
    coding : str
        Coding of the nominal variables, ``"treatment"`` or ``"as_published"``.
    variables : tuple of str
        Screened clinical variables in the regression, after the radscore.
    model : LogisticModel
        The regression fitted on the training patients.
    nomogram : Nomogram
        Points of ``model`` on axes spanning the training values.
    risks : DataFrame of shape (n_patients, 5)
        ``patient_id``, ``set`` (``"train"``/``"validation"``), ``y_true``, then the
        predicted risk of ``label`` and of ``clinical_label``.
    """

    modality: str
    split: str
    label: str
    clinical_label: str
    coding: str
    variables: tuple
    model: LogisticModel = dataclasses.field(repr=False)
    nomogram: Nomogram = dataclasses.field(repr=False)
    risks: pd.DataFrame = dataclasses.field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Return the coefficient table, one row per term, with the variable of each term."""
        table = self.model.to_frame().rename_axis("term").reset_index()
        table.insert(1, "variable", [term_variable(term, self.model) for term in table["term"]])
        for column, value in (("coding", self.coding), ("model", self.label), ("modality", self.modality)):
            table.insert(0, column, value)
        return table


def term_variable(term: str, model: LogisticModel) -> str:
    """Return the predictor behind a coefficient term (``"intercept"`` for the intercept)."""
    if term == INTERCEPT:
        return "intercept"
    if term in model.predictors:
        return term
    for name, levels in model.levels.items():
        if term in {f"{name}{level}" for level in levels[1:]}:
            return name
    raise InputValidationError(f"term {term!r} belongs to no predictor of {list(model.predictors)}")


def nomogram_frame(X: pd.DataFrame, radscore, encoder) -> pd.DataFrame:
    """Build the regression's input: the radscore then each screened variable, coded as fitted.

    Parameters
    ----------
    X : DataFrame of shape (n_patients, ...)
        Raw clinical columns, as in the clinical table.
    radscore : array-like of shape (n_patients,)
    encoder : ClinicalEncoder
        The fitted encoder of a Clinical model; it fixes the coding, the reference levels and
        the levels pooled with the reference.

    Returns
    -------
    DataFrame of shape (n_patients, 1 + n_variables)
        ``radscore`` and one column per variable with levels: continuous variables and
        integer codes as floats, other variables as a ``Categorical`` whose first category is
        the reference. Variables with no level besides the reference are left out.
    """
    frame = pd.DataFrame({"radscore": np.asarray(radscore, dtype=float)}, index=X.index)
    design = encoder.transform(X)
    for name in encoder.variables:
        if name in CONTINUOUS_COLUMNS or name not in encoder.levels_:
            frame[name] = design[name]
            continue
        reference, own_levels = encoder.reference_[name], list(encoder.levels_[name])
        if not own_levels:
            continue
        values = X[name].where(X[name].isin(own_levels), reference)
        frame[name] = pd.Categorical(values, categories=[reference, *own_levels])
    return frame


def fit_nomogram_model(
    X_train: pd.DataFrame,
    y_train,
    radscore_train,
    clinical_model,
    X_validation: pd.DataFrame | None = None,
    radscore_validation=None,
):
    """Fit the clinical-RN regression on training patients and build its nomogram.

    Parameters
    ----------
    X_train : DataFrame of shape (n_train, ...)
        Raw clinical columns of the training patients.
    y_train : array-like of shape (n_train,)
        0/1 outcome.
    radscore_train : array-like of shape (n_train,)
    clinical_model : ClinicalModel
        Fitted on the same training patients; its screened variables and encoder are reused.
    X_validation, radscore_validation : optional
        Validation patients, to predict their risk.

    Returns
    -------
    model : LogisticModel
    nomogram : Nomogram
    risk_train : ndarray of shape (n_train,)
    risk_validation : ndarray of shape (n_validation,) or None

    Raises
    ------
    SeparationError, ConvergenceError
        From :func:`mblstats.stats.logistic_regression` when the training data separate.
    """
    encoder = clinical_model.encoder_
    train = nomogram_frame(X_train, radscore_train, encoder)
    categorical = [name for name in train.columns if isinstance(train[name].dtype, pd.CategoricalDtype)]
    predictors = list(train.columns)
    train[OUTCOME] = np.asarray(y_train).astype(int)
    model = logistic_regression(train, OUTCOME, predictors, categorical=categorical)
    axes = {name: axis_ticks(train[name]) for name in predictors if name not in categorical}
    nomogram = build_nomogram(model, axes)
    risk_validation = None
    if X_validation is not None:
        validation = nomogram_frame(X_validation, radscore_validation, encoder)
        risk_validation = model.predict_proba(validation)
    return model, nomogram, model.predict_proba(train), risk_validation


def axis_ticks(values: pd.Series, n_ticks: int = 6) -> list[float]:
    """Return round axis values covering ``values``: the distinct values if there are few."""
    distinct = np.unique(values.to_numpy(dtype=float))
    if len(distinct) <= 12 and np.allclose(distinct, np.round(distinct)):
        return distinct.tolist()
    low, high = float(distinct[0]), float(distinct[-1])
    if high == low:
        return [low]
    raw_step = (high - low) / (n_ticks - 1)
    magnitude = 10 ** np.floor(np.log10(raw_step))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step))
    start, stop = np.floor(low / step) * step, np.ceil(high / step) * step
    return np.round(np.arange(start, stop + step / 2, step), 10).tolist()


def axis_labels(fit: NomogramFit) -> dict[str, str]:
    """Return display names of a nomogram's predictors (codes marked as such)."""
    labels = {"radscore": "Radscore"}
    for name in fit.variables:
        label = VARIABLE_LABELS.get(name, name)
        if fit.coding == "as_published" and name in CATEGORICAL_LEVELS and len(CATEGORICAL_LEVELS[name]) > 2:
            label += " (code)"
        labels[name] = label
    return labels


def nomogram_fits(inputs) -> tuple[list[NomogramFit], pd.DataFrame]:
    """Fit the clinical-RN nomogram of every modality and split of a chapter's run.

    Parameters
    ----------
    inputs : ChapterInputs
        From :func:`mblstats.models.chapters.chapter_inputs`; its cached RN and Clinical fits
        in ``work_dir`` are loaded, or fitted and cached when absent.

    Returns
    -------
    fits : list of NomogramFit
    skipped : DataFrame
        ``modality``, ``model``, ``reason`` for every nomogram left out.
    """
    from mblstats.models.chapters import load_data, modality_options
    from mblstats.models.splits import split_ids
    from mblstats.models.stage import fit_cached, model_plan, prepare_split

    fits, skipped = [], []
    for modality, data in load_data(inputs).items():
        options = modality_options(inputs, modality)
        plan = {planned.label: planned for planned in model_plan(data, inputs.dnn_split)}
        for split_kind, suffix in SPLIT_SUFFIXES.items():
            label = f"Clinical-RN{suffix}"
            if plan[label].skip_reason:
                skipped.append({"modality": modality, "model": label, "reason": plan[label].skip_reason})
                continue
            split = prepare_split(data, split_kind, inputs.splits_dir, inputs.seed, inputs.temporal_cutoff)
            radiomics = fit_cached(plan[f"RN{suffix}"], data, split, inputs.work_dir, options)
            clinical = fit_cached(plan[f"Clinical {suffix}"], data, split, inputs.work_dir, options)
            train, validation = split_ids(split, "train"), split_ids(split, "validation")
            X_train, X_validation = data.X.loc[train], data.X.loc[validation]
            try:
                model, nomogram, risk_train, risk_validation = fit_nomogram_model(
                    X_train, data.y.loc[train], radiomics.radscore(X_train), clinical,
                    X_validation, radiomics.radscore(X_validation),
                )
            except (SeparationError, ConvergenceError) as error:
                logger.warning("%s %s: regression failed: %s", modality, label, error)
                skipped.append({"modality": modality, "model": label, "reason": f"regression failed: {error}"})
                continue
            risks = pd.DataFrame(
                {
                    "patient_id": [*train, *validation],
                    "set": ["train"] * len(train) + ["validation"] * len(validation),
                    "y_true": np.concatenate([data.y.loc[train], data.y.loc[validation]]).astype(int),
                    label: np.concatenate([risk_train, risk_validation]),
                    f"Clinical {suffix}": np.concatenate(
                        [clinical.predict_proba(X_train)[:, 1], clinical.predict_proba(X_validation)[:, 1]]
                    ),
                }
            )
            fits.append(
                NomogramFit(
                    modality=modality,
                    split=split_kind,
                    label=label,
                    clinical_label=f"Clinical {suffix}",
                    coding=clinical.coding,
                    variables=tuple(name for name in model.predictors if name != "radscore"),
                    model=model,
                    nomogram=nomogram,
                    risks=risks,
                )
            )
    return fits, pd.DataFrame(skipped, columns=["modality", "model", "reason"])


def coefficient_frame(fits: list[NomogramFit]) -> pd.DataFrame:
    """Return every fit's coefficient table as numbers, joined to the published Table 3.

    Published columns carry the prefix ``published_``. The published values of a variable sit
    on its first term; a published variable that this run did not select gets its own row
    with empty estimates.
    """
    from mblstats.models.published import table_three

    published = table_three().rename(
        columns={c: f"published_{c}" for c in ("coef", "odds_ratio", "or_ci_low", "or_ci_high", "p", "p_text")}
    )
    frames = []
    for fit in fits:
        ours = fit.to_frame()
        ours["first_term"] = ~ours["variable"].duplicated()
        theirs = published[(published["modality"] == fit.modality) & (published["model"] == fit.label)]
        merged = ours.merge(theirs, on=["modality", "model", "variable"], how="left")
        published_columns = [column for column in published.columns if column.startswith("published_")]
        merged.loc[~merged["first_term"], published_columns] = np.nan
        unselected = theirs[~theirs["variable"].isin(ours["variable"])].assign(coding=fit.coding)
        frames.append(pd.concat([merged.drop(columns="first_term"), unselected], ignore_index=True))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def table_three(fits: list[NomogramFit], digits: int = 3) -> pd.DataFrame:
    """Format Table 3: coefficient, OR (95 % CI) and p per term, beside the published values.

    Returns
    -------
    DataFrame
        Columns ``modality``, ``model``, ``coding``, ``term``, ``coef``, ``OR (95% CI)``,
        ``p``, then ``published coef``, ``published OR (95% CI)`` and ``published p`` as the
        study printed them (empty where it printed nothing for the term).
    """
    numbers = coefficient_frame(fits)
    if numbers.empty:
        return numbers
    rows = []
    for _, row in numbers.iterrows():
        fitted = pd.notna(row["coef"])
        if fitted:
            term = _term_label(row["term"], row["variable"], row["coding"])
        else:
            term = f"{_variable_label(row['variable'])} (not selected)"
        rows.append(
            {
                "modality": row["modality"],
                "model": row["model"],
                "coding": row["coding"],
                "term": term,
                "coef": f"{row['coef']:.{digits + 1}f}" if fitted else "",
                "OR (95% CI)": _odds_ratio_text(row, "", digits) if fitted and row["term"] != INTERCEPT else "",
                "p": _p_text(row["p"]) if fitted else "",
                "published coef": "" if pd.isna(row["published_coef"]) else f"{row['published_coef']:.4f}",
                "published OR (95% CI)": _odds_ratio_text(row, "published_", digits),
                "published p": "" if pd.isna(row["published_p"]) else row["published_p_text"],
            }
        )
    return pd.DataFrame(rows)


# Short variable names for Table 3 rows, so that the table fits a book page.
TERM_LABELS = {
    "intercept": "Intercept",
    "radscore": "Radscore",
    "sex": "Sex",
    "age_years": "Age (years)",
    "tumour_size_cm": "Size (cm)",
    "tumour_type": "Type",
    "location": "Location",
    "neoadjuvant": "Neoadjuvant",
    "operation_method": "Method",
    "approach": "Approach",
    "surgeon": "Surgeon",
    "embolisation": "Embolisation",
    "balloon_occlusion": "Balloon",
}


def _variable_label(variable: str) -> str:
    return TERM_LABELS.get(variable, VARIABLE_LABELS.get(variable, variable))


def _term_label(term: str, variable: str, coding: str) -> str:
    if term == INTERCEPT or term == variable:
        coded = coding == "as_published" and len(CATEGORICAL_LEVELS.get(variable, ())) > 2
        return f"{_variable_label(variable)} (code)" if coded else _variable_label(variable)
    return f"{_variable_label(variable)}: {term[len(variable):]}"


def _odds_ratio_text(row, prefix: str, digits: int) -> str:
    odds_ratio, low, high = (row[f"{prefix}{c}"] for c in ("odds_ratio", "or_ci_low", "or_ci_high"))
    if pd.isna(odds_ratio):
        return ""
    if pd.isna(low):
        return _number(odds_ratio, digits)
    return f"{_number(odds_ratio, digits)} ({_number(low, digits)}–{_number(high, digits)})"


def _number(value: float, digits: int) -> str:
    # Odds ratios of a separating predictor reach 1e6 or more; fixed decimals would hide them.
    return f"{value:.{digits}g}" if abs(value) >= 1000 or 0 < abs(value) < 10 ** -digits else f"{value:.{digits}f}"


def _p_text(p: float) -> str:
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"
