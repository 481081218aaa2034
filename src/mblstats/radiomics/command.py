"""The ``mblstats extract`` subcommand: features of one modality from an image manifest."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``mblstats extract`` to ``parser``."""
    parser.add_argument("--manifest", type=Path, required=True,
                        help="images.csv with patient_id, modality, image_path, mask_path, label")
    parser.add_argument("--params", required=True,
                        help="shipped parameter set (ct, cte) or path of a pyradiomics YAML file")
    parser.add_argument("--out", type=Path, required=True,
                        help="feature table (Parquet); failures go to OUT_STEM.failures.csv beside it")
    parser.add_argument("--modality", choices=("CT", "CTE"), default=None,
                        help="rows of the manifest to use (required when it lists both)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: all cores; 1 runs in this process)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on the Dask scheduler at ADDRESS (e.g. tcp://127.0.0.1:8786) instead")
    parser.add_argument("--cache", type=Path, default=None, metavar="DIR",
                        help="feature cache folder; cached cases are reused and an interrupted run resumes")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when any case failed (after writing the good ones)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Run the extraction described by ``args``; return the exit status."""
    from mblstats.radiomics.extraction import extract_features, output_paths

    result = extract_features(
        args.manifest,
        args.params,
        args.out,
        modality=args.modality,
        workers=args.workers,
        scheduler=args.scheduler,
        cache_dir=args.cache,
        strict=args.strict,
        progress=not args.no_progress,
    )
    paths = output_paths(args.out)
    logger.info(
        "%d case(s) extracted, %d failed; features in %s, failures in %s",
        len(result.features), len(result.failures), paths["features"], paths["failures"],
    )
    return 0
