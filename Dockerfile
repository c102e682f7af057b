# The portal's image (docs/operations.md → Containers). docker-compose.yml runs the web server
# (gunicorn with deploy/gunicorn.conf.py) and the background worker (manage.py db_worker) from
# it. Everything is installed here, from requirements.lock and Debian's packages: a container
# downloads nothing when it starts.
FROM python:3.11-slim-bookworm

ARG PORTAL_COMMIT=unknown
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/srv/portal/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    STATIC_ROOT=/srv/portal/staticfiles \
    PG_BIN=/usr/lib/postgresql/15/bin \
    PORTAL_COMMIT=$PORTAL_COMMIT

# WeasyPrint's libraries (Pango, and HarfBuzz's subsetter: without it PDFs are 3x slower),
# fontconfig for the fonts below, gettext for compilemessages, and PostgreSQL 15's client tools
# (pg_dump, pg_restore) for manage.py backup and restore.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
        gettext postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /srv/portal \
        --shell /usr/sbin/nologin portal

WORKDIR /srv/portal

# The libraries: exactly the lock (--no-deps: nothing outside it), then pip check that the lock
# is complete. A layer of its own, rebuilt only when the lock changes.
COPY requirements.lock ./
RUN python -m venv /srv/portal/.venv \
    && /srv/portal/.venv/bin/pip install --no-deps -r requirements.lock \
    && /srv/portal/.venv/bin/pip check

COPY . .
# The PDFs' fonts (Liberation Serif, with Vietnamese): templates/pdf/base.html loads them from
# static/fonts/ (copied above); also installed for fontconfig, so that text WeasyPrint lays out
# without an @font-face has a font with every Vietnamese letter (slim images ship no fonts).
COPY static/fonts/ /usr/local/share/fonts/portal/
RUN fc-cache -f

# Translations and static files at build time. The production settings need a key, a host and
# Redis to load; these throwaway values exist only during this one command.
RUN SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-000 \
    ALLOWED_HOSTS=build.invalid REDIS_URL=redis://build.invalid:6379/0 \
    sh -c 'python manage.py compilemessages --ignore=.venv -v0 \
        && python manage.py collectstatic --noinput -v0'

# The folders the portal writes (files on disk when S3 is not used, backups, the demo's signing
# dir), owned by its user; the code stays root's and read-only to it.
RUN install -d -o portal -g portal /var/lib/portal/media /var/lib/portal/private-media \
        /var/backups/portal /srv/portal/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
