#!/usr/bin/env bash
# Back up the configured database (DATABASE_URL: SQLite or PostgreSQL) and the media (MEDIA_ROOT, or every object
# of the S3 buckets when S3_BUCKET is set) into one dated folder with a manifest of row counts and checksums:
#   site/backup.sh /path/to/backups
# Reads the same settings as manage.py (DJANGO_SETTINGS_MODULE, DATABASE_URL, MEDIA_ROOT, S3_*); exits non-zero and
# writes nothing when what they name does not exist. Needs pg_dump for PostgreSQL, nothing else.
set -euo pipefail
directory="${1:?usage: backup.sh DIRECTORY}"
cd "$(dirname "$0")/.."
source site/python.sh
exec "$python" site/backups.py backup "$directory"
