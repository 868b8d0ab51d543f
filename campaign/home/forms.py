"""The login form, with the lockout after repeated failures."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from campaign.kernel import auth


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。连续输错%(max)d次将锁定%(minutes)d分钟。"),
        "locked": _("登录失败次数过多，该账号已锁定%(minutes)d分钟，请稍后再试或联系系统管理员。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures = 0

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and auth.is_locked(username):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                self.failures = auth.register_failure(username)
            raise

    def get_invalid_login_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"max": settings.LOGIN_MAX_FAILURES, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
        )
