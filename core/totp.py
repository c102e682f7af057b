import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_code(secret, at=None):
    """The TOTP code an authenticator app shows for `secret` now (RFC 6238, allauth's settings)."""
    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
