"""The demo cohort reproduces every published margin exactly, for any seed."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, mannwhitneyu, norm

from mblstats.cohort import published
from mblstats.cohort.demo import make_demo_clinical, write_demo_clinical
from mblstats.cohort.variables import CATEGORICAL_LEVELS, CLINICAL_COLUMNS

CUTOFF = pd.Timestamp("2017-01-01")


def modality_subset(clinical, modality):
    return clinical if modality == "CT" else clinical[clinical["has_cte"] == "yes"]


def group_subset(clinical, group):
    is_mbl = clinical["blood_loss_ml"] > 3000
    return clinical[is_mbl] if group == "MBL" else clinical[~is_mbl]


def demo_counts(clinical):
    """Return the demo's Table 1 counts keyed like ``published.table_one_counts``."""
    counts = {}
    for modality in ("CT", "CTE"):
        for group in ("non-MBL", "MBL"):
            subset = group_subset(modality_subset(clinical, modality), group)
            for column in published.table_one_counts()["variable"].unique():
                for level, count in subset[column].value_counts().items():
                    counts[(column, level, modality, group)] = int(count)
    return counts


def test_columns_and_size(demo_clinical):
    assert tuple(demo_clinical.columns) == CLINICAL_COLUMNS
    assert len(demo_clinical) == 810
    assert demo_clinical["patient_id"].is_unique
    assert demo_clinical["patient_id"].iloc[0] == "P0001"
    assert demo_clinical["patient_id"].iloc[-1] == "P0810"


def test_levels_use_table_spellings(demo_clinical):
    for column, levels in CATEGORICAL_LEVELS.items():
        assert set(demo_clinical[column]) <= set(levels), column


def test_mbl_counts(demo_clinical):
    is_mbl = demo_clinical["blood_loss_ml"] > 3000
    has_cte = demo_clinical["has_cte"] == "yes"

    assert is_mbl.sum() == 143
    assert has_cte.sum() == 643
    assert (is_mbl & has_cte).sum() == 114


def test_every_table_one_count_reproduced(demo_clinical):
    expected = published.table_one_counts()
    observed = demo_counts(demo_clinical)

    for row in expected.itertuples():
        key = (row.variable, row.level, row.modality, row.group)
        assert observed.get(key, 0) == row.count, key


# Counts transcribed directly from the study's Table 1: (column, level, modality, group, n).
DIRECT_COUNTS = [
    ("sex", "male", "CT", "non-MBL", 356),
    ("tumour_type", "osteosarcoma", "CTE", "MBL", 26),
    ("tumour_type", "Ewing sarcoma", "CT", "MBL", 8),
    ("location", "II", "CTE", "non-MBL", 36),
    ("neoadjuvant", "yes", "CT", "MBL", 38),
    ("embolisation", "no", "CTE", "MBL", 67),
    ("surgeon", 5, "CT", "non-MBL", 44),
    ("surgeon", 11, "CTE", "MBL", 2),
    ("operation_method", 2, "CTE", "non-MBL", 229),
    ("approach", 1, "CT", "MBL", 130),
    ("balloon_occlusion", "no", "CTE", "non-MBL", 134),
    ("tumour_type", "multiple myeloma", "CTE", "MBL", 0),
]


@pytest.mark.parametrize(("column", "level", "modality", "group", "expected"), DIRECT_COUNTS)
def test_table_one_count_direct(demo_clinical, column, level, modality, group, expected):
    subset = group_subset(modality_subset(demo_clinical, modality), group)

    assert (subset[column] == level).sum() == expected


@pytest.mark.parametrize("modality", ["CT", "CTE"])
def test_published_chi2_reproduced_from_demo(demo_clinical, modality):
    subset = modality_subset(demo_clinical, modality)
    is_mbl = subset["blood_loss_ml"] > 3000
    tests = published.univariate_tests()
    tests = tests[(tests["modality"] == modality) & (tests["statistic_name"] == "chi2")]

    assert len(tests) == 9
    for row in tests.itertuples():
        table = pd.crosstab(subset[row.variable], is_mbl)
        statistic = chi2_contingency(table.to_numpy(), correction=False)[0]
        assert round(statistic, 3) == row.statistic, row.variable


@pytest.mark.parametrize(
    ("modality", "split", "n_mbl", "n_non_mbl"),
    [("CT", "train", 80, 320), ("CT", "validation", 63, 347),
     ("CTE", "train", 59, 245), ("CTE", "validation", 55, 284)],
)
def test_temporal_split_counts(demo_clinical, modality, split, n_mbl, n_non_mbl):
    subset = modality_subset(demo_clinical, modality)
    in_split = subset["operation_date"] < CUTOFF
    if split == "validation":
        in_split = ~in_split
    is_mbl = subset["blood_loss_ml"] > 3000

    assert (in_split & is_mbl).sum() == n_mbl
    assert (in_split & ~is_mbl).sum() == n_non_mbl


def test_operation_dates_in_study_window(demo_clinical):
    dates = demo_clinical["operation_date"]

    assert dates.min() >= pd.Timestamp("2005-07-01")
    assert dates.max() <= pd.Timestamp("2019-12-31")
    assert dates.min() < pd.Timestamp("2006-01-01")
    assert dates.max() >= pd.Timestamp("2019-07-01")


def test_medians_and_quartiles(demo_clinical):
    for row in published.table_one_quartiles().itertuples():
        subset = group_subset(modality_subset(demo_clinical, row.modality), row.group)
        values = subset[row.variable]
        key = (row.variable, row.modality, row.group)
        assert abs(values.median() - row.median) <= 0.5, key
        assert abs(values.quantile(0.25) - row.q1) <= 0.5, key
        assert abs(values.quantile(0.75) - row.q3) <= 0.5, key


def test_age_range_and_mean(demo_clinical):
    age = demo_clinical["age_years"]

    assert age.min() == 4.0
    assert age.max() == 85.0
    assert abs(age.mean() - 42.5) < 1.0
    assert abs(age.std() - 17.3) < 1.5


def test_tumour_size_positive_one_decimal(demo_clinical):
    size = demo_clinical["tumour_size_cm"]

    assert (size > 0).all()
    assert np.allclose(size * 10, np.round(size * 10))


def test_blood_loss_rules(demo_clinical):
    blood_loss = demo_clinical["blood_loss_ml"]
    is_mbl = blood_loss > 3000

    assert blood_loss.dtype == np.int64
    assert blood_loss.min() == 50
    assert blood_loss.max() == 11000
    assert (blood_loss == 3000).any(), "a patient exactly at the threshold is not MBL"
    assert (blood_loss % 50 == 0).mean() > 0.95
    assert blood_loss.median() == 1500
    assert blood_loss.quantile(0.25) == 800
    assert blood_loss.quantile(0.75) == 2387.5
    assert blood_loss[is_mbl].median() == 3900
    assert blood_loss[is_mbl].quantile(0.25) == 3220
    assert blood_loss[is_mbl].quantile(0.75) == 4920
    assert blood_loss[~is_mbl].median() == 1200
    assert blood_loss[~is_mbl].quantile(0.25) == 800
    assert blood_loss[~is_mbl].quantile(0.75) == 1780


def test_tumour_size_larger_with_mbl(demo_clinical):
    is_mbl = demo_clinical["blood_loss_ml"] > 3000
    size = demo_clinical["tumour_size_cm"]
    sacral = demo_clinical["location"] == "IV"

    assert size[is_mbl].median() > size[~is_mbl].median() + 2
    assert (demo_clinical.loc[sacral, "operation_method"] == 1).mean() > 0.7


def test_same_seed_same_bytes(tmp_path):
    first = write_demo_clinical(tmp_path / "first")
    second = write_demo_clinical(tmp_path / "second", seed=2019)

    assert first.name == "clinical.csv"
    assert first.read_bytes() == second.read_bytes()


def test_csv_format(tmp_path):
    path = write_demo_clinical(tmp_path)
    header, first_row = path.read_text(encoding="utf-8").splitlines()[:2]

    assert header == ",".join(CLINICAL_COLUMNS)
    assert first_row.startswith("P0001,")
    assert pd.read_csv(path)["operation_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_other_seed_differs_with_same_margins(tmp_path, demo_clinical):
    path_default = write_demo_clinical(tmp_path / "default")
    path_other = write_demo_clinical(tmp_path / "other", seed=7)
    other = make_demo_clinical(seed=7)

    assert path_default.read_bytes() != path_other.read_bytes()
    assert demo_counts(other) == demo_counts(demo_clinical)
    for row in published.table_one_quartiles().itertuples():
        values = group_subset(modality_subset(other, row.modality), row.group)[row.variable]
        assert values.median() == pytest.approx(row.median)
        assert values.quantile(0.25) == pytest.approx(row.q1)
        assert values.quantile(0.75) == pytest.approx(row.q3)


def test_patient_ids_carry_no_outcome():
    clinical = make_demo_clinical(seed=11)
    number = clinical["patient_id"].str[1:].astype(int)
    is_mbl = clinical["blood_loss_ml"] > 3000

    # Without the shuffle the MBL patients would form one block of ids.
    assert abs(number[is_mbl].mean() - number.mean()) < 60
    assert abs(number[clinical["has_cte"] == "yes"].mean() - number.mean()) < 40


def test_package_exports_functions():
    import mblstats.cohort as cohort

    assert cohort.make_demo_clinical is make_demo_clinical
    assert cohort.write_demo_clinical is write_demo_clinical
    assert callable(cohort.load_clinical)


def mann_whitney_z(first, second):
    """Signed normal-approximation Z of the Mann–Whitney U, via scipy (tie-corrected)."""
    result = mannwhitneyu(first, second, method="asymptotic", use_continuity=False)
    sign = np.sign(result.statistic - len(first) * len(second) / 2)
    return sign * norm.isf(result.pvalue / 2)


@pytest.mark.parametrize("seed", [2019, 7])
def test_mann_whitney_z_near_published(seed):
    clinical = make_demo_clinical(seed)
    tests = published.univariate_tests().set_index(["variable", "modality"])
    blood_loss = clinical["blood_loss_ml"]

    for modality in ("CT", "CTE"):
        subset = modality_subset(clinical, modality)
        is_mbl = subset["blood_loss_ml"] > 3000
        for column in ("age_years", "tumour_size_cm"):
            z_value = mann_whitney_z(subset.loc[~is_mbl, column], subset.loc[is_mbl, column])
            expected = tests.loc[(column, modality), "statistic"]
            assert abs(z_value - expected) < 0.2, (column, modality, z_value)

    balloon = clinical["balloon_occlusion"] == "yes"
    embolisation = clinical["embolisation"] == "yes"
    is_mbl = blood_loss > 3000
    summary = published.COHORT_SUMMARY
    balloon_z = mann_whitney_z(blood_loss[balloon], blood_loss[~balloon])
    embolisation_z = mann_whitney_z(blood_loss[embolisation], blood_loss[~embolisation])
    mbl_z = mann_whitney_z(blood_loss[is_mbl], blood_loss[~is_mbl])
    assert abs(balloon_z - summary.balloon_occlusion_z) < 0.4
    assert abs(embolisation_z - summary.embolisation_z) < 0.4
    assert abs(abs(mbl_z) - abs(summary.blood_loss_mbl_z)) < 0.02
