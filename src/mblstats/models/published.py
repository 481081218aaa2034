"""The study's published tables: Table 2 (the nine models) and Table 3 (the nomograms).

Table 2 values are training (validation) as printed, for plain CT and contrast-enhanced CT (CTE).
The study did not publish confidence intervals or the classification threshold.
"""

from __future__ import annotations

import pandas as pd

_METRICS = ("auc", "accuracy", "sensitivity", "specificity", "ppv", "npv")

# modality, model, then (training, validation) pairs in _METRICS order.
_TABLE_2 = [
    ("CT", "RN1", (0.74, 0.72), (0.77, 0.77), (0.54, 0.41), (0.82, 0.85), (0.38, 0.40), (0.90, 0.86)),
    ("CT", "Clinical 1", (0.82, 0.79), (0.85, 0.84), (0.57, 0.61), (0.91, 0.89), (0.58, 0.50), (0.91, 0.92)),
    ("CT", "Clinical-RN1", (0.84, 0.80), (0.80, 0.80), (0.45, 0.48), (0.93, 0.91), (0.70, 0.65), (0.83, 0.83)),
    ("CT", "RN2", (0.75, 0.72), (0.70, 0.61), (0.74, 0.78), (0.66, 0.58), (0.69, 0.25), (0.72, 0.93)),
    ("CT", "Clinical 2", (0.79, 0.80), (0.72, 0.51), (0.67, 0.22), (0.81, 0.94), (0.86, 0.86), (0.58, 0.44)),
    ("CT", "Clinical-RN2", (0.82, 0.82), (0.77, 0.77), (0.74, 0.36), (0.81, 0.95), (0.84, 0.76), (0.70, 0.76)),
    ("CT", "DNN", (0.74, 0.68), (0.90, 0.78), (0.81, 0.32), (0.91, 0.82), (0.53, 0.15), (0.97, 0.92)),
    ("CT", "Clinical 3", (0.82, 0.76), (0.89, 0.84), (0.74, 0.61), (0.91, 0.89), (0.56, 0.50), (0.96, 0.92)),
    ("CT", "Clinical-DNN", (0.92, 0.92), (0.97, 0.75), (0.96, 0.30), (0.97, 0.83), (0.84, 0.24), (0.99, 0.87)),
    ("CTE", "RN1", (0.74, 0.73), (0.62, 0.61), (0.78, 0.71), (0.58, 0.58), (0.29, 0.27), (0.93, 0.90)),
    ("CTE", "Clinical 1", (0.81, 0.80), (0.76, 0.74), (0.41, 0.38), (0.94, 0.92), (0.76, 0.71), (0.76, 0.74)),
    ("CTE", "Clinical-RN1", (0.83, 0.83), (0.81, 0.78), (0.47, 0.43), (0.93, 0.93), (0.72, 0.74), (0.83, 0.78)),
    ("CTE", "RN2", (0.80, 0.76), (0.75, 0.49), (0.85, 0.89), (0.64, 0.42), (0.70, 0.23), (0.81, 0.95)),
    ("CTE", "Clinical 2", (0.75, 0.85), (0.74, 0.72), (0.73, 0.36), (0.75, 0.97), (0.76, 0.87), (0.71, 0.69)),
    ("CTE", "Clinical-RN2", (0.84, 0.83), (0.78, 0.83), (0.79, 0.49), (0.77, 0.93), (0.76, 0.69), (0.80, 0.86)),
    ("CTE", "DNN", (0.75, 0.71), (0.90, 0.82), (0.98, 0.32), (0.90, 0.87), (0.51, 0.21), (0.99, 0.92)),
    ("CTE", "Clinical 3", (0.83, 0.82), (0.85, 0.88), (0.84, 0.83), (0.85, 0.88), (0.24, 0.18), (0.99, 0.99)),
    ("CTE", "Clinical-DNN", (0.89, 0.74), (0.92, 0.77), (0.75, 0.30), (0.97, 0.90), (0.88, 0.46), (0.93, 0.82)),
]


def table_two() -> pd.DataFrame:
    """Return the published Table 2 in long form.

    Returns
    -------
    DataFrame of shape (36, 8)
        Columns ``modality``, ``model``, ``set`` (``"train"``/``"validation"``) and one column
        per metric: ``auc``, ``accuracy``, ``sensitivity``, ``specificity``, ``ppv``, ``npv``.
    """
    rows = []
    for modality, model, *pairs in _TABLE_2:
        for position, label in enumerate(("train", "validation")):
            values = {metric: pair[position] for metric, pair in zip(_METRICS, pairs)}
            rows.append({"modality": modality, "model": model, "set": label, **values})
    return pd.DataFrame(rows)


# Table 3 of the study: multivariable logistic regression of the clinical-RN nomograms, with
# tumour type, location and operation method entered as numeric codes. One row per printed
# term: modality, model, term, coefficient, OR, OR 95 % CI low and high, p, p as printed.
# None marks a value the study did not print.
_TABLE_3 = [
    ("CT", "Clinical-RN1", "intercept", -2.3220, None, None, None, 0.0002, "0.0002"),
    ("CT", "Clinical-RN1", "radscore", 0.7462, 2.109, 1.586, 2.804, 0.0001, "< 0.0001"),
    ("CT", "Clinical-RN1", "tumour_size_cm", 0.0130, 1.013, 0.943, 1.089, 0.7231, "0.7231"),
    ("CT", "Clinical-RN1", "tumour_type", -0.1239, None, None, None, 0.0171, "0.0171"),
    ("CT", "Clinical-RN1", "location", 0.2021, 1.224, 1.01, 1.484, 0.0397, "0.0397"),
    ("CT", "Clinical-RN1", "operation_method", 0.2433, 1.275, 0.826, 1.968, 0.2719, "0.2719"),
    ("CT", "Clinical-RN1", "sex", 0.6719, 1.958, 1.178, 3.255, 0.0096, "0.0096"),
    ("CT", "Clinical-RN2", "intercept", -0.5277, None, None, None, 0.4182, "0.4182"),
    ("CT", "Clinical-RN2", "radscore", 1.5489, 4.706, 1.96, 11.304, 0.0005, "0.0005"),
    ("CT", "Clinical-RN2", "tumour_size_cm", 0.0068, 1.007, 0.895, 1.132, 0.9090, "0.9090"),
    ("CT", "Clinical-RN2", "sex", 0.7559, 2.13, 1.038, 4.369, 0.0392, "0.0392"),
    ("CTE", "Clinical-RN1", "intercept", -2.2204, None, None, None, 0.0014, "0.0014"),
    ("CTE", "Clinical-RN1", "radscore", 0.7797, 2.181, 1.518, 3.133, 0.0001, "< 0.0001"),
    ("CTE", "Clinical-RN1", "tumour_size_cm", None, 1.051, 0.963, 1.147, 0.2631, "0.2631"),
    ("CTE", "Clinical-RN1", "tumour_type", -0.1827, 0.833, 0.742, 0.935, 0.0020, "0.0020"),
    ("CTE", "Clinical-RN1", "location", 0.3016, 1.352, 1.099, 1.663, 0.0043, "0.0043"),
    ("CTE", "Clinical-RN1", "operation_method", 0.2652, 1.304, 0.812, 2.092, 0.2717, "0.2717"),
    ("CTE", "Clinical-RN2", "intercept", -1.5259, None, None, None, 0.1384, "0.1384"),
    ("CTE", "Clinical-RN2", "radscore", 1.3465, 3.844, 1.994, 7.41, 0.0001, "0.0001"),
    ("CTE", "Clinical-RN2", "tumour_size_cm", 0.0353, 1.036, 0.907, 1.183, 0.6017, "0.6017"),
    ("CTE", "Clinical-RN2", "location", 0.3148, 1.37, 0.964, 1.947, 0.0794, "0.0794"),
]
_TABLE_3_COLUMNS = (
    "modality", "model", "variable", "coef", "odds_ratio", "or_ci_low", "or_ci_high", "p", "p_text"
)


def table_three() -> pd.DataFrame:
    """Return the published Table 3 (clinical-RN nomogram regressions) in long form.

    Returns
    -------
    DataFrame of shape (21, 9)
        Columns ``modality``, ``model`` (``Clinical-RN1``/``Clinical-RN2``), ``variable``
        (``intercept``, ``radscore`` or the clinical column name), ``coef``, ``odds_ratio``,
        ``or_ci_low``, ``or_ci_high``, ``p`` and ``p_text`` (p as printed, for example
        ``"< 0.0001"``, where ``p`` holds the bound 0.0001). Values the study did not print
        are NaN.
    """
    return pd.DataFrame(_TABLE_3, columns=list(_TABLE_3_COLUMNS))
