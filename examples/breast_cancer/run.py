"""Run the modelling chapters on the Wisconsin breast cancer feature table.

This is the path for users who extracted features elsewhere: a feature table and an
outcome table replace the images and the clinical table. The clinical and combined models,
and the temporal split (which needs operation dates), are skipped with a stated reason.

Usage: ``python examples/breast_cancer/run.py OUTPUT_DIR [--cv-repeats 2] [--n-bootstrap 20]``

The executed notebooks are written to ``OUTPUT_DIR/notebooks``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import papermill

from prepare import write_example

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CHAPTERS = ("reduction", "models", "validation")


def run(output_dir: Path, seed: int, cv_repeats: int, n_bootstrap: int, n_permutations: int) -> list[Path]:
    """Write the tables, then execute each modelling chapter; return the executed notebooks."""
    paths = write_example(output_dir, seed)
    parameters = {
        "clinical_path": "",
        "outcome_path": str(paths["outcome"]),
        "features_ct_path": str(paths["features"]),
        "ct_label": "WDBC",
        "splits_dir": str(paths["split"].parent),
        "work_dir": str(output_dir / "work"),
        "seed": seed,
        "mrmr_k": 15,
        "cv_repeats": cv_repeats,
        "n_bootstrap": n_bootstrap,
        "n_permutations": n_permutations,
        "validation_models": "RN1",
    }
    executed = []
    for chapter in CHAPTERS:
        target = output_dir / "notebooks" / f"{chapter}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        papermill.execute_notebook(
            NOTEBOOKS / f"{chapter}.ipynb", target, parameters=parameters, report_mode=False
        )
        executed.append(target)
    return executed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path, help="folder for tables, cached fits and notebooks")
    parser.add_argument("--seed", type=int, default=2019, help="seed of split, SMOTE and folds")
    parser.add_argument("--cv-repeats", type=int, default=2, help="repeats of 10-fold CV")
    parser.add_argument("--n-bootstrap", type=int, default=20, help="bootstrap samples for optimism")
    parser.add_argument("--n-permutations", type=int, default=10, help="outcome permutations")
    args = parser.parse_args()
    for path in run(args.output_dir, args.seed, args.cv_repeats, args.n_bootstrap, args.n_permutations):
        print(path)


if __name__ == "__main__":
    main()
