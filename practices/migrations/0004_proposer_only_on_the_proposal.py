"""Translations and aliases made before the proposer fields were kept out of copies carry the proposer's contact:
blank it on every page but the proposal itself (the oldest non-alias page of its translation key), in the page
and in its revisions, which the history and compare views show to whoever may edit the copy."""

from django.db import migrations

FIELDS = ("proposer_name", "proposer_email", "proposer_organisation", "proposed_at")


def blank_copies(apps, schema_editor):
    GoodPracticePage = apps.get_model("practices", "GoodPracticePage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    with_proposer = GoodPracticePage.objects.exclude(
        proposer_name="", proposer_email="", proposer_organisation="", proposed_at=None
    )
    keys = set(with_proposer.values_list("translation_key", flat=True))
    copies = []
    for key in keys:
        pages = list(GoodPracticePage.objects.filter(translation_key=key).order_by("pk"))
        original = next((page for page in pages if page.alias_of_id is None), None)
        copies += [page.pk for page in pages if page is not original]
    if not copies:
        return
    GoodPracticePage.objects.filter(pk__in=copies).update(
        proposer_name="", proposer_email="", proposer_organisation="", proposed_at=None
    )
    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    revisions = Revision.objects.filter(object_id__in=[str(pk) for pk in copies])
    if page_type is not None:
        revisions = revisions.filter(base_content_type=page_type)
    for revision in revisions:
        if any(revision.content.get(name) for name in FIELDS):
            revision.content.update({name: None if name == "proposed_at" else "" for name in FIELDS})
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0003_good_practice_proposer"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(blank_copies, migrations.RunPython.noop)]
