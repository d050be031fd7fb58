#!/bin/sh
# PostgreSQL for compose.yaml: the official image's entrypoint, with WAL archiving for point-in-time
# recovery (docs/operations.md, "Backups").
#
# The archive is its own volume, whose mount point Docker creates owned by root: give it to postgres
# first (this runs as root), then hand over to the image's entrypoint, which drops to postgres.
set -eu

ARCHIVE=/var/lib/postgresql/wal-archive
install -d -o postgres -g postgres -m 0700 "$ARCHIVE"

# archive_command never overwrites a segment already archived (PostgreSQL's documented pattern);
# archive_timeout bounds how much of a quiet hour a lost disk can take with it.
exec docker-entrypoint.sh postgres \
    -c wal_level=replica \
    -c archive_mode=on \
    -c "archive_command=test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f" \
    -c archive_timeout=300 \
    -c max_wal_senders=5 \
    -c max_connections=200
