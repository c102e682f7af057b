"""Digital signatures (core.signing): sign, verify, tampering, other certificates, the demo
certificate's refusal in production, and the registry of signed documents."""

import datetime
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from weasyprint import HTML

from core import checks, demo_signing, signing
from core.models import SignedDocument

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def plain_pdf(text="Quyết định số 7/QĐ-SKHCN"):
    return HTML(
        string=f"<h1>{text}</h1><p>Phê duyệt nhiệm vụ khoa học và công nghệ.</p>"
    ).write_pdf()


@pytest.fixture(scope="module")
def signed():
    demo_signing.ensure()
    return signing.sign_pdf(plain_pdf(), reason="Ký ban hành văn bản số 7/QĐ-SKHCN")


def other_certificate(tmp_path, department_name="Công ty Chữ ký Giả", ca_name="Một CA khác"):
    """A PKCS#12 from a self-made CA that is not the Department's (no demo marker)."""
    _ca_key, ca_cert, key, cert = demo_signing.make_certificates(
        department_name=department_name, ca_name=ca_name, marker=None
    )
    path = tmp_path / "other.p12"
    path.write_bytes(demo_signing.pkcs12_bytes(key, cert, ca_cert, password="khac"))
    return str(path)


def signed_with(settings, path, password, data=None):
    department = (settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD)
    settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = path, password
    try:
        return signing.sign_pdf(data or plain_pdf(), reason="Thử")
    finally:
        settings.SIGNING_PKCS12_PATH, settings.SIGNING_PKCS12_PASSWORD = department


def byte_range(data):
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return [int(n) for n in signature.sig_object["/ByteRange"]]


def test_a_signed_pdf_verifies_with_signer_and_time(signed):
    before = timezone.now()
    again = signing.sign_pdf(plain_pdf(), reason="Thử")
    after = timezone.now()
    verdict = signing.verify_pdf(again)
    assert verdict.status == signing.VALID and verdict.ok
    assert verdict.intact and verdict.whole_file and verdict.trusted and verdict.department
    assert verdict.signer == demo_signing.DEPARTMENT_NAME
    # The signing time in the signature (B-B: no timestamp server), to the second.
    assert before.replace(microsecond=0) <= verdict.signed_at <= after
    assert verdict.signed_sha256 == hashlib.sha256(again).hexdigest()
    assert signing.verify_pdf(signed).status == signing.VALID


def test_the_signature_is_pades_and_covers_the_whole_file(signed):
    from pyhanko.pdf_utils.reader import PdfFileReader

    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Ký ban hành văn bản số 7/QĐ-SKHCN"
    assert signature.sig_object["/Location"] == "An Giang"
    start, first, second, length = byte_range(signed)
    assert start == 0 and second + length == len(signed)


def test_one_byte_changed_inside_the_signed_range_fails(signed):
    start, first, second, length = byte_range(signed)
    stream = signed.index(b"stream", 0, first) + 20  # inside the first page's content
    assert start < stream < first
    changed = bytearray(signed)
    changed[stream] ^= 0x01
    verdict = signing.verify_pdf(bytes(changed))
    assert verdict.status == signing.BROKEN and not verdict.intact and not verdict.ok
    # ... and one byte changed in the signed part after the signature value
    later = bytearray(signed)
    at = second + (length // 2)
    later[at : at + 1] = b"X" if later[at : at + 1] != b"X" else b"Y"
    assert signing.verify_pdf(bytes(later)).status in (signing.BROKEN, signing.DAMAGED)


def test_the_signature_value_changed_fails(signed):
    start, first, second, length = byte_range(signed)
    value = bytearray(signed)
    at = first + 100  # inside /Contents, the hex of the CMS signature
    value[at : at + 1] = b"0" if value[at : at + 1] != b"0" else b"1"
    verdict = signing.verify_pdf(bytes(value))
    assert verdict.status in (signing.BROKEN, signing.DAMAGED) and not verdict.intact


def test_bytes_appended_after_the_signature_are_a_change_after_signing(signed):
    verdict = signing.verify_pdf(signed + b"\n% added later\n")
    assert verdict.status == signing.CHANGED and verdict.intact and not verdict.whole_file
    # what was signed is still recognisable: the registry is looked up by those bytes
    assert verdict.signed_sha256 == hashlib.sha256(signed).hexdigest()
    # one byte is enough, and many (the end out of a reader's sight) are still a change
    assert signing.verify_pdf(signed + b"%").status == signing.CHANGED
    assert signing.verify_pdf(signed + b"%" * 100_000).status == signing.CHANGED


def test_an_incremental_update_after_signing_is_a_change(signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.set_info(
        generic.DictionaryObject({generic.pdf_name("/Title"): generic.pdf_string("Đã sửa")})
    )
    out = io.BytesIO()
    writer.write(out)
    verdict = signing.verify_pdf(out.getvalue())
    assert verdict.status == signing.CHANGED and verdict.intact


def test_unsigned_not_a_pdf_and_garbage_get_a_verdict_without_raising(signed):
    assert signing.verify_pdf(plain_pdf()).status == signing.UNSIGNED
    assert signing.verify_pdf(b"").status == signing.NOT_PDF
    assert signing.verify_pdf(b"GIF89a not a pdf").status == signing.NOT_PDF
    assert signing.verify_pdf(b"\x89PNG\r\n\x1a\n" + bytes(100)).status == signing.NOT_PDF
    assert signing.verify_pdf(b"%PDF-1.7\n" + os.urandom(2000)).status == signing.DAMAGED
    for cut in (len(signed) // 2, len(signed) - 40, 20):
        verdict = signing.verify_pdf(signed[:cut])
        assert verdict.status in (signing.DAMAGED, signing.BROKEN, signing.UNSIGNED)
        assert not verdict.ok


def test_another_certificate_is_not_the_department(settings, tmp_path):
    verdict = signing.verify_pdf(signed_with(settings, other_certificate(tmp_path), "khac"))
    assert verdict.intact and verdict.whole_file
    assert verdict.status == signing.UNTRUSTED and not verdict.trusted and not verdict.department
    assert verdict.signer == "Công ty Chữ ký Giả"


def test_the_department_s_name_from_another_ca_is_not_trusted(settings, tmp_path):
    """Same subject as the Department's certificate, issued by a CA the portal does not trust."""
    path = other_certificate(
        tmp_path, department_name=demo_signing.DEPARTMENT_NAME, ca_name="Một CA khác"
    )
    verdict = signing.verify_pdf(signed_with(settings, path, "khac"))
    assert verdict.signer == demo_signing.DEPARTMENT_NAME
    assert verdict.intact and not verdict.trusted
    assert verdict.status == signing.UNTRUSTED


def test_a_wrong_password_or_missing_file_is_a_clear_configuration_error(settings, tmp_path):
    settings.SIGNING_PKCS12_PASSWORD = "sai"
    with pytest.raises(signing.SigningUnavailable, match="PASSWORD"):
        signing.sign_pdf(plain_pdf(), reason="Thử")
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "none.p12")
    with pytest.raises(signing.SigningUnavailable, match="does not exist"):
        signing.sign_pdf(plain_pdf(), reason="Thử")
    settings.SIGNING_PKCS12_PATH = ""
    with pytest.raises(signing.SigningUnavailable, match="not set"):
        signing.sign_pdf(plain_pdf(), reason="Thử")


def test_the_demo_certificate_is_refused_unless_allowed(settings, tmp_path):
    settings.SIGNING_ALLOW_DEMO = False
    with pytest.raises(signing.SigningUnavailable, match="demo"):
        signing.sign_pdf(plain_pdf(), reason="Thử")
    assert [e.id for e in checks.demo_certificate_refused()] == ["core.E001"]
    # a real (non-demo) certificate signs with the same settings, and the check passes
    settings.SIGNING_PKCS12_PATH = other_certificate(tmp_path)
    settings.SIGNING_PKCS12_PASSWORD = "khac"
    assert signing.verify_pdf(signing.sign_pdf(plain_pdf(), reason="Thử")).intact
    assert checks.demo_certificate_refused() == []
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "none.p12")
    assert [e.id for e in checks.demo_certificate_refused()] == ["core.E002"]


def test_dev_and_tests_allow_the_demo_certificate(settings):
    assert settings.SIGNING_ALLOW_DEMO is True
    assert checks.demo_certificate_refused() == []
    assert signing.is_demo(signing.credentials().certificate)


def test_production_refuses_to_start_with_the_demo_certificate(settings):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("SIGNING_", "DJANGO_ALLOW"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="k3y-" + "x7Qp9vLm2Rt8Zw4Hn6Bj1Cd5Fg0Ks3Ty" * 2,
        ALLOWED_HOSTS="innovation.angiang.gov.vn",
        REDIS_URL="redis://127.0.0.1:7199/0",
        SIGNING_PKCS12_PATH=settings.SIGNING_PKCS12_PATH,
        SIGNING_PKCS12_PASSWORD=settings.SIGNING_PKCS12_PASSWORD,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "core.E001" in result.stderr and "demo certificate" in result.stderr


def test_demo_certificates_are_made_once(settings, tmp_path):
    settings.SIGNING_DEMO_DIR = tmp_path / "demo"
    path = demo_signing.ensure()
    first = path.read_bytes()
    assert demo_signing.ensure() == path and path.read_bytes() == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert (tmp_path / "demo" / demo_signing.CA_NAME_FILE).exists()


def register(render, key="7", number="7/QĐ-SKHCN"):
    return signing.signed_document(
        kind="decision",
        key=key,
        number=number,
        dated=datetime.date(2026, 12, 1),
        subject="AG-2026-0007 — Thử nghiệm",
        path="/proposals/7/decision.pdf",
        render=render,
    )


def test_signed_document_signs_once_and_serves_the_same_bytes():
    calls = []

    def render():
        calls.append(1)
        return plain_pdf()

    first = register(render)
    second = register(render)
    assert first == second and len(calls) == 1
    document = SignedDocument.objects.get(kind="decision", key="7")
    assert document.sha256 == hashlib.sha256(first).hexdigest()
    assert document.read() == first and document.number == "7/QĐ-SKHCN"
    verdict = signing.verify_pdf(first)
    assert verdict.ok and signing.registered(verdict) == document
    # another key is another document
    assert register(render, key="8", number="8/QĐ-SKHCN") != first and len(calls) == 2


def test_two_requests_at_once_end_with_one_document():
    """The first request renders; meanwhile a second one signs and registers the same
    document: the first loses on the unique constraint and serves the winner's bytes."""
    winner = []

    def slow_render():
        winner.append(register(plain_pdf))  # the other request, finishing first
        return plain_pdf()

    served = register(slow_render)
    assert served == winner[0]
    assert SignedDocument.objects.filter(kind="decision", key="7").count() == 1


def test_the_registry_is_append_only():
    register(plain_pdf)
    document = SignedDocument.objects.get(kind="decision", key="7")
    document.subject = "khác"
    with pytest.raises(Exception, match="append-only"):
        document.save()
    with pytest.raises(Exception, match="append-only"):
        document.delete()


def test_a_step_that_signs_inside_a_running_event_loop_still_signs():
    """A workflow step may sign while its thread runs an event loop (an ASGI view; a test that
    drives Playwright and closes a council): pyHanko's own `asyncio.run` would fail there."""
    import asyncio

    demo_signing.ensure()

    async def inside_a_loop():
        asyncio.get_running_loop()  # the loop is running here
        return signing.sign_pdf(plain_pdf(), reason="Ký biên bản nghiệm thu")

    data = asyncio.run(inside_a_loop())
    assert signing.verify_pdf(data).status == signing.VALID
