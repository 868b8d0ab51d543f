"""Authentication: the user's profile is loaded with the user, and repeated failures lock the
account name for a while (等保 login-failure lockout)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from campaign.kernel.roles import scope_of
from campaign.kernel.users import Actor

User = get_user_model()


class ProfileModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            user = User._default_manager.select_related(
                "profile", "profile__district", "profile__member_unit"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        scope_of(user)
        return user


def display_name(user: Actor) -> str:
    """Chinese order: 姓 then 名, no space (张敏, not 敏 张)."""
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def _failures_key(username: str) -> str:
    return f"login-failures:{username.strip().lower()}"


def is_locked(username: str) -> bool:
    return (cache.get(_failures_key(username)) or 0) >= settings.LOGIN_MAX_FAILURES


def register_failure(username: str) -> int:
    """Count one more failure; the count expires LOGIN_LOCKOUT_MINUTES after the last one."""
    key = _failures_key(username)
    timeout = settings.LOGIN_LOCKOUT_MINUTES * 60
    cache.add(key, 0, timeout)
    count = cache.incr(key)
    cache.touch(key, timeout)
    return count


def clear_failures(username: str) -> None:
    cache.delete(_failures_key(username))
