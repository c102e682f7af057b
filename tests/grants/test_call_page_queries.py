"""A call's public page reads its templates' documents and its sectors in one query each: the
page costs the same number of queries whatever the number of templates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document

from grants.models import CallPage, CallTemplate
from tests.samples import pdf

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_more_templates_cost_no_more_queries(client):
    call = CallPage.objects.live().filter(locale__language_code="vi").order_by("pk").first()
    client.get(call.url)  # the site's and menus' caches warmed
    before, _ = _queries(client, call.url)
    for n in range(3):
        document = Document.objects.create(title=f"Mẫu {n}", file=pdf(f"mau-{n}.pdf"))
        CallTemplate.objects.create(
            page=call, title=f"Mẫu số {n} bổ sung", document=document, required=False
        )
    after, html = _queries(client, call.url)
    assert after == before
    for n in range(3):
        assert f"Mẫu số {n} bổ sung" in html
    sectors = list(call.sectors.all())
    assert sectors and all(html.count(sector.label) >= 1 for sector in sectors)
