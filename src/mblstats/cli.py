"""The ``mblstats`` command: build the book, write the demo cohort, extract features."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from mblstats import __version__
from mblstats.exceptions import MblstatsError

logger = logging.getLogger("mblstats")

QUICK_PROFILE = {
    "demo_patients": 160,
    "cv_folds": 5,
    "cv_repeats": 1,
    "n_bootstrap": 10,
    "n_permutations": 3,
    "radiomics_params_ct": "ct_quick",
    "radiomics_params_cte": "cte_quick",
}


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="[mblstats] %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("papermill").setLevel(logging.WARNING)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except MblstatsError as error:
        logger.error("%s", error)
        return 1


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mblstats",
        description="Re-executable report on massive intraoperative blood loss (MBL).",
    )
    parser.add_argument("--version", action="version", version=f"mblstats {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = parser.add_subparsers(title="commands")

    build = commands.add_parser("build", help="run every chapter and build the HTML book")
    build.add_argument("--source", type=Path, default=Path("."),
                       help="folder with _config.yml, _toc.yml, book/ and notebooks/ (default: .)")
    build.add_argument("--run-dir", type=Path, default=Path("runs/demo"),
                       help="folder for the run's intermediate files (default: runs/demo)")
    build.add_argument("--output", type=Path, default=None,
                       help="the HTML goes to OUTPUT/_build/html (default: the source folder)")
    build.add_argument("--params", type=Path, default=None,
                       help="YAML file of run parameters; command-line options override it")
    build.add_argument("--clinical", type=Path, default=None,
                       help="your clinical table (CSV) instead of the demo cohort")
    build.add_argument("--images", type=Path, default=None,
                       help="your image manifest (CSV) to extract features from")
    build.add_argument("--features-ct", type=Path, default=None,
                       help="precomputed CT feature table (parquet or CSV, index patient_id)")
    build.add_argument("--features-cte", type=Path, default=None,
                       help="precomputed CTE feature table (parquet or CSV, index patient_id)")
    build.add_argument("--quick", action="store_true",
                       help="small preview: images for 160 demo patients, features of the original "
                            "image only (107), one 5-fold CV, 10 bootstrap samples, "
                            "3 permutations")
    build.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                       help="override one run parameter, e.g. --set threshold_ml=2500")
    build.set_defaults(handler=_run_build)

    demo = commands.add_parser("demo", help="write the demo cohort (clinical table and images)")
    demo.add_argument("--out", type=Path, required=True, help="output folder")
    demo.add_argument("--seed", type=int, default=2019, help="random seed (default: 2019)")
    demo.add_argument("--clinical-only", action="store_true",
                      help="write clinical.csv only, without images")
    demo.add_argument("--patients", type=int, default=None,
                      help="write images for this many patients only (default: all 810)")
    demo.add_argument("--workers", type=int, default=None,
                      help="worker processes for the images (default: all cores)")
    demo.set_defaults(handler=_run_demo)

    sweep = commands.add_parser(
        "sweep", help="re-execute chapters over a grid of run parameters (locally or on Dask)"
    )
    sweep.add_argument("--run-dir", type=Path, required=True,
                       help="a finished run whose data and features every grid point reuses")
    sweep.add_argument("--grid", type=Path, required=True,
                       help="YAML file mapping run parameters to lists of values")
    sweep.add_argument("--chapters", required=True,
                       help="comma-separated chapter names, e.g. cohort,models")
    sweep.add_argument("--out", type=Path, required=True, help="output folder of the sweep")
    sweep.add_argument("--source", type=Path, default=Path("."),
                       help="folder with notebooks/ (default: .)")
    sweep.add_argument("--workers", type=int, default=1,
                       help="local worker processes, one grid point each (default: 1)")
    sweep.add_argument("--scheduler", default=None,
                       help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    sweep.set_defaults(handler=_run_sweep)

    _add_extract_command(commands)
    return parser


def _add_extract_command(commands: argparse._SubParsersAction) -> None:
    try:
        from mblstats.radiomics import command as extract_command
    except ImportError:
        return
    extract = commands.add_parser("extract", help="extract radiomics features from a manifest")
    extract_command.add_arguments(extract)
    extract.set_defaults(handler=extract_command.run)


def _parse_overrides(pairs: list[str]) -> dict[str, object]:
    import yaml

    overrides: dict[str, object] = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise MblstatsError(f"--set {pair!r} is invalid; write NAME=VALUE, e.g. seed=7")
        overrides[name.strip()] = yaml.safe_load(value)
    return overrides


def _run_build(args: argparse.Namespace) -> int:
    from mblstats.book.pipeline import BookInputs, build_book
    from mblstats.params import RunParameters

    values: dict[str, object] = {}
    if args.params is not None:
        values.update(RunParameters.load(args.params).to_dict())
    if args.quick:
        values.update(QUICK_PROFILE)
    values.update(_parse_overrides(args.set))
    params = RunParameters.from_dict(values, source="--params/--set")

    features = {
        modality: path
        for modality, path in (("CT", args.features_ct), ("CTE", args.features_cte))
        if path is not None
    }
    inputs = BookInputs(clinical=args.clinical, manifest=args.images, features=features)
    index = build_book(
        params, args.run_dir, source_root=args.source, output_dir=args.output, inputs=inputs
    )
    logger.info("book built: %s", index)
    print(index)
    return 0


def _run_sweep(args: argparse.Namespace) -> int:
    import yaml

    from mblstats.book.sweep import run_sweep

    grid = yaml.safe_load(args.grid.read_text()) or {}
    if not isinstance(grid, dict):
        raise MblstatsError(f"{args.grid} must map parameter names to lists of values")
    chapters = [name.strip() for name in args.chapters.split(",") if name.strip()]
    summary = run_sweep(
        args.run_dir, args.source, chapters, grid, args.out,
        workers=args.workers, scheduler=args.scheduler,
    )
    failed = summary[summary["status"] != "ok"]
    for _, row in failed.iterrows():
        logger.error("point %s failed: %s", row["point"], row["error"])
    print(args.out / "summary.csv")
    return 1 if len(failed) else 0


def _run_demo(args: argparse.Namespace) -> int:
    from mblstats.cohort.demo import write_demo_clinical

    path = write_demo_clinical(args.out, seed=args.seed)
    logger.info("clinical table written: %s", path)
    if args.clinical_only:
        return 0

    import pandas as pd

    from mblstats.imaging.demo import write_demo_images

    clinical = pd.read_csv(path, dtype={"patient_id": str})
    patient_ids = sorted(clinical["patient_id"])
    if args.patients is not None:
        patient_ids = patient_ids[: args.patients]
    manifest = write_demo_images(
        clinical, args.out, seed=args.seed, patient_ids=patient_ids, workers=args.workers
    )
    logger.info("%d images written; manifest %s", len(manifest), Path(args.out) / "images.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
