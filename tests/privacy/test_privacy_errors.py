"""The exception tree in ``privacy.errors`` matches its docstring and leaks nothing."""

from __future__ import annotations

import inspect

import privacy.errors as errors
from privacy.errors import (
    ActiveVersionError,
    DecryptionError,
    InsecureKeyFileError,
    InvalidIdentifierError,
    KeyringError,
    MalformedCiphertextError,
    MasterKeyMismatchError,
    PrivacyError,
    RetiredKeyVersionError,
    TamperedCiphertextError,
    UnknownFieldClassError,
    UnknownKeyVersionError,
    UnsupportedCiphertextError,
    WrongContextError,
)


def test_every_exception_is_a_privacy_error_and_drawn_in_the_docstring() -> None:
    classes = [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if obj.__module__ == errors.__name__
    ]
    assert len(classes) >= 15
    for cls in classes:
        assert issubclass(cls, PrivacyError)
        assert cls.__name__ in (errors.__doc__ or ""), cls.__name__
        assert cls.__name__.endswith("Error")
        assert cls.__doc__


def test_tree_shape() -> None:
    for cls in (
        MalformedCiphertextError,
        TamperedCiphertextError,
        WrongContextError,
        UnknownKeyVersionError,
        RetiredKeyVersionError,
    ):
        assert issubclass(cls, DecryptionError)
    assert issubclass(UnsupportedCiphertextError, MalformedCiphertextError)
    for keyring_cls in (MasterKeyMismatchError, ActiveVersionError, InsecureKeyFileError):
        assert issubclass(keyring_cls, KeyringError)
    assert issubclass(UnknownFieldClassError, ValueError)
    assert issubclass(InvalidIdentifierError, ValueError)


def test_messages_are_actionable_and_carry_attributes() -> None:
    retired = RetiredKeyVersionError("identifier", 1, 3)
    assert (retired.field_class, retired.version, retired.active_version) == ("identifier", 1, 3)
    assert "rewrap" in str(retired)
    assert "chmod 600" in str(InsecureKeyFileError("/k/master.key", 0o644))
    assert "0644" in str(InsecureKeyFileError("/k/master.key", 0o644))
    assert "rotate" in str(ActiveVersionError(2, "retire"))
    assert "[1, 2]" in str(UnknownKeyVersionError("name", 9, [1, 2]))
    assert "identifier, name" in str(UnknownFieldClassError("nope", ("identifier", "name")))
