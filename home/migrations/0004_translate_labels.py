"""Translators edit the English labels of goals and themes only: they get practices.translate_sdg and
practices.translate_theme (see practices/label_translation.py) in place of change_sdg and change_theme,
which let them rewrite Italian names and colours."""

from django.db import migrations

TRANSLATORS = "Traduttori"
LABELS = {
    "sdg": "Può tradurre in inglese i nomi degli obiettivi",
    "theme": "Può tradurre in inglese i nomi dei temi",
}


def translate_labels(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    translators, _ = Group.objects.get_or_create(name=TRANSLATORS)
    for model, name in LABELS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="practices", model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=f"translate_{model}", defaults={"name": name}
        )
        translators.permissions.add(permission)
        translators.permissions.remove(
            *Permission.objects.filter(content_type=content_type, codename=f"change_{model}")
        )


def restore_change(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    translators = Group.objects.filter(name=TRANSLATORS).first()
    for model in LABELS:
        if translators is not None:
            translators.permissions.add(
                *Permission.objects.filter(content_type__app_label="practices", codename=f"change_{model}")
            )
        Permission.objects.filter(content_type__app_label="practices", codename=f"translate_{model}").delete()


class Migration(migrations.Migration):
    dependencies = [("home", "0003_editorial_roles")]

    operations = [migrations.RunPython(translate_labels, restore_change)]
