"""Load and validate the clinical table.

:func:`load_clinical` reads a CSV file or a DataFrame with one row per patient and the
columns of :data:`~mblstats.cohort.variables.CLINICAL_COLUMNS`. A pandera schema checks
it in lazy mode, so every problem is collected, and all problems are raised together as
one :class:`~mblstats.exceptions.InputValidationError`. Each line of the message names
the row (the 1-based data row as counted below the CSV header, with the patient id when
known), the column, the offending value as given, and a fix. After 25 rows with the same
problem in one column, the remaining rows are counted rather than listed.

Accepted encodings
------------------
Values are normalised before validation where the meaning is unambiguous:

- surrounding whitespace is removed, and empty strings count as missing;
- ``neoadjuvant``, ``embolisation``, ``balloon_occlusion`` and ``has_cte`` accept
  yes/no, y/n, true/false and 1/0 in any letter case, and booleans, stored as
  ``yes``/``no``;
- ``sex``, ``tumour_type`` and ``location`` accept their levels in any letter case
  (``MALE``, ``ewing sarcoma``, ``iv``), stored with the spellings of
  :data:`~mblstats.cohort.variables.CATEGORICAL_LEVELS`;
- integer codes and numbers may be given as text (``"2"``, ``"2.0"``);
- ``operation_date`` accepts ISO 8601 dates (``2016-03-09``, optionally with a time,
  which is dropped) and datetime values. Other forms such as ``09/03/2016`` are
  rejected because their day and month order is ambiguous.

Abbreviations such as ``F`` for ``female`` are rejected, with the likely level
suggested in the message. Columns beyond the required ones are kept unchanged after
them.
"""

from __future__ import annotations

import logging
import numbers
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from mblstats.cohort._problems import describe_failure_cases
from mblstats.cohort.variables import (
    CATEGORICAL_LEVELS,
    CLINICAL_COLUMNS,
    MBL_THRESHOLD_ML,
    VARIABLE_LABELS,
    YES_NO_COLUMNS,
)
from mblstats.exceptions import InputValidationError

__all__ = [
    "CATEGORICAL_LEVELS",
    "VARIABLE_LABELS",
    "clinical_schema",
    "load_clinical",
    "mbl_flag",
]

logger = logging.getLogger(__name__)

_YES_NO_ENCODINGS = {
    "yes": "yes", "y": "yes", "true": "yes", "1": "yes", "1.0": "yes",
    "no": "no", "n": "no", "false": "no", "0": "no", "0.0": "no",
}
_TEXT_LEVEL_COLUMNS = ("sex", "tumour_type", "location")
_INTEGER_CODE_COLUMNS = ("operation_method", "approach", "surgeon")
_NUMBER_COLUMNS = ("age_years", "tumour_size_cm", "blood_loss_ml")
_AGE_RANGE = (0.0, 120.0)


def load_clinical(
    path_or_frame: str | Path | pd.DataFrame,
    *,
    study_start: str | None = "2005-07-01",
    study_end: str | None = "2019-12-31",
) -> pd.DataFrame:
    """Read and validate the clinical table.

    Parameters
    ----------
    path_or_frame : str, pathlib.Path or pandas.DataFrame
        CSV file with a header row, or a DataFrame, with one row per patient.
    study_start, study_end : str or None, default "2005-07-01" and "2019-12-31"
        First and last allowed operation date (ISO format, inclusive). None disables
        that side of the check.

    Returns
    -------
    pandas.DataFrame of shape (n_patients, n_columns)
        The required columns in the order of ``CLINICAL_COLUMNS``, then any extra
        columns. Levels use the spellings of ``CATEGORICAL_LEVELS``; ``age_years`` and
        ``tumour_size_cm`` are float64, ``blood_loss_ml`` and the integer codes int64,
        ``operation_date`` datetime64[ns], the other categorical columns strings. The
        index is a RangeIndex.

    Raises
    ------
    InputValidationError
        If the file cannot be read or any value is missing, of the wrong type, an
        unknown level, impossible, outside the study window or a duplicate patient id.
        The message lists every problem found.
    """
    raw = _read_table(path_or_frame)
    window = _study_window(study_start, study_end)
    normalised = _normalise(raw)
    schema = clinical_schema(study_start=window[0], study_end=window[1])

    try:
        schema.validate(normalised, lazy=True)
    except SchemaErrors as error:
        problems = describe_failure_cases(error.failure_cases, raw, window)
        raise InputValidationError(_problem_report(problems)) from None

    if normalised.empty:
        raise InputValidationError(
            "The clinical table has no data rows. Fix: add one row per patient."
        )
    logger.debug("Loaded clinical table with %d patients", len(normalised))
    return _final_types(normalised)


def mbl_flag(blood_loss_ml, threshold_ml: float = MBL_THRESHOLD_ML):
    """Flag massive blood loss: blood loss strictly above ``threshold_ml``.

    Parameters
    ----------
    blood_loss_ml : array-like of shape (n_patients,)
        Estimated intraoperative blood loss in mL.
    threshold_ml : float, default 3000
        MBL threshold in mL. A patient exactly at the threshold is not MBL.

    Returns
    -------
    pandas.Series of bool, or numpy.ndarray of bool of shape (n_patients,)
        A Series named ``mbl`` with the input's index when the input is a Series,
        otherwise an array.

    Raises
    ------
    InputValidationError
        If the threshold is not a positive number or a blood loss is missing or
        negative.

    Examples
    --------
    >>> mbl_flag([2999, 3000, 3001]).tolist()
    [False, False, True]
    """
    is_number = isinstance(threshold_ml, numbers.Real) and not isinstance(threshold_ml, bool)
    if not is_number or not threshold_ml > 0:
        raise InputValidationError(
            f"threshold_ml must be a positive number of mL, got {threshold_ml!r}. "
            "Fix: pass e.g. threshold_ml=3000."
        )
    given = pd.Series(blood_loss_ml)
    values = pd.to_numeric(given, errors="coerce")
    invalid = values.isna() | (values < 0)
    if invalid.any():
        positions = np.flatnonzero(invalid.to_numpy())[:10]
        shown = ", ".join(
            f"position {position} ({_show_value(given.iloc[position])})" for position in positions
        )
        raise InputValidationError(
            f"blood_loss_ml has {int(invalid.sum())} missing, non-numeric or negative "
            f"values: {shown}. Fix: give every patient a blood loss of 0 mL or more."
        )
    flags = (values > threshold_ml).to_numpy()
    if isinstance(blood_loss_ml, pd.Series):
        return pd.Series(flags, index=blood_loss_ml.index, name="mbl")
    return flags


def _show_value(value) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def clinical_schema(
    study_start: pd.Timestamp | None = None, study_end: pd.Timestamp | None = None
) -> pa.DataFrameSchema:
    """Build the pandera schema of a normalised clinical table.

    The checks are element-wise and named, so each failure names its row. They expect
    the normalisation of :func:`load_clinical`, which turns numbers into floats and
    dates into Timestamps. A value that normalisation could not convert keeps its text
    and fails the ``number`` or ``date`` check.

    Parameters
    ----------
    study_start, study_end : pandas.Timestamp or None
        Allowed operation dates (inclusive); None leaves that side open.

    Returns
    -------
    pandera.pandas.DataFrameSchema
    """
    columns = {
        "patient_id": pa.Column(
            None, pa.Check(_is_text, element_wise=True, name="text"),
            unique=True, nullable=False,
        ),
        "age_years": _number_column(_in_age_range, "age_range"),
        "tumour_size_cm": _number_column(_is_positive, "positive"),
        "blood_loss_ml": _number_column(_is_non_negative, "non_negative", _is_whole, "whole"),
        "operation_date": pa.Column(
            None,
            [
                pa.Check(_is_timestamp, element_wise=True, name="date"),
                pa.Check(
                    _in_window(study_start, study_end), element_wise=True, name="study_window"
                ),
            ],
            nullable=False,
        ),
    }
    for column, levels in CATEGORICAL_LEVELS.items():
        columns[column] = pa.Column(
            None, pa.Check(_is_level(levels), element_wise=True, name="level"), nullable=False
        )
    ordered = {column: columns[column] for column in CLINICAL_COLUMNS}
    return pa.DataFrameSchema(ordered, strict=False, name="clinical table")


def _number_column(*checks_and_names) -> pa.Column:
    checks = [pa.Check(_is_number, element_wise=True, name="number")]
    for check, name in zip(checks_and_names[::2], checks_and_names[1::2]):
        checks.append(pa.Check(check, element_wise=True, name=name))
    return pa.Column(None, checks, nullable=False)


def _is_text(value) -> bool:
    return isinstance(value, str) and value != ""


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)


def _in_age_range(value) -> bool:
    return not _is_number(value) or _AGE_RANGE[0] <= value <= _AGE_RANGE[1]


def _is_positive(value) -> bool:
    return not _is_number(value) or value > 0


def _is_non_negative(value) -> bool:
    return not _is_number(value) or value >= 0


def _is_whole(value) -> bool:
    return not _is_number(value) or float(value).is_integer()


def _is_timestamp(value) -> bool:
    return isinstance(value, pd.Timestamp)


def _in_window(start, end):
    def check(value) -> bool:
        if not isinstance(value, pd.Timestamp):
            return True
        return (start is None or value >= start) and (end is None or value <= end)

    return check


def _is_level(levels):
    allowed = set(levels)

    def check(value) -> bool:
        try:
            return value in allowed
        except TypeError:
            return False

    return check


def _read_table(path_or_frame) -> pd.DataFrame:
    """Return the input as a DataFrame with a RangeIndex (CSV cells kept as text)."""
    if isinstance(path_or_frame, pd.DataFrame):
        return path_or_frame.reset_index(drop=True).copy()
    if not isinstance(path_or_frame, (str, Path)):
        raise InputValidationError(
            f"Expected a CSV path or a pandas DataFrame, got {type(path_or_frame).__name__}. "
            "Fix: pass the path of clinical.csv or a DataFrame."
        )
    path = Path(path_or_frame)
    if not path.is_file():
        raise InputValidationError(
            f"Clinical table not found: {path}. Fix: check the path, or write the demo "
            "table with mblstats.cohort.demo.write_demo_clinical(out_dir)."
        )
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InputValidationError(
            f"Could not read {path} as CSV: {error}. Fix: save the table as UTF-8 CSV "
            "with a header row."
        ) from None


def _study_window(study_start, study_end) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    bounds = []
    for name, value in (("study_start", study_start), ("study_end", study_end)):
        if value is None:
            bounds.append(None)
            continue
        try:
            bounds.append(pd.Timestamp(value))
        except (TypeError, ValueError):
            raise InputValidationError(
                f"{name} must be an ISO date such as 2005-07-01, got {value!r}."
            ) from None
    if bounds[0] is not None and bounds[1] is not None and bounds[0] > bounds[1]:
        raise InputValidationError(
            f"study_start {study_start} is after study_end {study_end}. Fix: swap them."
        )
    return bounds[0], bounds[1]


def _normalise(raw: pd.DataFrame) -> pd.DataFrame:
    """Apply the unambiguous encodings listed in the module docstring."""
    frame = raw.astype(object).apply(lambda column: column.map(_clean_cell))
    for column in frame.columns.intersection(list(CLINICAL_COLUMNS)):
        if column in YES_NO_COLUMNS:
            frame[column] = frame[column].map(_yes_no)
        elif column in _TEXT_LEVEL_COLUMNS:
            frame[column] = frame[column].map(_level_matcher(CATEGORICAL_LEVELS[column]))
        elif column in _INTEGER_CODE_COLUMNS or column in _NUMBER_COLUMNS:
            frame[column] = frame[column].map(_number)
        elif column == "operation_date":
            frame[column] = frame[column].map(_timestamp)
        elif column == "patient_id":
            frame[column] = frame[column].map(_identifier)
    return frame


def _clean_cell(value):
    if isinstance(value, str):
        value = value.strip()
        return None if value == "" else value
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    return value


def _yes_no(value):
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real) and value in (0, 1):
        return "yes" if value == 1 else "no"
    if isinstance(value, str):
        return _YES_NO_ENCODINGS.get(value.lower(), value)
    return value


def _level_matcher(levels):
    by_lower = {level.lower(): level for level in levels}

    def match(value):
        if isinstance(value, str):
            return by_lower.get(value.lower(), value)
        return value

    return match


def _number(value):
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    return value


def _timestamp(value):
    """Convert dates and ISO date strings to Timestamps at midnight; keep anything else."""
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "isoformat"):
        timestamp = pd.Timestamp(value)
    elif isinstance(value, str):
        try:
            timestamp = pd.to_datetime(value, format="ISO8601")
        except (ValueError, OverflowError):
            return value
    else:
        return value
    if timestamp.tzinfo is not None:
        timestamp = timestamp.tz_localize(None)
    return timestamp.normalize()


def _identifier(value):
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        return str(value)
    return value


def _final_types(frame: pd.DataFrame) -> pd.DataFrame:
    result = frame.copy()
    for column in ("age_years", "tumour_size_cm"):
        result[column] = result[column].astype("float64")
    for column in ("blood_loss_ml", *_INTEGER_CODE_COLUMNS):
        result[column] = result[column].astype("float64").astype("int64")
    result["operation_date"] = pd.to_datetime(result["operation_date"]).astype("datetime64[ns]")
    for column in ("patient_id", *_TEXT_LEVEL_COLUMNS, *YES_NO_COLUMNS):
        result[column] = result[column].astype(object)
    extra = [column for column in result.columns if column not in CLINICAL_COLUMNS]
    if extra:
        logger.debug("Keeping extra clinical columns: %s", extra)
    return result.loc[:, [*CLINICAL_COLUMNS, *extra]]


def _problem_report(problems: list[str]) -> str:
    plural = "s" if len(problems) != 1 else ""
    header = f"The clinical table has {len(problems)} problem{plural}:"
    return "\n".join([header, *(f"  - {problem}" for problem in problems)])
