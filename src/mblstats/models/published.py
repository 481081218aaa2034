"""The study's published Table 2: discrimination and classification of the nine models.

Values are training (validation) as printed, for plain CT and contrast-enhanced CT (CTE).
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
