"""Private helpers: read and write files that hold key material (mode 0600, atomic)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from privacy.errors import InsecureKeyFileError, KeyFileError

_CHECK_MODES = os.name == "posix"


def check_private_file(path: Path) -> None:
    """Refuse a key file that is missing, not a regular file, or open to group/others.

    0600 and 0400 are accepted; any group or other permission bit is refused because a
    master key or keyring readable by other accounts must be treated as leaked.

    Raises:
        KeyFileError: Missing or not a regular file.
        InsecureKeyFileError: Group/other permission bits are set.
    """
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise KeyFileError(f"key file {path} does not exist") from exc
    except OSError as exc:
        raise KeyFileError(f"cannot stat key file {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(f"key file {path} is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    if _CHECK_MODES and mode & 0o077:
        raise InsecureKeyFileError(str(path), mode)


def read_private_bytes(path: Path) -> bytes:
    """Check ``path`` with :func:`check_private_file`, then return its content."""
    check_private_file(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from exc


def write_private_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    The bytes go to a temporary file in the same directory (created 0600), are flushed to
    disk, and the file is renamed over ``path``; a crash leaves the old file or the new
    one, never a half-written keyring.

    Args:
        path: Destination.
        data: Content.
        overwrite: If False, refuse to replace an existing file (used for new master keys).

    Raises:
        KeyFileError: The directory is missing/unwritable, or ``path`` exists and
            ``overwrite`` is False.
    """
    if not overwrite and path.exists():
        raise KeyFileError(f"refusing to overwrite existing key file {path}")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise KeyFileError(f"cannot create a file in {directory}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if _CHECK_MODES:
                os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise KeyFileError(f"cannot write key file {path}: {exc.strerror}") from exc
    if _CHECK_MODES:
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
