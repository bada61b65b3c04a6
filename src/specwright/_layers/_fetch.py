"""Fetch a base spec from a pinned URL once, into the user cache; offline afterwards.

The cache holds one file per pin: ``<cache>/bases/<sha256>/model_spec.md`` (or ``spec.json``
for a JSON export, which carries its eval prompts too). A cached file is checked against its
pin on every use, so a file altered in the cache is fetched again rather than trusted.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from specwright._errors import SpecError

__all__ = ["CACHE_ENV", "base_cache_dir", "fetch_base"]

CACHE_ENV = "SPECWRIGHT_CACHE_DIR"
"""Environment variable naming the cache directory (default: the platform's user cache)."""

_MAX_BYTES = 64 * 1024 * 1024  # the real Model Spec is ~0.5 MB; a larger reply is not a spec
_TIMEOUT_S = 30.0


def base_cache_dir() -> Path:
    """Where fetched bases are kept: ``$SPECWRIGHT_CACHE_DIR/bases``, else the user cache."""
    from specwright._settings import load_settings  # read only when a URL base is fetched

    configured = load_settings().cache_dir
    if configured is not None:
        return configured / "bases"
    import platformdirs

    return Path(platformdirs.user_cache_dir("specwright")) / "bases"


def fetch_base(url: str, sha256: str, file: str, line: int) -> Path:
    """The cached copy of the base at ``url`` whose content hashes to ``sha256``.

    Fetched on first use; a network failure or a content hash other than the pin raises
    :class:`SpecError` at ``file:line`` (the layer's ``extends:`` line).
    """
    name = "spec.json" if urlsplit(url).path.endswith(".json") else "model_spec.md"
    target = base_cache_dir() / sha256 / name
    if target.is_file() and _digest(target.read_bytes()) == sha256:
        return target
    data = _download(url, file, line)
    actual = _digest(data)
    if actual != sha256:
        raise SpecError(
            f"base {url} has sha256 {actual}, but `sha256:` pins {sha256}",
            file=file,
            line=line,
            hint="the base changed since it was pinned: review it, then pin the new hash",
        )
    _write_atomically(target, data)
    return target


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(url: str, file: str, line: int) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "specwright"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as reply:
            data: bytes = reply.read(_MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        reason = f"HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        cause = getattr(error, "reason", error)
        reason = " ".join(str(cause).split()) or type(error).__name__
    else:
        if len(data) <= _MAX_BYTES:
            return data
        reason = f"reply larger than {_MAX_BYTES // (1024 * 1024)} MB"
    raise SpecError(
        f"cannot fetch base {url}: {reason}",
        file=file,
        line=line,
        hint="check the URL and the network; once fetched, a base is read from the cache",
    )


def _write_atomically(target: Path, data: bytes) -> None:
    # Two processes may fetch the same base at once: each writes its own temporary file and
    # renames it into place, so a reader never sees half a file.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
