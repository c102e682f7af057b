import pytest
from django.contrib.auth import get_user_model

from portal import demo_data

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_asked_to_sign_in(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


@pytest.mark.parametrize(
    ("email", "expected", "absent"),
    [
        (
            "researcher@example.org",
            ["Calls you can apply to", "My proposals"],
            ["Ballots to score"],
        ),
        ("business@example.org", ["My technology needs"], ["Calls you can apply to"]),
        ("reviewer1@example.org", ["Ballots to score"], ["My technology needs"]),
        ("officer@example.org", ["Dossiers waiting for screening", "Appoint council members"], []),
        ("manager@example.org", ["Funding decisions waiting for you"], ["Appoint council members"]),
        ("admin@example.org", ["Manage users and roles"], ["Ballots to score"]),
    ],
)
def test_each_role_lands_on_its_next_steps(client_as, email, expected, absent):
    html = client_as(email).get("/en/dashboard/").content.decode()
    for text in expected:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_researcher_dashboard_lists_open_calls_with_deadlines(client_as):
    page = client_as("researcher@example.org").get("/dashboard/").content.decode()
    start = page.index("Đợt gọi bạn có thể nộp hồ sơ")
    html = page[start : page.index('href="/proposals/?mine=1"', start)]  # the menu has one too
    calls = html[: html.index("<h3>")]
    assert "AG-NN01" in calls and "AG-TS01" in calls and "AG-CDS01" in calls
    assert "AG-NNTM25" not in calls  # closed
    assert "AG-CAT01" not in calls  # upcoming
    assert "AG-NNTM25-" in html  # but the researcher's funded dossier there is listed


def test_a_business_sees_its_needs_with_their_best_matches(
    client_as, django_assert_max_num_queries
):
    client = client_as("business@example.org")
    client.get("/dashboard/")
    with django_assert_max_num_queries(25):
        html = client.get("/dashboard/").content.decode()
    panel = html[html.index("Nhu cầu công nghệ của tôi") :]
    assert "Phù hợp" in panel
    # The most recent need is listed with the technology that fits it best.
    from transfer import matching
    from transfer.models import TechnologyNeed

    need = TechnologyNeed.objects.filter(business__email="business@example.org").latest(
        "created_at"
    )
    best = matching.technologies_for(need, limit=1)[0].item
    assert need.title in panel and best.title in panel


def test_officers_are_pointed_to_listings_waiting_for_moderation(
    client_as, django_capture_on_commit_callbacks
):
    from transfer import workflow
    from transfer.models import Technology

    officer = client_as("officer@example.org")
    # The demo's one listing waiting for moderation (portal.demo_data.OTHER_LISTINGS).
    waiting = [row for row, state, *_rest in demo_data.OTHER_LISTINGS if state == "pending"]
    assert len(waiting) == Technology.objects.filter(state="pending").count() == 1
    html = officer.get("/dashboard/").content.decode()
    assert (
        '<a href="/technologies/moderation/" id="work-moderate"><span class="stat-number">1</span> Công nghệ chờ kiểm duyệt</a>'
        in html
    )
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    # The counts are cached until a transition commits (portal.next_steps): let it commit.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.revise_technology(tech, by=tech.owner)
    html = client_as("officer@example.org").get("/dashboard/").content.decode()
    assert (
        '<a href="/technologies/moderation/" id="work-moderate"><span class="stat-number">2</span> Công nghệ chờ kiểm duyệt</a>'
        in html
    )
    # Once both are decided, the panel says nothing waits.
    checklist = [key for key, _label in workflow.PUBLISH_CHECKLIST]
    officer_user = get_user_model().objects.get(email="officer@example.org")
    for listing in Technology.objects.filter(state="pending"):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish_technology(listing, by=officer_user, checklist=checklist)
    html = client_as("officer@example.org").get("/dashboard/").content.decode()
    assert (
        '<a href="/technologies/moderation/" id="work-moderate"><span class="stat-number">0</span> Công nghệ chờ kiểm duyệt</a>'
        in html
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "shown"),
    [("", "Vai trò của bạn: Quản trị hệ thống"), ("/en", "Your roles: System administrator")],
)
def test_the_administrator_is_not_told_they_have_no_role(client_as, prefix, shown):
    page = client_as("admin@example.org").get(f"{prefix}/dashboard/").content.decode()
    assert shown in page
    assert "chưa có vai trò" not in page and "no role yet" not in page
