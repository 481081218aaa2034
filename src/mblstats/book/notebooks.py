"""Execution of the parameterised chapter notebooks with papermill."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from pathlib import Path
from typing import Any, Mapping

import nbformat
import papermill
import yaml

from mblstats.exceptions import MblstatsError

logger = logging.getLogger(__name__)

KERNEL_NAME = "python3"


class NotebookExecutionError(MblstatsError):
    """A chapter notebook raised an error; the message names the notebook, cell and error."""


@dataclasses.dataclass(frozen=True)
class CellFailure:
    """The first failing cell of an executed notebook."""

    notebook: Path
    cell_index: int
    execution_count: int | None
    error_name: str
    error_value: str

    def describe(self) -> str:
        count = "" if self.execution_count is None else f", execution count {self.execution_count}"
        return (
            f"notebook {self.notebook} failed in cell {self.cell_index}{count}: "
            f"{self.error_name}: {self.error_value}"
        )


def chapter_notebooks(toc_path: str | Path) -> list[str]:
    """List the notebook entries of a Jupyter Book ``_toc.yml`` in reading order.

    Entries are returned as written in the table of contents (``notebooks/cohort``), without
    suffix. Only entries under ``notebooks/`` are chapters to execute; other pages are static.
    """
    toc = yaml.safe_load(Path(toc_path).read_text())
    entries: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            file = node.get("file")
            if isinstance(file, str) and file.startswith("notebooks/"):
                entries.append(file.removesuffix(".ipynb"))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(toc)
    return entries


def declared_parameters(notebook_path: str | Path) -> set[str]:
    """Names in the cell tagged ``parameters`` of a notebook."""
    return set(papermill.inspect_notebook(str(notebook_path)).keys())


def execute_chapter(
    source: str | Path,
    output: str | Path,
    available: Mapping[str, Any],
    *,
    cwd: str | Path | None = None,
) -> Path:
    """Execute one chapter notebook, injecting the parameters it declares.

    Parameters
    ----------
    source : path
        Notebook with a cell tagged ``parameters``.
    output : path
        Where the executed notebook is written, also when a cell fails.
    available : mapping
        Every value the run can offer (paths, run parameters). Only the names that the notebook
        declares are injected, so a chapter never receives a parameter it does not know.
    cwd : path, optional
        Working directory of the kernel.

    Raises
    ------
    NotebookExecutionError
        When a cell raises; the message names the notebook, the cell index and the error.
    """
    source, output = Path(source), Path(output)
    wanted = declared_parameters(source)
    parameters = {name: available[name] for name in sorted(wanted) if name in available}
    missing = sorted(wanted - set(parameters))
    if missing:
        logger.info(
            "%s: the run sets no value for %s, so the notebook's defaults apply",
            source.name, ", ".join(missing),
        )

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        _execute_over_ipc(source, output, parameters, cwd)
    except papermill.PapermillExecutionError as error:
        failure = CellFailure(
            notebook=source,
            cell_index=error.cell_index,
            execution_count=error.exec_count,
            error_name=error.ename,
            error_value=error.evalue,
        )
        raise NotebookExecutionError(failure.describe()) from None
    return output


def _execute_over_ipc(source: Path, output: Path, parameters: dict, cwd) -> None:
    """Execute a notebook with papermill on a kernel that talks over Unix sockets.

    The kernel runs on this machine only, so local sockets serve it, and the kernel's
    warning about unencrypted TCP does not arise. The kernel's own standard error (library
    start-up notes and warnings) goes to ``<output stem>.kernel.log`` beside the executed
    notebook rather than into the build log. The kernel is shut down when the notebook ends
    or fails.
    """
    from jupyter_client.manager import AsyncKernelManager

    stderr_path = output.with_name(f"{output.stem}.kernel.log")
    with tempfile.TemporaryDirectory(prefix="mblstats-kernel-") as folder, open(stderr_path, "wb") as stderr_log:

        class LocalKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                super().__init__(transport="ipc", ip=str(Path(folder) / "kernel"), **kwargs)

            async def _async_launch_kernel(self, kernel_cmd, **kw):
                kw["stderr"] = stderr_log
                await super()._async_launch_kernel(kernel_cmd, **kw)

        # papermill's client creates, owns and shuts down the kernel manager.
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(cwd) if cwd else None,
            progress_bar=False,
            log_output=False,
            kernel_manager_class=LocalKernelManager,
        )


def find_error_outputs(notebook_path: str | Path) -> list[CellFailure]:
    """List the cells of an executed notebook whose outputs contain an error."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    failures = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                failures.append(
                    CellFailure(
                        notebook=Path(notebook_path),
                        cell_index=index,
                        execution_count=cell.get("execution_count"),
                        error_name=output.get("ename", ""),
                        error_value=output.get("evalue", ""),
                    )
                )
    return failures
