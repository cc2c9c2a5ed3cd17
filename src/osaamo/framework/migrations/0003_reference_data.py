"""Load the reference data shipped in osaamo/framework/data: ISCED-F 2013 (220 codes) and ESCO v1.2 skills (13,939)."""

from django.db import migrations


def load(apps, schema_editor):
    from osaamo.framework.reference import load_esco_rows, load_isced, packaged_esco_rows

    load_isced(apps.get_model("framework", "IscedField"))
    load_esco_rows(apps.get_model("framework", "EscoSkill"), packaged_esco_rows(), batch_size=2000)


def unload(apps, schema_editor):
    apps.get_model("framework", "EscoSkill").objects.all().delete()
    IscedField = apps.get_model("framework", "IscedField")
    for level in ("detailed", "narrow", "broad"):  # children before parents (the parent link protects them)
        IscedField.objects.filter(level=level).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("framework", "0002_escoskill_search_fields"),
    ]

    operations = [
        migrations.RunPython(load, unload, elidable=False),
    ]
