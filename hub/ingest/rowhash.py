"""The stable hash of a row, for exact-duplicate detection and idempotent re-ingest.

The hash covers the row's decoded field values in order, not the bytes of the line, so
the same record hashes the same whether it came as GBK or UTF-8, quoted or not, with CRLF
or LF, or from an XLSX sheet; any change to any value changes the hash.
"""

from __future__ import annotations

from hashlib import blake2b

_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in a CSV field of these exports


def row_hash(fields: list[str]) -> str:
    """Return a 32-hex-digit BLAKE2b hash of a row's raw field values.

    Args:
        fields: the fields as read (before stripping or normalisation).

    Returns:
        The hex digest; equal rows give equal digests across runs and machines.
    """
    data = _SEPARATOR.join(fields).encode("utf-8", "surrogatepass")
    return blake2b(data, digest_size=16).hexdigest()
