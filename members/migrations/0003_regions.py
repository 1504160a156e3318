from django.db import migrations

from members.regions import ensure_regions


def load_regions(apps, schema_editor):
    ensure_regions(apps.get_model("members", "Region"))


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial")]

    operations = [migrations.RunPython(load_regions, migrations.RunPython.noop)]
