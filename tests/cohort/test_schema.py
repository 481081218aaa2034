"""Loading and validating the clinical table: lenient encodings and clear errors."""

import re

import numpy as np
import pandas as pd
import pytest

from mblstats.cohort.demo import write_demo_clinical
from mblstats.cohort.schema import (
    CATEGORICAL_LEVELS,
    VARIABLE_LABELS,
    load_clinical,
    mbl_flag,
)
from mblstats.cohort.variables import CLINICAL_COLUMNS
from mblstats.exceptions import InputValidationError


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory):
    return write_demo_clinical(tmp_path_factory.mktemp("demo"))


@pytest.fixture()
def raw(demo_csv):
    """The first 60 demo patients as text cells, ready to be broken by a test."""
    return pd.read_csv(demo_csv, dtype=str, nrows=60)


def write_csv(frame, tmp_path):
    path = tmp_path / "clinical.csv"
    frame.to_csv(path, index=False)
    return path


def test_demo_round_trip(demo_csv, demo_clinical):
    loaded = load_clinical(demo_csv)

    pd.testing.assert_frame_equal(loaded, demo_clinical)


def test_frame_input_matches_csv(demo_clinical):
    loaded = load_clinical(demo_clinical)

    pd.testing.assert_frame_equal(loaded, demo_clinical)
    assert loaded is not demo_clinical


def test_lenient_encodings_normalised(raw):
    table = raw.head(6).copy()
    table["sex"] = [" MALE", "Female ", "male", "FEMALE", "female", "Male"]
    table["tumour_type"] = [
        "ewing sarcoma", " Chordoma", "OTHER", "Giant Cell Tumour", "other", "Multiple Myeloma"
    ]
    table["location"] = ["iv", "Multiple", "i", "II", "iii", " IV "]
    table["has_cte"] = [True, False, 1, 0, "Y", "n"]
    table["neoadjuvant"] = ["TRUE", "false", "1", "0", " Yes ", "NO"]
    table["operation_method"] = ["1", "2.0", 3, 1.0, " 2 ", 3]
    table["operation_date"] = [
        "2016-03-09", "2016-03-09T10:30:00", pd.Timestamp("2010-01-01"), "2010-01-01",
        "2012-05-05", "2012-05-06",
    ]
    table["extra_note"] = list("abcdef")

    loaded = load_clinical(table)

    assert loaded["sex"].tolist() == ["male", "female", "male", "female", "female", "male"]
    assert loaded["tumour_type"].tolist() == [
        "Ewing sarcoma", "chordoma", "other", "giant cell tumour", "other", "multiple myeloma"
    ]
    assert loaded["location"].tolist() == ["IV", "multiple", "I", "II", "III", "IV"]
    assert loaded["has_cte"].tolist() == ["yes", "no", "yes", "no", "yes", "no"]
    assert loaded["neoadjuvant"].tolist() == ["yes", "no", "yes", "no", "yes", "no"]
    assert loaded["operation_method"].tolist() == [1, 2, 3, 1, 2, 3]
    assert loaded["operation_method"].dtype == np.int64
    assert loaded["operation_date"].iloc[1] == pd.Timestamp("2016-03-09")
    assert list(loaded.columns) == [*CLINICAL_COLUMNS, "extra_note"]


def test_missing_column(raw, tmp_path):
    path = write_csv(raw.drop(columns=["tumour_size_cm"]).rename(columns={"sex": "Sex"}), tmp_path)

    with pytest.raises(InputValidationError) as caught:
        load_clinical(path)

    message = str(caught.value)
    assert "column 'tumour_size_cm' (Tumour size (cm)) is missing" in message
    assert "Fix: add the column 'tumour_size_cm'" in message
    assert "rename column 'Sex' to 'sex'" in message


def test_wrong_type(raw, tmp_path):
    raw.loc[2, "age_years"] = "forty"

    with pytest.raises(
        InputValidationError,
        match=r"row 3 \(patient P0003\), column 'age_years': 'forty' is not a number\. "
        r"Fix: write a plain number such as 42",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_unknown_level_suggests_levels(raw, tmp_path):
    raw.loc[4, "sex"] = "F"

    with pytest.raises(
        InputValidationError,
        match=r"row 5 \(patient P0005\), column 'sex': unknown level 'F'; allowed levels: "
        r"female, male \(did you mean 'female'\?\)\. Fix: recode",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_unknown_integer_code(raw, tmp_path):
    raw.loc[0, "surgeon"] = "12"

    with pytest.raises(
        InputValidationError,
        match=r"row 1 \(patient P0001\), column 'surgeon': unknown level '12'; "
        r"allowed levels: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11\. Fix",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_negative_blood_loss(raw, tmp_path):
    raw.loc[9, "blood_loss_ml"] = "-200"

    with pytest.raises(
        InputValidationError,
        match=r"row 10 \(patient P0010\), column 'blood_loss_ml': blood loss '-200' is "
        r"negative\. Fix: enter the estimated blood loss in mL, 0 or more",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_fractional_blood_loss(raw, tmp_path):
    raw.loc[9, "blood_loss_ml"] = "1500.5"

    with pytest.raises(
        InputValidationError,
        match=r"row 10 .*'1500\.5' is not a whole number of mL\. Fix: round",
    ):
        load_clinical(write_csv(raw, tmp_path))


@pytest.mark.parametrize("age", ["-1", "121", "150.5"])
def test_age_outside_range(raw, tmp_path, age):
    raw.loc[6, "age_years"] = age

    with pytest.raises(
        InputValidationError,
        match=rf"row 7 \(patient P0007\), column 'age_years': age '{re.escape(age)}' is "
        r"outside 0 to 120 years\. Fix: correct the age",
    ):
        load_clinical(write_csv(raw, tmp_path))


@pytest.mark.parametrize("size", ["0", "-3.2"])
def test_tumour_size_not_positive(raw, tmp_path, size):
    raw.loc[7, "tumour_size_cm"] = size

    with pytest.raises(
        InputValidationError,
        match=rf"row 8 \(patient P0008\), column 'tumour_size_cm': tumour size "
        rf"'{re.escape(size)}' is not greater than 0 cm\. Fix: enter the maximal",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_date_outside_study_window(raw, tmp_path):
    raw.loc[3, "operation_date"] = "2020-02-01"
    path = write_csv(raw, tmp_path)

    with pytest.raises(
        InputValidationError,
        match=r"row 4 \(patient P0004\), column 'operation_date': operation date "
        r"'2020-02-01' is outside the study window 2005-07-01 to 2019-12-31\. "
        r"Fix: correct the date, or pass study_start and study_end",
    ):
        load_clinical(path)


def test_study_window_configurable(raw, tmp_path):
    raw.loc[3, "operation_date"] = "2020-02-01"
    path = write_csv(raw, tmp_path)

    widened = load_clinical(path, study_end="2020-12-31")
    unbounded = load_clinical(path, study_start=None, study_end=None)

    assert widened.loc[3, "operation_date"] == pd.Timestamp("2020-02-01")
    assert len(unbounded) == 60
    with pytest.raises(InputValidationError, match=r"study window 2010-01-01 to 2019-12-31"):
        load_clinical(path, study_start="2010-01-01", study_end="2019-12-31")


def test_date_not_iso(raw, tmp_path):
    raw.loc[3, "operation_date"] = "09/03/2016"

    with pytest.raises(
        InputValidationError,
        match=r"row 4 \(patient P0004\), column 'operation_date': '09/03/2016' is not an "
        r"ISO date\. Fix: write the date as YYYY-MM-DD",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_duplicate_patient_id(raw, tmp_path):
    raw.loc[5, "patient_id"] = "P0001"

    with pytest.raises(
        InputValidationError,
        match=r"rows 1 and 6, column 'patient_id': duplicate patient_id 'P0001'\. "
        r"Fix: keep one row per patient",
    ):
        load_clinical(write_csv(raw, tmp_path))


@pytest.mark.parametrize("column", ["sex", "blood_loss_ml", "has_cte", "operation_date"])
def test_missing_value(raw, tmp_path, column):
    raw.loc[11, column] = "  "

    with pytest.raises(
        InputValidationError,
        match=rf"row 12 \(patient P0012\), column '{column}': missing value "
        rf"\({re.escape(VARIABLE_LABELS[column])}\)\. Fix: fill in the value",
    ):
        load_clinical(write_csv(raw, tmp_path))


def test_several_problems_all_listed(raw, tmp_path):
    raw.loc[1, "sex"] = "F"
    raw.loc[2, "age_years"] = "forty"
    raw.loc[3, "blood_loss_ml"] = "-200"
    raw.loc[4, "operation_date"] = "2020-02-01"
    raw.loc[5, "patient_id"] = "P0001"
    raw.loc[6, "tumour_size_cm"] = "0"
    raw.loc[7, "has_cte"] = None
    raw = raw.drop(columns=["approach"])

    with pytest.raises(InputValidationError) as caught:
        load_clinical(write_csv(raw, tmp_path))

    lines = str(caught.value).splitlines()
    assert lines[0] == "The clinical table has 8 problems:"
    assert lines[1].startswith("  - column 'approach'")
    assert lines[2].startswith("  - row 2 (patient P0002), column 'sex': unknown level 'F'")
    assert lines[3].startswith("  - row 3 (patient P0003), column 'age_years': 'forty'")
    assert lines[4].startswith("  - row 4 (patient P0004), column 'blood_loss_ml'")
    assert lines[5].startswith("  - row 5 (patient P0005), column 'operation_date'")
    assert lines[6].startswith("  - row 7 (patient P0007), column 'tumour_size_cm'")
    assert lines[7].startswith("  - row 8 (patient P0008), column 'has_cte': missing value")
    assert lines[8].startswith("  - rows 1 and 6, column 'patient_id': duplicate")
    assert all("Fix: " in line for line in lines[1:])


def test_many_failures_in_one_column_are_counted(raw, tmp_path):
    raw["sex"] = "X"

    with pytest.raises(InputValidationError) as caught:
        load_clinical(write_csv(raw, tmp_path))

    message = str(caught.value)
    assert message.count("unknown level 'X'") == 25
    assert "column 'sex': 35 more rows fail the 'level' check" in message


def test_file_not_found(tmp_path):
    with pytest.raises(InputValidationError, match=r"Clinical table not found: .*nope\.csv\. Fix"):
        load_clinical(tmp_path / "nope.csv")


def test_empty_table(raw):
    with pytest.raises(InputValidationError, match="no data rows"):
        load_clinical(raw.head(0))


def test_levels_and_labels_cover_columns():
    assert CATEGORICAL_LEVELS["sex"] == ("female", "male")
    assert CATEGORICAL_LEVELS["surgeon"] == tuple(range(1, 12))
    assert VARIABLE_LABELS["tumour_size_cm"] == "Tumour size (cm)"
    assert set(CLINICAL_COLUMNS) <= set(VARIABLE_LABELS)


def test_mbl_flag_threshold_exclusive():
    flags = mbl_flag(pd.Series([2999, 3000, 3001, 50, 11000], index=list("abcde")))

    assert flags.tolist() == [False, False, True, False, True]
    assert list(flags.index) == list("abcde")
    assert flags.name == "mbl"
    assert mbl_flag(np.array([2500, 2600]), threshold_ml=2500).tolist() == [False, True]


def test_mbl_flag_matches_demo_count(demo_clinical):
    assert mbl_flag(demo_clinical["blood_loss_ml"]).sum() == 143


@pytest.mark.parametrize("threshold", [0, -5, "3000", True])
def test_mbl_flag_rejects_bad_threshold(threshold):
    with pytest.raises(InputValidationError, match=r"threshold_ml must be a positive number"):
        mbl_flag([100, 4000], threshold_ml=threshold)


def test_mbl_flag_rejects_bad_values():
    with pytest.raises(InputValidationError, match=r"position 1 \(-10\.0\).*position 2 \(nan\)"):
        mbl_flag([100, -10, np.nan])
