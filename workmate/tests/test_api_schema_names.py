"""The API's schema names are unique across apps.

django-ninja names an OpenAPI component after its schema class, and a second class of the
same name in another app silently replaces the first in /api/openapi.json: the desk's
ticket entries were once documented as the levels ledger's entries, and Voice's people as
the library's.
"""

from __future__ import annotations

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
