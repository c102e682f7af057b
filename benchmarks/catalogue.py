"""`make bench` (second part): the technology catalogue at 1,000 and 10,000 technologies.

Seeds published technologies and needs in bulk beside the demo, then measures, through the
full middleware stack: catalogue search with and without diacritics, the catalogue filtered by
sector and TRL, a technology page (with its matching needs), against the public floor page;
and the matching of one need to the catalogue. Appends its section to docs/benchmarks.md.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import explain  # noqa: E402
from benchmarks.proposals import machine, timed  # noqa: E402
from benchmarks.report import write_section  # noqa: E402
from cms.models import Sector  # noqa: E402
from core.text import fold  # noqa: E402
from core.words import joined_words  # noqa: E402
from researchers.models import Organisation  # noqa: E402
from transfer import matching  # noqa: E402
from transfer.models import Technology, TechnologyNeed  # noqa: E402

THINGS = [
    "giống lúa thơm chịu mặn", "quy trình nuôi cá tra", "chế phẩm vi sinh", "máy sấy nông sản",
    "cảm biến độ mặn", "bảo quản xoài sau thu hoạch", "phần mềm truy xuất nguồn gốc",
    "tưới nhỏ giọt tự động", "thức ăn thủy sản", "phân bón hữu cơ", "nấm ăn trên rơm rạ",
    "nhân giống cây ăn trái", "sàn giao dịch nông sản", "thiết bị bay phun thuốc",
]  # fmt: skip
QUALITIES = ["tiết kiệm nước", "giảm chi phí", "năng suất cao", "thân thiện môi trường",
             "cho hợp tác xã", "quy mô nông hộ", "đạt chuẩn xuất khẩu"]  # fmt: skip
PLACES = ["Long Xuyên", "Châu Đốc", "Rạch Giá", "Tri Tôn", "Thoại Sơn", "Phú Quốc", "Hòn Đất"]


def generate(total, rng):
    missing = total - Technology.objects.filter(state="published").count()
    if missing <= 0:
        return
    sectors = list(Sector.objects.all())
    organisations = list(Organisation.objects.exclude(kind="agency"))
    owner = get_user_model().objects.get(email="researcher@example.org")
    business = get_user_model().objects.get(email="business@example.org")
    now = timezone.now()
    batch = []
    for n in range(missing):
        title = (
            f"{rng.choice(THINGS).capitalize()} {rng.choice(QUALITIES)} tại {rng.choice(PLACES)}"
        )
        summary = (
            f"{title}: giải pháp đã thử nghiệm ở {rng.choice(PLACES)}, "
            f"{rng.choice(QUALITIES)} và {rng.choice(QUALITIES)}. " * 2
        )
        batch.append(
            Technology(
                title=title, summary=summary, sector=rng.choice(sectors), trl=rng.randint(3, 9),
                ip_status="know_how", transfer_modes=["licence"], price=rng.randrange(50, 2000) * 1_000_000,
                owner=owner, organisation=rng.choice(organisations), state="published",
                published_at=now - timezone.timedelta(minutes=n), search_text=fold(f"{title} | {summary}"),
                words=joined_words(title, summary),
            )
        )  # fmt: skip
    Technology.objects.bulk_create(batch, batch_size=2000)
    needs = TechnologyNeed.objects.count()
    wanted = total // 5
    TechnologyNeed.objects.bulk_create(
        [
            TechnologyNeed(
                business=business, title=f"Cần {rng.choice(THINGS)} {rng.choice(QUALITIES)}",
                problem=f"Doanh nghiệp ở {rng.choice(PLACES)} cần {rng.choice(THINGS)} {rng.choice(QUALITIES)}.",
                sector=rng.choice(sectors), desired_trl=rng.randint(5, 8), state="published",
            )
            for _ in range(max(wanted - needs, 0))
        ],
        batch_size=2000,
    )  # fmt: skip
    for need in TechnologyNeed.objects.filter(search_text=""):
        TechnologyNeed.objects.filter(pk=need.pk).update(
            search_text=fold(f"{need.title} | {need.problem}"),
            words=joined_words(need.title, need.problem),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _timed_function(function, runs, warmup):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"median": statistics.median(samples), "p90": samples[int(len(samples) * 0.9) - 1],
            "queries": None, "ratio": None}  # fmt: skip


def measure(runs, warmup):
    client = Client()
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    # The bulk needs were inserted, not published: rank the measured technology's needs against
    # all of them, as the background task does when a need or technology is published.
    matching.store(tech)
    pages = [
        ("floor (base template, visitor)", "/bench/floor-public/"),
        # Searches with hits among the bulk listings ("lúa gạo" found none: not a topic there).
        ("catalogue searched “giống lúa”", "/technologies/?q=gi%E1%BB%91ng+l%C3%BAa"),
        ("catalogue searched “giong lua”", "/technologies/?q=giong+lua"),
        ("catalogue by sector and TRL", "/technologies/?sector=rice&trl_min=6"),
        ("catalogue searched “nấm” (whole syllable)", "/technologies/?q=n%E1%BA%A5m"),
        ("a technology page", f"/technologies/{tech.pk}/"),
        ("site search “cá tra” (every kind)", "/search/?q=c%C3%A1+tra"),
        ("site search “ca tra” (every kind)", "/search/?q=ca+tra"),
    ]
    results = {label: {"url": url, **timed(client, url, runs, warmup)} for label, url in pages}
    floor = results["floor (base template, visitor)"]["median"]
    for row in results.values():
        row["ratio"] = row["median"] / floor
    need = TechnologyNeed.objects.get(title="Cần giải pháp giảm chi phí thức ăn nuôi cá tra")
    results["matching one need (function)"] = {
        "url": "matching.technologies_for",
        **_timed_function(lambda: matching.technologies_for(need), runs, warmup),
    }
    results["re-ranking after a need is published (task)"] = {
        "url": "matching.refresh_need",
        **_timed_function(lambda: matching.refresh_need(need), runs, warmup),
    }
    return results


def explain_section(size):
    """EXPLAIN of the catalogue search's and the matching's slowest statements."""
    client = Client()
    need = TechnologyNeed.objects.get(title="Cần giải pháp giảm chi phí thức ăn nuôi cá tra")
    lines = [
        "",
        f"### Query plans at {size:,} technologies".replace(",", ".")
        + " (`EXPLAIN (ANALYZE, BUFFERS)`)",
        "",
    ]
    for title, what, function in (
        ("Catalogue search “giống lúa”", "The slowest statement of `GET /technologies/?q=giống+lúa`",
         lambda: client.get("/technologies/?q=gi%E1%BB%91ng+l%C3%BAa")),
        ("Catalogue search “giong lua” (no diacritics)", "The slowest statement of `GET /technologies/?q=giong+lua`",
         lambda: client.get("/technologies/?q=giong+lua")),
        ("Matching one need", "The slowest statement of `matching.technologies_for` (the candidates)",
         lambda: matching.technologies_for(need)),
    ):  # fmt: skip
        lines += explain.section(title, what, function)
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: run it with `make bench`.")
    call_command("migrate", verbosity=0)
    if not Technology.objects.exists():
        import io

        call_command("seed_demo", stdout=io.StringIO())
    from benchmarks.matching_labels import BEFORE, evaluate

    quality = evaluate()  # on the demo's own catalogue, before the bulk data dilutes it
    rng = random.Random(57)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        generate(size, rng)
        results[size] = measure(args.runs, args.warmup)
        print(f"{Technology.objects.filter(state='published').count()} technologies, "
              f"{TechnologyNeed.objects.count()} needs")  # fmt: skip
        for label, row in results[size].items():
            ratio = f"×{row['ratio']:.2f}" if row["ratio"] else ""
            print(
                f"  {label:36} median {row['median']:6.1f} ms  p90 {row['p90']:6.1f} ms  {ratio} {row['queries']}"
            )
    lines = ["## Catalogue and matching", "",
             f"- Command: `make bench` (second part: `benchmarks/catalogue.py`); machine: {machine()}",
             "- Bulk-seeded published technologies (about one need per five technologies) beside the"
             " demo, `VACUUM ANALYZE`, visitor not signed in; floor = base template for a visitor.",
             "- The technology page reads its matching needs from the stored rankings (`transfer.Match`),"
             " which a background task refreshes when a need or technology is published; the measured"
             " technology is ranked against all bulk needs first. The last row times that task for one"
             " need (its own ranking, then the rankings of the technologies it reaches). The catalogue's"
             " sector menu comes from Django's cache; owners are picked by name (no menu of every organisation).",
             "- Targets (issue 6): pages within 3× the floor and under 50 ms median, queries constant;"
             " matching under 200 ms per need.", ""]  # fmt: skip
    for size in sizes:
        lines += [f"### {size:,} technologies".replace(",", "."), "",
                  "| measured | what | median ms | p90 ms | × floor | queries |", "|---|---|---:|---:|---:|---:|"]  # fmt: skip
        for label, row in results[size].items():
            ratio = f"{row['ratio']:.2f}" if row["ratio"] else "—"
            queries = row["queries"] if row["queries"] is not None else "—"
            lines.append(
                f"| {label} | `{row['url']}` | {row['median']:.1f} | {row['p90']:.1f} | {ratio} | {queries} |"
            )
        lines.append("")
    lines += ["### Matching quality (labelled set: `benchmarks/matching_labels.py`, demo data)", "",
              f"{quality['needs']} needs, {quality['pairs']} labelled pairs · hit@1 {quality['hit@1']:.2f} · "
              f"precision@5 {quality['precision@5']:.3f} · recall@5 {quality['recall@5']:.3f} · "
              f"nDCG@5 {quality['ndcg@5']:.3f} · false friends in the top 5: {quality['false_friends']}",
              "(precision@5 is bounded by the 1–3 relevant technologies per need: 0.32 at most).",
              f"Before (syllable matcher of issue 6): hit@1 {BEFORE['hit@1']:.2f} · precision@5 {BEFORE['precision@5']:.3f}"
              f" · recall@5 {BEFORE['recall@5']:.3f} · nDCG@5 {BEFORE['ndcg@5']:.3f}.", "",
              "| need | first match | relevant found in top 5 |", "|---|---|---|"]  # fmt: skip
    for title, top, found, relevant in quality["rows"]:
        lines.append(f"| {title} | {top[0] if top else '—'} | {found}/{relevant} |")
    lines += explain_section(sizes[-1])
    write_section(args.output, "catalogue", "\n".join(lines))
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
