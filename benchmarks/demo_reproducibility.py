"""Measure how reproducible demo radiomics features are between the two readers' masks.

Writes the demo images of the second-reader subset (40 patients), extracts the same pyradiomics
features as ``demo_signal.py`` with each reader's mask on CT, and prints the quantiles of the
per-feature ICC(2,1) (two-way random effects, absolute agreement, single rater), the share of
features with ICC >= 0.75, the least reproducible features and the Dice overlap of the masks.
An ICC filter is only informative if most features pass and some fail.

Usage::

    python benchmarks/demo_reproducibility.py --workers 2
"""

import argparse
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk
from demo_signal import extract_case

from mblstats.cohort.demo import make_demo_clinical
from mblstats.imaging.demo import READER2_MANIFEST_NAME, _second_reader_ids, write_demo_images


def icc_2_1(ratings):
    """Return ICC(2,1) (two-way random effects, absolute agreement) of an array (n_subjects, n_raters)."""
    n_subjects, n_raters = ratings.shape
    grand_mean = ratings.mean()
    subject_means = ratings.mean(axis=1, keepdims=True)
    rater_means = ratings.mean(axis=0, keepdims=True)
    ms_subjects = n_raters * ((subject_means - grand_mean) ** 2).sum() / (n_subjects - 1)
    ms_raters = n_subjects * ((rater_means - grand_mean) ** 2).sum() / (n_raters - 1)
    residual = ratings - subject_means - rater_means + grand_mean
    ms_error = (residual ** 2).sum() / ((n_subjects - 1) * (n_raters - 1))
    return (ms_subjects - ms_error) / (
        ms_subjects + (n_raters - 1) * ms_error + n_raters * (ms_raters - ms_error) / n_subjects
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    args = parser.parse_args()

    clinical = make_demo_clinical(args.seed)
    subset = sorted(_second_reader_ids(clinical["patient_id"].astype(str), args.seed, 40))
    with tempfile.TemporaryDirectory() as temporary:
        out_dir = Path(temporary)
        first = write_demo_images(clinical, out_dir, seed=args.seed, patient_ids=subset, workers=args.workers,
                                  progress=False)
        second = pd.read_csv(out_dir / READER2_MANIFEST_NAME, dtype={"patient_id": str})
        first = first[first["modality"] == "CT"].set_index("patient_id").loc[subset]
        second = second[second["modality"] == "CT"].set_index("patient_id").loc[subset]
        pairs = [(out_dir / row.image_path, out_dir / row.mask_path)
                 for frame in (first, second) for row in frame.itertuples()]
        with ProcessPoolExecutor(args.workers) as executor:
            rows = list(executor.map(extract_case, pairs, chunksize=4))
        dice = []
        for mask_first, mask_second in zip(first["mask_path"], second["mask_path"]):
            region_first = sitk.GetArrayFromImage(sitk.ReadImage(str(out_dir / mask_first))).astype(bool)
            region_second = sitk.GetArrayFromImage(sitk.ReadImage(str(out_dir / mask_second))).astype(bool)
            dice.append(2 * (region_first & region_second).sum() / (region_first.sum() + region_second.sum()))

    features_first = pd.DataFrame(rows[:len(subset)])
    features_second = pd.DataFrame(rows[len(subset):])
    icc = pd.Series({
        name: icc_2_1(np.column_stack([features_first[name], features_second[name]]))
        for name in features_first.columns
    })
    print(f"{len(subset)} CT cases, {len(icc)} features")
    print("ICC(2,1) quantiles:", icc.quantile([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]).round(3).to_dict())
    print(f"features with ICC >= 0.75: {(icc >= 0.75).sum()} of {len(icc)}")
    print("lowest:", icc.sort_values().head(5).round(3).to_dict())
    print("Dice min / median / max:", np.round(np.percentile(dice, [0, 50, 100]), 3).tolist())


if __name__ == "__main__":
    main()
