#!/usr/bin/env bash
# Drill: an edit while Redis is down, as deployed (docs/reliability.md). `bash bench/drills/setup.sh` first.
# gunicorn + a Celery worker with beat on a Redis of its own (port 6391, with a dump); GET a milestone twice,
# stop Redis with `shutdown save`, PATCH its forecast, start Redis from its dump, then check the old ETag gets a
# 200 with the new forecast and the outbox drains.
set -u
cd /work/main
. bench/drills/env.sh
mkdir -p /tmp/drill-redis && rm -f /tmp/drill-redis/dump.rdb
redis-server --port 6391 --bind 127.0.0.1 --dir /tmp/drill-redis --dbfilename dump.rdb --save "" --appendonly no --daemonize yes --logfile /tmp/drill-redis/log
export REDIS_URL=redis://127.0.0.1:6391/0 INDICATORS_OUTBOX_DRAIN_SECONDS=20
.venv/bin/python manage.py shell -c "
from django.contrib.auth.models import User, Group
from rest_framework.authtoken.models import Token
u,_=User.objects.get_or_create(username='drill-editor'); u.groups.add(Group.objects.get(name='Editors'))
t,_=Token.objects.get_or_create(user=u); open('/tmp/drill-token','w').write(t.key)" 2>/dev/null
.venv/bin/gunicorn -c gunicorn.conf.py policy_portal.wsgi:application -b 127.0.0.1:8096 -w 2 --log-level warning 2>/tmp/drill-o-gunicorn.log &
G=$!
.venv/bin/celery -A policy_portal worker -B -l info --concurrency 1 --schedule /tmp/drill-beat > /tmp/drill-o-worker.log 2>&1 &
W=$!
sleep 8
TOKEN=$(cat /tmp/drill-token)
ID=$(curl -s "http://127.0.0.1:8096/api/v1/milestones/?page_size=50" | python3 -c "import sys,json; r=json.load(sys.stdin)['results']; m=[x for x in r if not x['completed_on'] and not x['cancelled']][0]; print(m['id'])")
U=http://127.0.0.1:8096/api/v1/milestones/$ID/
curl -s -D /tmp/h1 -o /tmp/b1 $U; curl -s -D /tmp/h2 -o /tmp/b2 $U
E=$(grep -i '^etag' /tmp/h1 | cut -d' ' -f2 | tr -d '\r')
echo "id $ID etag $E"; python3 -c "import json;d=json.load(open('/tmp/b1'));print('before', d['forecast_due_date'], d['indicators'])"
redis-cli -p 6391 shutdown save; sleep 1
NEW=2027-06-30
curl -s -o /tmp/bp -w "patch %{http_code}\n" -X PATCH -H "Authorization: Token $TOKEN" -H "Content-Type: application/json" -H "If-Match: $E" \
  -d "{\"forecast_due_date\": \"$NEW\", \"reason\": \"Drill: moved while Redis is down\", \"evidence_url\": \"https://example.org/drill\"}" $U
head -c 300 /tmp/bp; echo
redis-server --port 6391 --bind 127.0.0.1 --dir /tmp/drill-redis --dbfilename dump.rdb --save "" --appendonly no --daemonize yes --logfile /tmp/drill-redis/log
T0=$(date +%s)
curl -s -o /tmp/b3 -w "conditional after restart: %{http_code}\n" -H "If-None-Match: $E" $U
python3 -c "import json;d=json.load(open('/tmp/b3'));print('after', d['forecast_due_date'])" 2>/dev/null
for i in $(seq 90); do
  S=$(curl -s $U | python3 -c "import sys,json; d=json.load(sys.stdin); print(d['indicators'].get('expected_date'))")
  if [ "$S" = "$NEW" ]; then echo "indicators reflect the edit $(( $(date +%s) - T0 )) s after Redis returned"; break; fi
  sleep 1
done
psql -h 127.0.0.1 -U postgres -d portal_drill -tAc "select count(*) from indicators_pendingrecompute" | sed 's/^/outbox rows left: /'
kill $G $W; sleep 2; redis-cli -p 6391 shutdown nosave >/dev/null 2>&1
