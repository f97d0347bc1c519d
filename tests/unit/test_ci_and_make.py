"""The two-command setup: `.ci/run` brings PostgreSQL up and runs the suite with PostgreSQL
required; the Makefile has the targets the README promises."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_run_is_an_executable_strict_bash_script():
    script = ROOT / ".ci" / "run"
    assert script.stat().st_mode & stat.S_IXUSR and os.access(script, os.X_OK)
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") or text.startswith("#!/bin/bash\n")
    assert re.search(r"^set -euo pipefail$", text, re.M)


def test_ci_run_starts_a_stopped_cluster_and_requires_postgresql():
    text = (ROOT / ".ci" / "run").read_text()
    assert "pg_ctlcluster" in text and "pg_isready" in text
    last_command = [line for line in text.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last_command.strip() == "ORDERS_REQUIRE_POSTGRES=1 make test"


def test_the_makefile_has_run_test_and_bench_targets():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z]+):", makefile, re.M))
    assert {"setup", "run", "test", "bench", "db"} <= targets
    assert re.search(r"^bench: .*\n\t\$\(BIN\)/python -m bench \$\(BENCH_ARGS\)$", makefile, re.M)
    assert "--frozen" in makefile  # the environment comes from uv.lock exactly
    run = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "db upgrade" in makefile and "demo --if-empty" in run and "streamlit run server.py" in run


def test_make_run_serves_the_asgi_entry_point_on_localhost_unless_told_otherwise():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^ORDERS_HOST \?= 127\.0\.0\.1$", makefile, re.M)
    run = makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "--server.address $(ORDERS_HOST)" in run
    assert 'app = st.App("app.py"' in (ROOT / "server.py").read_text()
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r'^address = "127\.0\.0\.1"$', config, re.M)  # `streamlit run server.py` alone too


def test_make_run_starts_the_worker_beside_the_app_and_stops_it_with_the_app():
    run = (ROOT / "Makefile").read_text().split("\nrun:")[1].split("\n\n")[0]
    recipe = run.replace("\\\n", " ")
    assert re.search(r"orders worker & worker=\$\$!;", recipe)
    assert "trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT" in recipe
    assert recipe.index("orders worker") < recipe.index("streamlit run")


def test_bench_data_stays_out_of_git_but_results_are_kept():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "bench/data/" in ignored
    assert not any(line.startswith("bench/results") for line in ignored)
