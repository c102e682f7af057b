"""The deal page's side panel (issue 13's rough edge: after a deal was agreed, its parties saw
an empty "Actions" panel): every reader of every demo deal sees either the steps they may take
or what happens next, in words — never an empty panel."""

import re

import pytest

from transfer.deal_views import DEAL_WAITING
from transfer.models import TransferDeal

pytestmark = pytest.mark.django_db

OFFICER = "officer@example.org"


def panel(html):
    aside = html[html.index("<aside>") :]
    return aside[: aside.index("</section>")]


def readers(deal):
    return {
        "owner": deal.technology.owner.email,
        "business": deal.business.email,
        "officer": OFFICER,
    }


def test_the_demo_has_a_deal_in_every_state():
    assert set(TransferDeal.objects.values_list("state", flat=True)) == set(DEAL_WAITING)


@pytest.mark.parametrize("state", sorted(DEAL_WAITING))
def test_every_reader_sees_a_step_or_what_happens_next(state, client_as):
    deal = TransferDeal.objects.filter(state=state).order_by("pk").first()
    for who, email in readers(deal).items():
        html = client_as(email).get(f"/deals/{deal.pk}/").content.decode()
        side = panel(html)
        forms = re.findall(r'<form method="post" action="/deals/\d+/([a-z_]+)/"', side)
        if forms:
            assert "Bước tiếp theo" not in side, (state, who)
        else:
            assert "<h2>Bước tiếp theo</h2>" in side, (state, who, side)
            text = re.sub(r"<[^>]+>", " ", side.split("</h2>", 1)[1]).strip()
            assert len(text) > 20, (state, who, text)


def test_an_agreed_deal_tells_its_parties_the_department_confirms(client_as):
    deal = TransferDeal.objects.filter(state="agreed").order_by("pk").first()
    for email in (deal.technology.owner.email, deal.business.email):
        side = panel(client_as(email).get(f"/deals/{deal.pk}/").content.decode())
        assert "Sở xác nhận việc bàn giao" in side and "<form" not in side
    side = panel(client_as(OFFICER).get(f"/deals/{deal.pk}/").content.decode())
    assert f'action="/deals/{deal.pk}/complete/"' in side and "Bước tiếp theo" not in side
