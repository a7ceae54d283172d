# The portal's one image: gunicorn by default; the compose file also runs the
# Celery worker and beat from it by overriding the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=policy_portal.settings.production

WORKDIR /app

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Collect static files at build time. The secret key exists only for this one
# command; the running container must be given its own DJANGO_SECRET_KEY.
# var/ (uploaded media, beat's schedule) is the only place the app may write.
RUN DJANGO_SECRET_KEY=build-time-collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R app:app var

USER app

EXPOSE 8000

CMD ["gunicorn", "policy_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
