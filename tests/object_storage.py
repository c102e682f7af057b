"""A real S3 server for the tests: moto in server mode, as its own process on a 127.0.0.1 port
in 7200–7299, spoken to over HTTP by boto3 and django-storages exactly as a deployment speaks to
MinIO or AWS. Each test gets two fresh buckets and the portal's own STORAGES configuration
(portal.settings.object_storage) pointed at them."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config
from django.apps import apps
from django.db.models import FileField

from portal.settings.object_storage import s3_storages

PORTS = range(7200, 7300)
KEY, SECRET, REGION = "portal-test-key", "portal-test-secret", "us-east-1"


def _free_port():
    # pytest-xdist workers (gw0, gw1, …) start in their own part of the range: no two race for one.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    first = (int(worker) * 25 if worker.isdigit() else 0) % len(PORTS)
    for port in [*PORTS[first:], *PORTS[:first]]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 7200–7299 for the S3 server")


@pytest.fixture(scope="session")
def s3_server():
    """The S3 server's endpoint URL; the process is stopped at the end of the session."""
    binary = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 (a fixed command)
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_CALL_RESET_API": "false"},
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the S3 server did not start") from None
            time.sleep(0.2)
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


def client(endpoint):
    """boto3 as an operator's script would use it, with the test credentials."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def public_read_policy(bucket):
    """The policy docs/operations.md gives the public media bucket: anyone may GET an object."""
    import json

    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def new_buckets(endpoint):
    """Two empty buckets, as an operator creates them: public media (readable by its bucket
    policy) and private files (no policy: only signed requests)."""
    s3 = client(endpoint)
    suffix = uuid.uuid4().hex[:10]
    media, private = f"portal-media-{suffix}", f"portal-private-{suffix}"
    for bucket in (media, private):
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=media, Policy=public_read_policy(media))
    return media, private


def environment(endpoint, media, private):
    """The variables a server sets to use these buckets (docs/operations.md → Object storage)."""
    return {
        "PORTAL_S3_BUCKET": media,
        "PORTAL_S3_PRIVATE_BUCKET": private,
        "PORTAL_S3_ENDPOINT_URL": endpoint,
        "PORTAL_S3_REGION": REGION,
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
    }


def objects(endpoint, bucket):
    """{key: bytes} of every object in a bucket, read with boto3 (not through the portal)."""
    s3 = client(endpoint)
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


def leaks(body, buckets):
    """What in a response would let its reader fetch the object without the portal."""
    text = body.decode() if isinstance(body, bytes) else body
    found = [word for word in (buckets.endpoint, buckets.private_bucket) if word in text]
    return found + re.findall(r"X-Amz-(?:Signature|Credential)", text)


def upload_folder(endpoint, folder, bucket):
    s3 = client(endpoint)
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), bucket, path.relative_to(folder).as_posix())


def _private(field):
    # Every private FileField names its storage by a callable returning storages["private"].
    callable_ = getattr(field, "_storage_callable", None)
    return callable_ is not None and callable_.__name__.endswith("private_storage")


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    """This test's portal stores its files in two fresh buckets on the S3 server.

    STORAGES changes through the settings fixture (Django then rebuilds `storages`); the
    FileFields of the private files took their storage object when their models were defined,
    so each is handed the new private storage for the test's duration."""
    from django.core.files.storage import storages

    media, private = new_buckets(s3_server)
    # The demo's files so far, copied as an operator moving to S3 does (`aws s3 sync`).
    upload_folder(s3_server, settings.MEDIA_ROOT, media)
    upload_folder(s3_server, settings.PRIVATE_MEDIA_ROOT, private)
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storages(
            bucket=media,
            private_bucket=private,
            endpoint_url=s3_server,
            region=REGION,
            access_key=KEY,
            secret_key=SECRET,
        ),
    }
    after = storages["private"]
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField) and _private(field):
                monkeypatch.setattr(field, "storage", after)

    class Buckets:
        endpoint, public, private_bucket = s3_server, media, private

        def public_objects(self):
            return objects(s3_server, media)

        def private_objects(self):
            return objects(s3_server, private)

    return Buckets()
