"""The moderators read visitors' messages and forward or discard them: view and change, never add or delete."""

from django.db import migrations

PERMISSIONS = ("view_contactmessage", "change_contactmessage")


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name="Moderatori")
    # As home/0003: on a fresh database model permissions appear after migrate, so create them with Django's names.
    content_type, _ = ContentType.objects.get_or_create(app_label="contact", model="contactmessage")
    for codename in PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=codename,
            defaults={"name": f"Can {codename.split('_', 1)[0]} messaggio ai promotori"},
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="contact", codename__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contact", "0001_initial"),
        ("home", "0003_editorial_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
