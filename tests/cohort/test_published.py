"""The packaged study numbers match the study summary and are self-consistent."""

import re

import pytest
from scipy.stats import chi2_contingency

from mblstats.cohort import published
from mblstats.cohort.variables import CATEGORICAL_LEVELS

# Labels of the study summary's Table 1 mapped to clinical-table columns and levels.
STUDY_VARIABLES = {
    "sex": "sex",
    "tumour type": "tumour_type",
    "location": "location",
    "neoadjuvant": "neoadjuvant",
    "embolisation": "embolisation",
    "surgeon": "surgeon",
    "operation method": "operation_method",
    "approach": "approach",
    "balloon occlusion": "balloon_occlusion",
}
STUDY_LEVELS = {
    "metastatic": "metastatic tumour",
    "zone I": "I",
    "zone II": "II",
    "zone III": "III",
    "zone IV": "IV",
    "multiple zones": "multiple",
    "1 posterior": 1,
    "2 combined": 2,
}


def parse_study_table_one(text):
    """Return {(column, level): (CT non-MBL, CT MBL, CTE non-MBL, CTE MBL)} from the summary."""
    section = text.split("### Table 1 counts", 1)[1].split("**Published univariate", 1)[0]
    counts = {}
    variable = None
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[2].isdigit():
            continue
        if cells[0]:
            variable = STUDY_VARIABLES[cells[0]]
        level = STUDY_LEVELS.get(cells[1], cells[1])
        if variable in ("surgeon", "operation_method"):
            level = int(level)
        counts[(variable, level)] = tuple(int(cell) for cell in cells[2:])
    return counts


def packaged_counts():
    table = published.table_one_counts()
    wide = table.pivot_table(
        index=["variable", "level"], columns=["modality", "group"], values="count"
    )
    return {
        key: (
            int(row[("CT", "non-MBL")]),
            int(row[("CT", "MBL")]),
            int(row[("CTE", "non-MBL")]),
            int(row[("CTE", "MBL")]),
        )
        for key, row in wide.iterrows()
    }


def test_table_one_matches_study_summary(study_text):
    study_counts = parse_study_table_one(study_text)

    assert len(study_counts) == 39
    assert packaged_counts() == study_counts


# A dozen Table 1 counts transcribed by hand from the study summary:
# (column, level, modality, group, count).
SPOT_CHECKS = [
    ("sex", "male", "CT", "MBL", 89),
    ("sex", "female", "CTE", "non-MBL", 245),
    ("tumour_type", "multiple myeloma", "CTE", "MBL", 0),
    ("tumour_type", "chondrosarcoma", "CT", "MBL", 37),
    ("tumour_type", "metastatic tumour", "CT", "non-MBL", 118),
    ("location", "multiple", "CTE", "MBL", 45),
    ("location", "IV", "CT", "non-MBL", 351),
    ("surgeon", 9, "CT", "MBL", 21),
    ("surgeon", 2, "CTE", "non-MBL", 241),
    ("operation_method", 3, "CT", "MBL", 18),
    ("approach", 2, "CTE", "non-MBL", 30),
    ("balloon_occlusion", "yes", "CT", "non-MBL", 489),
]


@pytest.mark.parametrize(("column", "level", "modality", "group", "expected"), SPOT_CHECKS)
def test_table_one_spot_checks(column, level, modality, group, expected):
    table = published.table_one_counts()
    row = table[
        (table["variable"] == column)
        & (table["level"] == level)
        & (table["modality"] == modality)
        & (table["group"] == group)
    ]

    assert len(row) == 1
    assert row["count"].item() == expected


def test_table_one_columns_sum_to_group_sizes():
    table = published.table_one_counts()
    sums = table.groupby(["variable", "modality", "group"])["count"].sum()

    for (variable, modality, group), total in sums.items():
        expected = published.GROUP_SIZES[modality][0 if group == "non-MBL" else 1]
        assert total == expected, (variable, modality, group)


def test_table_one_levels_use_table_spellings():
    table = published.table_one_counts()

    for variable, levels in table.groupby("variable")["level"]:
        assert set(levels) == set(CATEGORICAL_LEVELS[variable]), variable


def test_cte_counts_fit_inside_ct_counts():
    wide = published.table_one_counts().pivot_table(
        index=["variable", "level", "group"], columns="modality", values="count"
    )

    assert (wide["CTE"] <= wide["CT"]).all()


def test_published_chi2_reproduced_from_counts():
    counts = published.table_one_counts()
    tests = published.univariate_tests().set_index(["variable", "modality"])

    for (variable, modality), rows in counts.groupby(["variable", "modality"]):
        table = rows.pivot(index="level", columns="group", values="count")
        table = table[table.sum(axis=1) > 0]
        statistic = chi2_contingency(table.to_numpy(), correction=False)[0]
        assert round(statistic, 3) == tests.loc[(variable, modality), "statistic"], (
            variable, modality
        )


def test_univariate_tests_match_study_summary(study_text):
    section = study_text.split("**Published univariate statistics**", 1)[1]
    section = section.split("The corrected counts", 1)[0]
    tests = published.univariate_tests().set_index(["variable", "modality"])
    labels = {**STUDY_VARIABLES, "age": "age_years", "tumour size": "tumour_size_cm"}
    n_rows = 0

    for line in section.splitlines():
        match = re.match(r"\|\s*([a-z ]+?)\s*\|\s*(χ²|Z) (\S+) \((\S+)\)\s*\|\s*(.+?)\s*\|", line)
        if match is None:
            continue
        n_rows += 1
        variable = labels[match.group(1)]
        ct_value = float(match.group(3).replace("−", "-"))
        cte_value = float(match.group(4).replace("−", "-"))
        assert tests.loc[(variable, "CT"), "statistic"] == ct_value
        assert tests.loc[(variable, "CTE"), "statistic"] == cte_value
        if match.group(5) == "< 0.001":
            assert tests.loc[(variable, "CT"), "p_is_upper_bound"]
            assert tests.loc[(variable, "CTE"), "p_is_upper_bound"]
        else:
            ct_p, cte_p = re.match(r"(\S+) \((\S+)\)", match.group(5)).groups()
            assert tests.loc[(variable, "CT"), "p_value"] == float(ct_p)
            assert tests.loc[(variable, "CTE"), "p_value"] == float(cte_p)

    assert n_rows == 11


def test_quartiles_and_split_match_study_summary(study_text):
    quartiles = published.table_one_quartiles()
    age_ct_mbl = quartiles[
        (quartiles["variable"] == "age_years")
        & (quartiles["modality"] == "CT")
        & (quartiles["group"] == "MBL")
    ].iloc[0]
    split = published.temporal_split_counts().set_index(["modality", "split"])

    assert "| 44.0 (28.0, 56.0) | 44.0 (27.0, 56.8) | 44.0 (29.0, 56.0) | 44.0 (27.0, 53.1) |" in study_text
    assert "| 8.5 (6.5, 11.9) | 11.5 (8.8, 14.4) | 8.6 (6.6, 11.2) | 11.5 (9.0, 14.6) |" in study_text
    assert (age_ct_mbl["median"], age_ct_mbl["q1"], age_ct_mbl["q3"]) == (44.0, 27.0, 56.8)
    assert "CT: train 80 MBL + 320 non-MBL, validation 63 + 347" in study_text
    assert tuple(split.loc[("CT", "train")]) == (80, 320)
    assert tuple(split.loc[("CTE", "validation")]) == (55, 284)
