"""`make bench`: the proposal pages at 1,000 and 10,000 proposals, against a floor page.

Runs on the PostgreSQL that DATABASE_URL names (`make bench` starts a throwaway one), seeds the
demo, then adds realistic proposals (every state, teams, budgets, frozen versions, audit entries,
council ballots; a few applicants with many dossiers), and measures each page through the full
middleware stack with Django's test client: median and p90 of the server time over repeated
requests after warm-up, the ratio to the floor page (base template, signed-in user) measured in
the same run, and the SQL query count. Results go to docs/benchmarks.md.
"""

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import explain  # noqa: E402
from benchmarks.report import write_section  # noqa: E402
from grants.models import (  # noqa: E402
    AuditEntry,
    Ballot,
    BudgetLine,
    CallPage,
    Proposal,
    ProposalVersion,
    ReceiptCounter,
    ReviewAssignment,
    TeamMember,
)
from grants.models.proposals import search_text_of  # noqa: E402
from projects.models import (  # noqa: E402
    Contract,
    Deliverable,
    Inspection,
    ProgressReport,
    Tranche,
)
from researchers.models import Organisation, Profile, searchable_name  # noqa: E402

# Share of each state, and the path of transitions that leads there.
STATES = {
    "draft": (10, []),
    "submitted": (12, ["submit"]),
    "returned": (5, ["submit", "return_for_revision"]),
    "ineligible": (5, ["submit", "mark_ineligible"]),
    "eligible": (10, ["submit", "mark_eligible"]),
    "under_review": (8, ["submit", "mark_eligible", "start_review"]),
    "reviewed": (10, ["submit", "mark_eligible", "start_review", "complete_review"]),
    "funded": (8, ["submit", "mark_eligible", "start_review", "complete_review", "fund"]),
    "rejected": (10, ["submit", "mark_eligible", "start_review", "complete_review", "reject"]),
    "in_progress": (
        10,
        ["submit", "mark_eligible", "start_review", "complete_review", "fund", "sign_contract"],
    ),
    "completed": (
        6,
        [
            "submit",
            "mark_eligible",
            "start_review",
            "complete_review",
            "fund",
            "sign_contract",
            "accept_results",
        ],
    ),  # fmt: skip
    "terminated": (
        2,
        [
            "submit",
            "mark_eligible",
            "start_review",
            "complete_review",
            "fund",
            "sign_contract",
            "terminate",
        ],
    ),  # fmt: skip
    "transferred": (
        1,
        [
            "submit",
            "mark_eligible",
            "start_review",
            "complete_review",
            "fund",
            "sign_contract",
            "accept_results",
            "mark_transferred",
        ],
    ),  # fmt: skip
    "withdrawn": (3, ["submit", "withdraw"]),
}
TARGETS = {
    "submit": "submitted",
    "return_for_revision": "returned",
    "mark_ineligible": "ineligible",
    "mark_eligible": "eligible",
    "start_review": "under_review",
    "complete_review": "reviewed",
    "fund": "funded",
    "reject": "rejected",
    "sign_contract": "in_progress",
    "accept_results": "completed",
    "terminate": "terminated",
    "mark_transferred": "transferred",
    "withdraw": "withdrawn",
}
SUBJECTS = [
    "giống lúa thơm chịu mặn", "nuôi cá tra tuần hoàn", "bảo quản xoài Ba Màu sau thu hoạch",
    "truy xuất nguồn gốc tôm càng xanh", "cảm biến IoT đo độ mặn", "chế phẩm vi sinh xử lý rơm rạ",
    "sấy lúa bằng năng lượng mặt trời", "chuyển đổi số hợp tác xã", "nhân giống chuối in vitro",
    "thức ăn thủy sản từ phụ phẩm", "quản lý vùng trồng bằng ảnh vệ tinh", "du lịch thông minh Phú Quốc",
]  # fmt: skip
ACTIONS = ["Nghiên cứu", "Ứng dụng", "Hoàn thiện quy trình", "Xây dựng mô hình", "Phát triển"]
PLACES = ["Long Xuyên", "Châu Đốc", "Rạch Giá", "Tân Hiệp", "Hòn Đất", "Thoại Sơn", "Tri Tôn"]
SCORES = {"overview": 10, "content": 20, "products": 13, "application": 13, "feasibility": 13,
          "capacity": 13}  # fmt: skip


ORGANISATIONS = 3000  # a province's universities, institutes, companies and cooperatives
KINDS = ["university", "institute", "business", "other"]


def many_organisations(rng, count=ORGANISATIONS):
    """Organisations up to `count` (the queue's and the catalogue's pickers must stay small)."""
    missing = count - Organisation.objects.count()
    if missing <= 0:
        return
    start = Organisation.objects.filter(name__startswith="Đơn vị thử nghiệm").count()
    batch = []
    for n in range(start, start + missing):
        kind = rng.choice(KINDS)
        organisation = Organisation(
            name=f"Đơn vị thử nghiệm {n:05} {rng.choice(PLACES)}",
            short_name=f"ĐV {n:05}",
            kind=kind,
            tax_code=f"16{n:08}" if kind == "business" else "",
        )
        organisation.search_name = searchable_name(organisation)
        batch.append(organisation)
    Organisation.objects.bulk_create(batch, batch_size=1000)


def applicants(rng, count):
    """Researchers to own the dossiers, each with a profile and an organisation."""
    user_model = get_user_model()
    group = Group.objects.get(name="researcher")
    many_organisations(rng)
    organisations = list(Organisation.objects.exclude(kind="agency"))
    existing = list(user_model.objects.filter(username__startswith="bench-").order_by("pk"))
    new = [
        user_model(username=f"bench-{n}", email=f"bench-{n}@example.org", first_name=f"NCV {n}")
        for n in range(len(existing), count)
    ]
    user_model.objects.bulk_create(new)
    created = list(user_model.objects.filter(username__in=[u.username for u in new]))
    group.user_set.add(*created)
    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                full_name=f"Nguyễn Văn {u.username[6:]}",
                organisation=rng.choice(organisations),
            )
            for u in created
        ]
    )
    return existing + created


def generate(total, rng):
    """Add proposals until there are `total`, spread over every state."""
    missing = total - Proposal.objects.count()
    if missing <= 0:
        return
    calls = list(CallPage.objects.filter(locale__language_code="vi").prefetch_related("sectors"))
    heavy = get_user_model().objects.get(email="researcher@example.org")
    owners = applicants(rng, 400)
    officer = get_user_model().objects.get(email="officer@example.org")
    manager = get_user_model().objects.get(email="manager@example.org")
    reviewers = list(
        get_user_model().objects.filter(email__startswith="reviewer").order_by("email")
    )
    organisations = {p.user_id: p.organisation_id for p in Profile.objects.all()}
    # Receipt numbers go on from each call's ReceiptCounter, which is moved on to the last one
    # given below: the next real submit in a filled call takes the next number, not a taken one.
    counters = {}
    names, weights = zip(
        *[(state, weight) for state, (weight, _path) in STATES.items()], strict=True
    )
    now = timezone.now()
    drafts = set(Proposal.objects.filter(state="draft").values_list("call_id", "owner_id"))
    batch = 1000
    while missing > 0:
        size = min(batch, missing)
        proposals = []
        for _ in range(size):
            state = rng.choices(names, weights)[0]
            # Applicants with many dossiers: the demo researcher holds about 2% of all of them.
            owner = heavy if rng.random() < 0.02 else rng.choice(owners)
            call = rng.choice(calls)
            if state == "draft":
                # One draft per call and owner: a second one was submitted, then withdrawn.
                if (call.pk, owner.pk) in drafts:
                    state = "withdrawn"
                drafts.add((call.pk, owner.pk))
            sectors = list(call.sectors.all())
            title = f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)} tại {rng.choice(PLACES)}"
            submitted = state != "draft"
            year = timezone.localtime(call.opens_at).year
            if submitted:
                if (call.pk, year) not in counters:
                    counters[call.pk, year] = _counter(call, year)
                counters[call.pk, year].last += 1
            proposals.append(
                Proposal(
                    call=call,
                    owner=owner,
                    organisation_id=organisations.get(owner.pk),
                    state=state,
                    title=title,
                    sector=sectors[0] if sectors else None,
                    keywords="nông nghiệp, Đồng bằng sông Cửu Long",
                    abstract=f"{title}: nhiệm vụ cấp tỉnh.",
                    rationale="Nhu cầu cấp thiết của địa phương. " * 20,
                    objectives="Mục tiêu cụ thể, đo lường được. " * 5,
                    content_methods="Nội dung và phương pháp nghiên cứu. " * 40,
                    expected_products="Quy trình, mô hình, bài báo.",
                    application_plan="Chuyển giao cho doanh nghiệp và hợp tác xã.",
                    duration_months=rng.choice([12, 18, 24, 30]),
                    requested_amount=rng.randrange(300, 2000) * 1_000_000,
                    approved_amount=800_000_000 if state in ("funded", "in_progress", "completed", "terminated", "transferred") else None,
                    aggregate_score=rng.randrange(6000, 9500) / 100 if STATES[state][1][3:4] else None,
                    receipt_number=(
                        f"{call.code}-{year}-{counters[call.pk, year].last:04d}"
                        if submitted
                        else None
                    ),
                    submitted_at=call.opens_at + timedelta(days=2) if submitted else None,
                    version=1 if submitted else 0,
                )
            )  # fmt: skip
        people = {
            p.user_id: (p.full_name, p.user.email) for p in Profile.objects.select_related("user")
        }
        org_names = dict(Organisation.objects.values_list("pk", "name"))
        for p in proposals:
            p.search_text = search_text_of(
                p.receipt_number, p.title, *people.get(p.owner_id, ("", "")),
                org_names.get(p.organisation_id, ""),
            )  # fmt: skip
        Proposal.objects.bulk_create(proposals)
        team, lines, versions, entries, seats, ballots = [], [], [], [], [], []
        for p in proposals:
            for position in range(rng.randint(3, 6)):
                team.append(
                    TeamMember(
                        proposal=p,
                        full_name=f"Thành viên {position}",
                        role="principal" if position == 0 else "member",
                        organisation_name="Trường Đại học An Giang",
                        position=position,
                    )
                )
            for position in range(rng.randint(4, 8)):
                lines.append(
                    BudgetLine(
                        proposal=p,
                        category=rng.choice(["labour", "materials", "equipment", "travel", "services", "other"]),
                        description="Khoản chi",
                        amount=rng.randrange(10, 300) * 1_000_000,
                        position=position,
                    )
                )  # fmt: skip
            path = STATES[p.state][1] if p.state in STATES else ["submit", "withdraw"]
            at = p.submitted_at or now
            source = "draft"
            for step, name in enumerate(path):
                actor = {"submit": p.owner, "withdraw": p.owner, "mark_transferred": None}.get(
                    name, manager if name in ("fund", "reject", "terminate") else officer
                )
                target = TARGETS[name]
                entries.append(
                    AuditEntry(
                        proposal=p,
                        transition=name,
                        source=source,
                        target=target,
                        actor=actor,
                        at=at + timedelta(days=5 * step),
                        comment="Ý kiến xử lý." if name not in ("submit",) else "",
                        ip="203.162.10.21",
                    )
                )
                source = target
            if p.receipt_number:
                versions.append(
                    ProposalVersion(
                        proposal=p,
                        number=1,
                        submitted_at=p.submitted_at,
                        data={
                            "title": p.title,
                            "abstract": p.abstract,
                            "rationale": p.rationale,
                            "objectives": p.objectives,
                            "content_methods": p.content_methods,
                            "expected_products": p.expected_products,
                            "application_plan": p.application_plan,
                            "duration_months": p.duration_months,
                            "counterpart_funding": 0,
                            "keywords": p.keywords,
                            "sector": p.sector_id,
                            "sector_name": "",
                            "team": [{"full_name": "Thành viên", "title": "", "role": "principal",
                                      "organisation_name": "ĐH An Giang", "email": "", "months": 10}],
                            "budget": [{"category": "labour", "description": "Công", "amount": p.requested_amount}],
                            "attachments": [],
                            "requested_amount": p.requested_amount,
                        },
                    )
                )  # fmt: skip
            if "start_review" in path:
                for index, reviewer in enumerate(reviewers):
                    seats.append(
                        ReviewAssignment(
                            proposal=p,
                            reviewer=reviewer,
                            seat=["chair", "vice_chair", "secretary", "critic", "critic", "member", "member"][index % 7],
                            status="accepted",
                        )
                    )  # fmt: skip
                    ballots.append(
                        Ballot(
                            proposal=p,
                            reviewer=reviewer,
                            scores=SCORES,
                            total=82,
                            submitted_at=at + timedelta(days=12),
                        )
                    )
        TeamMember.objects.bulk_create(team, batch_size=5000)
        BudgetLine.objects.bulk_create(lines, batch_size=5000)
        ProposalVersion.objects.bulk_create(versions, batch_size=2000)
        AuditEntry.objects.bulk_create(entries, batch_size=5000)
        ReviewAssignment.objects.bulk_create(seats, batch_size=5000)
        Ballot.objects.bulk_create(ballots, batch_size=5000)
        contracts_for(proposals, rng)
        ReceiptCounter.objects.bulk_update(counters.values(), ["last"])
        missing -= size


def _counter(call, year):
    """The call's receipt counter for the year, created as the workflow would."""
    counter, _created = ReceiptCounter.objects.get_or_create(call=call, year=year)
    return counter


def vacuum():
    with connection.cursor() as cursor:
        # What autovacuum does on a live server: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")


def contracts_for(proposals, rng):
    """Each task under contract gets what execution gives it: the signed contract, two tranches
    (the first released), three deliverables, four progress reports (some decided) and its two
    annual inspections."""
    running = [
        p for p in proposals if p.state in ("in_progress", "completed", "terminated", "transferred")
    ]
    contracts = []
    for p in running:
        start = (p.submitted_at + timedelta(days=60)).date()
        contracts.append(
            Contract(
                proposal=p, number=f"B{p.pk}/HĐ-SKHCN", signed_on=start, starts_on=start,
                ends_on=start + timedelta(days=729), original_ends_on=start + timedelta(days=729),
                department_signatory="Trần Văn Hùng", host_representative="Võ Văn Thắng",
                principal_investigator="Nguyễn Văn An", approved_amount=p.approved_amount,
                released_amount=p.approved_amount // 2, prepared_at=p.submitted_at,
                signed_at=p.submitted_at + timedelta(days=60),
            )
        )  # fmt: skip
    Contract.objects.bulk_create(contracts, batch_size=2000)
    tranches, deliverables, reports, inspections = [], [], [], []
    for c in contracts:
        # The annual inspections (Circular 04/2015): year 1 mostly recorded, year 2 open.
        middle = c.starts_on + timedelta(days=364)
        recorded = rng.random() < 0.7
        inspections += [
            Inspection(contract=c, year=1, period_start=c.starts_on, period_end=middle,
                       due_on=middle, inspected_on=middle if recorded else None,
                       conclusion="on_track" if recorded else "",
                       findings="Đúng tiến độ." if recorded else "",
                       recorded_at=c.signed_at + timedelta(days=364) if recorded else None),
            Inspection(contract=c, year=2, period_start=middle + timedelta(days=1),
                       period_end=c.ends_on, due_on=c.ends_on),
        ]  # fmt: skip
        half = c.approved_amount // 2
        tranches += [
            Tranche(contract=c, position=1, due_on=c.signed_on, amount=half,
                    condition="on_signing", released_at=c.signed_at,
                    payment_order_number=f"UNC-{c.pk}", payment_order_date=c.signed_on),
            Tranche(contract=c, position=2, due_on=c.signed_on + timedelta(days=200),
                    amount=c.approved_amount - half, condition="report_accepted", report_number=1),
        ]  # fmt: skip
        for position in range(3):
            deliverables.append(
                Deliverable(contract=c, position=position, name=f"Sản phẩm {position + 1}",
                            quantity_indicator="01", quality_indicator="Đạt tiêu chuẩn cơ sở")
            )  # fmt: skip
        for number in range(1, 5):
            begin = c.starts_on + timedelta(days=182 * (number - 1))
            state = rng.choice(["accepted", "submitted", "draft"]) if number < 3 else "draft"
            reports.append(
                ProgressReport(contract=c, number=number, period_start=begin,
                               period_end=begin + timedelta(days=181),
                               due_on=begin + timedelta(days=196), state=state)
            )  # fmt: skip
    Tranche.objects.bulk_create(tranches, batch_size=5000)
    Deliverable.objects.bulk_create(deliverables, batch_size=5000)
    ProgressReport.objects.bulk_create(reports, batch_size=5000)
    Inspection.objects.bulk_create(inspections, batch_size=5000)


def timed(client, url, runs, warmup):
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p90": samples[int(len(samples) * 0.9) - 1],
        "queries": len(queries.captured_queries),
    }


def pages():
    heavy = get_user_model().objects.get(email="researcher@example.org")
    # The demo's own dossier under contract: the same page at every size, with a long timeline.
    longest = Proposal.objects.filter(owner=heavy, state="in_progress").order_by("pk").first()
    return [
        ("officer", "bare view (request.user only, officer)", "/bench/bare/"),
        ("officer", "floor (base template, officer)", "/bench/floor/"),
        ("officer", "officer's queue", "/proposals/"),
        ("officer", "queue filtered by state", "/proposals/?state=submitted"),
        ("officer", "queue searched by text", "/proposals/?q=c%C3%A1+tra"),
        ("officer", "queue by organisation name", "/proposals/?organisation=dai+hoc"),
        ("officer", "organisation suggestions", "/organisations/suggest/?q=don+vi+00"),
        ("officer", "proposal page with timeline", f"/proposals/{longest.pk}/"),
        ("officer", "officer's dashboard (execution panels)", "/dashboard/"),
        ("officer", "contract page (signed)", f"/proposals/{longest.pk}/contract/"),
        ("officer", "tranche ledger", f"/proposals/{longest.pk}/tranches/"),
        ("officer", "progress reports", f"/proposals/{longest.pk}/reports/"),
        ("officer", "change requests", f"/proposals/{longest.pk}/changes/"),
        ("researcher", "bare view (request.user only, researcher)", "/bench/bare/"),
        ("researcher", "floor (base template, researcher)", "/bench/floor/"),
        ("researcher", "researcher's “my proposals”", "/proposals/"),
        ("researcher", "researcher's dashboard (deadlines)", "/dashboard/"),
        ("officer", "queue, last page (deep pagination)", f"/proposals/?page={last_page()}"),
        ("manager", "bare view (request.user only, manager)", "/bench/bare/"),
        ("manager", "floor (base template, manager)", "/bench/floor/"),
        ("manager", "manager's dashboard (decisions waiting)", "/dashboard/"),
        ("reviewer", "bare view (request.user only, reviewer)", "/bench/bare/"),
        ("reviewer", "floor (base template, reviewer)", "/bench/floor/"),
        ("reviewer", "reviewer's dashboard (ballots, invitations)", "/dashboard/"),
        ("reviewer", "reviewer's reviews", "/reviews/"),
        ("business", "bare view (request.user only, business)", "/bench/bare/"),
        ("business", "floor (base template, business)", "/bench/floor/"),
        ("business", "business dashboard (needs, deals)", "/dashboard/"),
    ]


ROLE_EMAILS = {
    "officer": "officer@example.org",
    "researcher": "researcher@example.org",
    "manager": "manager@example.org",
    "reviewer": "reviewer5@example.org",  # seated in the demo's councils, with ballots
    "business": "business@example.org",
}


def last_page():
    """The officer queue's last page at the current size (its page size is the view's)."""
    from grants.queue_views import QUEUE_PAGE_SIZE

    seen = Proposal.objects.exclude(state="draft").count()  # the queue never lists drafts
    return max(1, -(-seen // QUEUE_PAGE_SIZE))


def measure(runs, warmup):
    clients = {}
    for role, email in ROLE_EMAILS.items():
        clients[role] = Client()
        clients[role].force_login(get_user_model().objects.get(email=email))
    results = {}
    for role, label, url in pages():
        results[label] = {"role": role, "url": url, **timed(clients[role], url, runs, warmup)}
    for row in results.values():
        floor = results[f"floor (base template, {row['role']})"]
        bare = results[f"bare view (request.user only, {row['role']})"]
        row["ratio"] = row["median"] / floor["median"]
        row["bare_ratio"] = row["median"] / bare["median"]
    return results


def contract_pdf_timing(runs=5):
    """The signed contract as the first download makes it: WeasyPrint render + PAdES signature
    (pyHanko), each timed apart, best and median of `runs` (nothing stored)."""
    from core import signing
    from projects.documents import contract_pdf

    contract = (
        Contract.objects.filter(
            signed_at__isnull=False, proposal__owner__email="researcher@example.org"
        )
        .order_by("pk")
        .first()
    )
    render, sign = [], []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = contract_pdf(contract, language="vi")
        middle = time.perf_counter()
        signed = signing.sign_pdf(pdf, reason="benchmark")
        end = time.perf_counter()
        assert signing.verify_pdf(signed).status == "valid"
        render.append((middle - start) * 1000)
        sign.append((end - middle) * 1000)
    total = [r + s for r, s in zip(render, sign, strict=True)]
    return {
        "render": statistics.median(render),
        "sign": statistics.median(sign),
        "total": statistics.median(total),
        "best": min(total),
        "pages": len(pdf),
    }


def explain_section(size):
    """EXPLAIN of the queue's slowest statement: as it opens, searched, by organisation."""
    officer = Client()
    officer.force_login(get_user_model().objects.get(email=ROLE_EMAILS["officer"]))
    lines = [
        f"### Query plans at {size:,} proposals".replace(",", ".")
        + " (`EXPLAIN (ANALYZE, BUFFERS)`)",
        "",
    ]
    for title, url in (
        ("The officer's queue as it opens", "/proposals/"),
        ("The queue searched by text (“cá tra”)", "/proposals/?q=c%C3%A1+tra"),
        ("The queue by organisation name", "/proposals/?organisation=dai+hoc"),
    ):
        lines += explain.section(
            title, f"The slowest statement of `GET {url}`", lambda u=url: officer.get(u)
        )
    return lines


def machine(load=True):
    """The machine in one line; with `load`, its load average now (a run that writes its own,
    as `make loadtest` does at its start, passes False: one figure, not two)."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f", {kb / 1048576:.0f} GiB RAM"
    average = ""
    if load:
        average = " · load average at the start {:.1f} {:.1f} {:.1f} (other work on the machine)"
        average = average.format(*os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}; Python "
        f"{platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg}{average}"
    )


def report(results, sizes, command):
    lines = [
        "## Proposal pages",
        "",
        "Written by `make bench`. Server time is measured in-process through",
        "the whole middleware stack (sessions, authentication, locale, two-factor check, messages)",
        "with Django's test client and `DEBUG = False`; no network, no browser.",
        "",
        f"- Command: `{command}`",
        f"- Date: {timezone.localtime():%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh)",
        f"- Machine: {machine()}",
        "- Database: a throwaway PostgreSQL cluster (`scripts/with-postgres`: fsync off, which does",
        "  not affect these read-only pages), seeded with the demo and then bulk-filled with",
        "  proposals in every state (3–6 team members, 4–8 budget lines, a frozen version, the",
        "  audit trail of their path, 7 council seats and ballots once reviewed; the demo",
        "  researcher owns about 2% of all dossiers).",
        "- Targets (issue 4): median within 3× the floor page and under 50 ms; query counts",
        "  identical at every size. The floor is the base template for a signed-in user (header,",
        "  menu, footer, site settings); the bare view is the middleware stack and `request.user`",
        "  alone, no template: the floor's own cost is the difference.",
        "",
    ]
    for size in sizes:
        lines += [
            f"### {size:,} proposals".replace(",", "."),
            "",
            "| page | URL | median ms | p90 ms | × floor | × bare | queries |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for label, row in results[size].items():
            lines.append(
                f"| {label} | `{row['url']}` | {row['median']:.1f} | {row['p90']:.1f} | "
                f"{row['ratio']:.2f} | {row['bare_ratio']:.2f} | {row['queries']} |"
            )
        lines.append("")
    first, last = sizes[0], sizes[-1]
    verdicts = []
    for label in results[last]:
        small, large = results[first][label], results[last][label]
        same = small["queries"] == large["queries"]
        within = large["ratio"] <= 3 and large["median"] < 50
        verdicts.append((label, small["queries"], large["queries"], same, within))
    lines += [
        "### Verdict",
        "",
        f"| page | queries at {first:,} | queries at {last:,} | queries constant | within targets |".replace(
            ",", "."
        ),
        "|---|---:|---:|---|---|",
    ]
    for label, small, large, same, within in verdicts:
        lines.append(
            f"| {label} | {small} | {large} | {'yes' if same else '**no**'} | "
            f"{'yes' if within else '**no**'} |"
        )
    lines.append("")
    return "\n".join(lines), all(v[3] for v in verdicts), all(v[4] for v in verdicts)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--command", default="make bench")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: run it with `make bench`.")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    rng = random.Random(57)  # Resolution 57: the same data on every run
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        start = time.perf_counter()
        generate(size, rng)
        vacuum()
        print(
            f"{Proposal.objects.count()} proposals in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
        results[size] = measure(args.runs, args.warmup)
        for label, row in results[size].items():
            print(
                f"  {label:40} median {row['median']:6.1f} ms  p90 {row['p90']:6.1f} ms  "
                f"×{row['ratio']:.2f}  {row['queries']} queries",
                flush=True,
            )
    plans = explain_section(sizes[-1])
    pdf = contract_pdf_timing()
    print(f"  contract PDF: render {pdf['render']:.0f} ms + sign {pdf['sign']:.0f} ms", flush=True)
    text, constant, within = report(results, sizes, args.command)
    text += "\n".join(
        [
            "### Signed contract PDF (first download: render + signature)",
            "",
            "| step | median ms |",
            "|---|---:|",
            f"| WeasyPrint render (Vietnamese contract) | {pdf['render']:.0f} |",
            f"| PAdES signature (pyHanko, SHA-256, the demo certificate: ECDSA P-256) | {pdf['sign']:.0f} |",
            f"| total (target under 1,000 ms) | {pdf['total']:.0f} (best {pdf['best']:.0f}) |",
            "",
            "Later downloads serve the stored signed file (core.signing.signed_document).",
            "",
        ]
    )
    text += "\n".join(plans)
    write_section(args.output, "proposals", text)
    print(f"written to {args.output}")
    if not constant:
        sys.exit("query counts grow with the data")
    if not within:
        print("warning: some pages miss the time targets (see the verdict table)")


if __name__ == "__main__":
    main()
