"""A static website of a spec: one offline page with a table of contents and search."""

from specwright._site._render import SectionResult, render_site, write_site

__all__ = ["SectionResult", "render_site", "write_site"]
