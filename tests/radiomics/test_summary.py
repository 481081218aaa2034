"""Chapter summaries: counts, clustered correlation, features by MBL group, and their figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from mblstats.exceptions import InputValidationError
from mblstats.plots.radiomics import plot_feature_correlation, plot_features_by_group
from mblstats.radiomics import FAILURE_COLUMNS
from mblstats.radiomics.summary import (
    chapter_numbers,
    cluster_feature_correlation,
    extraction_counts,
    failure_table,
    features_by_group,
    load_extraction,
)


@pytest.fixture()
def features() -> pd.DataFrame:
    """Twenty cases; a and b rise together, c falls with them, d is noise, e is constant."""
    rng = np.random.default_rng(1)
    base = np.arange(20, dtype=float)
    frame = pd.DataFrame(
        {
            "original_shape_MeshVolume": np.exp(base / 3),
            "original_firstorder_Mean": base * 2 + 1,
            "original_glcm_JointEntropy": -base,
            "original_glszm_ZoneEntropy": rng.normal(size=20),
            "original_firstorder_Minimum": np.zeros(20),
        },
        index=pd.Index([f"P{i:02d}" for i in range(20)], name="patient_id"),
    )
    return frame


def test_extraction_counts():
    failures = pd.DataFrame([{"patient_id": "x"}], columns=list(FAILURE_COLUMNS))
    table = extraction_counts({"CT": (pd.DataFrame(np.zeros((3, 5))), failures), "CTE": (pd.DataFrame(np.zeros((2, 5))), failures.iloc[:0])})
    assert table.loc["CT"].tolist() == [4, 3, 5, 1]
    assert table.loc["CTE"].tolist() == [2, 2, 5, 0]


def test_load_extraction_empty_paths():
    features, failures = load_extraction("", "")
    assert features.empty
    assert list(failures.columns) == list(FAILURE_COLUMNS)


def test_correlation_clusters_related_features(features):
    correlation = cluster_feature_correlation(features)
    order = list(correlation.matrix.index)

    assert "original_firstorder_Minimum" not in order  # constant: no correlation defined
    assert correlation.n_features == 5
    assert correlation.n_shown == 4
    related = sorted(order.index(name) for name in ("original_shape_MeshVolume", "original_firstorder_Mean", "original_glcm_JointEntropy"))
    assert related[-1] - related[0] == 2, "perfectly (anti)correlated features sit next to each other"
    assert correlation.matrix.loc["original_firstorder_Mean", "original_glcm_JointEntropy"] == pytest.approx(-1.0)
    assert np.allclose(np.diag(correlation.matrix), 1.0)


def test_correlation_subsample_is_deterministic():
    rng = np.random.default_rng(3)
    wide = pd.DataFrame(rng.normal(size=(15, 50)), columns=[f"f{i:02d}" for i in range(50)])
    first = cluster_feature_correlation(wide, max_features=10)
    second = cluster_feature_correlation(wide, max_features=10)
    assert first.n_shown == 10
    assert sorted(first.matrix.index) == ["f00", "f05", "f11", "f16", "f22", "f27", "f33", "f38", "f44", "f49"]
    pd.testing.assert_frame_equal(first.matrix, second.matrix)


def test_correlation_needs_three_cases(features):
    with pytest.raises(InputValidationError, match=r"at least 3 cases .* got 2 case"):
        cluster_feature_correlation(features.iloc[:2])


def test_features_by_group(features):
    clinical = pd.DataFrame({"patient_id": [f"P{i:02d}" for i in range(19)], "blood_loss_ml": [1000.0] * 15 + [3000.0, 3000.5, 5000.0, 9000.0]})
    long = features_by_group(features, clinical, 3000)

    assert set(long["feature"]) == {"original_shape_MeshVolume", "original_firstorder_Mean", "original_glcm_JointEntropy", "original_glszm_ZoneEntropy"}
    per_patient = long.drop_duplicates("patient_id").set_index("patient_id")["group"]
    assert len(per_patient) == 19  # P19 has no clinical row
    assert per_patient["P15"] == "non-MBL"  # exactly 3000 mL is not above the threshold
    assert per_patient["P16"] == "MBL"
    assert (per_patient == "MBL").sum() == 3


def test_features_by_group_needs_blood_loss(features):
    with pytest.raises(InputValidationError, match=r"clinical table lacks blood_loss_ml"):
        features_by_group(features, pd.DataFrame({"patient_id": ["P00"]}), 3000)


def test_plots_draw(features):
    ax = plot_feature_correlation(cluster_feature_correlation(features))
    assert ax.images[0].get_array().shape == (4, 4)
    assert len(ax.get_xticklabels()) == 4

    clinical = pd.DataFrame({"patient_id": features.index, "blood_loss_ml": np.linspace(500, 6000, 20)})
    axes = plot_features_by_group(features_by_group(features, clinical, 3000))
    flat = np.asarray(axes).ravel()
    assert flat[0].get_title() == "shape_MeshVolume"
    assert flat[0].get_yscale() == "log"
    assert flat[2].get_yscale() == "linear"  # JointEntropy here is negative
    plt.close("all")


def test_chapter_notebook_runs(repo_root, tmp_path):
    """The chapter executes with papermill on a small run, and with no features at all."""
    papermill = pytest.importorskip("papermill")
    from mblstats.cohort.demo import write_demo_clinical
    from mblstats.radiomics import write_result
    from mblstats.radiomics.extraction import ExtractionResult

    clinical_path = write_demo_clinical(tmp_path)
    patient_ids = pd.read_csv(clinical_path, dtype={"patient_id": str})["patient_id"].iloc[:12]
    rng = np.random.default_rng(0)
    columns = ["original_shape_MeshVolume", "original_firstorder_Mean", "original_glszm_ZoneEntropy", "wavelet-LLL_glcm_Contrast"]
    features = pd.DataFrame(rng.lognormal(size=(12, 4)), index=pd.Index(patient_ids, name="patient_id"), columns=columns)
    failures = pd.DataFrame([{"patient_id": "P9999", "modality": "CT", "stage": "read", "error": "case P9999: file not found", "fix": "correct the path"}], columns=list(FAILURE_COLUMNS))
    write_result(ExtractionResult(features, failures, {}), tmp_path / "features_ct.parquet")

    notebook = repo_root / "notebooks" / "radiomics.ipynb"
    parameters = {
        "features_ct_path": str(tmp_path / "features_ct.parquet"),
        "failures_ct_path": str(tmp_path / "features_ct.failures.csv"),
        "features_cte_path": "",
        "failures_cte_path": "",
        "clinical_path": str(clinical_path),
    }
    executed = papermill.execute_notebook(str(notebook), str(tmp_path / "out.ipynb"), parameters=parameters, progress_bar=False, cwd=str(tmp_path))
    images = [output for cell in executed.cells for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
    assert len(images) == 2

    empty = {**parameters, "features_ct_path": "", "failures_ct_path": ""}
    papermill.execute_notebook(str(notebook), str(tmp_path / "empty.ipynb"), parameters=empty, progress_bar=False, cwd=str(tmp_path))


def test_failure_table_and_chapter_numbers():
    failure = pd.DataFrame(
        [{"patient_id": "P1", "modality": "CTE", "image_path": "/x", "mask_path": "/y", "stage": "mask", "error": "e", "fix": "f"}],
        columns=list(FAILURE_COLUMNS),
    )
    tables = {"CT": (pd.DataFrame(np.zeros((4, 3))), failure.iloc[:0]), "CTE": (pd.DataFrame(np.zeros((2, 3))), failure)}

    table = failure_table(tables)
    assert list(table.columns) == ["patient_id", "modality", "stage", "error", "fix"]
    assert table["patient_id"].tolist() == ["P1"]

    numbers = chapter_numbers(tables, "ct", "cte")
    assert numbers["cases_ct"] == 4
    assert numbers["failures_cte"] == 1
    assert numbers["extracted_cte"] == 2
    assert numbers["expected_features"] == 1316
    assert numbers["shape_features"] == 14
    assert numbers["features_per_image"] == 93
    assert numbers["n_images"] == 14
    assert numbers["cte_settings"] == "the same as"  # the files differ only in comments
