"""The take-away summary as a tagged PDF (PDF/UA-1), made with WeasyPrint.

This module renders HTML it is given into PDF bytes; it decides nothing and reads no content.
The PDF is tagged (a structure tree, ``/MarkInfo``), carries the page's ``<title>`` as its
document title and the ``<html lang>`` as its language, so screen readers can follow it.

Nothing is fetched from the network. The page's own stylesheets are served from
``static_dir`` when they are linked under ``<base_url>/static/``; every other URL (an image
on another site, a file path) is refused, so rendering cannot be made to read local files or
reach other hosts. Fonts come from the system (fontconfig); DejaVu is the usual one.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_VARIANT = "pdf/ua-1"


class StaticFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``<base_url>/static/<path>`` from ``static_dir``; refuses everything else."""

    def __init__(self, base_url: str, static_dir: Path) -> None:
        super().__init__(allowed_protocols=("http", "https"))
        self.prefix = base_url.rstrip("/") + "/static/"
        self.static_dir = static_dir.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if not url.startswith(self.prefix):
            raise ValueError("only the app's own static files are loaded")
        relative = url[len(self.prefix) :].split("?")[0].split("#")[0]
        path = (self.static_dir / relative).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            raise ValueError("not a static file")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})


def _document(html: str, base_url: str, static_dir: Path, stylesheets: Sequence[str]) -> Any:
    fetcher = StaticFetcher(base_url, static_dir)
    prefix = base_url.rstrip("/") + "/static/"
    extra = [CSS(url=prefix + name, url_fetcher=fetcher) for name in stylesheets]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(stylesheets=extra)


def page_anchors(
    html: str, *, base_url: str, static_dir: Path, stylesheets: Sequence[str] = ()
) -> list[set[str]]:
    """The element ids laid out on each page of the PDF ``html_to_pdf`` would make, in page
    order: how a test or a benchmark finds the page an element (e.g. ``details``) lands on."""
    document = _document(html, base_url, static_dir, stylesheets)
    return [set(page.anchors) for page in document.pages]


def html_to_pdf(
    html: str,
    *,
    base_url: str,
    static_dir: Path,
    stylesheets: Sequence[str] = (),
) -> bytes:
    """``html`` as tagged PDF bytes. ``base_url`` is the app's root URL (links in the PDF
    point there); ``stylesheets`` are extra paths under ``static_dir`` applied after the
    page's own, for what only paper needs (page size, margins, page numbers)."""
    fetcher = StaticFetcher(base_url, static_dir)
    prefix = base_url.rstrip("/") + "/static/"
    extra = [CSS(url=prefix + name, url_fetcher=fetcher) for name in stylesheets]
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=extra, pdf_variant=PDF_VARIANT)
    return pdf
