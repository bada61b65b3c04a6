"""An approved revision written out as the spec: atomically, the old spec kept beside it.

The spec named by ``--spec`` (its ``model_spec.md``, or the file itself) is replaced by the
proposed spec, so the next ``eval --spec`` measures the revision and records its content
hash. What is written:

- a proposal that is a whole spec (a patched copy, a hand-edited copy): its own markdown,
  byte for byte;
- an overlay (``extends:`` the spec, ``overrides:`` sections): the composed spec written
  flat as one plain spec that keeps the spec's own title, version, description and
  preamble, the overridden sections replaced. A spec that is itself a layer is not
  flattened (that would drop its own ``extends:``): merge such a revision by hand.

Before the replacement the current file is copied to ``.specwright-revisions/`` beside it,
named by its content hash (``model_spec.<hash12>.md``), so every approved change can be
undone by copying that file back. The new text is written to a temporary file in the same
directory and moved over the spec with ``os.replace``: a crash leaves the old spec or the new
one, never half of either. The spec is read back; if it no longer reads, the old one is put
back and nothing is recorded.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from specwright._errors import ConfigurationError, SpecwrightError
from specwright._layers._read import read_spec
from specwright._model import Spec
from specwright._reader._spec import SPEC_FILE
from specwright._results._revisions import StaleVersion

__all__ = ["BACKUP_DIR", "SpecChanged", "spec_file", "spec_revisions", "write_approved"]

BACKUP_DIR = ".specwright-revisions"
"""The folder beside the spec file where each replaced spec is kept."""


class SpecChanged(StaleVersion):
    """The spec on disk is no longer the one the revision was compared with."""


def spec_revisions(db_url: str, spec_hashes: Iterable[str]) -> dict[str, str]:
    """Spec hash → ``spec revision HASH, approved by X on DATE: reason``, for each spec a
    decision in the store produced. A SQLite store that does not exist yet is not created."""
    from sqlalchemy.engine import make_url

    from specwright._results._store import ResultsStore

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        return {}
    with ResultsStore(db_url) as store:
        found = store.revisions().decisions_for(spec_hashes)
    return {digest: decision.describe(digest) for digest, decision in found.items()}


def spec_file(spec_path: Path) -> Path:
    """The file that holds the spec's text: ``model_spec.md`` of a directory, or the file."""
    return spec_path / SPEC_FILE if spec_path.is_dir() else spec_path


def write_approved(
    spec_path: Path, base: Spec, proposal: Path, *, proposed_hash: str | None = None
) -> tuple[str, str]:
    """Write ``proposal`` as the spec at ``spec_path`` (see the module); return the file
    written and the content hash of the spec read back from ``spec_path``. ``proposed_hash``:
    the revision that was shown; a proposal that no longer hashes to it is :class:`SpecChanged`."""
    target = spec_file(spec_path)
    if target.suffix.lower() != ".md":
        raise ConfigurationError(
            f"{target}: the studio writes an approved revision into a markdown spec only; "
            f"copy {proposal} over it by hand"
        )
    _refuse_links(target)
    with _locked(target.parent):  # one approval at a time per spec, across processes
        on_disk = read_spec(spec_path)
        if on_disk.content_hash() != base.content_hash():
            raise SpecChanged(f"{spec_path} changed since the revision was compared with it")
        text = _approved_text(base, proposal, proposed_hash)
        backup = _keep(target, base.content_hash())
        _replace(target, text)
        try:
            written = read_spec(spec_path).content_hash()
        except SpecwrightError as exc:
            shutil.copyfile(backup, target)
            raise ConfigurationError(f"{target}: the revision does not read back ({exc})") from None
    return str(target), written


def _refuse_links(target: Path) -> None:
    # os.replace would swap a symlinked spec for a plain file (the linked file never
    # changes) and a symlinked backup folder would put the old spec elsewhere: refuse both
    for path in (target, target.parent / BACKUP_DIR):
        if path.is_symlink():
            raise ConfigurationError(
                f"{path}: is a symlink; the studio writes a revision only into real files"
            )


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    lock = folder / f".{BACKUP_DIR}.lock"
    try:
        handle = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise ConfigurationError(f"{lock}: cannot lock the spec ({exc.strerror})") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _approved_text(base: Spec, proposal: Path, proposed_hash: str | None) -> str:
    from specwright._writer import write_spec

    try:
        proposed = read_spec(proposal)
    except SpecwrightError as exc:
        raise ConfigurationError(f"{proposal}: no longer reads ({exc})") from None
    if proposed_hash is not None and proposed.content_hash() != proposed_hash:
        raise SpecChanged(f"{proposal} changed since it was shown")
    if not proposed.layers:  # a whole spec: its own text
        return spec_file(proposal).read_text(encoding="utf-8")
    if base.layers:
        raise ConfigurationError(
            f"{base.title}: the spec is itself a layer; the studio writes an overlay's revision "
            f"only into a plain spec: merge {proposal} by hand"
        )
    flat = proposed.model_copy(
        update={"layers": (), "title": base.title, "version": base.version,
                "description": base.description, "preamble": base.preamble}
    )  # fmt: skip
    return write_spec(flat)


def _keep(target: Path, digest: str) -> Path:
    folder = target.parent / BACKUP_DIR
    backup = folder / f"{target.stem}.{digest[:12]}{target.suffix}"
    try:
        folder.mkdir(exist_ok=True)
        shutil.copyfile(target, backup)
    except OSError as exc:
        raise ConfigurationError(f"{backup}: cannot keep the old spec ({exc.strerror})") from None
    return backup


def _replace(target: Path, text: str) -> None:
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise ConfigurationError(f"{target}: cannot write ({exc.strerror or exc})") from None
