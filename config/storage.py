"""Media storage: local disk by default, S3-compatible object storage when S3_BUCKET is set
(config/settings/services.py builds STORAGES from the environment).

The public/private split. Wagtail keeps originals, documents and renditions in one storage; here renditions go
to a storage of their own (WAGTAILIMAGES_RENDITION_STORAGE):
- private ("default"): original images (those of an unpublished proposal included), documents and proposal
  uploads. On S3 they are written with the private ACL and `url()` is an unsigned address that the store
  refuses: no public or pre-signed link exists. Documents reach visitors only through Wagtail's view
  (/documents/<id>/<name>), which checks the collection's restriction and then streams the object; original
  images are never linked by the public site.
- public ("renditions"): the resized images the pages show, public-read with
  `Cache-Control: public, max-age=RENDITION_CACHE_SECONDS, immutable`.
On the local disk the same split is made by what is served: only MEDIA_ROOT/images/ is public
(config/urls.py in development, site/nginx.conf.example in production).
"""

from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class RenditionStorage(LazyObject):
    """STORAGES["renditions"], looked up when first used and again after STORAGES changes.

    WAGTAILIMAGES_RENDITION_STORAGE names this class rather than the alias: Wagtail resolves it once, when the
    Rendition model is defined, so an alias would pin the storage of that moment (tests change STORAGES)."""

    def _setup(self):
        self._wrapped = storages["renditions"]


rendition_storage = RenditionStorage()


def the_rendition_storage():
    """WAGTAILIMAGES_RENDITION_STORAGE: the one lazy instance (Wagtail calls what the setting names)."""
    return rendition_storage


@receiver(setting_changed)
def _storages_changed(setting, **kwargs):
    if setting == "STORAGES":
        rendition_storage._wrapped = empty
