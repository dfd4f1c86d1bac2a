"""The four editorial roles as Wagtail groups with their model permissions. Page and collection permissions,
and the moderation workflow, need pages that do not exist yet when migrations run: home.roles
ensure_editorial_roles() assigns them once the site tree is there (load_demo_library calls it)."""

from django.db import migrations

# (app_label, model, codename) per group; model permissions only.
ADMIN = ("wagtailadmin", "admin", "access_admin")
ROLE_PERMISSIONS = {
    "Redattori": [
        ADMIN,
        ("practices", "organisation", "view_organisation"),
        ("practices", "organisation", "add_organisation"),
        ("practices", "organisation", "change_organisation"),
        ("practices", "territory", "view_territory"),
        ("practices", "theme", "view_theme"),
        ("practices", "sdg", "view_sdg"),
    ],
    "Moderatori": [
        ADMIN,
        ("practices", "organisation", "view_organisation"),
        ("practices", "organisation", "add_organisation"),
        ("practices", "organisation", "change_organisation"),
        ("practices", "territory", "view_territory"),
        ("practices", "theme", "view_theme"),
        ("practices", "theme", "add_theme"),
        ("practices", "theme", "change_theme"),
        ("practices", "sdg", "view_sdg"),
    ],
    "Formatori": [
        ADMIN,
        ("practices", "organisation", "view_organisation"),
        ("practices", "territory", "view_territory"),
        ("practices", "theme", "view_theme"),
        ("practices", "sdg", "view_sdg"),
    ],
    "Traduttori": [
        ADMIN,
        ("wagtail_localize", "translation", "submit_translation"),
        ("practices", "organisation", "view_organisation"),
        ("practices", "territory", "view_territory"),
        ("practices", "theme", "view_theme"),
        ("practices", "theme", "change_theme"),  # name_en
        ("practices", "sdg", "view_sdg"),
        ("practices", "sdg", "change_sdg"),  # short_en, title_en
    ],
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, model, codename in permissions:
            # On a fresh database the default model permissions are created after migrate (post_migrate):
            # create them here with Django's own names, so post_migrate finds them and leaves them be.
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            try:
                label = apps.get_model(app_label, model)._meta.verbose_name_raw
            except LookupError:
                label = model
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": f"Can {codename.split('_', 1)[0]} {label}"},
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0002_english_locale"),
        ("practices", "0002_practice_links_translatable"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
