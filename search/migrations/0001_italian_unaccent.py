"""On PostgreSQL, an Italian text search configuration that also ignores accents ("citta" finds "città",
"cooperativa" finds "cooperative"). Nothing to do on SQLite, whose FTS5 folds accents itself."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'italian_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION italian_unaccent (COPY = italian);
        ALTER TEXT SEARCH CONFIGURATION italian_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, italian_stem;
    END IF;
END
$$;
"""
DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS italian_unaccent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(forwards, backwards)]
