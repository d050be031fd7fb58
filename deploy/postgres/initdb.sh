#!/bin/sh
# First start only (the image runs /docker-entrypoint-initdb.d/ on an empty data folder), as the
# superuser: the platform's owner role and database, and Keycloak's own role and database.
#
# The owner is no superuser: it owns the nastavnik database and may create roles, so that
# `nastavnik db upgrade` creates the four login roles (app, auditor, aggregator, provisioner) with the
# passwords of .env. Passwords travel as psql variables, quoted by psql (:'name').
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$OWNER_DB_PASSWORD" \
    -v keycloak_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE nastavnik_owner LOGIN NOSUPERUSER CREATEROLE NOCREATEDB PASSWORD :'owner_password';
CREATE DATABASE nastavnik OWNER nastavnik_owner ENCODING 'UTF8' TEMPLATE template0;

CREATE ROLE keycloak LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE keycloak FROM PUBLIC;
SQL
