"""/metrics (portal.metrics): Prometheus' text for the monitoring network only, judged on every
address the request shows (the peer) or claims (X-Forwarded-For); the counters move with the
requests; the queue and the proposals are counted with one aggregate query each."""

from collections import Counter

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from core import tasks
from grants.models import Proposal

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.5"


def scrape(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_loopback_may_scrape(client):
    samples = scrape(client)  # the test client's REMOTE_ADDR is 127.0.0.1
    assert value(samples, "portal_build_info", **_build_labels(samples)) == 1
    assert scrape(client, REMOTE_ADDR="::1")


def _build_labels(samples):
    (labels,) = [dict(key[1]) for key in samples if key[0] == "portal_build_info"]
    assert labels["release"].startswith("portal@") and labels["django"].startswith("5.2")
    return labels


def test_another_address_gets_404(client):
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDE).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="").status_code == 404


def test_a_forged_forwarded_for_from_an_untrusted_peer_gets_404(client, settings):
    # Straight to the app server from outside, claiming loopback: the peer is judged.
    for proxies in (0, 1, 2):
        settings.TRUSTED_PROXY_COUNT = proxies
        response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="127.0.0.1")
        assert response.status_code == 404, proxies


def test_through_our_proxy_from_outside_is_not_loopback(client, settings):
    # nginx on the same machine: the peer is 127.0.0.1 and nginx appends the real client.
    settings.TRUSTED_PROXY_COUNT = 1
    forged_then_real = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"127.0.0.1, {OUTSIDE}"}
    assert client.get("/metrics", **forged_then_real).status_code == 404
    real = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": OUTSIDE}
    assert client.get("/metrics", **real).status_code == 404
    # The same, with the proxy count wrongly left at 0: still refused.
    settings.TRUSTED_PROXY_COUNT = 0
    assert client.get("/metrics", **real).status_code == 404
    # Garbage in the header refuses too.
    garbage = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "localhost"}
    assert client.get("/metrics", **garbage).status_code == 404


@override_settings(
    PORTAL_METRICS_ALLOWED_CIDRS=["127.0.0.1/32", "10.20.30.0/24"], TRUSTED_PROXY_COUNT=1
)
def test_a_monitoring_host_through_our_proxy_may_scrape(client):
    assert scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.20.30.40")
    assert scrape(client, REMOTE_ADDR="10.20.30.40")


@override_settings(PORTAL_METRICS_ALLOWED_CIDRS=["10.20.30.0/24", "2001:db8:5::/64"])
@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("10.20.30.0", 200),  # the network's first address
        ("10.20.30.255", 200),  # its last
        ("10.20.29.255", 404),  # one below
        ("10.20.31.0", 404),  # one above
        ("::ffff:10.20.30.7", 200),  # an IPv4 peer on a dual-stack socket
        ("2001:db8:5::", 200),
        ("2001:db8:5:0:ffff:ffff:ffff:ffff", 200),
        ("2001:db8:4:ffff:ffff:ffff:ffff:ffff", 404),
        ("2001:db8:5:1::", 404),
        ("127.0.0.1", 404),  # loopback is allowed only when listed
    ],
)
def test_the_allowed_networks_boundaries(client, address, status):
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == status


def test_a_bad_network_in_the_setting_stops_the_start(monkeypatch):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "PORTAL_METRICS_ALLOWED_CIDRS": "127.0.0.1/32,10.0.0.0/33",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "PORTAL_METRICS_ALLOWED_CIDRS: '10.0.0.0/33' is no network." in done.stderr


def test_the_counters_move_with_the_requests(client):
    before = scrape(client)
    client.get("/khong-ton-tai/")
    client.post("/healthz")
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("portal_http_requests_total", method="GET", status="404") == 1
    assert moved("portal_http_requests_total", method="POST", status="200") == 1
    # The first scrape itself was counted after its text was written.
    assert moved("portal_http_requests_total", method="GET", status="200") == 1
    assert moved("portal_http_request_duration_seconds_count", method="GET") == 2
    assert moved("portal_http_request_duration_seconds_bucket", method="GET", le="+Inf") == 2
    assert moved("portal_http_request_duration_seconds_sum", method="GET") > 0


def test_a_made_up_method_is_counted_as_other(client):
    before = scrape(client)
    client.generic("BREW", "/healthz")
    after = scrape(client)
    assert (
        value(after, "portal_http_requests_total", method="other", status="200")
        - value(before, "portal_http_requests_total", method="other", status="200")
        == 1
    )
    assert not any(dict(key[1]).get("method") == "BREW" for key in after)


def test_proposals_and_tasks_by_state_in_one_query_each(
    client, settings, django_assert_num_queries
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued_before = DBTaskResult.objects.filter(status="READY").count()
    tasks.deliver_webhook.enqueue(10**9)
    tasks.deliver_webhook.enqueue(10**9 + 1)

    with django_assert_num_queries(2):
        samples = scrape(client)

    expected = Counter(Proposal.objects.values_list("state", flat=True))
    assert len(expected) > 3  # the demo has proposals in several states
    reported = {
        dict(key[1])["state"]: count
        for key, count in samples.items()
        if key[0] == "portal_proposals"
    }
    assert reported == expected
    assert value(samples, "portal_tasks", state="READY") == queued_before + 2


def test_two_gunicorn_workers_add_up_in_every_scrape(tmp_path):
    """deploy/gunicorn.conf.py with two sync workers: whichever worker answers a scrape, it
    reports the requests both answered (prometheus_client's multiprocess mode)."""
    import http.client
    import os
    import subprocess
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from django.conf import settings

    port = 7501  # this suite's ports: 7500-7549
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"stale")  # a previous run's file is removed at start
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "deploy/gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def get(path):
        # A long timeout: a request the client gave up on would still be served and counted.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def counted_gets(body):
        return {
            tuple(sorted(s.labels.items())): s.value
            for f in text_string_to_metric_families(body.decode())
            for s in f.samples
            if s.name == "portal_http_requests_total"
        }.get((("method", "GET"), ("status", "200")), 0)

    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if get("/healthz")[0] == 200:
                    break
            except OSError:  # not listening yet
                pass
            assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)
        status, body = get("/metrics")
        assert status == 200
        answered = counted_gets(body) + 1  # what came before, and this scrape
        assert answered >= 2
        # Without preload each worker loads Django itself: the first may answer everything
        # while the second still starts, so the bursts go on until both have counted some.
        writers = set()
        while len(writers) < 2:
            assert time.monotonic() < deadline, f"only {writers} counted"
            with ThreadPoolExecutor(8) as pool:
                statuses = list(pool.map(lambda _: get("/healthz")[0], range(120)))
            assert statuses == [200] * 120
            answered += 120
            writers = {p.name.rsplit("_", 1)[-1] for p in folder.glob("counter_*.db")}
        assert "1.db" not in writers  # the stale file was removed at start
        for _ in range(6):
            status, body = get("/metrics")
            assert status == 200
            assert counted_gets(body) == answered  # both workers' counts, added up
            answered += 1  # the scrape itself
    finally:
        server.terminate()
        server.wait(timeout=30)
