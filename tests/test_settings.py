import os
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from config.settings import env_bool, env_int, env_list, env_str


class EnvironmentHelperTests(SimpleTestCase):
    def test_typed_values(self) -> None:
        with mock.patch.dict(
            os.environ, {"A": "yes", "B": "0", "N": "42", "L": "a, b,,c", "S": "x"}
        ):
            self.assertTrue(env_bool("A"))
            self.assertFalse(env_bool("B", True))
            self.assertEqual(env_int("N", 1), 42)
            self.assertEqual(env_list("L", []), ["a", "b", "c"])
            self.assertEqual(env_str("S"), "x")

    def test_defaults_when_unset_or_empty(self) -> None:
        with mock.patch.dict(os.environ, {"EMPTY": ""}):
            self.assertTrue(env_bool("EMPTY", True))
            self.assertEqual(env_int("UNSET_FOR_TEST", 7), 7)
            self.assertEqual(env_list("EMPTY", ["d"]), ["d"])

    def test_bad_values_stop_start_up_with_the_variable_named(self) -> None:
        with mock.patch.dict(os.environ, {"FLAG": "maybe", "COUNT": "ten"}):
            with self.assertRaisesMessage(ImproperlyConfigured, "FLAG must be a boolean"):
                env_bool("FLAG")
            with self.assertRaisesMessage(ImproperlyConfigured, "COUNT must be an integer"):
                env_int("COUNT", 1)
