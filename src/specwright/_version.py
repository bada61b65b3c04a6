"""The package's version, on the lowest floor so the CLI can print it without the public API."""

__version__ = "0.1.0"
