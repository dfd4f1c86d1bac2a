"""The ceiling of `make bench`: a Django view that returns a fixed 1 KB page, with no middleware, no database and
no template, served by the same gunicorn settings as the library. What the library reaches is given as a share
of what this reaches in the same run, because the machine is shared and its speed varies from minute to minute.

    gunicorn -c site/gunicorn.conf.py --pythonpath tools/bench ceiling:application"""

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-ceiling-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
)
django.setup()

_HEAD, _TAIL = "<!DOCTYPE html><html lang=it><title>Soffitto</title><p>", "</p></html>"
PAGE = (_HEAD + ("Una pagina fissa. " * 60)[: 1024 - len(_HEAD) - len(_TAIL)] + _TAIL).encode()
assert len(PAGE) == 1024


def page(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
