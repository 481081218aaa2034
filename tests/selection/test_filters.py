"""Constant/duplicate filter, mRMR against mrmr-selection, and ICC against textbook values."""

import numpy as np
import pandas as pd
import pytest

from mblstats.exceptions import InputValidationError
from mblstats.selection.filters import RedundancyFilter
from mblstats.selection.mrmr import MRMRSelector
from mblstats.selection.reproducibility import feature_reproducibility, intraclass_correlation


def _correlated_features(seed, n=200, p=60):
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, p)) @ rng.normal(size=(p, p)) * 0.2
    x = pd.DataFrame(latent + rng.normal(size=(n, p)), columns=[f"f{i}" for i in range(p)])
    y = pd.Series((x["f0"] - x["f3"] + rng.normal(size=n) > 0).astype(int))
    return x, y


def test_redundancy_filter_drops_constant_and_duplicate():
    rng = np.random.default_rng(0)
    base = rng.normal(size=100)
    x = pd.DataFrame(
        {
            "a": base,
            "constant": np.full(100, 4.2),
            "a_copy": -2 * base + 1e-3 * rng.normal(size=100),
            "b": rng.normal(size=100),
        }
    )
    fitted = RedundancyFilter(max_abs_correlation=0.95).fit(x)
    assert fitted.kept_features_ == ["a", "b"]
    assert fitted.dropped_constant_ == ["constant"]
    assert fitted.dropped_duplicate_ == {"a_copy": "a"}
    assert list(fitted.transform(x).columns) == ["a", "b"]


def test_redundancy_filter_names_missing_value():
    x = pd.DataFrame({"a": [1.0, np.nan, 3.0]}, index=["P1", "P2", "P3"])
    with pytest.raises(InputValidationError, match="'P2'/a"):
        RedundancyFilter().fit(x)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mrmr_matches_mrmr_selection_package(seed):
    import warnings

    with warnings.catch_warnings():  # importing mrmr switches every warning off
        from mrmr import mrmr_classif

        x, y = _correlated_features(seed)
        expected = mrmr_classif(x, y, K=15, show_progress=False, n_jobs=1)
    assert MRMRSelector(k=15).fit(x, y).selected_features_ == expected


def test_mrmr_ranking_frame():
    x, y = _correlated_features(0)
    ranking = MRMRSelector(k=5).fit(x, y).ranking()
    assert list(ranking["rank"]) == [1, 2, 3, 4, 5]
    assert ranking["f_statistic"].iloc[0] == ranking["f_statistic"].max()


def test_icc_matches_shrout_fleiss_example():
    # Shrout & Fleiss (1979) Table 2: 6 targets rated by 4 judges; the published ICC(2,1)
    # is 0.29 and ICC(3,1) is 0.71.
    ratings = np.array(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
        dtype=float,
    )[:, :, None]
    assert intraclass_correlation(ratings, "ICC(2,1)")[0] == pytest.approx(0.29, abs=0.005)
    assert intraclass_correlation(ratings, "ICC(3,1)")[0] == pytest.approx(0.71, abs=0.005)


def test_reproducibility_keeps_stable_features():
    rng = np.random.default_rng(4)
    truth = rng.normal(size=(40, 2))
    reader1 = pd.DataFrame(truth, columns=["stable", "noisy"])
    reader2 = reader1.copy()
    reader2["stable"] += 0.05 * rng.normal(size=40)
    reader2["noisy"] = rng.normal(size=40)
    result = feature_reproducibility(reader1, reader2)
    assert result.reproducible_features == ["stable"]
    assert result.to_frame().loc["noisy", "reproducible"] == False  # noqa: E712


def test_reproducibility_rejects_unshared_patients():
    reader1 = pd.DataFrame({"a": [1.0, 2.0]}, index=["P1", "P2"])
    reader2 = pd.DataFrame({"a": [1.0, 2.0]}, index=["P3", "P4"])
    with pytest.raises(InputValidationError, match="share 0 patient ids"):
        feature_reproducibility(reader1, reader2)
