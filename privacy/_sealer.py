"""One data key prepared for sealing and opening many field values (internal).

``FieldEncryptor`` used to rebuild everything per value: the AES key schedule, the HMAC
key setup for the context check, the header part of the associated data and the token
header text. All of it depends only on the data key, so a :class:`KeyCipher` builds it
once per (field class, version) and each value then costs one AEAD call, one HMAC copy
and some byte joins. The bytes produced are exactly those of ``privacy.ciphertext``'
``associated_data`` / ``context_check`` / ``format_ciphertext`` (tests compare them).
"""

from __future__ import annotations

from os import urandom

from cryptography.exceptions import InvalidTag

from privacy.ciphertext import (
    CHECK_BYTES,
    CHECK_PREFIX,
    CIPHERTEXT_PREFIX,
    associated_data,
    b64url_encode,
)
from privacy.crypto import NONCE_BYTES, AeadKey, AuthenticationFailed, MacKey, aead_name
from privacy.errors import TamperedCiphertextError, WrongContextError
from privacy.key_types import DataKey


class KeyCipher:
    """Seal and open values under one :class:`DataKey`.

    The AES-256-GCM path calls the ``AESGCM`` object directly (no intermediate Python
    calls: at ~150k values/s each one shows); SM4-GCM goes through :class:`AeadKey`.

    Attributes:
        key: The data key this was built from; callers compare it by identity with the
            keyring's current object to notice a retire/reinstate.
    """

    __slots__ = ("_aad_head", "_aead", "_aesgcm", "_check", "_ciphertext_head", "key")

    def __init__(self, key: DataKey) -> None:
        self.key = key
        self._aead = AeadKey(key.profile, key.aead_key)
        self._aesgcm = self._aead.aesgcm
        self._check = MacKey(key.profile, key.check_key, CHECK_PREFIX).state
        self._aad_head = associated_data(key.profile, key.field_class, key.version, b"")
        self._ciphertext_head = (
            f"{CIPHERTEXT_PREFIX}.{aead_name(key.profile)}.{key.field_class}.{key.version}."
        )

    def seal(self, value: str, where: bytes, nonce: bytes | None = None) -> str:
        """Return the token for ``value`` at context ``where`` (from ``context_bytes``).

        ``nonce`` is for batch callers that drew their random nonces in one call; single
        calls leave it None and get a fresh one from the OS.
        """
        aad = self._aad_head + where
        if self._aesgcm is None:
            sealed = self._aead.seal(value.encode("utf-8"), aad, nonce)
        else:
            if nonce is None:
                nonce = urandom(NONCE_BYTES)
            sealed = nonce + self._aesgcm.encrypt(nonce, value.encode("utf-8"), aad)
        mac = self._check.copy()
        mac.update(where)
        check = mac.finalize()[:CHECK_BYTES]
        return f"{self._ciphertext_head}{b64url_encode(check)}.{b64url_encode(sealed)}"

    def open(self, check: bytes, sealed: bytes, where: bytes, label: str, field: str) -> str:
        """Return the plaintext of a parsed token opened at context ``where``.

        ``sealed`` must hold at least nonce + tag (``split_ciphertext`` guarantees it).

        Raises:
            WrongContextError: The keyed context check differs (moved or swapped value).
            TamperedCiphertextError: The AEAD does not verify or the text is not UTF-8.
        """
        mac = self._check.copy()
        mac.update(where)
        if mac.finalize()[:CHECK_BYTES] != check:
            raise WrongContextError(label, field)
        aad = self._aad_head + where
        try:
            if self._aesgcm is None:
                return self._aead.open(sealed, aad).decode("utf-8")
            return self._aesgcm.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad).decode(
                "utf-8"
            )
        except (InvalidTag, AuthenticationFailed, UnicodeDecodeError) as exc:
            raise TamperedCiphertextError(self.key.field_class, self.key.version) from exc
