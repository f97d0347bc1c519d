"""The cached benchmark databases: built once with the demo generator, rebuilt only when
missing or when the generator or the migrations changed (a fingerprint of their source is kept
in a sidecar file under bench/data/, next to the figures of the load that built them)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SEED = 1
PG_HOST = os.environ.get("ORDERS_BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("ORDERS_BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("ORDERS_BENCH_PG_USER", "postgres")

# What the data depends on: change any of these and the cached databases are rebuilt. A new
# migration does not rebuild them: a cached database is brought to the migrations' head instead
# (as a production database would be), which keeps a 1M-order database usable across schema work.
FINGERPRINT_SOURCES = ["orders_core/demo/*.py", "orders_core/bulk.py"]


@dataclass(frozen=True)
class Dataset:
    database: str  # "postgresql" or "sqlite"
    name: str  # PostgreSQL database name, or SQLite file stem
    orders: int

    @property
    def url(self) -> str:
        if self.database == "postgresql":
            return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.name}"
        return f"sqlite:///{self.path}"

    @property
    def path(self) -> Path:
        return DATA / f"{self.name}.db"

    @property
    def sidecar(self) -> Path:
        return DATA / f"{self.name}.json"


# ORDERS_BENCH_PG_NAME: another copy of the 1M database (CREATE DATABASE ... TEMPLATE
# orders_bench_1m, with its sidecar copied), so schema work on a branch does not move the
# shared database to a revision the other branches do not know.
DATASETS = {
    "postgresql": Dataset("postgresql", os.environ.get("ORDERS_BENCH_PG_NAME", "orders_bench_1m"), 1_000_000),
    "sqlite": Dataset("sqlite", "orders_100k", 100_000),
}
# `--small`: the same benchmarks on 10,000 demo orders (a quick check, e.g. of the 10k validation,
# on a machine or in a session that cannot build the large databases).
SMALL_DATASETS = {
    "postgresql": Dataset("postgresql", "orders_bench_10k", 10_000),
    "sqlite": Dataset("sqlite", "orders_10k", 10_000),
}


def datasets_for(small: bool) -> dict[str, Dataset]:
    return SMALL_DATASETS if small else DATASETS


def fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in FINGERPRINT_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(sql)


def pg_database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    ) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _count_orders(url: str) -> int | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM orders")).scalar()
    except Exception:
        return None
    finally:
        engine.dispose()


def drop(dataset: Dataset) -> None:
    if dataset.database == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {dataset.name} WITH (FORCE)")
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{dataset.path}{suffix}").unlink(missing_ok=True)
    dataset.sidecar.unlink(missing_ok=True)


def cached_load(dataset: Dataset) -> dict | None:
    """The figures of the load that built the cached database, or None when it must be rebuilt."""
    if not dataset.sidecar.exists():
        return None
    try:
        meta = json.loads(dataset.sidecar.read_text())
    except ValueError:
        return None
    if meta.get("fingerprint") != fingerprint() or meta.get("orders") != dataset.orders:
        return None
    if dataset.database == "postgresql":
        if not pg_database_exists(dataset.name):
            return None
    elif not dataset.path.exists():
        return None
    # At least the demo's orders: a benchmark may add its own (bench/lifecycle.py keeps an event
    # of 10,000 awaiting orders), which must not send an hour's database to be rebuilt.
    loaded = _count_orders(dataset.url)
    if loaded is None or loaded < dataset.orders:
        return None
    return meta


def build(dataset: Dataset, *, keep_sidecar: bool = True) -> dict:
    """Drop, migrate and load the dataset in a child process (so its peak RSS is the load's
    alone); returns the load figures."""
    source_fingerprint = fingerprint()  # of the code the load runs, taken before it starts
    DATA.mkdir(parents=True, exist_ok=True)
    drop(dataset)
    if dataset.database == "postgresql":
        _pg_admin(f"CREATE DATABASE {dataset.name}")
    print(f"building {dataset.database} {dataset.name}: {dataset.orders:,} demo orders, seed {SEED}", flush=True)
    result = subprocess.run(
        [sys.executable, "-m", "bench.datasets", dataset.url, str(dataset.orders), str(SEED)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures.update(
        database=dataset.database,
        name=dataset.name,
        fingerprint=source_fingerprint,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    if keep_sidecar:
        dataset.sidecar.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def ensure_migrated(dataset: Dataset) -> None:
    """Create the database when missing and bring it to the migrations' head (for a module that
    writes its own data, kept between runs)."""
    from orders_core.migrate import upgrade

    DATA.mkdir(parents=True, exist_ok=True)
    if dataset.database == "postgresql" and not pg_database_exists(dataset.name):
        _pg_admin(f"CREATE DATABASE {dataset.name}")
    upgrade(dataset.url)


def ensure(dataset: Dataset, *, rebuild: bool = False) -> tuple[dict, bool]:
    """(load figures, built now?) — builds only when needed."""
    if not rebuild:
        meta = cached_load(dataset)
        if meta is not None:
            from orders_core.migrate import upgrade

            upgrade(dataset.url)
            return meta, False
    return build(dataset), True


def _settle(url: str) -> None:
    """VACUUM (ANALYZE) a freshly loaded PostgreSQL database, as autovacuum would soon after in
    production: without it the visibility map is empty and every index-only count visits the
    heap (the to-do list's counts took 230 ms instead of ~15 ms on 1,000,000 orders). Not timed
    as part of the load."""
    if not url.startswith("postgresql"):
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _load_in_this_process(url: str, orders: int, seed: int) -> dict:
    """Migrate and load; runs in the child process started by build()."""
    import resource

    from orders_core.db import get_engine
    from orders_core.demo import load_demo
    from orders_core.migrate import upgrade

    upgrade(url)
    engine = get_engine(url)
    started = time.perf_counter()
    last = [started]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - last[0] > 15:
            last[0] = now
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {done:>9,} / {total:,} orders, {done / (now - started):,.0f} orders/s, peak RSS {rss:,.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    usage = resource.getrusage(resource.RUSAGE_SELF)
    counts = load_demo(engine, orders=orders, seed=seed, progress=progress)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    # CPU time of this process: on a busy shared machine it says what the load costs better than
    # the wall time (for SQLite it is nearly all the work; PostgreSQL works in its own processes).
    cpu_seconds = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    engine.dispose()
    _settle(url)
    rows = sum(counts.values())
    return dict(
        orders=orders,
        seed=seed,
        seconds=round(seconds, 2),
        cpu_seconds=round(cpu_seconds, 2),
        rows=rows,
        rows_by_table=counts,
        orders_per_s=round(orders / seconds),
        rows_per_s=round(rows / seconds),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )


if __name__ == "__main__":
    print(json.dumps(_load_in_this_process(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
