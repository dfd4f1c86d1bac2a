"""Publishing as the admin does it: a revision first, so that the page's history shows every change."""


def publish(page, user=None, clean=True):
    """Save a revision and publish it, so that the admin's history shows every change. `clean=False` when
    the page has just been validated (add_child runs full_clean), to spare a second round of checks."""
    revision = page.save_revision(user=user, log_action=True, clean=clean)
    revision.publish(user=user)
    return revision
