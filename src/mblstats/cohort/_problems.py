"""Describe clinical-table validation failures in words a data manager can act on.

pandera reports failures as a table of (column, check name, failing value, index). Each
row becomes one sentence naming the data row (1-based, as counted below the CSV header),
the patient id when known, the column, the value as it was given, and a fix.
"""

from __future__ import annotations

import difflib

import pandas as pd

from mblstats.cohort.variables import CATEGORICAL_LEVELS, CLINICAL_COLUMNS, VARIABLE_LABELS

#: Problems listed per column and kind of problem before the rest are only counted.
MAX_LISTED_PER_KIND = 25

_AGE_RANGE_TEXT = "0 to 120 years"

_FIXES = {
    "not_nullable": "fill in the value or remove the patient from the table",
    "number": "write a plain number such as {example}",
    "age_range": "correct the age, which must lie between " + _AGE_RANGE_TEXT,
    "positive": "enter the maximal tumour diameter in cm, which must be greater than 0",
    "non_negative": "enter the estimated blood loss in mL, 0 or more",
    "whole": "round the blood loss to whole millilitres",
    "date": "write the date as YYYY-MM-DD, e.g. 2016-03-09",
    "study_window": (
        "correct the date, or pass study_start and study_end to load_clinical when the "
        "cohort spans other years"
    ),
    "level": "recode the value to one of the allowed levels",
    "text": "use a text identifier such as P0001",
}
_NUMBER_EXAMPLES = {"age_years": "42 or 42.5", "tumour_size_cm": "8.5", "blood_loss_ml": "1500"}


def describe_failure_cases(
    failure_cases: pd.DataFrame, raw: pd.DataFrame, window: tuple
) -> list[str]:
    """Return one sentence per validation problem.

    Parameters
    ----------
    failure_cases : pandas.DataFrame
        ``SchemaErrors.failure_cases`` from a lazy pandera validation, with columns
        ``schema_context``, ``column``, ``check``, ``failure_case`` and ``index``.
    raw : pandas.DataFrame
        The table as given (before normalisation), with a RangeIndex, so the offending
        values are shown as typed.
    window : tuple of (pandas.Timestamp or None, pandas.Timestamp or None)
        Study window used for the operation-date check.

    Returns
    -------
    list of str
        Missing columns first, then problems by row and column order.
    """
    missing_columns = []
    by_row = []
    duplicates: dict[str, list[int]] = {}
    for case in failure_cases.itertuples(index=False):
        if case.check == "column_in_dataframe":
            missing_columns.append(_missing_column(str(case.failure_case), raw))
        elif case.check == "field_uniqueness":
            duplicates.setdefault(str(case.failure_case), []).append(int(case.index))
        else:
            by_row.append((int(case.index), str(case.column), str(case.check)))

    problems = sorted(missing_columns)
    problems += _row_problems(by_row, raw, window)
    for patient_id, rows in duplicates.items():
        numbers = [str(row + 1) for row in sorted(rows)]
        listed = ", ".join(numbers[:-1]) + " and " + numbers[-1]
        problems.append(
            f"rows {listed}, column 'patient_id': duplicate patient_id '{patient_id}'. "
            "Fix: keep one row per patient, with a unique patient_id."
        )
    return problems


def _row_problems(by_row, raw: pd.DataFrame, window) -> list[str]:
    column_order = {column: position for position, column in enumerate(CLINICAL_COLUMNS)}
    by_row.sort(key=lambda item: (item[0], column_order.get(item[1], len(column_order))))

    problems = []
    listed_per_kind: dict[tuple[str, str], int] = {}
    for row, column, check in by_row:
        kind = (column, check)
        listed_per_kind[kind] = listed_per_kind.get(kind, 0) + 1
        if listed_per_kind[kind] <= MAX_LISTED_PER_KIND:
            problems.append(_row_problem(row, column, check, raw, window))

    for (column, check), count in listed_per_kind.items():
        if count > MAX_LISTED_PER_KIND:
            problems.append(
                f"column '{column}': {count - MAX_LISTED_PER_KIND} more rows fail the "
                f"'{check}' check (the first {MAX_LISTED_PER_KIND} are listed above)."
            )
    return problems


def _row_problem(row: int, column: str, check: str, raw: pd.DataFrame, window) -> str:
    value = raw.at[row, column] if column in raw.columns else None
    shown = _show(value)
    label = VARIABLE_LABELS.get(column, column)
    where = f"{_row_label(row, raw)}, column '{column}'"
    fix = _FIXES.get(check, "correct the value")

    if check == "not_nullable":
        what = f"missing value ({label})"
        if column in CATEGORICAL_LEVELS:
            fix += "; allowed levels: " + _levels_text(column)
    elif check == "number":
        what = f"{shown} is not a number"
        fix = fix.format(example=_NUMBER_EXAMPLES.get(column, "1"))
    elif check == "age_range":
        what = f"age {shown} is outside {_AGE_RANGE_TEXT}"
    elif check == "positive":
        what = f"tumour size {shown} is not greater than 0 cm"
    elif check == "non_negative":
        what = f"blood loss {shown} is negative"
    elif check == "whole":
        what = f"blood loss {shown} is not a whole number of mL"
    elif check == "date":
        what = f"{shown} is not an ISO date"
    elif check == "study_window":
        what = f"operation date {shown} is outside the study window {_window_text(window)}"
    elif check == "level":
        what = f"unknown level {shown}; allowed levels: {_levels_text(column)}"
        suggestion = None
        if isinstance(CATEGORICAL_LEVELS[column][0], str):
            suggestion = suggest_level(value, CATEGORICAL_LEVELS[column])
        if suggestion is not None:
            what += f" (did you mean '{suggestion}'?)"
    elif check == "text":
        what = f"patient_id {shown} is not text"
    else:
        what = f"value {shown} fails the '{check}' check"
    return f"{where}: {what}. Fix: {fix}."


def _row_label(row: int, raw: pd.DataFrame) -> str:
    label = f"row {row + 1}"
    if "patient_id" in raw.columns:
        patient_id = raw.at[row, "patient_id"]
        if isinstance(patient_id, str) and patient_id.strip():
            label += f" (patient {patient_id.strip()})"
        elif patient_id is not None and not pd.isna(patient_id):
            label += f" (patient {patient_id})"
    return label


def _show(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return f"'{value.date().isoformat()}'" if value == value.normalize() else f"'{value}'"
    return f"'{value}'"


def _levels_text(column: str) -> str:
    return ", ".join(str(level) for level in CATEGORICAL_LEVELS[column])


def _window_text(window) -> str:
    start, end = window
    start_text = "open" if start is None else start.date().isoformat()
    end_text = "open" if end is None else end.date().isoformat()
    return f"{start_text} to {end_text}"


def _missing_column(column: str, raw: pd.DataFrame) -> str:
    message = f"column '{column}' ({VARIABLE_LABELS.get(column, column)}) is missing"
    fix = f"add the column '{column}'"
    candidates = [
        name for name in raw.columns if isinstance(name, str) and name not in CLINICAL_COLUMNS
    ]
    by_lower = {name.strip().lower(): name for name in candidates}
    close = difflib.get_close_matches(column, list(by_lower), n=1, cutoff=0.6)
    if close:
        fix = f"rename column '{by_lower[close[0]]}' to '{column}', or add the column"
    if column in CATEGORICAL_LEVELS:
        fix += f" with levels {_levels_text(column)}"
    return f"{message}. Fix: {fix}."


def suggest_level(value, levels) -> str | None:
    """Return the level that ``value`` most likely abbreviates or misspells, if any.

    Parameters
    ----------
    value : object
        The unknown value.
    levels : sequence
        Allowed levels.

    Returns
    -------
    str or None
        The only level that starts with ``value`` (case-insensitive), else the closest
        level by ``difflib`` similarity of at least 0.6, else None.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip().lower()
    by_lower = {str(level).lower(): str(level) for level in levels}
    prefixed = [level for lower, level in by_lower.items() if text and lower.startswith(text)]
    if len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(text, list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None
