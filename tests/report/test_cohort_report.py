"""The cohort chapter's tables on the demo cohort, against the study's published numbers."""

import pytest

from mblstats.cohort.demo import make_demo_clinical
from mblstats.report import cohort as report


@pytest.fixture(scope="module")
def clinical():
    return make_demo_clinical(seed=2019)


@pytest.fixture(scope="module")
def comparison(clinical):
    return report.univariate_comparison(clinical, 3000.0, "both", seed=1)


def test_every_published_chi2_reproduced(comparison):
    chi2 = comparison[comparison["statistic_name"] == "chi2"]

    assert len(chi2) == 18
    for _, row in chi2.iterrows():
        assert round(row["statistic"], 3) == pytest.approx(row["published_statistic"], abs=1e-9), (
            f"{row['cohort']} {row['variable']}: ours {row['statistic']:.4f}, "
            f"published {row['published_statistic']}"
        )


def test_small_expected_counts_get_exact_p(comparison):
    small = comparison[comparison["min_expected"] < 5]
    large = comparison[(comparison["min_expected"] >= 5) & (comparison["statistic_name"] == "chi2")]

    assert {"tumour_type", "surgeon"} <= set(small["variable"])
    assert small["exact_p"].notna().all()
    assert large["exact_p"].isna().all()


def test_mann_whitney_z_sign_matches_study(comparison):
    size = comparison[comparison["variable"] == "tumour_size_cm"].set_index("cohort")

    assert size.loc["CT", "statistic"] < -5
    assert size.loc["CTE", "statistic"] < -5


def test_temporal_split_matches_published(clinical):
    table = report.temporal_split_comparison(clinical, 3000.0, "2017-01-01")

    assert (table["n_mbl"] == table["published_n_mbl"]).all()
    assert (table["n_non_mbl"] == table["published_n_non_mbl"]).all()


def test_threshold_changes_counts(clinical):
    low = report.cohort_summary(clinical, 2000.0)
    default = report.cohort_summary(clinical, 3000.0)

    assert default["n_mbl_ct"] == 143
    assert default["n_mbl_cte"] == 114
    assert low["n_mbl_ct"] > default["n_mbl_ct"]


def test_unknown_modality_rejected(clinical):
    with pytest.raises(ValueError, match="modality='MRI' is invalid"):
        report.cohort_subsets(clinical, "MRI")
