"""Model families: fit/predict interface, coding options, radscore export, determinism."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from mblstats.exceptions import InputValidationError
from mblstats.models.clinical import ClinicalEncoder
from mblstats.models.families import make_family

from .conftest import FAST


def _fit_predict(name, cohort, **options):
    X, y = cohort["X"], cohort["y"]
    train, validation = cohort["train"], cohort["validation"]
    model = make_family(name, **FAST, **options).fit(X.loc[train], y[train])
    return model, model.predict_proba(X.loc[validation])[:, 1]


@pytest.mark.parametrize("name", ["RN", "Clinical", "Clinical-RN"])
def test_family_beats_chance_on_validation(name, small_cohort):
    _, prob = _fit_predict(name, small_cohort)
    y_validation = small_cohort["y"][small_cohort["validation"]]
    assert prob.shape == (len(y_validation),)
    assert np.all((prob > 0) & (prob < 1))
    assert roc_auc_score(y_validation, prob) > 0.6


def test_radscore_formula_reproduces_column(small_cohort):
    model, _ = _fit_predict("RN", small_cohort)
    X = small_cohort["X"].loc[small_cohort["validation"]]
    formula = model.formula()
    pipeline_radscore = model.pipeline_[:-1].transform(X[model.radiomics_columns_])["radscore"]
    np.testing.assert_allclose(formula.score(X), pipeline_radscore, rtol=1e-10)
    np.testing.assert_allclose(model.radscore(X), pipeline_radscore, rtol=1e-10)
    assert set(formula.coefficients.index) <= set(small_cohort["features"].columns)
    assert formula.to_frame()["mean"].notna().sum() == len(formula.coefficients)


def test_same_seed_same_predictions(small_cohort):
    _, first = _fit_predict("Clinical-RN", small_cohort)
    _, second = _fit_predict("Clinical-RN", small_cohort)
    np.testing.assert_array_equal(first, second)


def test_seed_changes_radscore(small_cohort):
    X, y, train = small_cohort["X"], small_cohort["y"], small_cohort["train"]
    first = make_family("RN", **{**FAST, "seed": 1}).fit(X.loc[train], y[train]).predict_proba(X.loc[train])
    second = make_family("RN", **{**FAST, "seed": 2}).fit(X.loc[train], y[train]).predict_proba(X.loc[train])
    assert not np.array_equal(first, second)


def test_as_published_coding_uses_numeric_codes(small_cohort):
    X = small_cohort["X"]
    encoder = ClinicalEncoder(["tumour_type", "location"], coding="as_published").fit(X)
    design = encoder.transform(X)
    assert list(design.columns) == ["tumour_type", "location"]
    assert set(design["location"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert design.loc[X["location"] == "multiple", "location"].eq(5.0).all()


def test_treatment_coding_pools_rare_levels(small_cohort):
    X, y = small_cohort["X"], small_cohort["y"]
    encoder = ClinicalEncoder(["tumour_type"], min_level_count=10).fit(X, y)
    counts = X["tumour_type"].value_counts()
    for level in encoder.levels_["tumour_type"]:
        assert counts[level] >= 10
        assert y[X["tumour_type"] == level].nunique() == 2
    assert encoder.reference_["tumour_type"] not in encoder.levels_["tumour_type"]


def test_clinical_coefficient_table(small_cohort):
    X, y, train = small_cohort["X"], small_cohort["y"], small_cohort["train"]
    model = make_family("Clinical-RN", **FAST).fit(X.loc[train], y[train])
    table = model.coefficient_table(X.loc[train], y[train])
    assert "radscore" in table.index
    np.testing.assert_allclose(
        table.loc["radscore", "coef"], model.logistic_.coef_[0][0], rtol=1e-4
    )


def test_encoder_rejects_unknown_level(small_cohort):
    X = small_cohort["X"].copy()
    X.loc[X.index[3], "location"] = "V"
    with pytest.raises(InputValidationError, match="unknown levels \\['V'\\]"):
        ClinicalEncoder(["location"]).fit(X)


def test_radiomics_family_needs_features(small_cohort):
    clinical_only = small_cohort["clinical"].set_index("patient_id")
    y = small_cohort["y"]
    with pytest.raises(InputValidationError, match="needs radiomics feature columns"):
        make_family("RN").fit(clinical_only, y)


def test_unknown_family_name():
    with pytest.raises(InputValidationError, match="'RN3'"):
        make_family("RN3")
