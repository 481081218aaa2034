"""Write scikit-learn's Wisconsin diagnostic breast cancer data as an mblstats feature table.

The data set (569 patients, 30 features computed from digitised fine-needle aspirate
images; outcome malignant = 1) ships with scikit-learn, so no download is needed. The
script writes:

- ``features.parquet``: one row per patient (``patient_id`` index), one column per feature;
- ``outcome.csv``: ``patient_id`` and ``outcome`` (1 = malignant, 0 = benign);
- ``splits/wdbc_random_seed<seed>.csv``: the stratified random 7:3 split (modality label WDBC).

Usage: ``python examples/breast_cancer/prepare.py OUTPUT_DIR [--seed 2019]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from sklearn.datasets import load_breast_cancer

from mblstats.models.splits import random_split_outcome, save_splits
from mblstats.models.stage import split_file_name


def write_example(output_dir: Path, seed: int = 2019) -> dict[str, Path]:
    """Write the feature table, outcome table and random split; return their paths."""
    data = load_breast_cancer(as_frame=True)
    ids = pd.Index([f"WDBC{i:04d}" for i in range(len(data.frame))], name="patient_id")
    features = data.data.set_axis(ids).rename(columns=lambda name: name.replace(" ", "_"))
    # scikit-learn codes malignant as 0; the modelling code treats 1 as the event.
    outcome = (1 - data.target).set_axis(ids).rename("outcome")

    output_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "features": output_dir / "features.parquet",
        "outcome": output_dir / "outcome.csv",
        "split": output_dir / "splits" / split_file_name("WDBC", "random", seed),
    }
    features.to_parquet(paths["features"])
    outcome.reset_index().to_csv(paths["outcome"], index=False)
    save_splits(random_split_outcome(outcome, seed=seed), paths["split"])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder for the tables")
    parser.add_argument("--seed", type=int, default=2019, help="seed of the random split")
    args = parser.parse_args()
    for name, path in write_example(args.output_dir, args.seed).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
