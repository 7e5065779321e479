"""Every error class carries an API code from the allowed set (``hub.errors``)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import hub
import privacy
from hub.errors import ERROR_CODES, HubError
from privacy import PrivacyError


def _subclasses(root: type[Exception]) -> list[type[Exception]]:
    found, todo = [], [root]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _import_everything() -> None:
    for package in (hub, privacy):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)


def test_every_error_class_has_an_allowed_code() -> None:
    _import_everything()
    classes = _subclasses(HubError) + _subclasses(PrivacyError)
    assert len(classes) > 60  # the whole tree was imported, not just the root modules
    assert {f"{c.__module__}.{c.__qualname__}": c.code for c in classes
            if c.code not in ERROR_CODES} == {}


def test_the_module_docstring_draws_every_class() -> None:
    _import_everything()
    import hub.errors

    drawn = hub.errors.__doc__ or ""
    missing = [c.__name__ for c in _subclasses(HubError)
               if c.__module__.startswith("hub.") and c.__name__ not in drawn]
    assert missing == []


def test_a_class_with_an_unknown_code_is_refused() -> None:
    with pytest.raises(TypeError, match="NOT_A_CODE"):
        type("BadError", (HubError,), {"code": "NOT_A_CODE"})


def test_the_root_is_internal_and_codes_are_inherited() -> None:
    from hub.charity import CharityError, ReferralNotFoundError
    from hub.charity.referrals import OutOfJurisdictionReferralError

    assert HubError.code == PrivacyError.code == "INTERNAL"
    assert CharityError.code == "BAD_INPUT"
    assert OutOfJurisdictionReferralError.code == ReferralNotFoundError.code == "NOT_FOUND"
