"""Layered specs: a team's spec on a base spec, composed by the chain of command.

The package imports nothing heavy at import time: the reader imports :mod:`._header` for the
front matter keys, and composition itself loads only when a spec declares a base.
"""
