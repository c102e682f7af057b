"""The receipt's HTML → PDF, now against before (issue 16), alternating run by run in one process.

Variants of the same receipt HTML (the demo's receipt with the most attachments):

- `before`: the QR code as the SVG path the portal drew before (qrcode's SvgPathImage, 8 px a
  module), and a new WeasyPrint FontConfiguration for the document (the four Liberation Serif
  faces loaded again);
- `png QR only`, `kept fonts only`: one of the two changes;
- `now`: `core.pdf.html_to_pdf` on the HTML as the portal renders it (PNG QR, the thread's
  FontConfiguration kept).

Seeds the demo on a throwaway SQLite database (or uses `--database-url`). Not a test, not in
`make test`: run by hand and copy the table into docs/benchmarks.md.

    .venv/bin/python benchmarks/receipt_pdf.py --runs 15
"""

import argparse
import base64
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.pdf_layout import seed

    database_url = args.database_url
    if database_url is None:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='receipt-pdf-')}/demo.sqlite3"
        seed(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    import qrcode
    import qrcode.image.svg
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    import core.pdf
    from benchmarks.pdf_layout import documents
    from grants.documents import verification_url
    from grants.models import Proposal

    html = dict(documents())["receipt"]
    receipt = Proposal.objects.get(receipt_number=re.search(r"AG-[A-Z0-9-]+-\d{4}", html)[0])
    svg = qrcode.make(
        verification_url(receipt), image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=1
    ).to_string()
    svg_uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    svg_html = re.sub(r'src="data:image/png;base64,[^"]*"', f'src="{svg_uri}"', html)
    assert svg_html != html, "the receipt's QR code is not a PNG data URI"
    kept = FontConfiguration()

    def weasy(text, fonts):
        return HTML(string=text, base_url=core.pdf.STATIC_BASE_URL).write_pdf(font_config=fonts)

    variants = {
        "before": lambda: weasy(svg_html, FontConfiguration()),
        "png QR only": lambda: weasy(html, FontConfiguration()),
        "kept fonts only": lambda: weasy(svg_html, kept),
        "now": lambda: core.pdf.html_to_pdf(html),
    }
    for make in variants.values():
        make()  # warm: imports, the first font load of the kept configurations
    times = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, make in variants.items():
            start = time.process_time()
            make()
            times[name].append((time.process_time() - start) * 1000)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"receipt {receipt.receipt_number}, {args.runs} runs each, load average {load}")
    print("| variant | fastest | median | median vs before |")
    print("|---|---:|---:|---:|")
    base = statistics.median(times["before"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {min(values):.0f} ms | {median:.0f} ms | {median / base - 1:+.0%} |")


if __name__ == "__main__":
    main()
