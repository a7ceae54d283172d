#!/usr/bin/env bash
# Drill: drop the database connections under load; count the readers who got an error (docs/reliability.md).
#   bash bench/drills/setup.sh && bash bench/drills/db_connections.sh [KILLS] [PATH]
# gunicorn (2 workers, production settings) serves PATH to wrk (8 connections) while another process ends
# every connection of the drill's database KILLS times (pg_terminate_backend, as a restart or a failover
# does), 0.25 s apart. wrk's "Non-2xx or 3xx responses" is the number of readers who saw an error.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/drills/env.sh
KILLS=${1:-60}
PATH_=${2:-/targets/}
PORT=8095
.venv/bin/gunicorn -c gunicorn.conf.py policy_portal.wsgi:application -b 127.0.0.1:$PORT -w 2 \
    --error-logfile /tmp/drill-gunicorn.log --log-level warning 2>/tmp/drill-django.log &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT$PATH_" && break; sleep 0.2; done
seconds=$(( KILLS / 4 + 5 ))
wrk -t2 -c8 -d${seconds}s "http://127.0.0.1:$PORT$PATH_" > /tmp/drill-wrk.txt &
WRK=$!
sleep 2
killed=0
for _ in $(seq "$KILLS"); do
    n=$(psql -h 127.0.0.1 -U postgres -d postgres -tAc \
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'portal_drill'")
    killed=$(( killed + n ))
    sleep 0.25
done
wait $WRK
echo "connections ended: $killed in $KILLS rounds"
grep -E "Requests/sec|requests in|Non-2xx|Socket errors" /tmp/drill-wrk.txt || true
echo "errors logged: $(cat /tmp/drill-gunicorn.log /tmp/drill-django.log | grep -c 'Internal Server Error' || true)"
echo "retried on a new connection: $(grep -c 'retrying on a new one' /tmp/drill-django.log || true)"
