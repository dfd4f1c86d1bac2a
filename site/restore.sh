#!/usr/bin/env bash
# Restore a folder written by backup.sh: site/restore.sh /path/to/backups/libreria-YYYYmmdd-HHMMSS
set -euo pipefail
source_dir="${1:?usage: restore.sh BACKUP_DIRECTORY}"
cd "$(dirname "$0")/.."
if [[ -f "$source_dir/database.dump" ]]; then
  pg_restore --clean --if-exists --no-owner --dbname "${DATABASE_URL:?DATABASE_URL must point to PostgreSQL}" \
    "$source_dir/database.dump"
else
  cp "$source_dir/database.sqlite3" db.sqlite3
fi
mkdir -p "${MEDIA_ROOT:-var/media}"
tar -xzf "$source_dir/media.tar.gz" -C "${MEDIA_ROOT:-var/media}"
echo "restored from $source_dir; run 'manage.py update_index' to rebuild the search index"
