#!/usr/bin/env bash
# Create and fill the drills' database: `bash bench/drills/setup.sh` (PostgreSQL on 127.0.0.1:5432, trust auth).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/drills/env.sh
psql -h 127.0.0.1 -U postgres -tAc "DROP DATABASE IF EXISTS portal_drill" >/dev/null
psql -h 127.0.0.1 -U postgres -tAc "CREATE DATABASE portal_drill" >/dev/null
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_policy --illustrative -v 0
.venv/bin/python manage.py recompute_indicators -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0
echo "ready: . bench/drills/env.sh && .venv/bin/gunicorn -c gunicorn.conf.py policy_portal.wsgi:application -b 127.0.0.1:8095 -w 2"
