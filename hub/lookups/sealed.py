"""A sealed personal value travelling from a service to a resolver, decrypted on demand."""

from __future__ import annotations

from dataclasses import dataclass

from privacy import FieldEncryptor


@dataclass(frozen=True, slots=True)
class Sealed:
    """A ciphertext with the context it was sealed in; ``reveal`` decrypts it."""

    ciphertext: str
    label: str
    record_key: str
    field: str

    def reveal(self, encryptor: FieldEncryptor) -> str:
        """The plaintext (call only after the policy allowed this field)."""
        return encryptor.decrypt(self.ciphertext, label=self.label, record_key=self.record_key,
                                 field=self.field)

    def __repr__(self) -> str:
        return f"Sealed({self.label}.{self.field})"


def sealed_fields(props: dict, label: str, key: str) -> dict[str, Sealed]:
    """Every ``enc_<field>`` property of a node as ``{field: Sealed}``."""
    return {name[4:]: Sealed(value, label, key, name[4:])
            for name, value in props.items()
            if name.startswith("enc_") and isinstance(value, str)}
