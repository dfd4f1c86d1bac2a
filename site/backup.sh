#!/usr/bin/env bash
# Back up the database and the media files into one dated folder: site/backup.sh /path/to/backups
set -euo pipefail
target="${1:?usage: backup.sh DIRECTORY}/libreria-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$target"
cd "$(dirname "$0")/.."
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  pg_dump --format=custom --no-owner "$DATABASE_URL" > "$target/database.dump"
else
  sqlite3 db.sqlite3 ".backup '$target/database.sqlite3'"
fi
tar -czf "$target/media.tar.gz" -C "${MEDIA_ROOT:-var/media}" .
echo "backup written to $target"
