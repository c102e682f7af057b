"""`manage.py backup` and `manage.py restore` with both storages on S3-compatible storage
(issue 17): the files of two buckets on a real S3 server (moto, tests/object_storage.py) come
back byte for byte in two empty buckets, restored by a second portal configured only by its
environment (PORTAL_S3_*), as on a spare server."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from tests.object_storage import environment, new_buckets, objects, s3, s3_server  # noqa: F401
from tests.portal.test_backup import database_url, empty_database, manifest_of  # noqa: F401
from tests.samples import PDF


def digests(found):
    return {name: hashlib.sha256(data).hexdigest() for name, data in found.items()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # its backup must not run inside a test transaction
def test_backup_of_s3_buckets_restores_every_object_into_empty_buckets(
    seeded,
    s3,  # noqa: F811
    s3_server,  # noqa: F811
    empty_database,  # noqa: F811
    tmp_path,
):
    storages["private"].save("attachments/2026/hồ-sơ-thuyết-minh.pdf", ContentFile(PDF))
    storages["private"].save("signed/receipt/ab/probe.pdf", ContentFile(PDF + b"% two\n"))
    storages["default"].save("original_images/anh-ruong.png", ContentFile(b"\x89PNG demo"))
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    archive = Path(out.getvalue().strip())
    source = {"default": digests(s3.public_objects()), "private": digests(s3.private_objects())}
    assert len(source["private"]) >= 3 and len(source["default"]) >= 2  # with the demo's files
    manifest = manifest_of(archive)
    for alias, files in source.items():
        assert {f["path"]: f["sha256"] for f in manifest["storages"][alias]["files"]} == files

    media, private = new_buckets(s3_server)
    spare = {
        **os.environ,
        **environment(s3_server, media, private),
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DEBUG": "0",
        "DATABASE_URL": database_url(empty_database),
        "SIGNING_DEMO_DIR": str(tmp_path / "signing-2"),
    }

    def restore(*extra):
        return subprocess.run(
            [sys.executable, "manage.py", "restore", str(archive), *extra],
            env=spare,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = restore()
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    assert digests(objects(s3_server, media)) == source["default"]
    assert digests(objects(s3_server, private)) == source["private"]

    # A changed object in the restored bucket is caught by the verification.
    name = "attachments/2026/hồ-sơ-thuyết-minh.pdf"
    from tests.object_storage import client

    client(s3_server).put_object(Bucket=private, Key=name, Body=PDF + b"x")
    done = restore("--verify-only")
    assert done.returncode != 0
    assert f"private/{name}: SHA-256 differs from the backup" in done.stderr
