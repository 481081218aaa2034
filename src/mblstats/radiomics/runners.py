"""Ways to run many case extractions: in this process, in local worker processes, or on Dask.

Each runner takes a list of :class:`CaseTask` and yields one :class:`CaseOutcome` per task,
in completion order. Only a bounded number of tasks is in flight at once, so memory stays
bounded whatever the size of the batch, and one case is one task, so a slow case never holds
back a chunk of others.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from mblstats.radiomics._worker import CaseOutcome, CaseTask, limit_threads, run_case

logger = logging.getLogger(__name__)

#: Tasks submitted per worker before waiting for one to finish.
IN_FLIGHT_PER_WORKER = 2


def default_workers() -> int:
    """Return the number of cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def run_serial(tasks: Sequence[CaseTask]) -> Iterator[CaseOutcome]:
    """Run tasks one after another in this process (ITK keeps its own thread count)."""
    for task in tasks:
        yield run_case(task, single_thread=False)


def run_local(
    tasks: Sequence[CaseTask], workers: int, *, case_function: Callable[[CaseTask], CaseOutcome] = run_case
) -> Iterator[CaseOutcome]:
    """Run tasks in ``workers`` local processes, one ITK thread each.

    Processes start with ``forkserver`` on POSIX (``spawn`` elsewhere): a fork of a process that
    already runs threads (tqdm, ITK) can deadlock. A worker that dies (killed for memory, a crash
    in native code) breaks the whole pool, and Python cannot tell which task killed it. The
    tasks in flight at that moment are therefore retried one at a time in a fresh pool, and a
    task that breaks a pool on its own is reported as failed, so one bad case never ends the batch.

    ``case_function`` runs one task in a worker; it must be importable by name (module level).
    """
    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    pending: deque[CaseTask] = deque(tasks)
    suspects: deque[CaseTask] = deque()

    while pending or suspects:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=limit_threads) as pool:
            broken = yield from _drain_pool(pool, pending, suspects, workers, case_function)
        if broken:
            logger.warning("a worker process died; retrying %d case(s) one at a time", len(suspects))


def _drain_pool(
    pool: ProcessPoolExecutor,
    pending: deque[CaseTask],
    suspects: deque[CaseTask],
    workers: int,
    case_function: Callable[[CaseTask], CaseOutcome],
) -> Iterator[CaseOutcome]:
    """Feed ``pool`` until all tasks are done or it breaks; return True when it broke."""
    in_flight: dict[Future[CaseOutcome], CaseTask] = {}
    isolated: CaseTask | None = None

    while pending or suspects or in_flight:
        # A suspect runs alone, so a pool that breaks while it runs identifies it.
        if suspects:
            if not in_flight:
                isolated = suspects.popleft()
                in_flight[pool.submit(case_function, isolated)] = isolated
        else:
            while pending and len(in_flight) < workers * IN_FLIGHT_PER_WORKER:
                task = pending.popleft()
                in_flight[pool.submit(case_function, task)] = task

        done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            task = in_flight.pop(future)
            try:
                outcome = future.result()
            except BrokenProcessPool:
                if task is isolated:
                    yield _crashed(task)
                else:
                    suspects.append(task)
                yield from _salvage(in_flight, suspects)
                return True
            yield outcome
    return False


def _salvage(in_flight: dict[Future[CaseOutcome], CaseTask], suspects: deque[CaseTask]) -> Iterator[CaseOutcome]:
    """Yield the results that finished before the pool broke and queue the rest as suspects."""
    for future, task in list(in_flight.items()):
        del in_flight[future]
        if future.done() and future.exception() is None:
            yield future.result()
        else:
            suspects.append(task)


def _crashed(task: CaseTask) -> CaseOutcome:
    return CaseOutcome(
        task.patient_id,
        stage="worker",
        error=f"case {task.patient_id}: the worker process died while extracting it (out of memory or a crash in native code)",
        fix="extract this case alone with workers=1 to see the error; check the image size and the resampled spacing",
    )


def run_dask(tasks: Sequence[CaseTask], scheduler: Any) -> Iterator[CaseOutcome]:
    """Run tasks on an existing Dask cluster.

    Parameters
    ----------
    tasks : sequence of CaseTask
        Image and mask paths must be readable from the Dask workers.
    scheduler : str or distributed.Client
        Scheduler address (``"tcp://host:8786"``) or a connected client.
    """
    import distributed

    own_client = not isinstance(scheduler, distributed.Client)
    client = distributed.Client(scheduler) if own_client else scheduler
    try:
        n_workers = max(1, sum(client.nthreads().values()))
        pending: deque[CaseTask] = deque(tasks)
        by_key: dict[str, CaseTask] = {}
        completed = distributed.as_completed()

        def submit_next() -> None:
            task = pending.popleft()
            future = client.submit(_run_case_on_dask, task, pure=False)
            by_key[future.key] = task
            completed.add(future)

        for _ in range(min(len(pending), n_workers * IN_FLIGHT_PER_WORKER)):
            submit_next()

        for future in completed:
            task = by_key.pop(future.key)
            try:
                yield future.result()
            except Exception as error:  # a worker lost or killed is a failure of this case only
                yield CaseOutcome(
                    task.patient_id,
                    stage="worker",
                    error=f"case {task.patient_id}: Dask task failed: {type(error).__name__}: {error}",
                    fix="check the Dask worker logs; extract this case alone with workers=1",
                )
            future.release()
            if pending:
                submit_next()
    finally:
        if own_client:
            client.close()


def _run_case_on_dask(task: CaseTask) -> CaseOutcome:
    limit_threads()
    return run_case(task, single_thread=False)
