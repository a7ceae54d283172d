# The environment of the fault drills (docs/reliability.md): production settings, served over plain HTTP on
# this machine, on a database and a Redis database of their own. Source it: `. bench/drills/env.sh`.
export DJANGO_SETTINGS_MODULE=policy_portal.settings.production
export DJANGO_SECRET_KEY=drill-only-not-secret-drill-only-not-secret-drill-only-not-secret
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=False DJANGO_SESSION_COOKIE_SECURE=False DJANGO_CSRF_COOKIE_SECURE=False
export DATABASE_URL=${DRILL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_drill}
export REDIS_URL=${DRILL_REDIS_URL:-redis://127.0.0.1:6379/6}
export API_ANON_RATE=1000000/minute
