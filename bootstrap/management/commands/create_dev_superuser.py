from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from wagtail.users.models import UserProfile

USERNAME = "admin"
PASSWORD = "libreria"
# One development user per editorial role (home/roles.py), with the same password.
ROLE_USERS = {
    "redattore": "Redattori",
    "moderatore": "Moderatori",
    "formatore": "Formatori",
    "traduttore": "Traduttori",
}


class Command(BaseCommand):
    help = "Create the development superuser admin/libreria (development settings only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("refusing to create a superuser with a known password outside development settings")
        user_model = get_user_model()
        if not user_model.objects.filter(username=USERNAME).exists():
            user = user_model.objects.create_superuser(USERNAME, "admin@example.org", PASSWORD)
            profile = UserProfile.get_for_user(user)
            profile.preferred_language = "it"  # the editors' language, whatever the browser says
            profile.save()
        for username, group_name in ROLE_USERS.items():
            group = Group.objects.filter(name=group_name).first()
            if group and not user_model.objects.filter(username=username).exists():
                user = user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
                user.groups.add(group)
                UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "it"})
        self.stdout.write(
            f"Admin: http://127.0.0.1:{options.get('port') or 8000}/admin/  user {USERNAME}  password {PASSWORD}"
            f" (roles: {', '.join(ROLE_USERS)}, same password)"
        )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")
