"""Security headers that Django and django-csp do not set on their own.

- ``ContentSecurityPolicyMiddleware``: django-csp's middleware, with a second, looser policy for the Wagtail
  admin. The public site runs no inline script and no inline style without the request's nonce; the admin
  is Wagtail's and wagtail-localize's code, which writes inline scripts (inline panels, date widgets) and
  style attributes (Draftail, the translation editor) without nonces, so it cannot live under the public
  policy. The admin's policy is the strictest one its pages were seen to work with in Chromium
  (tests/browser/test_csp.py).
- ``PermissionsPolicyMiddleware``: the ``Permissions-Policy`` header, which Django 5.2 does not know.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings


def _admin_prefixes():
    return tuple(getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN_PREFIXES", ("/admin/",)))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """CONTENT_SECURITY_POLICY everywhere, CONTENT_SECURITY_POLICY_ADMIN under the admin's prefixes.

    A view decorated with django-csp's ``@csp``/``@csp_update``/``@csp_replace`` still wins, as in django-csp.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        admin_policy = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
        if (
            not report_only
            and parts.config is None
            and admin_policy
            and request.path_info.startswith(_admin_prefixes())
        ):
            parts.config = default_config(admin_policy["DIRECTIVES"])
        return parts


class PermissionsPolicyMiddleware:
    """Sends PERMISSIONS_POLICY ({feature: [allowed origins]}) as a Permissions-Policy header on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        features = getattr(settings, "PERMISSIONS_POLICY", {}) or {}
        self.header = ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response
