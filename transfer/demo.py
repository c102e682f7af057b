"""The demo catalogue: technologies and needs, moved through transfer.workflow."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from cms.models import Sector
from grants import workflow as grants_workflow
from grants.models import Proposal
from researchers.models import Organisation, confirmed_organisation
from transfer import matching, workflow
from transfer.models import Technology, TechnologyNeed

CHECKLIST = [key for key, _label in workflow.PUBLISH_CHECKLIST]


def seed(*, technologies, needs, organisations, sources, english=None):
    if Technology.objects.exists():
        return
    users = get_user_model().objects
    officer = users.get(email="officer@example.org")
    business = users.get(email="business@example.org")
    sectors = {s.slug: s for s in Sector.objects.all()}
    projects = {p.title: p for p in Proposal.objects.filter(state__in=["completed", "in_progress"])}
    now = timezone.now()
    for index, (sector, title, summary, trl, ip, modes, price, org, owner) in enumerate(
        technologies
    ):
        source = projects.get(sources.get(title, ""))
        title_en, summary_en = (english or {}).get(title, ("", ""))
        technology = Technology.objects.create(
            title=title,
            summary=summary,
            title_en=title_en,
            summary_en=summary_en,
            description=(
                "Đơn vị sở hữu hỗ trợ chuyển giao trọn gói: tập huấn kỹ thuật, hướng dẫn vận "
                "hành và theo dõi trong mùa vụ đầu tiên."
            ),
            sector=sectors[sector],
            trl=trl,
            ip_status=ip,
            transfer_modes=modes,
            price=price,
            owner=users.get(email=owner),
            organisation=organisations[org],
            source_proposal=source,
            confidential="Thông số quy trình chi tiết, công thức và số liệu thử nghiệm gốc.",
            nda_terms="Bên nhận không tiết lộ cho bên thứ ba trong 5 năm kể từ ngày tiếp cận.",
        )
        moment = now - datetime.timedelta(days=3 * (len(technologies) - index))
        with grants_workflow.clock(moment):
            technology = workflow.submit_technology(technology, by=technology.owner)
            workflow.publish_technology(technology, by=officer, checklist=CHECKLIST)
    organisation = Organisation.objects.filter(kind="business").first()
    for sector, title, problem, low, high, trl in needs:
        need = TechnologyNeed.objects.create(
            business=business,
            organisation=confirmed_organisation(business) or organisation,
            title=title,
            problem=problem,
            sector=sectors[sector],
            budget_min=low,
            budget_max=high,
            desired_trl=trl,
            deadline=timezone.localdate() + datetime.timedelta(days=120),
        )
        with grants_workflow.clock(now - datetime.timedelta(days=2)):
            workflow.publish_need(need, by=business)
    # Publishing in the demo's past sends nothing and queues nothing: rank everything once.
    matching.refresh_all()
