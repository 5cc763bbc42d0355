"""Entry ids become the kind's number followed by the object's id
(`models.entry_id`), so a search reads one kind's matches newest first from the index.

On SQLite the FTS5 table is keyed by the entry id: the update trigger is set aside and
the full-text index rebuilt once from the renumbered rows (re-indexing row by row
through the trigger took minutes on a large index)."""

from django.db import migrations

RENUMBER = (
    "UPDATE search_entry SET id = (CASE kind"
    " WHEN 'task' THEN 1 WHEN 'ticket' THEN 2 WHEN 'page' THEN 3 WHEN 'proposal' THEN 4"
    " WHEN 'customer' THEN 5 WHEN 'contact' THEN 6 WHEN 'person' THEN 7 END)"
    " * 1099511627776 + object_id"
    " WHERE id < 1099511627776"
)
UPDATE_TRIGGER = (
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, title_grams, body_grams, private_grams)"
    " VALUES ('delete', old.id, old.title_grams, old.body_grams, old.private_grams);"
    " INSERT INTO search_fts(rowid, title_grams, body_grams, private_grams)"
    " VALUES (new.id, new.title_grams, new.body_grams, new.private_grams); END"
)


def renumber(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor != "sqlite":
        execute(RENUMBER)
        return
    execute("DROP TRIGGER IF EXISTS search_entry_au")
    execute(RENUMBER)
    execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    execute(UPDATE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(renumber, migrations.RunPython.noop)]
