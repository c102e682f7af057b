"""Several app servers share one Redis (issue 17): two real app servers (`manage.py runserver`,
separate processes) on one redis-server and one PostgreSQL database. A limit counted on one is
refused on the other; a session opened on one is valid on the other; a sector or the site's
settings changed elsewhere is seen by both at once."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
import requests
from django.db import connection

from tests.redis_server import RedisServer, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "AnGiang@2025"


def environment(redis_url):
    url = urlsplit(os.environ["DATABASE_URL"])
    # The test database pytest-django made (and seeded) beside the one DATABASE_URL names.
    database = urlunsplit(url._replace(path="/" + quote(connection.settings_dict["NAME"])))
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "tests.portal.redis_settings",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
    }


def in_another_process(code, env):
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("These tests need PostgreSQL: scripts/with-postgres … -m postgres")
    with django_db_blocker.unblock():
        connection.ensure_connection()
    server = RedisServer(free_port()).start()
    env = environment(server.url)
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port(range(7150, 7200))
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own program
                    [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
            urls.append(f"http://127.0.0.1:{port}")
            wait_for(urls[-1], processes[-1])
        yield {"a": urls[0], "b": urls[1], "redis": server, "env": env}
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        server.stop()


def wait_for(url, process):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app server exited"
        try:
            requests.get(url + "/", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


@pytest.fixture
def shared(cluster):
    redis.Redis.from_url(cluster["redis"].url).flushall()
    # The limits count in fixed one-minute windows: not across a window's end.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    return cluster


def csrf(session, url):
    page = session.get(url + "/accounts/login/")
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def sign_in(session, url, password, email="researcher@example.org"):
    return session.post(
        url + "/accounts/login/",
        data={"csrfmiddlewaretoken": csrf(session, url), "login": email, "password": password},
        headers={"Referer": url + "/accounts/login/"},
        allow_redirects=False,
    )


TOO_MANY = (
    "Đăng nhập sai quá nhiều lần"  # allauth's "Too many failed login attempts", in Vietnamese
)


def test_failed_sign_ins_counted_on_one_server_are_refused_on_the_other(shared):
    browser = requests.Session()
    for url in (shared["a"], shared["b"], shared["a"]):  # the 3rd attempt is still judged
        answer = sign_in(browser, url, "wrong-password")
        assert answer.status_code == 200 and TOO_MANY not in answer.text
    # The 4th, even with the right password: refused, on the other server.
    refused = sign_in(requests.Session(), shared["b"], DEMO_PASSWORD)
    assert refused.status_code != 302 and TOO_MANY in refused.text


def test_the_anonymous_api_limit_is_shared_with_429_and_retry_after(shared):
    for url in (shared["a"], shared["b"], shared["a"]):
        assert requests.get(url + "/api/v1/technologies/").status_code == 200
    refused = requests.get(shared["b"] + "/api/v1/technologies/")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_a_session_opened_on_one_server_is_valid_on_the_other(shared):
    browser = requests.Session()
    signed_in = sign_in(browser, shared["a"], DEMO_PASSWORD)
    assert signed_in.status_code == 302, signed_in.text[:500]
    cookies = {"sessionid": browser.cookies["sessionid"]}
    on_b = requests.get(shared["b"] + "/dashboard/", cookies=cookies, allow_redirects=False)
    assert on_b.status_code == 200
    anonymous = requests.get(shared["b"] + "/dashboard/", allow_redirects=False)
    assert anonymous.status_code == 302  # the page does need a session


SET_SECTOR = (
    "from cms.models import Sector; s = Sector.objects.order_by('pk').first(); "
    "s.name, s.name_en = {!r}, {!r}; s.save()"
)
SET_SITE = (
    "from cms.models import SiteSettings; s = SiteSettings.objects.first(); "
    "s.department_name, s.department_name_en = {!r}, {!r}; s.save()"
)


def test_a_changed_sector_is_seen_by_both_servers_at_once(shared):
    from cms.models import Sector

    before = Sector.objects.order_by("pk").first()
    for url in (shared["a"], shared["b"]):  # both have read the menu (into the cache)
        assert "Redis-renamed" not in requests.get(url + "/technologies/").text
    in_another_process(SET_SECTOR.format("Redis-renamed", "Redis-renamed"), shared["env"])
    try:
        for url in (shared["a"], shared["b"]):
            assert "Redis-renamed" in requests.get(url + "/technologies/").text
    finally:  # the demo stays as seeded for the tests after this one
        in_another_process(SET_SECTOR.format(before.name, before.name_en), shared["env"])


def test_the_site_settings_changed_elsewhere_are_seen_by_both_servers_at_once(shared):
    from cms.models import SiteSettings

    before = SiteSettings.objects.first()
    for url in (shared["a"], shared["b"]):
        assert "Redis Department" not in requests.get(url + "/").text
    in_another_process(SET_SITE.format("Redis Department", "Redis Department"), shared["env"])
    try:
        for url in (shared["a"], shared["b"]):
            assert "Redis Department" in requests.get(url + "/").text
    finally:
        in_another_process(
            SET_SITE.format(before.department_name, before.department_name_en), shared["env"]
        )
