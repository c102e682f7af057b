"""Last-Modified / If-Modified-Since and CSV beside JSON on the public API (issue 15)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from wagtail.models import PageLogEntry

from grants.models import CallPage, Proposal
from transfer import workflow
from transfer.models import Technology, TechnologyNeed

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/calls/",
    "/api/v1/funded-projects/",
    "/api/v1/technologies/",
    "/api/v1/needs/",
]


def newest_shown(rows, field="updated_at"):
    return int(max(getattr(row, field) for row in rows).timestamp())


def test_a_detail_carries_its_rows_last_change(client):
    technology = Technology.objects.filter(state=Technology.State.PUBLISHED).first()
    answer = client.get(f"/api/v1/technologies/{technology.pk}/")
    assert answer.status_code == 200
    assert parse_http_date(answer["Last-Modified"]) == int(technology.updated_at.timestamp())


def test_a_list_carries_the_newest_change_of_its_table(client):
    answer = client.get("/api/v1/technologies/?sort=newest")
    assert parse_http_date(answer["Last-Modified"]) == newest_shown(Technology.objects.all())
    needs = client.get("/api/v1/needs/")
    assert parse_http_date(needs["Last-Modified"]) == newest_shown(TechnologyNeed.objects.all())


def _all_in_the_past(model, field="updated_at"):
    model.objects.update(**{field: timezone.now() - timedelta(days=3)})


def test_a_row_leaving_the_list_moves_its_date(client, user_by_email):
    """The rows still shown did not change; the list did: no 304 for the old date."""
    _all_in_the_past(Technology)
    first = client.get("/api/v1/technologies/")
    leaving = Technology.objects.get(pk=first.json()["results"][0]["id"])
    assert (
        client.get(
            "/api/v1/technologies/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
        ).status_code
        == 304
    )
    workflow.archive_technology(leaving, by=user_by_email("officer@example.org"), comment="Hết hạn")
    again = client.get("/api/v1/technologies/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200
    assert leaving.pk not in [row["id"] for row in again.json()["results"]]
    assert parse_http_date(again["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_a_need_edited_moves_its_date(client):
    _all_in_the_past(TechnologyNeed)
    need = TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED).first()
    url = f"/api/v1/needs/{need.pk}/"
    first = client.get(url)
    assert parse_http_date(first["Last-Modified"]) == int(
        TechnologyNeed.objects.get(pk=need.pk).updated_at.timestamp()
    )
    need.problem += " Cần gấp."
    need.save()
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200


def test_a_drafts_autosave_does_not_date_the_funded_projects(client):
    decided = Proposal.objects.filter(decided_at__isnull=False)
    answer = client.get("/api/v1/funded-projects/")
    assert parse_http_date(answer["Last-Modified"]) == newest_shown(decided)
    draft = Proposal.objects.filter(state="draft").first()
    Proposal.objects.filter(pk=draft.pk).update(updated_at=timezone.now() + timedelta(hours=1))
    assert client.get("/api/v1/funded-projects/")["Last-Modified"] == answer["Last-Modified"]


def test_a_calls_date_follows_the_clock_and_its_publication(client):
    """`status` is computed from the clock: a call that has just closed changes the answer."""
    now = timezone.now()
    _all_in_the_past(CallPage, "last_published_at")
    PageLogEntry.objects.update(timestamp=now - timedelta(days=3))
    call = CallPage.objects.live().filter(locale__language_code="vi").order_by("pk").first()
    CallPage.objects.filter(pk=call.pk).update(closes_at=now - timedelta(seconds=30))
    detail = client.get(f"/api/v1/calls/{call.pk}/")
    assert detail.json()["status"] == "closed"
    assert parse_http_date(detail["Last-Modified"]) == int(
        (now - timedelta(seconds=30)).timestamp()
    )
    listed = client.get("/api/v1/calls/?status=open")
    assert parse_http_date(listed["Last-Modified"]) == int(
        (now - timedelta(seconds=30)).timestamp()
    )
    # A closing still to come dates nothing yet.
    CallPage.objects.filter(pk=call.pk).update(closes_at=now + timedelta(days=1))
    assert parse_http_date(client.get(f"/api/v1/calls/{call.pk}/")["Last-Modified"]) < int(
        (now - timedelta(days=2)).timestamp()
    )
    # Unpublishing a call leaves no publication date behind: the pages' log dates the list.
    before = client.get("/api/v1/calls/")
    other = CallPage.objects.live().filter(locale__language_code="vi").order_by("pk").last()
    other.unpublish()
    after = client.get("/api/v1/calls/", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert other.pk not in [row["id"] for row in after.json()["results"]]


def test_if_modified_since_at_the_boundary(client):
    technology = Technology.objects.filter(state=Technology.State.PUBLISHED).first()
    url = f"/api/v1/technologies/{technology.pk}/"
    moment = int(technology.updated_at.timestamp())

    same = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(moment))
    assert same.status_code == 304
    assert same.content == b""
    later = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(moment + 1))
    assert later.status_code == 304
    older = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(moment - 1))
    assert older.status_code == 200
    assert older.json()["id"] == technology.pk


def test_a_change_makes_the_old_date_stale(client):
    technology = Technology.objects.filter(state=Technology.State.PUBLISHED).first()
    url = f"/api/v1/technologies/{technology.pk}/"
    first = client.get(url)
    Technology.objects.filter(pk=technology.pk).update(
        updated_at=technology.updated_at + timedelta(seconds=5)
    )
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200


def test_the_etag_wins_over_the_date(client):
    """RFC 9110 13.2.2: with If-None-Match, If-Modified-Since is not looked at."""
    technology = Technology.objects.filter(state=Technology.State.PUBLISHED).first()
    url = f"/api/v1/technologies/{technology.pk}/"
    first = client.get(url)
    stale_tag = client.get(
        url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert stale_tag.status_code == 200
    old_date = http_date(parse_http_date(first["Last-Modified"]) - 60)
    same_tag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=old_date)
    assert same_tag.status_code == 304


def read_csv(answer):
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", LISTS)
def test_every_public_list_answers_csv_with_the_rows_of_its_json(client, url):
    as_json = client.get(url).json()["results"]
    rows = read_csv(client.get(url + "?format=csv"))
    assert as_json, "the demo has rows on every public list"
    assert [row["id"] for row in rows] == [str(item["id"]) for item in as_json]
    assert set(rows[0]) == set(as_json[0])


def test_csv_keeps_the_filters_and_the_page(client):
    as_json = client.get("/api/v1/technologies/?trl_min=7&sort=trl").json()["results"]
    rows = read_csv(client.get("/api/v1/technologies/?trl_min=7&sort=trl&format=csv"))
    assert [row["id"] for row in rows] == [str(item["id"]) for item in as_json]
    assert [row["title"] for row in rows] == [item["title"] for item in as_json]
    everything = client.get("/api/v1/technologies/").json()["count"]
    assert len(rows) < everything


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx"])
def test_a_formula_comes_out_escaped(client, title):
    technology = Technology.objects.filter(state=Technology.State.PUBLISHED).first()
    Technology.objects.filter(pk=technology.pk).update(title=title)
    rows = read_csv(client.get(f"/api/v1/technologies/{technology.pk}/?format=csv"))
    assert rows[0]["title"] == "'" + title
    assert client.get(f"/api/v1/technologies/{technology.pk}/").json()["title"] == title


def test_the_schema_documents_last_modified_and_csv(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/technologies/"]["get"]
    assert "If-Modified-Since" in [p["name"] for p in operation["parameters"]]
    assert "Last-Modified" in operation["responses"]["200"]["headers"]
    assert "text/csv" in operation["responses"]["200"]["content"]


def test_an_error_asked_as_csv_answers_json(client):
    answer = client.get("/api/v1/technologies/999999/?format=csv")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["code"] == "not_found"
