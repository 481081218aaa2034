"""One call per result for the modelling chapters (reduction, models, honest validation).

Each function takes the chapter's parameters, reuses the splits and fits cached by
:mod:`mblstats.models.stage`, and returns result objects or frames; drawing is left to
:mod:`mblstats.plots`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path

import joblib
import pandas as pd

from mblstats.exceptions import InputValidationError
from mblstats.models.families import make_family
from mblstats.models.null_test import NullTestResult, permutation_null_test_models
from mblstats.models.stage import (
    ModelingData,
    PlannedModel,
    evaluate_plan,
    fit_cached,
    load_modeling_data,
    model_plan,
    prepare_split,
    read_feature_table,
)
from mblstats.models.splits import split_ids
from mblstats.models.validation import (
    CrossValidationResult,
    OptimismResult,
    bootstrap_optimism_models,
    cross_validate_models,
)
from mblstats.selection.reproducibility import ReproducibilityResult, feature_reproducibility

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ChapterInputs:
    """Paths and settings shared by the modelling chapters.

    Attributes
    ----------
    feature_paths : dict of str to str
        Modality label → feature table; modalities without a table are left out.
    reader2_paths : dict of str to str
        Modality label → second reader's feature table, for the ICC filter.
    clinical_path, outcome_path, splits_dir, work_dir : str
    threshold_ml : float
    options : dict
        Model family options (seed, mrmr_k, coding, ...).
    dnn_split, temporal_cutoff : str
    """

    feature_paths: dict
    reader2_paths: dict
    clinical_path: str
    outcome_path: str
    splits_dir: str
    work_dir: str
    threshold_ml: float
    options: dict
    dnn_split: str
    temporal_cutoff: str

    @property
    def seed(self) -> int:
        return self.options["seed"]


def chapter_inputs(
    *,
    clinical_path: str = "",
    outcome_path: str = "",
    features_ct_path: str = "",
    features_cte_path: str = "",
    reader2_features_ct_path: str = "",
    reader2_features_cte_path: str = "",
    ct_label: str = "CT",
    modality: str = "both",
    splits_dir: str = "splits",
    work_dir: str = "work",
    threshold_ml: float = 3000.0,
    seed: int = 2019,
    mrmr_k: int = 30,
    coding: str = "treatment",
    dnn_split: str = "random",
    temporal_cutoff: str = "2017-01-01",
    n_lambdas: int = 100,
) -> ChapterInputs:
    """Collect a chapter's parameters; modalities with an empty feature path are skipped.

    ``modality`` ("both", "CT" or "CTE") restricts the chapter to one feature table; "CT"
    means the first table, whatever its ``ct_label``.
    """
    if modality not in ("both", "CT", "CTE"):
        raise InputValidationError(f"modality must be 'both', 'CT' or 'CTE', got {modality!r}")
    if modality == "CT":
        features_cte_path = ""
    elif modality == "CTE":
        features_ct_path = ""
    feature_paths = {ct_label: features_ct_path, "CTE": features_cte_path}
    reader2 = {ct_label: reader2_features_ct_path, "CTE": reader2_features_cte_path}
    return ChapterInputs(
        feature_paths={label: path for label, path in feature_paths.items() if path},
        reader2_paths={label: path for label, path in reader2.items() if path},
        clinical_path=clinical_path,
        outcome_path=outcome_path,
        splits_dir=splits_dir,
        work_dir=work_dir,
        threshold_ml=threshold_ml,
        options={"seed": seed, "mrmr_k": mrmr_k, "coding": coding, "n_lambdas": n_lambdas},
        dnn_split=dnn_split,
        temporal_cutoff=temporal_cutoff,
    )


def load_data(inputs: ChapterInputs) -> dict[str, ModelingData]:
    """Load every modality's modelling data."""
    return {
        label: load_modeling_data(
            label, path, inputs.clinical_path or None, inputs.outcome_path or None, inputs.threshold_ml
        )
        for label, path in inputs.feature_paths.items()
    }


def reproducibility(inputs: ChapterInputs) -> dict[str, ReproducibilityResult]:
    """Compute the inter-reader ICC(2,1) of every modality with a second reader's table."""
    results = {}
    for label, path in inputs.reader2_paths.items():
        if label in inputs.feature_paths:
            reader1 = read_feature_table(inputs.feature_paths[label])
            results[label] = feature_reproducibility(reader1, read_feature_table(path))
    return results


def modality_options(inputs: ChapterInputs, modality: str) -> dict:
    """Return the family options of a modality, with its reproducible features if known."""
    options = dict(inputs.options)
    icc = reproducibility(inputs).get(modality)
    if icc is not None:
        options["reproducible_features"] = tuple(icc.reproducible_features)
    return options


@dataclasses.dataclass(frozen=True)
class ReductionSummary:
    """Feature reduction of one modality and split, from the fitted RN model.

    Attributes
    ----------
    modality, split, label : str
    ranking : DataFrame
        mRMR-selected features with rank and F-statistic.
    cv_result : LassoCVResult
    formula : RadscoreFormula
    radscore : DataFrame
        ``patient_id``, ``split``, ``radscore`` for every patient of the split file.
    n_features_in, n_after_filter : int
    """

    modality: str
    split: str
    label: str
    ranking: pd.DataFrame
    cv_result: object
    formula: object
    radscore: pd.DataFrame
    n_features_in: int
    n_after_filter: int

    def to_frame(self) -> pd.DataFrame:
        """Return the radscore terms with the modality and split."""
        frame = self.formula.to_frame()
        frame.insert(0, "split", self.split)
        frame.insert(0, "modality", self.modality)
        return frame


def reduction_summaries(inputs: ChapterInputs) -> list[ReductionSummary]:
    """Fit (or load) RN1 and RN2 per modality and summarise their reduction steps.

    The per-patient radscores are also written to ``work_dir/radscore_<modality>_<split>.csv``.
    """
    summaries = []
    for modality, data in load_data(inputs).items():
        options = modality_options(inputs, modality)
        for planned in model_plan(data, inputs.dnn_split):
            if planned.family != "RN" or planned.skip_reason:
                continue
            split = prepare_split(data, planned.split, inputs.splits_dir, inputs.seed, inputs.temporal_cutoff)
            model = fit_cached(planned, data, split, inputs.work_dir, options)
            patients = pd.Index(split["patient_id"])
            radscore = pd.DataFrame(
                {
                    "patient_id": patients,
                    "split": split["split"].to_numpy(),
                    "radscore": model.radscore(data.X.loc[patients]).to_numpy(),
                }
            )
            path = Path(inputs.work_dir) / f"radscore_{modality.lower()}_{planned.split}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            radscore.to_csv(path, index=False)
            pipeline = model.pipeline_
            summaries.append(
                ReductionSummary(
                    modality=modality,
                    split=planned.split,
                    label=planned.label,
                    ranking=pipeline.named_steps["mrmr"].ranking(),
                    cv_result=pipeline.named_steps["lasso"].cv_result_,
                    formula=model.formula(),
                    radscore=radscore,
                    n_features_in=len(model.radiomics_columns_),
                    n_after_filter=len(pipeline.named_steps["redundancy"].kept_features_),
                )
            )
    return summaries


def model_evaluations(inputs: ChapterInputs, families=None):
    """Fit (or load) the planned models of every modality and evaluate them.

    Returns
    -------
    evaluations : dict of modality to dict of label to ValidationEvaluation
    skipped : DataFrame
        ``modality``, ``model``, ``reason`` for each model left out.
    """
    evaluations, skipped = {}, []
    for modality, data in load_data(inputs).items():
        evaluated, left_out = evaluate_plan(
            data,
            inputs.splits_dir,
            inputs.work_dir,
            modality_options(inputs, modality),
            inputs.dnn_split,
            inputs.temporal_cutoff,
            families,
        )
        evaluations[modality] = evaluated
        skipped += [{"modality": modality, "model": label, "reason": why} for label, why in left_out.items()]
    return evaluations, pd.DataFrame(skipped, columns=["modality", "model", "reason"])


@dataclasses.dataclass(frozen=True)
class HonestValidation:
    """Both CV modes, bootstrap optimism and the null test for some models of one modality."""

    modality: str
    cross_validation: list[CrossValidationResult]
    optimism: list[OptimismResult]
    null_tests: list[NullTestResult]
    skipped: dict

    def cv_frame(self) -> pd.DataFrame:
        """Return one row per model and CV mode."""
        return _stack([result.to_frame() for result in self.cross_validation], self.modality)

    def optimism_frame(self) -> pd.DataFrame:
        """Return one row per model and metric: apparent, optimism, corrected."""
        return _stack([result.to_frame() for result in self.optimism], self.modality)

    def null_frame(self) -> pd.DataFrame:
        """Return one row per model: mean null AUC, observed AUC and permutation p-value."""
        return _stack([result.to_frame() for result in self.null_tests], self.modality)


def honest_validation(
    inputs: ChapterInputs,
    models=("RN1", "Clinical 1", "Clinical-RN1"),
    cv_folds: int = 10,
    cv_repeats: int = 10,
    n_bootstrap: int = 200,
    n_permutations: int = 20,
    n_jobs: int | None = None,
) -> dict[str, HonestValidation]:
    """Run both CV modes, the bootstrap and the null test per modality; cache in ``work_dir``.

    ``n_jobs`` sets the joblib worker processes of folds, bootstrap samples and permutations;
    the results do not depend on it.
    """
    results = {}
    for modality, data in load_data(inputs).items():
        options = modality_options(inputs, modality)
        settings = {
            "models": list(models),
            "cv": [cv_folds, cv_repeats],
            "bootstrap": n_bootstrap,
            "permutations": n_permutations,
            "options": {k: repr(v) for k, v in sorted(options.items())},
            "data": data.fingerprint(),
            "dnn_split": inputs.dnn_split,
            "cutoff": inputs.temporal_cutoff,
        }
        key = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
        path = Path(inputs.work_dir) / f"validation_{modality.lower()}.joblib"
        cached = joblib.load(path) if path.is_file() else {}
        if cached.get("key") == key:
            logger.info("%s: reusing the validation results in %s", modality, path)
            results[modality] = cached["result"]
            continue
        result = _validate_modality(
            data, inputs, options, models, cv_folds, cv_repeats, n_bootstrap, n_permutations, n_jobs
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"key": key, "result": result}, path)
        results[modality] = result
    return results


def _validate_modality(
    data, inputs, options, models, cv_folds, cv_repeats, n_bootstrap, n_permutations, n_jobs
):
    """Validate the models of one modality. Models on the same split share every resample."""
    plan = {planned.label: planned for planned in model_plan(data, inputs.dnn_split)}
    skipped, groups = {}, {}
    for label in models:
        planned: PlannedModel = plan[label]
        if planned.skip_reason:
            skipped[label] = planned.skip_reason
            continue
        family_options = {**options, "smote": planned.split == "random"}
        groups.setdefault(planned.split, {})[label] = make_family(planned.family, **family_options)
    cv, optimism, null = {}, {}, {}
    for split_name, group in groups.items():
        split = prepare_split(data, split_name, inputs.splits_dir, inputs.seed, inputs.temporal_cutoff)
        train, validation = split_ids(split, "train"), split_ids(split, "validation")
        X_train, y_train = data.X.loc[train], data.y.loc[train]
        for mode in ("as_published", "leakage_safe"):
            results = cross_validate_models(
                group, X_train, y_train, cv_folds, cv_repeats, inputs.seed, mode, n_jobs
            )
            for label, result in results.items():
                cv.setdefault(label, []).append(result)
        if n_bootstrap > 0:
            optimism.update(
                bootstrap_optimism_models(group, X_train, y_train, n_bootstrap, inputs.seed, n_jobs)
            )
        if n_permutations > 0:
            null.update(
                permutation_null_test_models(
                    group, X_train, y_train, data.X.loc[validation], data.y.loc[validation],
                    n_permutations, inputs.seed, n_jobs=n_jobs,
                )
            )
    return HonestValidation(
        data.modality,
        [result for label in models for result in cv.get(label, [])],
        [optimism[label] for label in models if label in optimism],
        [null[label] for label in models if label in null],
        skipped,
    )


def _stack(frames: list[pd.DataFrame], modality: str) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "modality", modality)
    return frame


def reduction_overview(summaries: list[ReductionSummary]) -> pd.DataFrame:
    """Return one row per modality and split: feature counts at each step and the lambda."""
    return pd.DataFrame(
        [
            {
                "modality": summary.modality,
                "model": summary.label,
                "split": summary.split,
                "features": summary.n_features_in,
                "after filter": summary.n_after_filter,
                "after mRMR": len(summary.ranking),
                "in radscore": len(summary.formula.coefficients),
                "lambda rule": summary.cv_result.rule,
                "lambda": summary.formula.lam,
            }
            for summary in summaries
        ]
    )


def radscore_formulas(summaries: list[ReductionSummary]) -> pd.DataFrame:
    """Return every radscore term (intercept, coefficient, training mean and SD) per model."""
    frames = [summary.to_frame().assign(model=summary.label) for summary in summaries]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def validation_auc(evaluations: dict, modality: str, label: str) -> float:
    """Return a model's validation AUC, or NaN when the model was not fitted."""
    evaluation = evaluations.get(modality, {}).get(label)
    return float("nan") if evaluation is None else float(evaluation.validation.auc)


def model_table(evaluations: dict, digits: int = 2) -> pd.DataFrame:
    """Return the Table 2 equivalent of every modality, with the published values beside it."""
    from mblstats.models.published import table_two as published_table_two
    from mblstats.models.tables import table_two

    published = published_table_two()
    frames = [
        table_two(models, modality, published, digits).assign(modality=modality)
        for modality, models in evaluations.items()
        if models
    ]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["modality", *[c for c in table.columns if c != "modality"]]]


def validation_tables(results: dict[str, HonestValidation]) -> dict[str, pd.DataFrame]:
    """Return the CV, optimism and null-test frames of every modality, stacked."""
    tables = {}
    for name in ("cv", "optimism", "null"):
        frames = [getattr(result, f"{name}_frame")() for result in results.values()]
        frames = [frame for frame in frames if not frame.empty]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    tables["skipped"] = pd.DataFrame(
        [
            {"modality": modality, "model": label, "reason": reason}
            for modality, result in results.items()
            for label, reason in result.skipped.items()
        ],
        columns=["modality", "model", "reason"],
    )
    return tables
