"""Random and temporal splits on the demo cohort."""

import pandas as pd
import pytest

from mblstats.cohort.demo import make_demo_clinical
from mblstats.exceptions import InputValidationError
from mblstats.models.splits import (
    load_splits,
    mbl_outcome,
    random_split,
    save_splits,
    split_counts,
    temporal_split,
)


@pytest.fixture(scope="module")
def clinical():
    return make_demo_clinical(2019)


def test_random_split_is_stratified_seven_to_three(clinical):
    split = random_split(clinical, seed=1)
    counts = split_counts(split, mbl_outcome(clinical))
    assert counts.loc["validation", "total"] == 243  # ceil(0.3 * 810)
    assert counts.loc["train", "mbl"] == 100  # 143 MBL split 100 / 43
    assert counts.loc["unused", "total"] == 0


def test_temporal_split_balances_training(clinical):
    split = temporal_split(clinical, cutoff="2017-01-01", seed=1)
    counts = split_counts(split, mbl_outcome(clinical))
    assert counts.loc["train", "mbl"] == counts.loc["train", "non_mbl"]
    dates = clinical.set_index("patient_id")["operation_date"]
    validation = split.loc[split["split"] == "validation", "patient_id"]
    assert (dates[validation] >= pd.Timestamp("2017-01-01")).all()
    early_mbl = mbl_outcome(clinical)[dates < pd.Timestamp("2017-01-01")].sum()
    assert counts.loc["train", "mbl"] == early_mbl


def test_split_seed_changes_draw(clinical):
    first = random_split(clinical, seed=1)
    assert first.equals(random_split(clinical, seed=1))
    assert not first.equals(random_split(clinical, seed=2))


def test_split_round_trip(clinical, tmp_path):
    split = temporal_split(clinical, seed=3)
    loaded = load_splits(save_splits(split, tmp_path / "rn2.csv"))
    pd.testing.assert_frame_equal(loaded, split.astype({"patient_id": str}))


def test_split_rejects_bad_date(clinical):
    broken = clinical.astype({"operation_date": object})
    broken.loc[5, "operation_date"] = "not a date"
    with pytest.raises(InputValidationError, match=broken.loc[5, "patient_id"]):
        temporal_split(broken)


def test_load_splits_rejects_unknown_label(tmp_path):
    path = tmp_path / "split.csv"
    path.write_text("patient_id,split\nP1,train\nP2,test\n")
    with pytest.raises(InputValidationError, match="'test'"):
        load_splits(path)
