"""Layered specs: a team's spec on a base spec, composed by the chain of command.

:mod:`._read` is where a spec is read the way a user means it (``read_spec``, ``parse_spec``):
the reader below gives one layer and its front matter, and composition on the declared base
loads only when a spec declares one. The package's ``__init__`` imports nothing.
"""
