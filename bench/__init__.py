"""`make bench`: cached large databases, the demo load figures, and timed benchmarks.

A benchmark module is any `bench/<name>.py` exposing `BENCHMARKS = [(name, fn)]`, where
`fn(engine)` runs one operation on a cached large database. Optional:
`SETUP(engine)` runs once before the module's benchmarks; `DATABASES = {"postgresql"}` (or
`{"sqlite"}`) restricts where the module runs (default: both). The databases are cached between
runs, so a benchmark that writes must leave the data as it found it (roll its transaction back,
or undo what it did)."""
