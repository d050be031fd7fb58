#!/bin/sh
# PgBouncer for compose.yaml: its user list from the environment, then PgBouncer in the foreground.
#
# Every role that connects through PgBouncer must be in the list, with the password PostgreSQL has for
# it (PgBouncer answers the client's SCRAM exchange and logs in to PostgreSQL with the same password).
# The list lives in the container's tmpfs only, never in an image or a volume.
set -eu

mkdir -p /tmp/pgbouncer
umask 077
{
    printf '"%s" "%s"\n' nastavnik_app "$NASTAVNIK_DB_APP_PASSWORD"
    printf '"%s" "%s"\n' nastavnik_auditor "$NASTAVNIK_DB_AUDITOR_PASSWORD"
    printf '"%s" "%s"\n' nastavnik_aggregator "$NASTAVNIK_DB_AGGREGATOR_PASSWORD"
    printf '"%s" "%s"\n' nastavnik_provisioner "$NASTAVNIK_DB_PROVISIONER_PASSWORD"
} >/tmp/pgbouncer/userlist.txt

exec pgbouncer /opt/nastavnik/pgbouncer/pgbouncer.ini
