"""The "Object storage" settings section (issue 17): the environment alone switches both
storages to S3 with the private bucket locked down, and /readyz proves the bucket writable."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from tests.object_storage import s3, s3_server  # noqa: F401 (fixtures)

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'storages': s.STORAGES, "
    "'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
)


def settings_with(**variables):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_S3_", "AWS_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "portal.settings.dev", **variables}
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_bucket_files_stay_on_the_disk():
    done = settings_with()
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)["storages"]
    assert (
        found["default"]["BACKEND"]
        == found["private"]["BACKEND"]
        == ("django.core.files.storage.FileSystemStorage")
    )


def test_the_environment_puts_both_storages_on_s3_with_the_private_bucket_locked():
    done = settings_with(
        PORTAL_S3_BUCKET="portal-media",
        PORTAL_S3_PRIVATE_BUCKET="portal-private",
        PORTAL_S3_ENDPOINT_URL="https://s3.internal.example.org:9000",
        PORTAL_S3_REGION="ap-southeast-1",
        AWS_ACCESS_KEY_ID="portal",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    public, private = found["storages"]["default"], found["storages"]["private"]
    assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert public["OPTIONS"]["bucket_name"] == "portal-media"
    assert public["OPTIONS"]["querystring_auth"] is False
    assert private["OPTIONS"]["bucket_name"] == "portal-private"
    assert private["OPTIONS"]["default_acl"] == "private"
    assert private["OPTIONS"]["querystring_auth"] is True
    assert 0 < private["OPTIONS"]["querystring_expire"] <= 300
    for options in (public["OPTIONS"], private["OPTIONS"]):
        assert options["endpoint_url"] == "https://s3.internal.example.org:9000"
        assert options["region_name"] == "ap-southeast-1"
        assert options["file_overwrite"] is False
    assert "https://s3.internal.example.org:9000" in found["img"]


def test_a_public_bucket_without_a_private_one_is_refused():
    done = settings_with(PORTAL_S3_BUCKET="portal-media")
    assert done.returncode != 0
    assert "PORTAL_S3_PRIVATE_BUCKET" in done.stderr


@pytest.mark.django_db
def test_readyz_writes_and_removes_its_probe_in_the_private_bucket(
    s3,  # noqa: F811
    client,
    settings,
):
    before = set(s3.private_objects())
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["storage"] == "ok"
    assert set(s3.private_objects()) == before
    # The same check against a bucket that is not there: not ready.
    missing = {**settings.STORAGES["private"]}
    missing["OPTIONS"] = {**missing["OPTIONS"], "bucket_name": "portal-no-such-bucket"}
    settings.STORAGES = {**settings.STORAGES, "private": missing}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error")
