"""The two file stores on S3-compatible object storage (issue 17; docs/operations.md → "Object
storage"; docs/decisions/ → private files are streamed). Used by base.py when PORTAL_S3_BUCKET
is set, and by the tests against a local S3 server, so both run the same configuration."""

from urllib.parse import urlsplit

S3_BACKEND = "storages.backends.s3.S3Storage"
# A signed URL of a private object, if one were ever made, dies within five minutes; the portal
# itself never hands one out: the permission-checked views stream the bytes (core.files.download).
PRIVATE_URL_SECONDS = 300


def s3_storages(
    *,
    bucket,
    private_bucket,
    endpoint_url=None,
    region="us-east-1",
    access_key=None,
    secret_key=None,
    public_url=None,
):
    """STORAGES["default"] and ["private"]: public media read straight from its bucket (by its
    bucket policy, or from `public_url` when a proxy or CDN fronts it); private files in a bucket
    nobody reads without the portal's credentials (every object written with the private ACL).
    Credentials left out come from boto3's usual chain (AWS_* variables, an instance role)."""
    common = {
        "endpoint_url": endpoint_url or None,
        "region_name": region,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "signature_version": "s3v4",
        # MinIO, Garage, Ceph and the test server answer at one host: buckets go in the path.
        "addressing_style": "path" if endpoint_url else None,
        # As on disk: a second file under a taken name gets a new name, never replaces the first.
        "file_overwrite": False,
    }
    public = {**common, "bucket_name": bucket, "querystring_auth": False, "default_acl": None}
    if public_url:
        split = urlsplit(public_url)
        public |= {
            "custom_domain": split.netloc + split.path.rstrip("/"),
            "url_protocol": split.scheme + ":",
        }
    private = {
        **common,
        "bucket_name": private_bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": PRIVATE_URL_SECONDS,
    }
    return {
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": public},
        "private": {"BACKEND": S3_BACKEND, "OPTIONS": private},
    }


def public_origin(*, bucket, endpoint_url=None, region="us-east-1", public_url=None):
    """Where browsers fetch public media from, for the Content-Security-Policy's img-src."""
    if public_url:
        split = urlsplit(public_url)
    elif endpoint_url:
        split = urlsplit(endpoint_url)
    else:
        return f"https://{bucket}.s3.{region}.amazonaws.com"
    return f"{split.scheme}://{split.netloc}"
