#!/usr/bin/env bash
# Restore a folder written by backup.sh into the configured database and MEDIA_ROOT (or S3 buckets):
#   site/restore.sh /path/to/backups/libreria-YYYYmmdd-HHMMSS [--force] [--no-update-index]
# The checksums of the manifest are checked first. A database or MEDIA_ROOT that holds anything is replaced
# only with --force (stop the site first); the previous SQLite file and media folder are kept beside the new
# ones, PostgreSQL is replaced in one transaction that rolls back unless every table has its counted rows; objects
# of the buckets that differ from the backup are first copied under replaced-<time>/ in their bucket.
# With Elasticsearch configured the index is rebuilt afterwards. Needs pg_restore and psql for PostgreSQL.
set -euo pipefail
folder="${1:?usage: restore.sh BACKUP_FOLDER [--force] [--no-update-index]}"
shift
cd "$(dirname "$0")/.."
source site/python.sh
exec "$python" site/backups.py restore "$folder" "$@"
