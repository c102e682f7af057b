"""System checks of the ground: production must not sign with the demo certificate."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def demo_certificate_refused(app_configs=None, **kwargs):
    """An error (manage.py check, migrate, runserver stop) when the configured signing
    certificate is the throwaway demo one and the settings do not allow it (production)."""
    if getattr(settings, "SIGNING_ALLOW_DEMO", False) or not settings.SIGNING_PKCS12_PATH:
        return []
    from core import signing

    try:
        certificate = signing.credentials().certificate
    except signing.SigningUnavailable as error:
        return [
            checks.Error(
                str(error), id="core.E002", hint="See docs/operations.md → Digital signatures."
            )
        ]
    if signing.is_demo(certificate):
        return [
            checks.Error(
                "SIGNING_PKCS12_PATH names the demo certificate (“DEMO — not valid”): "
                "production signs only with the Department's real certificate.",
                hint="See docs/operations.md → Digital signatures.",
                id="core.E001",
            )
        ]
    return []
