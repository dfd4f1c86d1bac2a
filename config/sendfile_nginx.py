"""An nginx backend for wagtail.utils.sendfile (SENDFILE_BACKEND = "config.sendfile_nginx").

Wagtail's document view checks the collection's restriction, then hands the file to a sendfile backend. This
one answers with no body and an `X-Accel-Redirect` to SENDFILE_URL, an `internal` location of nginx
(site/nginx.conf.example) that maps onto SENDFILE_ROOT: nginx sends the bytes, a gunicorn worker is not tied up
streaming a 10 MB file, and the location itself is unreachable from outside. Wagtail sets Content-Type and
Content-Disposition on the response; nginx keeps those two through the redirect.
"""

from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from wagtail.utils import sendfile_streaming_backend


def sendfile(request, filename, **kwargs):
    root = Path(settings.SENDFILE_ROOT).resolve()
    path = Path(filename).resolve()
    if not path.is_relative_to(root):
        # A file nginx cannot reach through the internal location (another storage): stream it from Python.
        return sendfile_streaming_backend.sendfile(request, filename, **kwargs)
    response = HttpResponse()
    response["X-Accel-Redirect"] = settings.SENDFILE_URL.rstrip("/") + "/" + quote(path.relative_to(root).as_posix())
    return response
