"""Set-up a newcomer trips on (issue 14, language slice): one base URL for links, the port of
`make run`, a README that stays inside the repository."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from grants.documents import verification_url

ROOT = Path(settings.BASE_DIR)


class FakeProposal:
    verification_code = "abc123"


def test_the_receipt_qr_link_follows_the_portal_base_url(settings):
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8080"
    assert verification_url(FakeProposal()).startswith("http://127.0.0.1:8080/")
    settings.PORTAL_BASE_URL = "https://kh-cn.angiang.gov.vn/"
    assert verification_url(FakeProposal()).startswith("https://kh-cn.angiang.gov.vn/")
    assert "127.0.0.1:8000" not in verification_url(FakeProposal())


def _dry_run(*args):
    result = subprocess.run(
        ["make", "-n", "-s", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )
    return result.stdout


def test_make_run_serves_on_the_port_it_is_given_and_links_follow():
    out = _dry_run("PORT=8080")
    assert re.search(r"runserver 127\.0\.0\.1:8080\b", out)
    assert "127.0.0.1:8000" not in out
    default = _dry_run()
    assert re.search(r"runserver 127\.0\.0\.1:8000\b", default)


def test_make_run_serves_the_demo_with_the_portal_s_own_error_pages():
    """Under DEBUG a wrong address in the demo was Django's yellow, English "Page not found"
    (with the URL conf), not the portal's 404: `make run` serves with DEBUG off unless asked."""
    assert re.search(r"DEBUG=0 \S+ manage\.py runserver", _dry_run())
    assert re.search(r"DEBUG=1 \S+ manage\.py runserver", _dry_run("DEBUG=1"))


@pytest.mark.django_db
def test_the_dev_settings_without_debug_give_the_portal_s_404_and_still_serve_uploads(
    settings, tmp_path, client
):
    from django.urls import clear_url_caches

    import portal.urls

    settings.DEBUG = False
    settings.PORTAL_SERVE_MEDIA = True  # as portal.settings.dev has it
    settings.MEDIA_ROOT = str(tmp_path)
    (tmp_path / "logo.txt").write_text("an upload")
    import importlib

    try:
        importlib.reload(portal.urls)
        clear_url_caches()
        settings.ROOT_URLCONF = "portal.urls"
        assert client.get("/media/logo.txt").status_code == 200
        missing = client.get("/khong-co-trang-nay/")
        assert missing.status_code == 404
        assert "Không tìm thấy trang" in missing.content.decode()
    finally:
        settings.PORTAL_SERVE_MEDIA = False
        importlib.reload(portal.urls)
        clear_url_caches()


def test_make_exports_the_base_url_of_the_served_port():
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", "-", "show", "PORT=8147"],
        cwd=ROOT,
        input=(ROOT / "Makefile").read_text() + "\nshow:\n\t@echo $$PORTAL_BASE_URL\n",
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )
    assert result.stdout.strip() == "http://127.0.0.1:8147"


def test_readme_explains_email_confirmation_and_stays_in_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "confirm" in readme and "terminal" in readme
    assert "../" not in readme
    for target in re.findall(r"`(docs/[^`]+\.md)`", readme):
        assert (ROOT / target).exists(), target


@pytest.mark.django_db
def test_the_api_description_does_not_point_into_the_design_notes(client):
    assert "DESIGN.md" not in settings.SPECTACULAR_SETTINGS["DESCRIPTION"]
    # Nor do its operations and parameters: the design notes are not where API readers are.
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert "DESIGN.md" not in schema.content.decode()
