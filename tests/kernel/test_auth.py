"""等保 habits: login-failure lockout, password complexity, idle timeout, audited logins."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaign.kernel.models import AuditEvent
from tests.base import PASSWORD, CampaignTestCase


class LoginTests(CampaignTestCase):
    def attempt(self, password: str, username: str = "hc_staff") -> Any:
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3"
        )

    def test_login_is_audited_with_the_client_address(self) -> None:
        response = self.attempt(PASSWORD)
        self.assertRedirects(response, reverse("home"))
        event = AuditEvent.objects.get(action="auth.login")
        self.assertEqual(
            (event.actor, event.role, event.ip), (self.staff, "district_staff", "10.1.2.3")
        )

    def test_repeated_failures_lock_the_account_name(self) -> None:
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            self.assertContains(
                self.attempt("wrong"), "用户名或密码错误。连续输错5次将锁定15分钟。"
            )
        self.attempt("wrong")
        response = self.attempt(PASSWORD)  # even the right password is refused while locked
        self.assertContains(response, "登录失败次数过多，该账号已锁定15分钟")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AuditEvent.objects.filter(action="auth.login_failed").count(), 4)
        self.assertEqual(AuditEvent.objects.filter(action="auth.locked").count(), 2)
        # Case and spaces do not give a second set of attempts.
        self.assertContains(self.attempt(PASSWORD, username=" HC_STAFF"), "已锁定")

    def test_a_successful_login_clears_earlier_failures(self) -> None:
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            self.attempt("wrong")
        self.assertRedirects(self.attempt(PASSWORD), reverse("home"))
        self.client.logout()
        for _ in range(settings.LOGIN_MAX_FAILURES - 1):
            self.attempt("wrong")
        self.assertRedirects(self.attempt(PASSWORD), reverse("home"))

    def test_logout_needs_post_and_is_audited(self) -> None:
        self.login(self.staff)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        self.assertRedirects(self.client.post(reverse("logout")), reverse("login"))
        self.assertTrue(AuditEvent.objects.filter(action="auth.logout", actor=self.staff).exists())
        self.assertRedirects(self.client.get(reverse("home")), reverse("login") + "?next=/")

    def test_an_idle_session_expires(self) -> None:
        self.assertEqual(settings.SESSION_COOKIE_AGE, 30 * 60)
        self.assertTrue(settings.SESSION_SAVE_EVERY_REQUEST)
        self.login(self.staff)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
        self.assertRedirects(self.client.get(reverse("home")), reverse("login") + "?next=/")

    def test_activity_extends_the_session(self) -> None:
        self.login(self.staff)
        Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
        self.client.get(reverse("home"))
        remaining = Session.objects.get().expire_date - timezone.now()
        self.assertGreater(remaining, timedelta(minutes=29))


class PasswordPolicyTests(CampaignTestCase):
    def test_complexity(self) -> None:
        for weak in ("weihai2020", "WEIHAI2020", "short1!A", "abcdefghijk"):
            with self.subTest(password=weak), self.assertRaises(ValidationError):
                validate_password(weak)
        validate_password("Weihai@2020")
        validate_password("weihai-2020-ok")

    def test_messages_are_chinese(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            validate_password("weihaiweihai")
        self.assertIn(
            "密码至少要包含大写字母、小写字母、数字、符号中的三类。", raised.exception.messages
        )
