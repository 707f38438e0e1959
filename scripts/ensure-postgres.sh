#!/usr/bin/env bash
# The PostgreSQL the tests use (PHOTOQUEUE_TEST_PG, default postgresql://postgres@127.0.0.1:5432/test):
# start the machine's cluster when it is installed but down. `make test` and CI run this first; the
# PostgreSQL tests then fail (never skip) with the reason when no server answers.
set -uo pipefail
command -v pg_isready >/dev/null || { echo "photoqueue: pg_isready not found: the PostgreSQL tests need a server at 127.0.0.1:5432" >&2; exit 0; }
pg_isready -h 127.0.0.1 -p 5432 -q && exit 0
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "photoqueue: starting PostgreSQL for the tests"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && exit 0; sleep 1; done
fi
echo "photoqueue: no PostgreSQL answers at 127.0.0.1:5432: the PostgreSQL tests will fail" >&2
exit 0
