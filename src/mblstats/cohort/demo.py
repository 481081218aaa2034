"""Synthetic clinical cohort that reproduces the published study at its published level.

The study's patient-level data are not public, so the demo cohort has 810 synthetic
patients that reproduce every published summary exactly. These are the Table 1 counts
per MBL group for all patients (CT) and for the 643 with contrast-enhanced CT (CTE), the
temporal split counts, and the group medians and quartiles of age, tumour size and
blood loss.

Construction
------------
Patients fall into four cells, MBL (yes/no) × CTE (yes/no). Each categorical column is
filled cell by cell: a CTE cell receives the published CTE counts, the matching non-CTE
cell receives CT minus CTE, so both published tables hold by construction. Continuous
values are drawn with their medians and quartiles pinned (see ``_quantile_fill``): first
for the CTE cell against the CTE quartiles, then for the non-CTE cell so that the whole
group meets the CT quartiles.

Beyond the published margins the generator adds plausible structure, always by
reordering values inside a cell so that no margin moves:

- operation method follows location (sacral zone IV mostly method 1, pelvic zones
  mostly method 2, several zones more often method 3), and the combined approach
  follows method 3 and multiple zones;
- a latent severity (from location, tumour type and noise) orders tumour size within
  each cell and blood loss within each MBL group, and aortic balloon occlusion (and,
  less, embolisation) raises blood loss a little, as the study observed.

Mann–Whitney Z statistics cannot all be pinned, so they are matched approximately: of
several candidate draws, the generator keeps the one whose Z statistics are closest to
the published ones (age and tumour size against MBL, blood loss against balloon
occlusion and embolisation). Measured over seeds 0–29, they stay within 0.15 of the
published age and tumour-size Z and within 0.4 of the blood-loss Z (balloon 3.369,
embolisation 0.937).

Neoadjuvant therapy, sex, surgeon and age depend only on the cell. Blood loss is
recorded in steps of 50 mL except the few values pinned to a published quartile.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from mblstats.cohort import published
from mblstats.cohort._quantile_fill import Tails, fill_to_pins, quantile_pins
from mblstats.cohort.variables import CATEGORICAL_LEVELS, CLINICAL_COLUMNS

logger = logging.getLogger(__name__)

DEMO_FILENAME = "clinical.csv"

_MAX_ATTEMPTS = 50
# Candidate draws among which the one closest to the published Z statistics is kept.
_CANDIDATES = 40
# Severity added by aortic balloon occlusion and by embolisation when ordering blood
# loss; with them the expected Mann–Whitney Z statistics are near the published ones.
_BALLOON_EFFECT = 0.3
_EMBOLISATION_EFFECT = 0.1
_TRAIN_START, _TRAIN_END = published.STUDY_START, "2016-12-31"
_VALIDATION_START, _VALIDATION_END = published.TEMPORAL_CUTOFF, published.STUDY_END

# Continuous columns: range, grid unit, rounding of random values and tail shapes.
_AGE_SETTINGS = dict(low=4.0, high=85.0, unit=0.1, draw_step=0.1, tails=Tails(2.0, 2.5))
_SIZE_SETTINGS = {
    False: dict(low=1.5, high=24.0, unit=0.1, draw_step=0.1, tails=Tails(2.0, 3.0)),
    True: dict(low=3.0, high=28.0, unit=0.1, draw_step=0.1, tails=Tails(2.0, 3.0)),
}

# Blood-loss order statistics (zero-based position in the sorted CT group, value in mL)
# that reproduce the published group and overall quartiles. Non-MBL, n = 667: minimum
# 50, Q1 800, median 1200, Q3 1780 and maximum 3000 (not MBL, which needs > 3000). The
# whole-cohort quartiles fall inside the non-MBL group because the 143 MBL values are
# all larger: overall Q1 800 (position 202.25), median 1500 (404.5), Q3 2387.5 (606.75,
# from 2350 and 2400). MBL, n = 143: Q1 3220, median 3900, Q3 4920 and maximum 11000.
_BLOOD_LOSS_PINS = {
    False: [(0, 50.0), (166, 800.0), (167, 800.0), (202, 800.0), (203, 800.0),
            (333, 1200.0), (404, 1500.0), (405, 1500.0), (499, 1780.0), (500, 1780.0),
            (606, 2350.0), (607, 2400.0), (666, 3000.0)],
    True: [(35, 3220.0), (36, 3220.0), (71, 3900.0), (106, 4920.0), (107, 4920.0),
           (142, 11000.0)],
}
_BLOOD_LOSS_RANGE = {False: (50.0, 3000.0), True: (3050.0, 11000.0)}

# Latent severity contributions; positive values mean a larger tumour and more bleeding.
_LOCATION_SEVERITY = {"I": 0.0, "II": 0.0, "III": -0.3, "IV": 0.3, "multiple": 0.8}
_TYPE_SEVERITY = {
    "chondrosarcoma": 0.5, "osteosarcoma": 0.3, "chordoma": 0.4,
    "giant cell tumour": 0.2, "multiple myeloma": 0.0, "schwannoma": -0.6,
    "neurofibroma": -0.6, "Ewing sarcoma": 0.2, "metastatic tumour": -0.2, "other": -0.3,
}
# Rank of each location when operation methods 1 < 2 < 3 are handed out.
_LOCATION_METHOD_RANK = {"IV": 0.0, "I": 1.0, "II": 1.0, "III": 1.0, "multiple": 2.0}


def make_demo_clinical(seed: int = 2019) -> pd.DataFrame:
    """Generate the synthetic 810-patient clinical table.

    Parameters
    ----------
    seed : int, default 2019
        Seed of the random generator. The same seed gives an identical table, and every
        seed reproduces the published margins exactly.

    Returns
    -------
    pandas.DataFrame of shape (810, 15)
        Columns as in ``mblstats.cohort.variables.CLINICAL_COLUMNS``, one row per patient
        sorted by ``patient_id``. ``operation_date`` is datetime64, ``age_years`` and
        ``tumour_size_cm`` are floats with one decimal, ``blood_loss_ml`` and the integer
        codes are int64, the other categorical columns are strings.

    Examples
    --------
    >>> clinical = make_demo_clinical()
    >>> int((clinical["blood_loss_ml"] > 3000).sum())
    143
    """
    rng = np.random.default_rng(seed)
    cells = _cell_sizes()
    frame = _empty_cells(cells)

    for column in CATEGORICAL_LEVELS:
        if column != "has_cte":
            frame[column] = _fill_categorical(rng, frame, column)
    frame["operation_method"] = _couple_operation_method(rng, frame)
    frame["approach"] = _couple_approach(rng, frame)

    severity = _latent_severity(rng, frame)
    frame["age_years"] = _fill_continuous(rng, frame, "age_years", None)
    frame["tumour_size_cm"] = _fill_continuous(rng, frame, "tumour_size_cm", severity)
    frame["blood_loss_ml"] = _fill_blood_loss(rng, frame, severity)
    frame["operation_date"] = _fill_operation_dates(rng, frame)

    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    frame["patient_id"] = [f"P{number:04d}" for number in range(1, len(frame) + 1)]
    logger.debug("Generated demo cohort with seed %d", seed)
    return frame.loc[:, list(CLINICAL_COLUMNS)]


def write_demo_clinical(out_dir: str | Path, seed: int = 2019) -> Path:
    """Write the demo clinical table as ``out_dir/clinical.csv``.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Directory to write into; created if missing.
    seed : int, default 2019
        Seed passed to :func:`make_demo_clinical`.

    Returns
    -------
    pathlib.Path
        Path of the CSV file. The same seed writes byte-identical files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / DEMO_FILENAME
    make_demo_clinical(seed).to_csv(
        path, index=False, date_format="%Y-%m-%d", float_format="%.1f", lineterminator="\n"
    )
    logger.info("Wrote demo clinical table to %s", path)
    return path


def _cell_sizes() -> dict[tuple[bool, bool], int]:
    """Return patients per (MBL, has CTE) cell."""
    sizes = {}
    for is_mbl in (False, True):
        ct_size = published.GROUP_SIZES["CT"][int(is_mbl)]
        cte_size = published.GROUP_SIZES["CTE"][int(is_mbl)]
        sizes[(is_mbl, True)] = cte_size
        sizes[(is_mbl, False)] = ct_size - cte_size
    return sizes


def _empty_cells(cells: dict[tuple[bool, bool], int]) -> pd.DataFrame:
    is_mbl = np.concatenate([np.full(size, mbl) for (mbl, _), size in cells.items()])
    has_cte = np.concatenate([np.full(size, cte) for (_, cte), size in cells.items()])
    return pd.DataFrame({"is_mbl": is_mbl, "has_cte": np.where(has_cte, "yes", "no")})


def _cell_masks(frame: pd.DataFrame):
    for is_mbl in (False, True):
        for has_cte in ("yes", "no"):
            mask = (frame["is_mbl"] == is_mbl) & (frame["has_cte"] == has_cte)
            yield is_mbl, has_cte, mask.to_numpy()


@functools.cache
def _cell_counts(column: str, is_mbl: bool, has_cte: str) -> dict:
    """Return the published count of each level in one cell (non-CTE = CT − CTE)."""
    counts = published.table_one_counts()
    group = "MBL" if is_mbl else "non-MBL"
    counts = counts[(counts["variable"] == column) & (counts["group"] == group)]
    by_modality = counts.pivot(index="level", columns="modality", values="count")
    cell = by_modality["CTE"] if has_cte == "yes" else by_modality["CT"] - by_modality["CTE"]
    return {level: int(cell.get(level, 0)) for level in CATEGORICAL_LEVELS[column]}


def _levels_multiset(column: str, is_mbl: bool, has_cte: str) -> np.ndarray:
    counts = _cell_counts(column, is_mbl, has_cte)
    levels = [level for level, count in counts.items() for _ in range(count)]
    return np.array(levels, dtype=object)


def _fill_categorical(rng, frame: pd.DataFrame, column: str) -> np.ndarray:
    values = np.empty(len(frame), dtype=object)
    for is_mbl, has_cte, mask in _cell_masks(frame):
        values[mask] = rng.permutation(_levels_multiset(column, is_mbl, has_cte))
    if isinstance(CATEGORICAL_LEVELS[column][0], int):
        return values.astype(np.int64)
    return values


def _assign_by_rank(sorted_levels: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Hand the sorted levels out in order of increasing score (margins are unchanged)."""
    result = np.empty(len(score), dtype=sorted_levels.dtype)
    result[np.argsort(score, kind="stable")] = sorted_levels
    return result


def _couple_operation_method(rng, frame: pd.DataFrame) -> np.ndarray:
    methods = frame["operation_method"].to_numpy().copy()
    location_rank = frame["location"].map(_LOCATION_METHOD_RANK).to_numpy()
    for _, _, mask in _cell_masks(frame):
        score = location_rank[mask] + rng.normal(0.0, 0.6, size=mask.sum())
        methods[mask] = _assign_by_rank(np.sort(methods[mask]), score)
    return methods


def _couple_approach(rng, frame: pd.DataFrame) -> np.ndarray:
    approaches = frame["approach"].to_numpy().copy()
    is_method_3 = (frame["operation_method"] == 3).to_numpy()
    is_multiple = (frame["location"] == "multiple").to_numpy()
    base = 1.2 * is_method_3 + 0.6 * is_multiple
    for _, _, mask in _cell_masks(frame):
        score = base[mask] + rng.normal(0.0, 0.8, size=mask.sum())
        approaches[mask] = _assign_by_rank(np.sort(approaches[mask]), score)
    return approaches


def _latent_severity(rng, frame: pd.DataFrame) -> np.ndarray:
    return (
        frame["location"].map(_LOCATION_SEVERITY).to_numpy()
        + frame["tumour_type"].map(_TYPE_SEVERITY).to_numpy()
        + rng.normal(0.0, 0.8, size=len(frame))
    )


def _group_quartiles(column: str, modality: str, is_mbl: bool) -> dict[float, float]:
    table = published.table_one_quartiles()
    row = table[
        (table["variable"] == column)
        & (table["modality"] == modality)
        & (table["group"] == ("MBL" if is_mbl else "non-MBL"))
    ].iloc[0]
    return {0.25: row["q1"], 0.5: row["median"], 0.75: row["q3"]}


def _fill_continuous(rng, frame: pd.DataFrame, column: str, severity) -> np.ndarray:
    """Fill age or tumour size so the CTE and CT group quartiles both hold.

    Of ``_CANDIDATES`` draws, the one whose Mann–Whitney Z statistics (CT and CTE) are
    closest to the published ones is kept. Within each cell, values then go to patients
    in order of ``severity`` (or at random when it is None), which leaves Z unchanged.
    """
    targets = _published_z(column)
    is_mbl = frame["is_mbl"].to_numpy()
    cohorts = {"CT": np.ones(len(frame), dtype=bool), "CTE": (frame["has_cte"] == "yes").to_numpy()}
    drawers = {mbl: _cell_value_drawer(frame, column, mbl) for mbl in (False, True)}
    cell_masks = {(mbl, cte): mask for mbl, cte, mask in _cell_masks(frame)}

    best_values, best_distance = None, np.inf
    for _ in range(_CANDIDATES):
        candidate = np.empty(len(frame))
        for mbl, drawer in drawers.items():
            for has_cte, cell_values in drawer(rng).items():
                candidate[cell_masks[(mbl, has_cte)]] = cell_values
        distance = 0.0
        for modality, target in targets.items():
            in_cohort = cohorts[modality]
            z_value = _mann_whitney_z(
                candidate[in_cohort & ~is_mbl], candidate[in_cohort & is_mbl]
            )
            distance += (z_value - target) ** 2
        if distance < best_distance:
            best_values, best_distance = candidate, distance

    values = np.empty(len(frame))
    for _, _, mask in _cell_masks(frame):
        cell_values = np.sort(best_values[mask])
        score = rng.random(mask.sum()) if severity is None else severity[mask]
        values[mask] = _assign_by_rank(cell_values, score)
    return values


def _cell_value_drawer(frame, column: str, is_mbl: bool):
    """Return a function drawing one MBL group's values, CTE cell first, then the rest."""
    settings = _AGE_SETTINGS if column == "age_years" else _SIZE_SETTINGS[is_mbl]
    n_cte = int(_mask(frame, is_mbl, "yes").sum())
    n_other = int(_mask(frame, is_mbl, "no").sum())
    cte_pins = quantile_pins(n_cte, _group_quartiles(column, "CTE", is_mbl))
    ct_pins = quantile_pins(n_cte + n_other, _group_quartiles(column, "CT", is_mbl))

    def draw(rng) -> dict[str, np.ndarray]:
        for _ in range(_MAX_ATTEMPTS):
            cte_values = fill_to_pins(
                rng, n_cte, cte_pins, include_extremes=not is_mbl, **settings
            )
            other_values = fill_to_pins(rng, n_other, ct_pins, fixed=cte_values, **settings)
            if other_values is not None:
                return {"yes": cte_values, "no": other_values}
        raise RuntimeError(f"could not draw {column} values meeting the published quartiles")

    return draw


def _fill_blood_loss(rng, frame: pd.DataFrame, severity: np.ndarray) -> np.ndarray:
    """Fill blood loss per MBL group, ranked by severity and balloon occlusion.

    Of ``2 * _CANDIDATES`` random orderings, the one whose Mann–Whitney Z statistics for
    balloon occlusion and embolisation are closest to the published ones is kept.
    """
    balloon = (frame["balloon_occlusion"] == "yes").to_numpy()
    embolisation = (frame["embolisation"] == "yes").to_numpy()
    group_values = {}
    for is_mbl in (False, True):
        low, high = _BLOOD_LOSS_RANGE[is_mbl]
        n_group = int((frame["is_mbl"] == is_mbl).sum())
        drawn = fill_to_pins(
            rng, n_group, _BLOOD_LOSS_PINS[is_mbl], low=low, high=high,
            unit=10.0, draw_step=50.0, tails=Tails(1.5, 2.5),
        )
        group_values[is_mbl] = np.sort(drawn).astype(np.int64)

    summary = published.COHORT_SUMMARY
    group_masks = {is_mbl: (frame["is_mbl"] == is_mbl).to_numpy() for is_mbl in group_values}
    best_values, best_distance = None, np.inf
    for _ in range(2 * _CANDIDATES):
        score = (
            severity
            + _BALLOON_EFFECT * balloon
            + _EMBOLISATION_EFFECT * embolisation
            + rng.normal(0.0, 0.8, size=len(frame))
        )
        candidate = np.empty(len(frame), dtype=np.int64)
        for is_mbl, values in group_values.items():
            mask = group_masks[is_mbl]
            candidate[mask] = _assign_by_rank(values, score[mask])
        balloon_z = _mann_whitney_z(candidate[balloon], candidate[~balloon])
        embolisation_z = _mann_whitney_z(candidate[embolisation], candidate[~embolisation])
        distance = (balloon_z - summary.balloon_occlusion_z) ** 2 + (
            embolisation_z - summary.embolisation_z
        ) ** 2
        if distance < best_distance:
            best_values, best_distance = candidate, distance
    return best_values


def _mask(frame: pd.DataFrame, is_mbl: bool, has_cte: str) -> np.ndarray:
    return ((frame["is_mbl"] == is_mbl) & (frame["has_cte"] == has_cte)).to_numpy()


def _published_z(column: str) -> dict[str, float]:
    tests = published.univariate_tests()
    rows = tests[tests["variable"] == column]
    return dict(zip(rows["modality"], rows["statistic"]))


def _mann_whitney_z(first: np.ndarray, second: np.ndarray) -> float:
    """Return the normal-approximation Z of the Mann–Whitney U of ``first``, tie-corrected.

    Positive when ``first`` tends to be larger. No continuity correction is applied.
    """
    values = np.concatenate([first, second])
    _, position, tie_counts = np.unique(values, return_inverse=True, return_counts=True)
    average_ranks = np.cumsum(tie_counts) - (tie_counts - 1) / 2
    n_first, n_second = len(first), len(second)
    n_total = n_first + n_second
    u_statistic = average_ranks[position[:n_first]].sum() - n_first * (n_first + 1) / 2
    tie_term = (tie_counts**3 - tie_counts).sum() / (n_total * (n_total - 1))
    variance = n_first * n_second / 12 * ((n_total + 1) - tie_term)
    return float((u_statistic - n_first * n_second / 2) / np.sqrt(variance))


def _fill_operation_dates(rng, frame: pd.DataFrame) -> np.ndarray:
    """Draw operation dates so each cell meets the published temporal split."""
    split = published.temporal_split_counts().set_index(["modality", "split"])
    dates = np.empty(len(frame), dtype="datetime64[D]")
    for is_mbl, has_cte, mask in _cell_masks(frame):
        count_column = "n_mbl" if is_mbl else "n_non_mbl"
        n_train = int(split.loc[("CTE", "train"), count_column])
        if has_cte == "no":
            n_train = int(split.loc[("CT", "train"), count_column]) - n_train
        n_cell = int(mask.sum())
        in_train = rng.permutation(np.arange(n_cell) < n_train)
        cell_dates = np.where(
            in_train,
            _random_days(rng, _TRAIN_START, _TRAIN_END, n_cell),
            _random_days(rng, _VALIDATION_START, _VALIDATION_END, n_cell),
        )
        dates[mask] = cell_dates
    return dates.astype("datetime64[ns]")


def _random_days(rng, start: str, end: str, size: int) -> np.ndarray:
    first = np.datetime64(start, "D")
    n_days = int((np.datetime64(end, "D") - first).astype(int)) + 1
    return first + rng.integers(0, n_days, size=size).astype("timedelta64[D]")
