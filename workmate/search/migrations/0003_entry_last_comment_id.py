"""A task entry remembers the newest comment in its text and how many it has, so a new
comment is added to it on its own. Nullable without a default: SQLite adds the column in place (a remade
table would lose the FTS5 triggers)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("search", "0002_entry_ids_by_kind")]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="last_comment_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="entry",
            name="comment_count",
            field=models.IntegerField(null=True),
        ),
    ]
