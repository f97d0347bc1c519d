"""`python -m bench [--only PATTERN] [--runs N] [--skip-pg] [--skip-sqlite] [--rebuild] [--small]
[--load-test DATABASE:ORDERS]`: build (once) the cached databases, record the demo load
figures, run every benchmark module's BENCHMARKS, write bench/results/latest.json and print a
table. Each (module, database) runs in its own child process, so peak RSS is that module's."""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import datasets

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
NOT_BENCHMARKS = {"__init__", "__main__", "datasets"}


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.startswith("_"))


def matches(pattern: str | None, *names: str) -> bool:
    if not pattern:
        return True
    if any(ch in pattern for ch in "*?["):
        return any(fnmatch.fnmatch(n, pattern) for n in names)
    return any(pattern in n for n in names)


def chosen_modules(only: str | None) -> list:
    """The benchmark modules with at least one benchmark matching `only`."""
    chosen = []
    for module_name in discover():
        module = importlib.import_module(f"bench.{module_name}")
        benchmarks = getattr(module, "BENCHMARKS", [])
        if any(matches(only, n, f"{module_name}.{n}") for n, _ in benchmarks):
            chosen.append(module)
    return chosen


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_module(module_name: str, database: str, runs: int, only: str | None, small: bool = False) -> list[dict]:
    """Run one module's benchmarks on one database (called in a child process)."""
    from orders_core.db import get_engine

    module = importlib.import_module(f"bench.{module_name}")
    own_dataset = getattr(module, "own_dataset", None)
    if own_dataset is not None:  # a module that builds its own data in its own database
        dataset = own_dataset(database, small)
        datasets.ensure_migrated(dataset)
    else:
        dataset = datasets.datasets_for(small)[database]
    engine = get_engine(dataset.url)
    chosen = [(n, fn) for n, fn in module.BENCHMARKS if matches(only, n, f"{module_name}.{n}")]
    if not chosen:
        return []
    if hasattr(module, "SETUP"):
        module.SETUP(engine)
    results = []
    for name, fn in chosen:
        fn(engine)  # warm-up: caches, plans, imports
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn(engine)
            times.append((time.perf_counter() - started) * 1000)
        full_name = name if name.startswith(f"{module_name}.") else f"{module_name}.{name}"
        results.append(
            dict(
                name=full_name,
                size=dataset.orders,
                database=database,
                median_ms=round(statistics.median(times), 2),
                min_ms=round(min(times), 2),
                max_ms=round(max(times), 2),
                runs=runs,
                peak_rss_mb=peak_rss_mb(),
            )
        )
        print(f"  {database:<10} {full_name}: {results[-1]['median_ms']:.1f} ms", file=sys.stderr, flush=True)
    engine.dispose()
    return results


def load_entry(figures: dict, *, cached: bool) -> dict:
    seconds = figures["seconds"]
    return dict(
        name="demo.load",
        size=figures["orders"],
        database=figures["database"],
        median_ms=round(seconds * 1000, 1),
        min_ms=round(seconds * 1000, 1),
        max_ms=round(seconds * 1000, 1),
        runs=1,
        peak_rss_mb=figures["peak_rss_mb"],
        orders_per_s=figures["orders_per_s"],
        rows=figures["rows"],
        rows_per_s=figures["rows_per_s"],
        cpu_seconds=figures.get("cpu_seconds"),
        cached=cached,
        measured_at=figures.get("built_at"),
    )


def load_test(spec: str) -> dict:
    """Time one demo load into a throw-away database, deleted afterwards."""
    database, _, orders = spec.partition(":")
    if database not in datasets.DATASETS or not orders.isdigit():
        raise SystemExit(f"bench: --load-test expects postgresql:N or sqlite:N, got {spec!r}")
    dataset = datasets.Dataset(database, f"orders_bench_loadtest_{orders}", int(orders))
    try:
        figures = datasets.build(dataset, keep_sidecar=False)
    finally:
        datasets.drop(dataset)
    return load_entry(figures, cached=False)


def merge(previous: list[dict], fresh: list[dict]) -> list[dict]:
    """Keep earlier results of what was not run this time (e.g. with --only)."""
    key = lambda r: (r["name"], r["size"], r["database"])  # noqa: E731
    done = {key(r) for r in fresh}
    return [r for r in previous if key(r) not in done] + fresh


def save(results: list[dict]) -> None:
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(merge(previous, results), indent=2) + "\n")


def print_table(rows: list[dict]) -> None:
    print(f"\n{'benchmark':<44} {'database':<10} {'size':>9} {'median ms':>11} {'min':>9} {'max':>9} {'RSS MB':>8}")
    for r in rows:
        print(
            f"{r['name']:<44} {r['database']:<10} {r['size']:>9,} {r['median_ms']:>11,.1f} {r['min_ms']:>9,.1f} "
            f"{r['max_ms']:>9,.1f} {r['peak_rss_mb']:>8,.0f}"
        )
        if r["name"] == "demo.load":
            cpu = f", {r['cpu_seconds']:,.0f} s CPU in the loader" if r.get("cpu_seconds") else ""
            print(
                f"{'':<44} {'':<10} {'':>9} {r['orders_per_s']:>8,} orders/s, {r['rows_per_s']:,} rows/s{cpu}"
                + (" (cached)" if r.get("cached") else "")
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", metavar="PATTERN", help="run only benchmarks whose name contains PATTERN (or matches a glob)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up (default 5)")
    parser.add_argument("--skip-pg", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("--skip-sqlite", action="store_true", help="leave SQLite out")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases even if up to date")
    parser.add_argument(
        "--small", action="store_true", help="use 10,000-order databases instead of 1M (PostgreSQL) / 100k (SQLite)"
    )
    parser.add_argument(
        "--load-test",
        metavar="DATABASE:ORDERS",
        action="append",
        default=[],
        help="also time a demo load into a throw-away database, e.g. sqlite:1000000",
    )
    parser.add_argument("--module", help=argparse.SUPPRESS)  # internal: child process
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.module:  # child: one module on one database, results as JSON on the last line
        print(json.dumps(run_module(args.module, args.database, args.runs, args.only, args.small)))
        return 0

    databases = [
        d
        for d in ("postgresql", "sqlite")
        if not (d == "postgresql" and args.skip_pg) and not (d == "sqlite" and args.skip_sqlite)
    ]
    results: list[dict] = []
    # The cached demo databases are built only when a chosen benchmark runs on them (a module
    # with its own `own_dataset` builds its data itself).
    if matches(args.only, "demo.load") or any(
        not hasattr(module, "own_dataset") for module in chosen_modules(args.only)
    ):
        for database in databases:
            figures, built = datasets.ensure(datasets.datasets_for(args.small)[database], rebuild=args.rebuild)
            if matches(args.only, "demo.load"):
                results.append(load_entry(figures, cached=not built))
    for spec in args.load_test:
        results.append(load_test(spec))
    save(results)

    failures = []
    for module in chosen_modules(args.only):
        module_name = module.__name__.removeprefix("bench.")
        for database in databases:
            if database not in getattr(module, "DATABASES", {"postgresql", "sqlite"}):
                continue
            print(f"running bench/{module_name}.py on {database}", file=sys.stderr, flush=True)
            child = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench",
                    "--module",
                    module_name,
                    "--database",
                    database,
                    "--runs",
                    str(args.runs),
                    *(["--only", args.only] if args.only else []),
                    *(["--small"] if args.small else []),
                ],
                cwd=datasets.ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            if child.returncode != 0:
                failures.append(f"{module_name} on {database}")
                continue
            results.extend(json.loads(child.stdout.strip().splitlines()[-1]))
            save(results)  # after each module, so a long run interrupted keeps what it measured

    save(results)
    print_table(results)
    print(f"\nwritten to {RESULTS.relative_to(datasets.ROOT)}")
    if failures:
        print(f"bench: failed: {', '.join(failures)} (see the traceback above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
