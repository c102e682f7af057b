"""A throwaway demo CA and Department certificate, so that the demo shows signed documents.

`ensure()` writes, once, into `settings.SIGNING_DEMO_DIR` (gitignored):
- `demo-ca.pem`: a self-made root CA, "An Giang portal demo root CA (DEMO — not valid)";
- `department.p12`: the "Sở Khoa học và Công nghệ tỉnh An Giang (DEMO)" certificate issued by
  that CA, its private key and the CA certificate, under the password `DEMO_PASSWORD`.
Both carry `DEMO_MARKER` as their organisational unit: production refuses a certificate that
does (core.checks, core.signing.sign_pdf). Nothing here is secret or valid anywhere else.
"""

import datetime
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

DEMO_MARKER = "DEMO — not valid"
DEMO_PASSWORD = "demo-only-not-secret"
DEPARTMENT_NAME = "Sở Khoa học và Công nghệ tỉnh An Giang (DEMO)"
CA_NAME = "An Giang portal demo root CA (DEMO)"
P12_NAME = "department.p12"
CA_NAME_FILE = "demo-ca.pem"


def demo_dir():
    return Path(settings.SIGNING_DEMO_DIR)


def p12_path():
    return demo_dir() / P12_NAME


def make_certificates(
    department_name=DEPARTMENT_NAME, ca_name=CA_NAME, marker=DEMO_MARKER, years=20
):
    """(ca_key, ca_cert, key, cert): a root CA and a signing certificate it issued. Tests use
    it with other names to make a certificate that is not the Department's."""
    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    until = now + datetime.timedelta(days=365 * years)

    def name(common_name):
        attributes = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "An Giang"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, department_name),
        ]
        if marker:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, marker))
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
        return x509.Name(attributes)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_subject = name(ca_name)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_subject)
        .issuer_name(ca_subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(department_name))
        .issuer_name(ca_subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until - datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: documents that commit the signer
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_cert, key, cert


def pkcs12_bytes(key, cert, ca_cert, password=DEMO_PASSWORD, friendly_name=b"department"):
    return pkcs12.serialize_key_and_certificates(
        friendly_name,
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )


def _write(path, data):
    """Write through a temporary name, so that a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def ensure():
    """Create the demo CA and Department certificate unless they exist; returns the PKCS#12
    path. Idempotent: a second call changes nothing (documents signed before stay valid)."""
    folder = demo_dir()
    target = folder / P12_NAME
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    _ca_key, ca_cert, key, cert = make_certificates()
    _write(folder / CA_NAME_FILE, ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(target, pkcs12_bytes(key, cert, ca_cert))
    return target
