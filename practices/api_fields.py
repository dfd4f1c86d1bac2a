"""The serializer of the entries' `api_fields`: each field reads its value from the entry's open-data record
(opendata/records.py), which the API view builds for the whole page of results at once, so that the number of
queries does not grow with the page size. The view (config/api.py) provides `api_record(entry)`."""

from rest_framework.fields import Field


class RecordField(Field):
    def __init__(self, key=None, **kwargs):
        self.key = key
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, entry):
        view = self.context.get("view")
        if not hasattr(view, "api_record"):
            return None  # another API (Wagtail's admin explorer) does not serve the library's records
        return view.api_record(entry).get(self.key or self.field_name)


def record_fields(*names, **renamed):
    """APIFields reading the record: `names` under their own key, `renamed` as api name=record key."""
    from wagtail.api import APIField

    return [APIField(name, serializer=RecordField()) for name in names] + [
        APIField(name, serializer=RecordField(key)) for name, key in renamed.items()
    ]
