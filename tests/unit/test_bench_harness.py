"""`make bench` finds every benchmark module and can run it; no timings are asserted here."""

from __future__ import annotations

import importlib

from bench import datasets
from bench.__main__ import discover, matches, merge


def test_every_benchmark_module_exposes_well_formed_benchmarks():
    modules = discover()
    assert "datasets" not in modules and "__main__" not in modules
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "BENCHMARKS"):
            continue
        assert module.BENCHMARKS, name
        for bench_name, fn in module.BENCHMARKS:
            assert isinstance(bench_name, str) and callable(fn), name
        assert set(getattr(module, "DATABASES", {"postgresql", "sqlite"})) <= {"postgresql", "sqlite"}, name
        assert callable(getattr(module, "SETUP", print)), name


def test_only_matches_substrings_or_globs():
    assert matches(None, "grid.first_page")
    assert matches("grid", "queries_grid.first_page")
    assert matches("demo.*", "demo.load") and not matches("demo.*", "grid.demo")
    assert not matches("export", "grid.first_page", "queries_grid.first_page")


def test_a_partial_run_keeps_the_earlier_results_of_what_it_did_not_run():
    old = [
        dict(name="a", size=1, database="sqlite", median_ms=1.0),
        dict(name="b", size=1, database="sqlite", median_ms=2.0),
    ]
    new = [dict(name="b", size=1, database="sqlite", median_ms=3.0)]
    assert merge(old, new) == [old[0], new[0]]


def test_the_cache_fingerprint_follows_the_demo_generator_but_not_the_migrations(tmp_path, monkeypatch):
    """A new migration brings a cached database to head (as in production) instead of
    rebuilding an hour's load; a change to the generator rebuilds it."""
    (tmp_path / "orders_core" / "demo").mkdir(parents=True)
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    (tmp_path / "orders_core" / "demo" / "loader.py").write_text("A = 1\n")
    (tmp_path / "migrations" / "versions" / "0001.py").write_text("rev = 1\n")
    monkeypatch.setattr(datasets, "ROOT", tmp_path)
    first = datasets.fingerprint()
    assert datasets.fingerprint() == first
    (tmp_path / "migrations" / "versions" / "0001.py").write_text("rev = 2\n")
    assert datasets.fingerprint() == first
    (tmp_path / "orders_core" / "demo" / "loader.py").write_text("A = 2\n")
    second = datasets.fingerprint()
    assert second != first
    (tmp_path / "orders_core" / "other.py").write_text("unrelated\n")
    assert datasets.fingerprint() == second


def test_the_browser_benchmark_counts_the_cpu_of_a_users_own_processes_and_of_no_other():
    """`browser cpu <step>` sums the processes started under the user's process (its Playwright
    driver and Chromium): a grandchild counts, this machine's first process does not."""
    import os
    import subprocess
    import sys

    from bench.browser import _cpu_seconds, _descendants

    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import sys; sys.stdin.read()'])"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    try:
        for _ in range(500):  # the grandchild starts a moment later: look again until it is there
            found = _descendants(os.getpid())
            if len(set(found) - {child.pid}) >= 1:
                break
        found = _descendants(os.getpid())
        assert child.pid in found and len(set(found) - {child.pid}) == 1 and 1 not in found
        assert all(seconds >= 0 for seconds in _cpu_seconds(found))
        assert _cpu_seconds([2**22 + 1]) == [0.0]  # a process that has ended counts nothing
    finally:
        child.stdin.close()  # the grandchild reads to the end: it ends with its parent
        child.kill()
        child.wait()
