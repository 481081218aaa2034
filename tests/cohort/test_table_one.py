"""Table 1 built with tableone reproduces the published counts and quartiles."""

import re

import pytest

from mblstats.cohort import published
from mblstats.cohort.table_one import table_one
from mblstats.cohort.variables import CATEGORICAL_LEVELS, VARIABLE_LABELS
from mblstats.exceptions import InputValidationError

COUNT_CELL = re.compile(r"^(\d+) \((\d+\.\d)\)$")


@pytest.fixture(scope="module")
def both_table(demo_clinical):
    return table_one(demo_clinical, modality="both")


def test_shape_and_columns(both_table):
    assert list(both_table.columns) == [
        ("CT", "non-MBL"), ("CT", "MBL"), ("CTE", "non-MBL"), ("CTE", "MBL")
    ]
    n_levels = sum(
        len(levels) for column, levels in CATEGORICAL_LEVELS.items() if column != "has_cte"
    )
    assert len(both_table) == 1 + n_levels + 2
    assert both_table.index[0] == ("n", "")


def test_group_sizes(both_table):
    assert both_table.loc[("n", "")].astype(int).tolist() == [667, 143, 529, 114]


def test_every_published_count_in_table(both_table):
    for row in published.table_one_counts().itertuples():
        label = f"{VARIABLE_LABELS[row.variable]}, n (%)"
        cell = both_table.loc[(label, str(row.level)), (row.modality, row.group)]
        match = COUNT_CELL.match(cell)
        assert match is not None, cell
        count, percent = int(match.group(1)), float(match.group(2))
        group_size = published.GROUP_SIZES[row.modality][row.group == "MBL"]
        assert count == row.count, (row.variable, row.level, row.modality, row.group)
        assert percent == pytest.approx(100 * row.count / group_size, abs=0.05)


def test_quartile_cells_match_published(both_table):
    for row in published.table_one_quartiles().itertuples():
        label = f"{VARIABLE_LABELS[row.variable]}, median (Q1, Q3)"
        cell = both_table.loc[(label, ""), (row.modality, row.group)]
        assert cell == f"{row.median:.1f} ({row.q1:.1f}, {row.q3:.1f})"


def test_levels_in_schema_order(both_table):
    surgeon_levels = both_table.loc["Surgeon, n (%)"].index.tolist()
    type_levels = both_table.loc["Tumour type, n (%)"].index.tolist()

    assert surgeon_levels == [str(level) for level in range(1, 12)]
    assert type_levels == list(CATEGORICAL_LEVELS["tumour_type"])


def test_zero_count_level_shown(both_table):
    cell = both_table.loc[("Tumour type, n (%)", "multiple myeloma"), ("CTE", "MBL")]

    assert cell == "0 (0.0)"


def test_absent_level_added_back(demo_clinical):
    without_myeloma = demo_clinical[demo_clinical["tumour_type"] != "multiple myeloma"]

    table = table_one(without_myeloma, modality="CT")

    row = table.loc[("Tumour type, n (%)", "multiple myeloma")]
    assert row.tolist() == ["0 (0.0)", "0 (0.0)"]
    assert table.loc[("n", "")].astype(int).tolist() == [650, 142]


@pytest.mark.parametrize("modality", ["CT", "CTE"])
def test_single_modality_matches_both(both_table, demo_clinical, modality):
    single = table_one(demo_clinical, modality=modality)

    assert list(single.columns) == [(modality, "non-MBL"), (modality, "MBL")]
    assert single.equals(both_table.loc[:, [modality]])


def test_threshold_moves_groups(demo_clinical):
    table = table_one(demo_clinical, threshold_ml=2000, modality="CT")
    n_above = int((demo_clinical["blood_loss_ml"] > 2000).sum())

    assert table.loc[("n", "")].astype(int).tolist() == [810 - n_above, n_above]


def test_unknown_modality_rejected(demo_clinical):
    with pytest.raises(
        InputValidationError, match=r"modality must be one of CT, CTE, both, got 'MRI'"
    ):
        table_one(demo_clinical, modality="MRI")


def test_empty_group_rejected(demo_clinical):
    with pytest.raises(
        InputValidationError, match=r"CT cohort has no MBL patients at threshold_ml=20000"
    ):
        table_one(demo_clinical, threshold_ml=20000, modality="CT")


def test_invalid_table_rejected(demo_clinical):
    broken = demo_clinical.copy()
    broken.loc[0, "sex"] = "F"

    with pytest.raises(InputValidationError, match=r"row 1 \(patient P0001\), column 'sex'"):
        table_one(broken)
