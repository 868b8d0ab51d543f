"""Who acts: the signed-in user every action is done by, and the request a signed-in page gets.

The project keeps Django's own user model; a user's role and scope are on its profile
(``campaign.kernel.models.Profile``, read by ``roles.scope_of``)."""

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

# An action's actor: a signed-in user, or None where the system acts itself (the command line).
Actor = User
# Whoever is asking, signed in or not: what a scope is worked out for.
AnyUser = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is signed in."""

    user: User
