"""Brute-force throttling of the two places a password is typed in.

Admin and front-end logins go through Django's authenticate(), where django-axes counts failures by
username and address (settings AXES_*). Wagtail's page and collection passwords are not logins: their view
is wrapped here, counting wrong passwords per address in the shared cache through django-ratelimit. Both
answer 429 with the same Italian page."""

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

from core.client_ip import client_ip

PASSWORD_GROUP = "view-restriction-password"


def too_many_attempts(request, minutes):
    return render(request, "429.html", {"cooloff_minutes": minutes}, status=429)


def axes_lockout(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Italian page, with the cool-off time."""
    return too_many_attempts(request, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def _address(group, request):
    return client_ip(request)


def _wrong_passwords(request, increment):
    return get_usage(
        request,
        group=PASSWORD_GROUP,
        key=_address,
        rate=settings.VIEW_RESTRICTION_PASSWORD_RATE,
        method="POST",
        increment=increment,
    )


def throttle_password_view(view):
    """Wagtail's authenticate_with_password: a POST that comes back with the form (rather than the redirect
    to the page) was a wrong password and counts; once the limit is reached no password is even checked."""

    @wraps(view)
    def throttled(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        usage = _wrong_passwords(request, increment=False)
        if usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"]):
            return too_many_attempts(request, max(1, -(-usage["time_left"] // 60)))
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            _wrong_passwords(request, increment=True)
        return response

    return throttled
