"""The demo catalogue and market: technologies, needs and deals in every state of their machines,
moved through `transfer.workflow` inside `grants.workflow.clock(...)` as people would have,
on believable dates (DESIGN.md → Demo data). Nothing here writes a state or a date directly."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from cms.models import Sector
from grants import workflow as grants_workflow
from grants.models import Proposal
from researchers.models import Organisation, confirmed_organisation
from transfer import matching, workflow
from transfer.models import Technology, TechnologyNeed, TransferDeal, TransferMode

CHECKLIST = [key for key, _label in workflow.PUBLISH_CHECKLIST]
DAY = datetime.timedelta(days=1)


def seed(
    *, technologies, needs, organisations, sources, english=None, other_listings=(),
    closed_needs=(), draft_needs=(), deals=(), stdout=None,
):  # fmt: skip
    """The whole market, once (an existing catalogue is left as it is)."""
    if Technology.objects.exists():
        return
    say = stdout.write if stdout is not None else (lambda _line: None)
    users = get_user_model().objects
    people = {
        "officer": users.get(email="officer@example.org"),
        "business": users.get(email="business@example.org"),
    }
    sectors = {s.slug: s for s in Sector.objects.all()}
    now = timezone.now()
    say("  catalogue: technologies listed and moderated")
    seed_technologies(
        technologies, sectors=sectors, organisations=organisations, sources=sources,
        english=english or {}, officer=people["officer"], now=now,
    )  # fmt: skip
    seed_other_listings(
        other_listings, sectors=sectors, organisations=organisations, officer=people["officer"],
        now=now,
    )  # fmt: skip
    say("  needs: published, closed and a draft")
    seed_needs(
        needs, closed=closed_needs, drafts=draft_needs, sectors=sectors,
        business=people["business"], now=now,
    )  # fmt: skip
    say("  deals: requested, negotiating, agreed, completed, declined, cancelled")
    for plan in deals:
        play_deal(plan, officer=people["officer"], business=people["business"], now=now)
    # Publishing in the demo's past sends nothing and queues nothing: rank everything once.
    matching.refresh_all()


def _listing(row, *, sectors, organisations, source=None, english=("", "")):
    sector, title, summary, trl, ip, modes, price, org, owner = row
    return Technology.objects.create(
        title=title,
        summary=summary,
        title_en=english[0],
        summary_en=english[1],
        description=(
            "Đơn vị sở hữu hỗ trợ chuyển giao trọn gói: tập huấn kỹ thuật, hướng dẫn vận "
            "hành và theo dõi trong mùa vụ đầu tiên."
        ),
        sector=sectors[sector],
        trl=trl,
        ip_status=ip,
        transfer_modes=modes,
        price=price,
        owner=get_user_model().objects.get(email=owner),
        organisation=organisations[org],
        source_proposal=source,
        confidential="Thông số quy trình chi tiết, công thức và số liệu thử nghiệm gốc.",
        nda_terms="Bên nhận không tiết lộ cho bên thứ ba trong 5 năm kể từ ngày tiếp cận.",
    )


def seed_technologies(technologies, *, sectors, organisations, sources, english, officer, now):
    """The published catalogue: each listing written by its owner, sent for moderation and
    published by the officer after the checklist, three days apart."""
    projects = {p.title: p for p in Proposal.objects.filter(state__in=["completed", "in_progress"])}
    for index, row in enumerate(technologies):
        title = row[1]
        moment = now - datetime.timedelta(days=3 * (len(technologies) - index))
        with grants_workflow.clock(moment - DAY):
            technology = _listing(
                row, sectors=sectors, organisations=organisations,
                source=projects.get(sources.get(title, "")), english=english.get(title, ("", "")),
            )  # fmt: skip
        with grants_workflow.clock(moment - DAY / 2):
            technology = workflow.submit_technology(technology, by=technology.owner)
        with grants_workflow.clock(moment):
            workflow.publish_technology(technology, by=officer, checklist=CHECKLIST)


def seed_other_listings(listings, *, sectors, organisations, officer, now):
    """Listings in the other states: (row, state, days ago, the officer's or owner's note).

    `draft` was sent back by the officer with what to change; `pending` waits for moderation;
    `archived` was published and later withdrawn by its owner."""
    for row, state, days_ago, note in listings:
        moment = now - datetime.timedelta(days=days_ago)
        with grants_workflow.clock(moment - 2 * DAY):
            technology = _listing(row, sectors=sectors, organisations=organisations)
        if state == Technology.State.DRAFT and not note:
            continue  # still being written
        with grants_workflow.clock(moment - DAY):
            technology = workflow.submit_technology(technology, by=technology.owner)
        with grants_workflow.clock(moment):
            if state == Technology.State.DRAFT:
                workflow.send_back_technology(technology, by=officer, comment=note)
            elif state == Technology.State.ARCHIVED:
                technology = workflow.publish_technology(
                    technology, by=officer, checklist=CHECKLIST
                )
        if state == Technology.State.ARCHIVED:
            with grants_workflow.clock(moment + 20 * DAY):
                workflow.archive_technology(technology, by=technology.owner, comment=note)


def seed_needs(needs, *, closed, drafts, sectors, business, now):
    """The business's needs: published two days ago (closed later when it found a solution),
    and one started before them and still a draft."""
    organisation = (
        confirmed_organisation(business) or Organisation.objects.filter(kind="business").first()
    )
    for index, (sector, title, problem, low, high, trl) in enumerate([*drafts, *needs]):
        with grants_workflow.clock(now - 3 * DAY + index * datetime.timedelta(hours=2)):
            need = TechnologyNeed.objects.create(
                business=business,
                organisation=organisation,
                title=title,
                problem=problem,
                sector=sectors[sector],
                budget_min=low,
                budget_max=high,
                desired_trl=trl,
                deadline=timezone.localdate(now) + datetime.timedelta(days=120),
            )
        if title in {row[1] for row in drafts}:
            continue
        with grants_workflow.clock(now - 2 * DAY):
            need = workflow.publish_need(need, by=business)
        if title in closed:
            with grants_workflow.clock(now - DAY):
                workflow.close_need(need, by=business)


def agreement_pdf(deal, *, mode, value, payment, term_months, signed_on):
    """The signed agreement the parties upload: a real one-page PDF (WeasyPrint), named after
    the technology, with the parties and the terms recorded."""
    from core.pdf import document_date, render_pdf
    from core.text import fold

    technology = deal.technology
    owner = technology.owner
    business = deal.business
    content = render_pdf(
        "pdf/transfer_agreement.html",
        {
            "document_title": "Hợp đồng chuyển giao công nghệ",
            "parent_body": "",
            "issuer": technology.organisation.name,
            "place": "An Giang",
            "date_line": document_date(signed_on),
            "deal": deal,
            "owner_organisation": technology.organisation.name,
            "owner_name": owner.profile.full_name,
            "business_organisation": getattr(confirmed_organisation(business), "name", ""),
            "business_name": business.profile.full_name,
            "mode_label": dict(TransferMode.choices)[mode],
            "payment_label": dict(TransferDeal.Payment.choices)[payment],
            "value": value,
            "term_months": term_months,
            "state_funded": technology.source_proposal_id is not None,
        },
    )
    name = "hop-dong-chuyen-giao-" + "-".join(fold(technology.title).split()[:6]) + ".pdf"
    return ContentFile(content, name=name)


def play_deal(plan, *, officer, business, now):
    """One deal taken to `plan["state"]` step by step, each step on its own day.

    plan: technology (title), state, days_ago (when the business asked), message, and for the
    later steps the terms (mode, value, payment, term_months) and the parties' notes."""
    technology = Technology.objects.get(title=plan["technology"])
    owner = technology.owner
    target = plan["state"]
    start = max(now - datetime.timedelta(days=plan["days_ago"]), technology.published_at + DAY)
    day = iter(start + n * plan.get("pace", 2) * DAY for n in range(10))
    with grants_workflow.clock(next(day)):
        deal = workflow.request_deal(technology, by=business, message=plan["message"])
    if target == TransferDeal.State.REQUESTED:
        return deal
    if target == TransferDeal.State.DECLINED:
        with grants_workflow.clock(next(day)):
            return workflow.decline(deal, by=owner, comment=plan["note"])
    with grants_workflow.clock(next(day)):
        deal = workflow.accept(deal, by=owner, comment=plan.get("accept_note", ""))
    with grants_workflow.clock(next(day)):
        deal = workflow.accept_nda(deal, by=business)
    if target == TransferDeal.State.NEGOTIATING:
        return deal
    if target == TransferDeal.State.CANCELLED:
        with grants_workflow.clock(next(day)):
            return workflow.cancel(deal, by=business, comment=plan["note"])
    signing = next(day)
    terms = {
        "mode": plan["mode"],
        "value": plan["value"],
        "payment": plan["payment"],
        "term_months": plan["term_months"],
        "signed_on": timezone.localdate(signing),
    }
    with grants_workflow.clock(signing):
        deal = workflow.record_terms(
            deal, by=business, agreement=agreement_pdf(deal, **terms), **terms
        )
    if target == TransferDeal.State.AGREED:
        return deal
    # The officer confirms delivery once the licence is in use: a completed deal of a funded
    # project's result moves the proposal on to `transferred` (grants.workflow).
    with grants_workflow.clock(signing + 7 * DAY):
        return workflow.complete(deal, by=officer, comment=plan.get("note", ""))
