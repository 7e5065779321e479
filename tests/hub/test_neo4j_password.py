"""The generated Neo4j password must reach the admin tool as a password, not an option."""

import string

from hub.neo4j_local import new_password


def test_passwords_are_letters_and_digits_only() -> None:
    allowed = set(string.ascii_letters + string.digits)
    passwords = [new_password() for _ in range(2000)]
    assert all(len(p) == 32 and set(p) <= allowed for p in passwords)
    assert not any(p.startswith("-") for p in passwords)
    assert len(set(passwords)) == len(passwords)
