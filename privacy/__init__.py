"""Privacy primitives of the hub: field encryption, keys, blind indexes, scanning, audit.

This package depends on nothing else in the project and never reads configuration: the
hub passes keys and settings in. Typical wiring::

    kek = LocalKeyEncryptionKey.from_base64(settings.master_key.reveal())
    keyring = Keyring.load(settings.keyring_path, kek)
    fields = FieldEncryptor(keyring)
    indexes = BlindIndexer(keyring)

    token = fields.encrypt(id_number, label="SourceRecord", record_key=record_id,
                           field="id_number", field_class="identifier")
    lookup = indexes.id_number(id_number)

The exception tree is drawn in ``privacy.errors``.
"""

from privacy.blind_index import DEFAULT_BITS, BlindIndexer
from privacy.crypto import Profile
from privacy.errors import (
    ActiveVersionError,
    DecryptionError,
    InsecureKeyFileError,
    InvalidIdentifierError,
    KeyFileError,
    KeyringError,
    KeyringFormatError,
    KeyVersionNotFoundError,
    MalformedCiphertextError,
    MasterKeyMismatchError,
    PrivacyError,
    RetiredKeyVersionError,
    TamperedCiphertextError,
    UnknownFieldClassError,
    UnknownKeyVersionError,
    UnsupportedTokenError,
    WrongContextError,
)
from privacy.fields import FieldContext, FieldEncryptor, RewrapResult, rewrap_all, token_version
from privacy.hashchain import GENESIS_HASH, chain_hash, checkpoint_mac, verify_checkpoint_mac
from privacy.kek import (
    KeyEncryptionKey,
    LocalKeyEncryptionKey,
    generate_master_key,
    write_master_key_file,
)
from privacy.key_types import (
    FIELD_CLASSES,
    INDEX_KINDS,
    FieldClass,
    IndexKind,
    KeyVersionInfo,
    VersionStatus,
)
from privacy.keys import Keyring
from privacy.normalise import (
    id_check_character,
    is_valid_id_number,
    normalise_birth_date,
    normalise_id_number,
    normalise_name,
    normalise_phone,
    upgrade_id_15_to_18,
)
from privacy.scan import Finding, find_identifiers, luhn_valid, mask_identifier
from privacy.tokens import looks_like_token

__all__ = [
    "DEFAULT_BITS",
    "FIELD_CLASSES",
    "GENESIS_HASH",
    "INDEX_KINDS",
    "ActiveVersionError",
    "BlindIndexer",
    "DecryptionError",
    "FieldClass",
    "FieldContext",
    "FieldEncryptor",
    "Finding",
    "IndexKind",
    "InsecureKeyFileError",
    "InvalidIdentifierError",
    "KeyEncryptionKey",
    "KeyFileError",
    "KeyVersionInfo",
    "KeyVersionNotFoundError",
    "Keyring",
    "KeyringError",
    "KeyringFormatError",
    "LocalKeyEncryptionKey",
    "MalformedCiphertextError",
    "MasterKeyMismatchError",
    "PrivacyError",
    "Profile",
    "RetiredKeyVersionError",
    "RewrapResult",
    "TamperedCiphertextError",
    "UnknownFieldClassError",
    "UnknownKeyVersionError",
    "UnsupportedTokenError",
    "VersionStatus",
    "WrongContextError",
    "chain_hash",
    "checkpoint_mac",
    "find_identifiers",
    "generate_master_key",
    "id_check_character",
    "is_valid_id_number",
    "looks_like_token",
    "luhn_valid",
    "mask_identifier",
    "normalise_birth_date",
    "normalise_id_number",
    "normalise_name",
    "normalise_phone",
    "rewrap_all",
    "token_version",
    "upgrade_id_15_to_18",
    "verify_checkpoint_mac",
    "write_master_key_file",
]
