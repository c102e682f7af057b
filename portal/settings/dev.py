"""Local development and `make run`: SQLite, mail printed to the console."""

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-9f2c6b1e4d7a"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
WHITENOISE_USE_FINDERS = True
