"""Practice links (a module's, a residency's, a case study's) become translatable, so the trainer's note is
translated with its page. Existing rows take their page's locale and a translation key of their own; the
columns are added empty, filled, then made required, so that existing rows never share a key."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

LINKS = {"casestudypractice": "page", "modulepractice": "page", "residencypractice": "page"}


def fill(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    for model_name in LINKS:
        model = apps.get_model("practices", model_name)
        locales = dict(Page.objects.filter(pk__in=model.objects.values("page_id")).values_list("pk", "locale_id"))
        for link in model.objects.all():
            link.locale_id = locales[link.page_id]
            link.translation_key = uuid.uuid4()
            link.save(update_fields=["locale", "translation_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        *[
            operation
            for model_name in LINKS
            for operation in (
                migrations.AddField(
                    model_name=model_name,
                    name="locale",
                    field=models.ForeignKey(
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtailcore.locale",
                        verbose_name="locale",
                    ),
                ),
                migrations.AddField(
                    model_name=model_name, name="translation_key", field=models.UUIDField(editable=False, null=True)
                ),
            )
        ],
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[
            operation
            for model_name in LINKS
            for operation in (
                migrations.AlterField(
                    model_name=model_name,
                    name="locale",
                    field=models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="wagtailcore.locale",
                        verbose_name="locale",
                    ),
                ),
                migrations.AlterField(
                    model_name=model_name,
                    name="translation_key",
                    field=models.UUIDField(default=uuid.uuid4, editable=False),
                ),
                migrations.AlterUniqueTogether(name=model_name, unique_together={("translation_key", "locale")}),
            )
        ],
    ]
