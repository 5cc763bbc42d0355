"""Receivers of the lower apps' signals: each writes an Event in the change's transaction."""

from __future__ import annotations


def connect() -> None:
    pass
