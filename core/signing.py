"""Digital signatures on the portal's official documents (PAdES B-B, with pyHanko).

- `sign_pdf(pdf_bytes, reason=...)` signs with the Department's certificate, a PKCS#12 file
  (`settings.SIGNING_PKCS12_PATH`, password `settings.SIGNING_PKCS12_PASSWORD`). It is the one
  place that signs: a remote signing service (a hardware key at the Department, a provider's
  API) can be put behind it later without touching the callers. B-B: the signing time is the
  one in the signature, nothing is fetched (no timestamp server, no OCSP or CRL).
- `verify_pdf(data)` says what a file is: intact or not, over the whole file or changed after
  signing, who signed and when, and whether the signer is the Department (a certificate that
  chains to the configured CA and names the configured Department). It never raises.
- `signed_document(...)` signs a document once and keeps it in the registry
  (`core.models.SignedDocument`), so that /verify/ can say which document of the portal a file
  is; later downloads get the very same bytes. `stored_document(...)` keeps a document that
  needs no signature (the receipt) the same way, rendered once.
docs/operations.md → "Digital signatures" describes the settings and the certificate.
"""

import asyncio
import concurrent.futures
import datetime
import functools
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from core.demo_signing import DEMO_MARKER

logger = logging.getLogger(__name__)


class SigningUnavailable(ImproperlyConfigured):
    """The portal cannot sign: no certificate configured, or one it must not use."""


# -- the Department's certificate ----------------------------------------------------------------


@dataclass(frozen=True)
class _Credentials:
    signer: object  # pyhanko SimpleSigner
    certificate: asn1_x509.Certificate
    roots: tuple  # asn1crypto certificates the Department's chains end at


def is_demo(certificate):
    """True for the throwaway demo certificates (core.demo_signing): their subject (or their
    issuer's) carries DEMO_MARKER as its organisational unit."""
    for name in (certificate.subject, certificate.issuer):
        for rdn in name.chosen:
            for attribute in rdn:
                if attribute["type"].native == "organizational_unit_name" and DEMO_MARKER in str(
                    attribute["value"].native
                ):
                    return True
    return False


def _read_pem_certificates(path):
    data = Path(path).read_bytes()
    if not asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _type, _h, der in asn1_pem.unarmor(data, True)]


@functools.lru_cache(maxsize=4)
def _load(path, password, ca_path, _stamp):
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load_pkcs12(
            path, passphrase=password.encode() if password else None
        )
    except (OSError, ValueError) as error:
        raise SigningUnavailable(f"The signing certificate {path} cannot be read.") from error
    if signer is None:  # pyHanko logs the reason and returns None on a wrong password
        raise SigningUnavailable(
            f"The signing certificate {path} cannot be opened (wrong SIGNING_PKCS12_PASSWORD?)."
        )
    certificate = signer.signing_cert
    others = list(signer.cert_registry)
    if ca_path:
        others += _read_pem_certificates(ca_path)
    roots = tuple(c for c in others if c.self_signed and c != certificate) or (certificate,)
    return _Credentials(signer, certificate, roots)


def credentials():
    """The configured certificate, key and trust roots (cached while the file is unchanged)."""
    path = getattr(settings, "SIGNING_PKCS12_PATH", "")
    if not path:
        raise SigningUnavailable("SIGNING_PKCS12_PATH is not set: the portal cannot sign.")
    try:
        stat = Path(path).stat()
    except OSError as error:
        raise SigningUnavailable(f"The signing certificate {path} does not exist.") from error
    ca_path = getattr(settings, "SIGNING_CA_PATH", "")
    return _load(
        str(path),
        settings.SIGNING_PKCS12_PASSWORD or "",
        str(ca_path or ""),
        (stat.st_mtime_ns, stat.st_size),
    )


# -- signing -------------------------------------------------------------------------------------


def sign_pdf(pdf_bytes, *, reason, location="An Giang"):
    """The PDF signed by the Department (PAdES B-B, SHA-256, an invisible signature field).
    Refuses the demo certificate unless settings.SIGNING_ALLOW_DEMO (dev and tests only)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    department = credentials()
    if is_demo(department.certificate) and not getattr(settings, "SIGNING_ALLOW_DEMO", False):
        raise SigningUnavailable(
            "The configured signing certificate is the demo one (core.demo_signing): "
            "production signs only with the Department's real certificate."
        )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name="ChuKySo",
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    return _outside_an_event_loop(
        lambda: signers.sign_pdf(writer, metadata, signer=department.signer).getvalue()
    )


def _outside_an_event_loop(work):
    """pyHanko's synchronous `sign_pdf` runs its own event loop (`asyncio.run`), which fails in
    a thread whose loop is already running (an ASGI view, or a test driving Playwright while a
    workflow step signs): such a caller's signing runs in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


# -- verifying -----------------------------------------------------------------------------------

# What a file is, from the best to the worst news.
VALID = "valid"  # intact, the Department's, nothing added after signing
CHANGED = "changed"  # the signed part is intact, but bytes were added after the signature
UNTRUSTED = "untrusted"  # intact, but not signed by the Department's certificate
BROKEN = "broken"  # the signature does not match the signed bytes: changed inside
UNSIGNED = "unsigned"  # a PDF without a signature
DAMAGED = "damaged"  # starts like a PDF but cannot be read
NOT_PDF = "not_pdf"


@dataclass
class Verdict:
    status: str
    intact: bool = False  # the signature matches the bytes it covers
    whole_file: bool = False  # ... and those bytes are the whole file
    trusted: bool = False  # the signer's certificate chains to the Department's CA
    department: bool = False  # ... and is the Department's
    signer: str = ""
    organisation: str = ""
    signed_at: datetime.datetime | None = None
    signed_sha256: str = ""  # of the signed revision: the bytes the portal registered

    @property
    def ok(self):
        return self.status == VALID


def _byte_range_end(signature):
    byte_range = signature.sig_object.get("/ByteRange")
    return int(byte_range[2]) + int(byte_range[3])


def _names(certificate):
    subject = certificate.subject.native
    return subject.get("common_name", ""), subject.get("organization_name", "")


def verify_pdf(data):
    """A Verdict for the bytes of a file; never raises (garbage gets a verdict too)."""
    try:
        return _verify(bytes(data))
    except Exception:  # a hostile file must not make a page fail
        logger.warning("Signature verification failed on a malformed file", exc_info=True)
        return Verdict(DAMAGED)


def _verify(data):
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if data[:1024].lstrip()[:5] != b"%PDF-":
        return Verdict(NOT_PDF)
    readable = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except readable:
        # Bytes added after the end can hide it from the reader: read up to the last end
        # (the verdict still compares the signed part with the whole file).
        end = data.rfind(b"%%EOF") + 5
        while end > 5 and data[end : end + 1] in (b"\r", b"\n"):
            end += 1  # the end of line after it is part of the signed revision
        if end < 5 or end == len(data):
            return Verdict(DAMAGED)
        try:
            reader = PdfFileReader(io.BytesIO(data[:end]), strict=False)
            signatures = reader.embedded_signatures
        except readable:
            return Verdict(DAMAGED)
    if not signatures:
        return Verdict(UNSIGNED)
    signature = signatures[0]  # the portal's documents carry one; later ones are changes
    try:
        department = credentials()
        roots, expected = list(department.roots), department.certificate.subject
    except SigningUnavailable:
        roots, expected = [], None
    claimed = signature.self_reported_timestamp
    context = ValidationContext(
        trust_roots=roots,
        allow_fetching=False,  # B-B: nothing is fetched, revocation is not checked
        revocation_mode="soft-fail",
        # No timestamp in a B-B signature: the chain is judged at the time it claims.
        moment=claimed,
        best_signature_time=claimed,
    )
    status = validate_pdf_signature(signature, context, skip_diff=True)
    signer, organisation = _names(status.signing_cert)
    end = _byte_range_end(signature)
    verdict = Verdict(
        status="",
        intact=bool(status.intact and status.valid),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE and end == len(data),
        trusted=bool(status.trusted),
        signer=signer,
        organisation=organisation,
        signed_at=status.signer_reported_dt or claimed,
        signed_sha256=hashlib.sha256(data[:end]).hexdigest() if end <= len(data) else "",
    )
    verdict.department = (
        verdict.trusted and expected is not None and (status.signing_cert.subject == expected)
    )
    if not verdict.intact:
        verdict.status = BROKEN
    elif not verdict.department:
        verdict.status = UNTRUSTED
    elif not verdict.whole_file:
        verdict.status = CHANGED
    else:
        verdict.status = VALID
    return verdict


def registered(verdict):
    """The SignedDocument a verdict's signed bytes are, or None."""
    from core.models import SignedDocument

    if not verdict.intact or not verdict.signed_sha256:
        return None
    return SignedDocument.objects.filter(sha256=verdict.signed_sha256).first()


# -- the registry --------------------------------------------------------------------------------


def signed_document(*, kind, key, number, dated, subject, path, render, reason=None):
    """The signed bytes of the portal's document (kind, key): the stored ones when it was
    signed before, else `render()` signed now, stored and registered. Once only, even when
    two requests ask at once (the unique constraint decides, the loser reads the winner's)."""
    reason = reason or f"Ký ban hành văn bản số {number}"
    return stored_document(
        kind=kind,
        key=key,
        number=number,
        dated=dated,
        subject=subject,
        path=path,
        render=lambda: sign_pdf(render(), reason=reason),
    )


def stored_document(*, kind, key, number, dated, subject, path, render):
    """The stored bytes of the portal's document (kind, key), else `render()` now, stored and
    registered — the receipt, which needs no signature, is kept this way. The file is written
    under its own digest before the row that names it is committed, so a reader never sees a
    half-written file. On PostgreSQL a first render holds a lock on (kind, key): a second
    first request (the worker's e-mail and the researcher's download, the moment a dossier is
    submitted) waits for it and serves the stored bytes instead of rendering them again. Where
    there is no such lock the unique constraint keeps one of two renders (the loser deletes its
    file and serves the winner's bytes), so every download is byte-identical."""
    from core.models import SignedDocument

    key = str(key)
    existing = SignedDocument.objects.filter(kind=kind, key=key).first()
    if existing is not None:
        return existing.read()
    with transaction.atomic():
        if _lock_first_render(kind, key):
            existing = SignedDocument.objects.filter(kind=kind, key=key).first()
            if existing is not None:  # rendered while this request waited for the lock
                return existing.read()
        return _render_and_store(kind, key, number, dated, subject, path, render)


# pg_advisory_xact_lock(namespace, hashtext(kind:key)): the namespace keeps these locks apart
# from any other advisory lock on the database; a hash collision only makes two renders wait.
_RENDER_LOCK_NAMESPACE = 570_001


def _lock_first_render(kind, key):
    """Take the transaction's lock on (kind, key) where the database has one (PostgreSQL)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
            [_RENDER_LOCK_NAMESPACE, f"{kind}:{key}"],
        )
    return True


def _render_and_store(kind, key, number, dated, subject, path, render):
    from core.models import SignedDocument

    data = render()
    digest = hashlib.sha256(data).hexdigest()
    document = SignedDocument(
        kind=kind,
        key=key,
        number=number[:64],
        dated=dated,
        subject=subject[:300],
        path=path[:300],
        sha256=digest,
    )
    document.file.save(f"{digest}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        winner = SignedDocument.objects.get(kind=kind, key=key)
        # On object storage two first renders can both find the name free and write the same
        # object (same bytes, same digest): that object is the winner's file, kept.
        if winner.file.name != document.file.name:
            document.file.delete(save=False)
        return winner.read()
    return data


def signed_pdf_response(request, *, filename, **document):
    """The signed document as an inline PDF download, or — when the portal cannot sign (no
    certificate configured in production, a wrong password) — a 503 page that says so, in the
    reader's language, and an error in the log for the operators."""
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.utils.http import content_disposition_header

    try:
        pdf = signed_document(**document)
    except SigningUnavailable as error:
        logger.error("Cannot sign %s %s: %s", document.get("kind"), document.get("key"), error)
        return render(request, "core/signing_unavailable.html", status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    # A contract number carries "Đ": the header names the file the RFC 6266 way (filename*),
    # where a bare non-ASCII filename would make Django encode the whole header (RFC 2047).
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
