"""RSS 2.0 and Atom feeds of any selection, with Django's syndication framework: the newest FEED_ITEMS entries
the listing selects, newest first, with their goals and themes as categories and the licence as copyright."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .licence import attribution, licence

FEED_TYPES = {"rss": Rss201rev2Feed, "atom": Atom1Feed}
FEED_ITEMS = 50


class SelectionFeed(Feed):
    """A feed of given records (opendata/records.py), for one request."""

    def __init__(self, fmt, title, link, description, records, language):
        super().__init__()
        self.feed_type = FEED_TYPES[fmt]
        self._title, self._link, self._description = title, link, description
        self._records, self.language = records, language

    def get_object(self, request, *args, **kwargs):
        self._feed_url = request.build_absolute_uri()
        return None

    def title(self):
        return f"{settings.WAGTAIL_SITE_NAME} — {self._title}"

    def link(self):
        return self._link

    def feed_url(self):
        return self._feed_url

    def description(self):
        return self._description

    def author_name(self):
        return settings.WAGTAIL_SITE_NAME

    def feed_copyright(self):
        return attribution()

    def items(self):
        return self._records

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return item["summary"]

    def item_link(self, item):
        return item["url"]

    def item_guid(self, item):
        return item["url"]

    def item_pubdate(self, item):
        return item["first_published_at"]

    def item_updateddate(self, item):
        return item["last_published_at"]

    def item_categories(self, item):
        return [f"SDG {sdg['number']}: {sdg['name']}" for sdg in item["sdgs"]] + [
            theme["name"] for theme in item["themes"]
        ]

    def item_copyright(self, item):
        return licence()["name"]
