"""Reports as PDF: Korean text is embedded as text (extracted back with pypdf), and the
renderer fetches nothing from outside the document."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from pypdf import PdfReader

from workmate.lib import charts
from workmate.lib.pdf import FONT_FAMILY, html_to_pdf


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def document(body: str) -> str:
    return (
        f'<!doctype html><html lang="ko"><head><meta charset="utf-8"><style>'
        f"body {{ font-family: {FONT_FAMILY}; }}</style></head><body>{body}</body></html>"
    )


def test_korean_text_is_extractable_from_the_pdf():
    body = "<h1>클라우드 적합성 보고서</h1><p>신용정보는 국내 리전에만 둡니다.</p>"
    data = html_to_pdf(document(body))
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "클라우드 적합성 보고서" in text
    assert "신용정보는 국내 리전에만 둡니다." in text


def test_a_chart_in_svg_is_drawn_with_its_korean_labels():
    chart = charts.bar_chart("c", "판정별 워크로드", [("재호스팅", 12, "12"), ("폐기", 3, "3")])
    svg = render_to_string("includes/bar_chart.svg", {"chart": chart})
    text = pdf_text(html_to_pdf(document(svg)))
    assert "재호스팅" in text
    assert "폐기" in text


def test_the_renderer_fetches_no_file_or_url(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'LEAKED-FILE' }")
    html = document(
        f'<link rel="stylesheet" href="file://{secret}">'
        f'<img src="file://{secret}" alt="">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>본문</p>'
    )
    text = pdf_text(html_to_pdf(html))
    assert "본문" in text
    assert "LEAKED-FILE" not in text
