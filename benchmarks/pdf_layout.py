"""Official PDFs: WeasyPrint's fixed table layout against its auto layout (issue 16).

Seeds the demo on a throwaway SQLite database (or uses `--database-url`), renders every official
document the demo has to HTML once (receipt vi/en, decision vi/en, selection minutes vi/en,
session minutes, contract vi/en, registration certificate, acceptance minutes, transfer
agreement), then times HTML → PDF for the same HTML in two variants, alternating run by run in
this one process:

- `fixed`: the HTML as the portal renders it (`table-layout: fixed` and explicit column widths);
- `auto`: the same bytes with `table-layout: fixed` replaced by `table-layout: auto`.

`--before REF` also renders every document from the templates of the git ref REF (e.g. `main`
before the change) and compares the text of each page line by line (`pdftotext -layout`): a
line that differs is a word wrapped elsewhere. `--png DIR` writes every page of both as PNG
(`pdftoppm -r 60`, poppler-utils) to look at.

Not a test, not in `make test`: run by hand and copy the figures into docs/benchmarks.md.

    .venv/bin/python benchmarks/pdf_layout.py --runs 12 --before main --png /tmp/pdf-png
"""

import argparse
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def seed(database_url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)  # noqa: S603
    subprocess.run([*manage, "seed_demo"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def documents():
    """[(name, template, html)] of every official document the demo has, rendered now."""
    import core.pdf
    from grants import documents as grant_documents
    from grants.models import Proposal
    from projects import documents as project_documents
    from projects import minutes as acceptance_minutes
    from projects.models import Acceptance, Contract, ResultRegistration
    from transfer.demo import agreement_pdf
    from transfer.models import TransferDeal

    captured = []
    real = core.pdf.html_to_pdf

    def capture(html):
        captured.append(html)
        return b""

    def one(name, make):
        core.pdf.html_to_pdf = capture
        try:
            make()
        finally:
            core.pdf.html_to_pdf = real
        rows.append((name, captured.pop()))

    rows = []
    with_attachments = (
        Proposal.objects.exclude(receipt_number="").filter(versions__isnull=False).order_by("pk")
    )
    receipt = next(
        (
            p
            for p in with_attachments
            if p.versions.order_by("-number").first().data.get("attachments")
        ),
        with_attachments.first(),
    )
    one("receipt", lambda: grant_documents.receipt_pdf(receipt))
    one("receipt_en", lambda: grant_documents.receipt_pdf(receipt, "en"))
    decided = Proposal.objects.exclude(decision_number="").order_by("pk").first()
    one("decision_vi", lambda: grant_documents.decision_pdf(decided))
    one("decision_en", lambda: grant_documents.decision_pdf(decided, "en"))
    reviewed = Proposal.objects.filter(aggregate_score__isnull=False).order_by("pk").first()
    one("minutes", lambda: grant_documents.minutes_pdf(reviewed))
    one("minutes_en", lambda: grant_documents.minutes_pdf(reviewed, "en"))
    one("session_minutes", lambda: grant_documents.session_minutes_pdf(reviewed.call))
    contract = Contract.objects.filter(signed_at__isnull=False).order_by("pk").first()
    one("contract", lambda: project_documents.contract_pdf(contract))
    one("contract_en", lambda: project_documents.contract_pdf(contract, "en"))
    # The demo records no certificate: an unsaved one for its first completed task.
    completed = Contract.objects.filter(proposal__state="completed").order_by("pk").first()
    registration = ResultRegistration(
        contract=completed,
        number="01/2026/ĐKKQ-SKHCN",
        registered_on=datetime.date(2026, 11, 20),
        summary="Quy trình nuôi cá tra thương phẩm tuần hoàn nước, giảm 35 % lượng nước thay.",
        products="Quy trình kỹ thuật; báo cáo tổng hợp; 02 bài báo khoa học.",
    )
    one("registration", lambda: project_documents.registration_pdf(registration))
    acceptance = Acceptance.objects.exclude(verdict="").order_by("pk").first()
    one("acceptance_minutes", lambda: acceptance_minutes.minutes_pdf(acceptance))
    deal = TransferDeal.objects.filter(signed_on__isnull=False).order_by("pk").first()
    terms = {k: getattr(deal, k) for k in ("mode", "value", "payment", "term_months", "signed_on")}
    one("transfer_agreement", lambda: agreement_pdf(deal, **terms))
    return rows


def before_documents(ref):
    """The same documents rendered from the templates of git ref `ref`."""
    from django.conf import settings
    from django.test.utils import override_settings

    folder = Path(tempfile.mkdtemp(prefix="pdf-before-"))
    (folder / "pdf").mkdir()
    names = subprocess.run(  # noqa: S603
        ["git", "ls-tree", "--name-only", f"{ref}:templates/pdf"],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for name in names:
        text = subprocess.run(  # noqa: S603
            ["git", "show", f"{ref}:templates/pdf/{name}"],  # noqa: S607
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        (folder / "pdf" / name).write_text(text)
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0] = {**templates[0], "DIRS": [folder, *templates[0]["DIRS"]]}
    with override_settings(TEMPLATES=templates):
        return documents()


def auto(html):
    changed = html.replace("table-layout: fixed", "table-layout: auto")
    assert changed != html, "the document has no fixed table layout"
    return changed


def render(html):
    import core.pdf

    return core.pdf.html_to_pdf(html)


def page_lines(pdf, folder, name):
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,  # noqa: S607
    ).stdout
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]


def to_png(pdf_path, prefix):
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(prefix)], check=True)  # noqa: S603,S607


def pixel_diff(folder, name):
    """The share of pixels that differ, page by page, between the before and after PNGs."""
    from PIL import Image, ImageChops

    shares = []
    for before in sorted(folder.glob(f"{name}-before-*.png")):
        after = folder / before.name.replace("-before-", "-after-")
        if not after.exists():
            shares.append("page missing")
            continue
        a, b = Image.open(before).convert("L"), Image.open(after).convert("L")
        if a.size != b.size:
            shares.append("size differs")
            continue
        changed = sum(
            ImageChops.difference(a, b).point(lambda v: 255 if v > 32 else 0).histogram()[255:]
        )
        shares.append(f"{100 * changed / (a.width * a.height):.2f} %")
    return ", ".join(shares)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--database-url", help="a database with the demo (default: seed one)")
    parser.add_argument("--before", help="a git ref whose templates/pdf/ to compare with")
    parser.add_argument("--png", type=Path, help="write each page of each document as PNG here")
    args = parser.parse_args()
    if not args.database_url:
        args.database_url = f"sqlite:///{tempfile.mkdtemp(prefix='pdf-layout-')}/demo.sqlite3"
        seed(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    after = documents()
    work = Path(tempfile.mkdtemp(prefix="pdf-layout-out-"))
    if args.png:
        args.png.mkdir(parents=True, exist_ok=True)
    if args.before:
        before = dict(before_documents(args.before))
        print(f"## Line-by-line text against {args.before} (pdftotext -layout)")
        for name, html in after:
            new = page_lines(render(html), work, f"{name}-after")
            old = page_lines(render(before[name]), work, f"{name}-before")
            differ = sum(1 for a, b in zip(old, new, strict=False) if a != b) + abs(
                len(old) - len(new)
            )
            print(f"{name:20} lines {len(old):3} → {len(new):3}, differing {differ}")
            if differ:
                for a, b in zip(old, new, strict=False):
                    if a != b:
                        print(f"   - {a}\n   + {b}")
            if args.png:
                to_png(work / f"{name}-before.pdf", args.png / f"{name}-before")
                to_png(work / f"{name}-after.pdf", args.png / f"{name}-after")
                print(f"{'':20} pixels differing per page: {pixel_diff(args.png, name)}")
    elif args.png:
        for name, html in after:
            (work / f"{name}.pdf").write_bytes(render(html))
            to_png(work / f"{name}.pdf", args.png / name)

    print(f"\n## HTML → PDF, ms, {args.runs} runs each, fixed and auto alternating")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| document | fixed fastest | fixed median | auto fastest | auto median | median saved |")
    print("|---|---|---|---|---|---|")
    totals = {"fixed": [], "auto": []}
    for name, html in after:
        variants = {"fixed": html, "auto": auto(html)}
        for variant in variants.values():
            render(variant)  # warm the fonts and the code paths
        times = {"fixed": [], "auto": []}
        for _run in range(args.runs):
            for key, variant in variants.items():
                started = time.perf_counter()
                render(variant)
                times[key].append((time.perf_counter() - started) * 1000)
        for key in totals:
            totals[key].append(statistics.median(times[key]))
        fixed, automatic = statistics.median(times["fixed"]), statistics.median(times["auto"])
        print(
            f"| {name} | {min(times['fixed']):.0f} | {fixed:.0f} | {min(times['auto']):.0f} "
            f"| {automatic:.0f} | {100 * (1 - fixed / automatic):.0f} % |"
        )
    print(
        f"| all {len(after)} (sum of medians) | | {sum(totals['fixed']):.0f} | | "
        f"{sum(totals['auto']):.0f} | {100 * (1 - sum(totals['fixed']) / sum(totals['auto'])):.0f} % |"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
