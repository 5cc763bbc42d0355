"""Serving uploaded files as downloads that a browser never runs as pages of this site."""

from __future__ import annotations

from django.core.files import File
from django.http import FileResponse


def safe_download(file: File, *, name: str, content_type: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    # Never let a browser run an uploaded file as a page of this site.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
