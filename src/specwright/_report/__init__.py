"""Reports over eval runs: HTML, markdown and JSON renderers, run-vs-run diffs, history.

The package is split by concern; :mod:`specwright` re-exports the public names lazily so
that ``import specwright`` never imports SQLAlchemy.
"""
