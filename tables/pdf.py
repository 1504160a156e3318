"""The one way PDFs are made: an ordinary Django template under templates/<app>/pdf/,
rendered in the document's language and handed to WeasyPrint.

Static and media files are read from disk through our own URL fetcher: a worker never
fetches anything over the network, so a PDF cannot leak a request to a third party nor
hang on one.
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["LocalFetcher", "render_pdf"]

# Tagged PDF/UA-1 (PDF 1.7): a structure tree, the document language and a displayed
# title, so that screen readers can read the minutes in order.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "optimize_images": True}


class LocalFetcher(URLFetcher):
    """Serves `/static/…` through the staticfiles finders and `/media/…` from MEDIA_ROOT;
    refuses every other address."""

    def __init__(self):
        super().__init__(timeout=1, allowed_protocols={"http", "https", "data"})

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = unquote(urlsplit(url).path)
        file = self._local_file(path)
        if file is None:
            raise ValueError(f"PDFs only use local files; refused {url}")
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _local_file(path: str) -> Path | None:
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            return Path(found) if found else None
        if path.startswith(settings.MEDIA_URL):
            root = Path(settings.MEDIA_ROOT).resolve()
            file = (root / path.removeprefix(settings.MEDIA_URL)).resolve()
            # A crafted name such as /media/../settings.py must not escape MEDIA_ROOT.
            if file.is_relative_to(root) and file.is_file():
                return file
        return None


def render_pdf(template_name: str, context: dict, *, language: str) -> tuple[bytes, int]:
    """Render `template_name` in `language` and return the PDF and its number of pages."""
    with translation.override(language):
        html = render_to_string(template_name, context)
    # Relative addresses in the template (/static/…) resolve against the site's address,
    # which is also what links in the PDF should point to.
    document = HTML(string=html, base_url=f"{settings.SITE_URL}/", url_fetcher=LocalFetcher()).render(
        **PDF_OPTIONS
    )
    return document.write_pdf(**PDF_OPTIONS), len(document.pages)
