"""Official documents as PDF (WeasyPrint), in the layout of Decree 30/2020/NĐ-CP.

Fonts are the repository's own Liberation Serif 2 (metric-compatible with Times New Roman,
with the Vietnamese glyphs Liberation 1.x lacks): nothing is looked up on the system.
"""

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


def html_to_pdf(html):
    """PDF bytes of an official document's HTML (the fonts and images under static/)."""
    # WeasyPrint is imported here, not at the top: loading it (and Pango) costs 0.6 s, which
    # every process that never renders a PDF (manage.py commands, test workers) would pay.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=html, base_url=STATIC_BASE_URL).write_pdf(font_config=FontConfiguration())
