"""Where uploaded files live: the local disk (MEDIA_ROOT) or an S3-compatible object store.

STORAGE_URL chooses (docs/deploy.md, "Files"):

- unset: the local disk under MEDIA_ROOT, for one machine;
- `s3://BUCKET[/PREFIX]?endpoint_url=https://…&region_name=…&addressing_style=path`: an
  S3-compatible store shared by every host (AWS S3, MinIO, Ceph, NCP/NHN object storage).
  The credentials come from the usual AWS variables (AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY) or the machine's role, never from the URL.

Every file goes through Django's storage API (FileField), so the code is the same for both.
Downloads are streamed through the app after its permission check (see docs/deploy.md for
why not signed redirects): the bucket stays private and need not be reachable from
browsers.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.core.exceptions import ImproperlyConfigured

S3_OPTIONS = {"endpoint_url", "region_name", "addressing_style"}


def storage_from_url(url: str) -> dict[str, Any]:
    """The STORAGES["default"] entry for STORAGE_URL; ImproperlyConfigured naming it when
    the URL is malformed."""
    if not url:
        # No location: FileSystemStorage follows MEDIA_ROOT (and the tests' changes to it).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"STORAGE_URL must be s3://bucket/prefix?endpoint_url=… (or unset for the local "
            f"disk), not {url!r}."
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            "STORAGE_URL must not hold credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY instead."
        )
    bucket = parts.hostname or ""
    if not bucket:
        raise ImproperlyConfigured(f"STORAGE_URL names no bucket: {url!r}.")
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - S3_OPTIONS
    if unknown:
        raise ImproperlyConfigured(
            f"STORAGE_URL has unknown options {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(S3_OPTIONS))}."
        )
    options = {name: values[-1] for name, values in query.items()}
    endpoint = options.get("endpoint_url", "")
    if endpoint:
        scheme = urllib.parse.urlsplit(endpoint)
        if scheme.scheme not in {"http", "https"} or not scheme.hostname:
            raise ImproperlyConfigured(
                f"STORAGE_URL's endpoint_url must be an http(s):// address, not {endpoint!r}."
            )
    if options.get("addressing_style", "auto") not in {"auto", "path", "virtual"}:
        raise ImproperlyConfigured("STORAGE_URL's addressing_style must be auto, path or virtual.")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": parts.path.strip("/"),
            "endpoint_url": endpoint or None,
            "region_name": options.get("region_name") or None,
            "addressing_style": options.get("addressing_style") or None,
            "signature_version": "s3v4",
            # Two uploads with the same name both keep their file, as on the local disk
            # (django-storages would overwrite by default).
            "file_overwrite": False,
            # Private objects; no public URL is ever handed out.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # A download is read into memory up to this size, then into a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
