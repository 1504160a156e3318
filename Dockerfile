# Production image: gunicorn (web), celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=concertation.settings.production \
    MEDIA_ROOT=/data/media

# WeasyPrint needs Pango and fonts to render the PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /data/media /data/beat && chown -R app:app /data

WORKDIR /app
COPY --chown=app:app . /app
RUN pip install -c requirements.lock -e . \
    && SECRET_KEY=build-only-secret-key-never-used-at-run-time-0123456789abcdef \
       ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       python manage.py collectstatic --noinput

USER app
EXPOSE 8000
CMD ["gunicorn", "concertation.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--keep-alive", "75", "--access-logfile", "-"]
