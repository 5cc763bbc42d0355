"""HTML to PDF for downloadable reports, Korean included (WeasyPrint).

WeasyPrint lays out HTML and CSS with Pango, finds fonts through fontconfig and embeds
the glyphs it used with a ToUnicode map, so the Korean in a PDF is real text: it can be
searched, copied and extracted (the tests read it back with pypdf). It needs Debian's
`libpango-1.0-0` and `libpangoft2-1.0-0`, and a Korean font: `fonts-noto-cjk` (the
stylesheets name "Noto Sans CJK KR" first, then NanumGothic). `scripts/venv.sh`'s
`ensure_pdf_libs` installs them for `./run` and `./test`, `.ci/run` for CI.

A report is made from data the customer typed (VM names, notes), so the renderer may
fetch nothing: no file, no URL, only `data:` URIs. Images and styles go inline.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

# WeasyPrint reports each layout step at INFO; a report download is not worth a log line.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The family list every PDF stylesheet starts from: Hangul first, then Latin fallbacks.
FONT_FAMILY = '"Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "DejaVu Sans", sans-serif'


class PdfUnavailable(RuntimeError):
    """The PDF renderer cannot run on this machine (Pango missing)."""


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document to PDF bytes.

    WeasyPrint is imported here, not at module level, so a machine without Pango still
    starts and serves every other page; asking it for a PDF raises `PdfUnavailable`.
    """
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as error:  # cffi could not load libpango
        raise PdfUnavailable(
            _("PDF export needs Pango on the server (apt-get install libpango-1.0-0).")
        ) from error
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
