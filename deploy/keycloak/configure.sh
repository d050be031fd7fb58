#!/bin/bash
# keycloak-config in compose.yaml: gives the imported realm this deployment's client secrets and
# addresses from .env, on every start (idempotent). The realm export keeps the development values,
# which the development issuer and the tests use.
#
# It signs in to the master realm as Keycloak's bootstrap administrator; once that account has been
# replaced by a permanent one, put the new one's name and password in .env.
set -euo pipefail

kcadm=/opt/keycloak/bin/kcadm.sh
config=/tmp/kcadm.config
realm=nastavnik
public_url="${NASTAVNIK_PUBLIC_URL%/}"

"$kcadm" config credentials --config "$config" --server "$KEYCLOAK_INTERNAL_URL" \
    --realm master --user "$KEYCLOAK_ADMIN_USER" --password "$KEYCLOAK_ADMIN_PASSWORD"

client_uuid() {
    "$kcadm" get clients --config "$config" -r "$realm" -q "clientId=$1" --fields id --format csv --noquotes
}

web="$(client_uuid nastavnik-web)"
admin="$(client_uuid nastavnik-admin)"
if [ -z "$web" ] || [ -z "$admin" ]; then
    echo "realm $realm lacks the nastavnik-web or nastavnik-admin client: was realm-export.json imported?" >&2
    exit 1
fi

"$kcadm" update "clients/$web" --config "$config" -r "$realm" \
    -s "secret=$KEYCLOAK_WEB_CLIENT_SECRET" \
    -s "redirectUris=[\"$public_url/auth/callback\"]" \
    -s "webOrigins=[\"$public_url\"]" \
    -s "attributes.\"post.logout.redirect.uris\"=$public_url/login"
"$kcadm" update "clients/$admin" --config "$config" -r "$realm" \
    -s "secret=$KEYCLOAK_ADMIN_CLIENT_SECRET"

# Keycloak mails the invitations of new accounts itself (the first administrator's too): through the
# same server and sender as the platform's notifications. "Name <address>" splits into its two parts.
from_address="$(sed -n 's/.*<\(.*\)>.*/\1/p' <<<"$NASTAVNIK_MAIL_FROM")"
from_name="$(sed -n 's/^ *\(.*[^ ]\) *<.*/\1/p' <<<"$NASTAVNIK_MAIL_FROM")"
"$kcadm" update "realms/$realm" --config "$config" \
    -s "smtpServer.host=$NASTAVNIK_SMTP_HOST" \
    -s "smtpServer.port=\"$NASTAVNIK_SMTP_PORT\"" \
    -s "smtpServer.from=${from_address:-$NASTAVNIK_MAIL_FROM}" \
    -s "smtpServer.fromDisplayName=$from_name" \
    -s "smtpServer.starttls=\"$NASTAVNIK_SMTP_STARTTLS\"" \
    -s "smtpServer.ssl=\"$NASTAVNIK_SMTP_SSL\""
echo "realm $realm: client secrets, the addresses of $public_url and the mail server applied"
