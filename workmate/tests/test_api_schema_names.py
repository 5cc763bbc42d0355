"""The API's schema names are unique across apps.

django-ninja names an OpenAPI component after its schema class, and a second class of the
same name in another app silently replaces the first in /api/openapi.json: the desk's
ticket entries were once documented as the levels ledger's entries, and Voice's people as
the library's. Enums (a model's TextChoices used as a field's type) are components named
after their class too: the inbox's notification `Kind` was once documented as the
webhooks' endpoint `Kind`, and every notification failed its own schema.
"""

from __future__ import annotations

import enum
import typing
from collections import defaultdict

from ninja import Schema

import workmate.api  # noqa: F401  (imports every router and so every schema)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def test_no_two_schemas_of_the_api_share_a_name() -> None:
    modules: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("workmate."):
            modules[schema.__name__].add(schema.__module__)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}


def _enums(annotation: object) -> list[type[enum.Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    return [found for arg in typing.get_args(annotation) for found in _enums(arg)]


def test_no_two_enums_of_the_api_share_a_name() -> None:
    modules: dict[str, set[str]] = defaultdict(set)
    for schema in _subclasses(Schema):
        if not schema.__module__.startswith("workmate."):
            continue
        for field in schema.model_fields.values():
            for found in _enums(field.annotation):
                modules[found.__name__].add(f"{found.__module__}.{found.__qualname__}")
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}
