"""Chapter calls on a feature table without clinical data (the breast cancer example)."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mblstats.exceptions import InputValidationError
from mblstats.models import chapters
from mblstats.models.published import table_two as published_table_two

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "breast_cancer"


def _load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wdbc(tmp_path_factory):
    root = tmp_path_factory.mktemp("wdbc")
    paths = _load_example("prepare").write_example(root, seed=1)
    inputs = chapters.chapter_inputs(
        outcome_path=str(paths["outcome"]),
        features_ct_path=str(paths["features"]),
        ct_label="WDBC",
        splits_dir=str(paths["split"].parent),
        work_dir=str(root / "work"),
        seed=1,
        mrmr_k=8,
        n_lambdas=30,
    )
    return inputs, paths


def test_example_tables_are_real_wdbc(wdbc):
    _, paths = wdbc
    features = pd.read_parquet(paths["features"])
    outcome = pd.read_csv(paths["outcome"])
    assert features.shape == (569, 30)
    assert outcome["outcome"].sum() == 212  # malignant tumours in the WDBC data


def test_clinical_models_skipped_with_reason(wdbc):
    inputs, _ = wdbc
    evaluations, skipped = chapters.model_evaluations(inputs, families=("RN", "Clinical", "Clinical-RN"))
    assert list(evaluations["WDBC"]) == ["RN1"]
    reasons = skipped.set_index("model")["reason"]
    assert reasons["Clinical 1"].startswith("no clinical table")
    assert "operation dates" in reasons["RN2"]
    assert evaluations["WDBC"]["RN1"].validation.auc > 0.95


def test_reduction_reuses_cached_fit(wdbc):
    inputs, _ = wdbc
    first = chapters.reduction_summaries(inputs)
    cached = Path(inputs.work_dir) / "fits" / "wdbc_rn1.joblib"
    stamp = cached.stat().st_mtime_ns
    second = chapters.reduction_summaries(inputs)
    assert cached.stat().st_mtime_ns == stamp
    assert first[0].formula.text == second[0].formula.text
    radscores = pd.read_csv(Path(inputs.work_dir) / "radscore_wdbc_random.csv")
    assert len(radscores) == 569
    overview = chapters.reduction_overview(first)
    assert overview.loc[0, "after mRMR"] == 8


def test_model_table_has_published_column(wdbc):
    inputs, _ = wdbc
    evaluations, _ = chapters.model_evaluations(inputs, families=("RN",))
    table = chapters.model_table(evaluations)
    assert list(table["set"]) == ["train", "validation"]
    assert table["published"].eq("").all()  # WDBC is not in the study's Table 2


def test_published_table_two_shape():
    table = published_table_two()
    assert table.shape == (36, 9)
    row = table.query("modality == 'CT' and model == 'Clinical-DNN' and set == 'train'")
    assert row["accuracy"].item() == 0.97


def test_missing_outcome_source_rejected(tmp_path):
    with pytest.raises(InputValidationError, match="clinical_path or outcome_path"):
        chapters.load_data(chapters.chapter_inputs(features_ct_path=str(EXAMPLE / "prepare.py")))


def test_chapters_use_written_split(wdbc):
    from mblstats.models.splits import load_splits, split_ids

    inputs, paths = wdbc
    evaluations, _ = chapters.model_evaluations(inputs, families=("RN",))
    written = split_ids(load_splits(paths["split"]), "train")
    assert set(evaluations["WDBC"]["RN1"].train_prob.index) == set(written)


def test_non_finite_feature_dropped(tmp_path):
    from mblstats.models.stage import load_modeling_data

    features = pd.DataFrame(
        {"good": [1.0, 2.0, 3.0], "broken": [1.0, np.nan, 3.0]},
        index=pd.Index(["A", "B", "C"], name="patient_id"),
    )
    features.to_parquet(tmp_path / "features.parquet")
    pd.DataFrame({"patient_id": ["A", "B", "C"], "outcome": [0, 1, 0]}).to_csv(tmp_path / "outcome.csv", index=False)
    data = load_modeling_data("CT", tmp_path / "features.parquet", outcome_path=tmp_path / "outcome.csv")
    assert list(data.X.columns) == ["good"]
    assert list(data.y) == [0, 1, 0]


def test_honest_validation_cached(wdbc):
    inputs, _ = wdbc
    settings = {"models": ("RN1",), "cv_folds": 3, "cv_repeats": 1, "n_bootstrap": 2, "n_permutations": 2}
    first = chapters.honest_validation(inputs, **settings)["WDBC"]
    cache = Path(inputs.work_dir) / "validation_wdbc.joblib"
    stamp = cache.stat().st_mtime_ns
    second = chapters.honest_validation(inputs, **settings)["WDBC"]
    assert cache.stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(first.cv_frame(), second.cv_frame())
    tables = chapters.validation_tables({"WDBC": first})
    assert list(tables["cv"]["mode"]) == ["as_published", "leakage_safe"]
    assert set(tables["optimism"]["metric"]) == {"auc", "calibration_slope", "brier"}
    assert tables["null"].loc[0, "n_permutations"] == 2
