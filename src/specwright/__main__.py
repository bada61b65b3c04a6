"""``python -m specwright`` runs the CLI."""

from specwright._cli import run

run()
