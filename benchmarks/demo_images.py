"""Measure the time and disk size of the full demo image set (810 CT, 643 CTE, 40 second masks).

Usage::

    python benchmarks/demo_images.py --workers 2 [--out-dir DIR]

Prints the wall time, the CPU time of the worker processes, the number of files and their total
size by kind, and the load average, because other processes on the machine slow the run down.
"""

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from mblstats.cohort.demo import make_demo_clinical
from mblstats.imaging.demo import write_demo_images


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    parser.add_argument("--out-dir", type=Path, default=None, help="keep the images here (default: temporary)")
    args = parser.parse_args()

    clinical = make_demo_clinical(args.seed)
    print(f"demo cohort: {len(clinical)} patients, {(clinical['has_cte'] == 'yes').sum()} with CTE")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)

    with tempfile.TemporaryDirectory() as temporary:
        out_dir = args.out_dir or Path(temporary)
        started = time.perf_counter()
        manifest = write_demo_images(clinical, out_dir, seed=args.seed, workers=args.workers, progress=False)
        elapsed = time.perf_counter() - started

        sizes = {}
        for path in out_dir.rglob("*"):
            if path.is_file():
                kind = path.name.split(".")[0] if path.parent != out_dir else "manifests"
                count, total = sizes.get(kind, (0, 0))
                sizes[kind] = (count + 1, total + path.stat().st_size)

    print(f"load average after: {os.getloadavg()[0]:.1f}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"wrote {len(manifest)} manifest rows in {elapsed:.1f} s with {args.workers or os.cpu_count()} workers; "
          f"worker CPU time {usage.ru_utime + usage.ru_stime:.1f} s")
    for kind, (count, total) in sorted(sizes.items()):
        print(f"{kind:>13}: {count:4d} files, {total / 1e6:8.1f} MB, {total / count / 1e3:7.1f} kB each")
    total = sum(total for _, total in sizes.values())
    print(f"{'total':>13}: {sum(count for count, _ in sizes.values()):4d} files, {total / 1e6:8.1f} MB")


if __name__ == "__main__":
    main()
