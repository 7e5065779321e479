"""Private: the on-disk keyring document (``hub-keyring/1``), parsed and serialised.

Only wrapped keys and public metadata live here; unwrapping is ``keys.Keyring``'s job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from privacy.crypto import Profile
from privacy.errors import KeyringFormatError
from privacy.key_types import FIELD_CLASSES, INDEX_KINDS, VersionStatus

KEYRING_FORMAT = "hub-keyring/1"


@dataclass(slots=True)
class VersionEntry:
    """One data-key version: status, profile and its wrapped key per field class."""

    version: int
    profile: Profile
    status: VersionStatus
    created_at: str
    retired_at: str | None
    wrapped: dict[str, str]


@dataclass(slots=True)
class KeyringDoc:
    """The whole keyring document."""

    kek_id: str
    index_profile: Profile
    index_keys: dict[str, str]
    versions: list[VersionEntry]


def parse_keyring(text: str) -> KeyringDoc:
    """Parse and validate a keyring document.

    Raises:
        KeyringFormatError: Bad JSON, unknown format, missing entries, or not exactly one
            active version.
    """
    try:
        doc = json.loads(text)
        if doc.get("format") != KEYRING_FORMAT:
            raise KeyringFormatError(
                f"keyring format {str(doc.get('format'))[:40]!r} is not supported "
                f"(expected {KEYRING_FORMAT!r}); upgrade the hub or restore the keyring"
            )
        parsed = KeyringDoc(
            kek_id=str(doc["kek_id"]),
            index_profile=Profile(doc["index_profile"]),
            index_keys={str(k): str(w) for k, w in doc["index_keys"].items()},
            versions=[
                VersionEntry(
                    version=int(v["version"]),
                    profile=Profile(v["profile"]),
                    status=VersionStatus(v["status"]),
                    created_at=str(v["created_at"]),
                    retired_at=None if v.get("retired_at") is None else str(v["retired_at"]),
                    wrapped={str(k): str(w) for k, w in v["data_keys"].items()},
                )
                for v in doc["versions"]
            ],
        )
    except KeyringFormatError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyringFormatError(
            "keyring file is corrupt or incomplete (bad JSON or a missing/invalid entry); "
            "restore it from backup"
        ) from exc
    _validate(parsed)
    return parsed


def dump_keyring(doc: KeyringDoc) -> str:
    """Serialise ``doc`` as stable, human-readable JSON."""
    out: dict[str, Any] = {
        "format": KEYRING_FORMAT,
        "kek_id": doc.kek_id,
        "index_profile": str(doc.index_profile),
        "index_keys": dict(doc.index_keys),
        "versions": [
            {
                "version": v.version,
                "profile": str(v.profile),
                "status": str(v.status),
                "created_at": v.created_at,
                "retired_at": v.retired_at,
                "data_keys": dict(v.wrapped),
            }
            for v in sorted(doc.versions, key=lambda v: v.version)
        ],
    }
    return json.dumps(out, indent=2, sort_keys=True) + "\n"


def _validate(doc: KeyringDoc) -> None:
    numbers = [v.version for v in doc.versions]
    if len(set(numbers)) != len(numbers) or any(n < 1 for n in numbers):
        raise KeyringFormatError("keyring has duplicate or non-positive version numbers")
    active = [v for v in doc.versions if v.status is VersionStatus.ACTIVE]
    if len(active) != 1:
        raise KeyringFormatError(
            f"keyring must have exactly one active version, found {len(active)}; restore "
            "it from backup"
        )
    missing = [c for c in FIELD_CLASSES if c not in active[0].wrapped]
    if missing:
        raise KeyringFormatError(
            f"active key version lacks field classes {missing}; the keyring is "
            "incomplete, restore it from backup"
        )
    missing_kinds = [k for k in INDEX_KINDS if k not in doc.index_keys]
    if missing_kinds:
        raise KeyringFormatError(f"keyring lacks blind-index keys {missing_kinds}")
