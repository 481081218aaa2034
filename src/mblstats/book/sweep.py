"""Parameter sweeps: the chapters re-executed over a grid of run parameters.

A sweep starts from a finished run (its clinical table and feature tables) and executes the chosen
chapter notebooks once per grid point. Each point has its own folder and work files, so points
never share fitted models. Points run in local worker processes, or on an existing
Dask cluster when a scheduler address is given. One failing point is recorded in the summary and
never stops the others. The summary table holds each point's parameters and every scalar value
the chapters glued, so a reviewer can see how a result moves with a setting.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import itertools
import json
import logging
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import nbformat
import pandas as pd
from tqdm.auto import tqdm

from mblstats.book.layout import RunLayout
from mblstats.book.notebooks import NotebookExecutionError, execute_chapter
from mblstats.exceptions import InputValidationError
from mblstats.params import RunParameters

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class SweepPoint:
    """One grid point: its number, parameter overrides and folder."""

    index: int
    overrides: dict[str, Any]
    folder: Path


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """List every combination of a parameter grid, in a stable order.

    Parameters
    ----------
    grid : mapping of parameter name to a list of values
        Names must be run parameters (see :class:`RunParameters`).

    Raises
    ------
    InputValidationError
        When a name is not a run parameter, a value list is empty, or a combination is invalid.
    """
    known = {field.name for field in dataclasses.fields(RunParameters)}
    problems = []
    for name, values in grid.items():
        if name not in known:
            problems.append(f"{name!r} is not a run parameter; known: {', '.join(sorted(known))}")
        elif isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            problems.append(f"{name}: give a non-empty list of values, got {values!r}")
    if problems:
        raise InputValidationError("invalid sweep grid:\n" + "\n".join(f"  - {p}" for p in problems))

    names = sorted(grid)
    points = [dict(zip(names, combination)) for combination in itertools.product(*(grid[n] for n in names))]
    for point in points:
        RunParameters.from_dict(point, source=f"sweep point {point}")
    return points


def run_sweep(
    base_run_dir: str | Path,
    source_root: str | Path,
    chapters: Sequence[str],
    grid: Mapping[str, Sequence[Any]],
    out_dir: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Execute chapters over a parameter grid and return the summary table.

    Parameters
    ----------
    base_run_dir : path
        A finished run (``mblstats build``) whose data and feature tables every point reuses.
    source_root : path
        Folder with ``notebooks/``.
    chapters : sequence of str
        Chapter names, e.g. ``["cohort", "models"]``, executed in this order at each point.
    grid : mapping
        Parameter name to the list of values to try.
    out_dir : path
        Folder of the sweep; each point gets ``point-NNN/``; ``summary.csv`` lists them all.
    workers : int
        Local worker processes when no scheduler is given.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) to run the points on.

    Returns
    -------
    DataFrame
        One row per point: its parameters, ``status``, ``error`` and every glued scalar, named
        ``chapter.key``.
    """
    base = RunLayout(Path(base_run_dir).resolve())
    if not base.parameters.exists():
        raise InputValidationError(
            f"{base.root} is not a finished run (no parameters.yaml); build it first with "
            "mblstats build --run-dir"
        )
    source_root = Path(source_root).resolve()
    missing = [c for c in chapters if not (source_root / "notebooks" / f"{c}.ipynb").exists()]
    if missing:
        raise InputValidationError(
            f"chapter notebook(s) not found in {source_root / 'notebooks'}: {', '.join(missing)}"
        )
    base_params = RunParameters.load(base.parameters).to_dict()
    out_dir = Path(out_dir).resolve()
    points = [
        SweepPoint(index, overrides, out_dir / f"point-{index:03d}")
        for index, overrides in enumerate(expand_grid(grid))
    ]
    tasks = [
        (point, {**base_params, **point.overrides}, str(base.root), str(source_root), list(chapters))
        for point in points
    ]

    if scheduler:
        rows = _run_on_dask(tasks, scheduler, progress)
    else:
        rows = _run_locally(tasks, workers, progress)

    summary = pd.DataFrame(sorted(rows, key=lambda row: row["point"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    summary.to_csv(out_dir / "summary.csv", index=False)
    failed = int((summary["status"] != "ok").sum())
    logger.info("sweep finished: %d points, %d failed; summary %s", len(summary), failed,
                out_dir / "summary.csv")
    return summary


def run_point(
    point: SweepPoint,
    values: dict[str, Any],
    base_run_dir: str,
    source_root: str,
    chapters: list[str],
) -> dict[str, Any]:
    """Execute the chapters of one grid point.

    A chapter that fails is recorded in the returned row (``status``, ``error``) and the point's
    remaining chapters are skipped; other errors, such as invalid parameters, propagate.
    """
    params = RunParameters.from_dict(values, source=f"sweep point {point.index}")
    base = RunLayout(Path(base_run_dir))
    layout = RunLayout(point.folder).create()
    params.save(layout.parameters)

    from mblstats.book.pipeline import notebook_values

    available = notebook_values(params, base)
    available.update(
        work_dir=str(layout.work_dir),
        splits_dir=str(layout.splits_dir),
        parameters_path=str(layout.parameters),
    )
    row: dict[str, Any] = {"point": point.index, **point.overrides, "status": "ok", "error": ""}
    for chapter in chapters:
        output = layout.executed_dir / f"{chapter}.ipynb"
        try:
            execute_chapter(
                Path(source_root) / "notebooks" / f"{chapter}.ipynb", output, available,
                cwd=layout.root,
            )
        except NotebookExecutionError as error:
            row.update(status="failed", error=str(error))
            break
        row.update({f"{chapter}.{key}": value for key, value in glued_scalars(output).items()})
    return row


def glued_scalars(notebook_path: str | Path) -> dict[str, Any]:
    """Read the values a notebook glued with ``myst_nb.glue`` that are plain numbers or text."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    values: dict[str, Any] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook", {})
            key = record.get("name")
            text = output.get("data", {}).get(record.get("mime_prefix", "") + "text/plain")
            if key is None or text is None:
                continue
            values[key] = _parse_scalar(text)
    return {key: value for key, value in values.items() if value is not None}


def _parse_scalar(text: str) -> Any:
    text = text.strip()
    numpy_scalar = re.fullmatch(r"np\.\w+\((.*)\)", text)
    if numpy_scalar:
        text = numpy_scalar.group(1)
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        if text.startswith(("'", '"')) and text.endswith(("'", '"')) and "\n" not in text:
            return text[1:-1]
        return None
    return value if isinstance(value, (int, float, str, bool)) else None


def _run_locally(tasks: list[tuple], workers: int, progress: bool) -> list[dict[str, Any]]:
    if workers <= 1:
        return [run_point(*task) for task in tqdm(tasks, desc="sweep", unit="point", disable=not progress)]
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_point, *task) for task in tasks]
        done = concurrent.futures.as_completed(futures)
        return [f.result() for f in tqdm(done, total=len(futures), desc="sweep", unit="point",
                                         disable=not progress)]


def _run_on_dask(tasks: list[tuple], scheduler: str, progress: bool) -> list[dict[str, Any]]:
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        futures = [client.submit(run_point, *task, pure=False) for task in tasks]
        return [f.result() for f in tqdm(as_completed(futures), total=len(futures), desc="sweep",
                                         unit="point", disable=not progress)]
