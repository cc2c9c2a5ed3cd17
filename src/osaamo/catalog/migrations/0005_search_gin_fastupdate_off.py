"""PostgreSQL: the search's GIN indexes without a pending list.

With `fastupdate` on (PostgreSQL's default) new entries wait in an unsorted pending list until a
vacuum or until the list passes `gin_pending_list_limit` (4 MB), and every search reads the whole
list of every index it uses: on a catalog of 50,000 that was 1-3 ms per condition, ten conditions
per search. The index changes one micro-credential at a time, so each change pays a little more to
keep the search fast. Entries already waiting are moved into the index here.
"""

from django.db import migrations

INDEXES = ("searchtext_tsv_all", "searchtext_tsv_title", "searchtext_tsv_skills", "searchtext_tsv_outcomes")


def _set(value: str, *, clean: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {value})")
            if clean:
                schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_offering_pooling"),
    ]

    operations = [
        migrations.RunPython(_set("off", clean=True), _set("on", clean=False)),
    ]
