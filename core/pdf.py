"""Official documents as PDF (WeasyPrint), in the layout of Decree 30/2020/NĐ-CP.

Fonts are the repository's own Liberation Serif 2 (metric-compatible with Times New Roman,
with the Vietnamese glyphs Liberation 1.x lacks): nothing is looked up on the system.
"""

import atexit
import threading

from django.conf import settings
from django.template.loader import render_to_string

STATIC_BASE_URL = (settings.BASE_DIR / "static").as_uri() + "/"


def document_date(day):
    """'ngày 05 tháng 02 năm 2027': Decree 30, art. 8 — a 0 before days below 10 and months 1, 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def render_pdf(template_name, context, *, request=None):
    """Render a template from templates/pdf/ to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, context, request=request))


_fonts = threading.local()


def _font_config():
    """One WeasyPrint font configuration per thread, kept: it loads each @font-face of the
    documents (the four Liberation Serif files, the same for every document) once, where a new
    one per document loaded them again — 20 ms of a receipt's ~100 (issue 16). Per thread,
    because Fontconfig's and Pango's objects are not to be shared between threads."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
        # Dropped before the interpreter tears its modules down: its __del__ (which removes
        # its temporary font folder) would fail then, with a traceback in the worker's log.
        atexit.register(_fonts.__dict__.pop, "config", None)
    return config


def html_to_pdf(html):
    """PDF bytes of an official document's HTML (the fonts and images under static/)."""
    # WeasyPrint is imported here, not at the top: loading it (and Pango) costs 0.6 s, which
    # every process that never renders a PDF (manage.py commands, test workers) would pay.
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(font_config=_font_config())
