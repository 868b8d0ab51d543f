"""The dependency rule (README, "What is here") holds and cannot silently break: import-linter's
contracts pass on the tree, and each of them fails when the kind of import it forbids is added
to a copy of the tree. Every precondition the transition table names has an implementation."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test import SimpleTestCase

from campaign.pipeline import workflow

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("config", "campaign", "communities", "standards", "scoring")
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


class ImportContractTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tree = Path(tempfile.mkdtemp(prefix="contracts-"))
        self.addCleanup(shutil.rmtree, self.tree)
        for package in PACKAGES:
            shutil.copytree(
                ROOT / package, self.tree / package, ignore=shutil.ignore_patterns("__pycache__")
            )
        shutil.copy(ROOT / "pyproject.toml", self.tree)

    def lint(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [LINT_IMPORTS, "--no-cache"], cwd=self.tree, capture_output=True, text=True
        )

    def add_line(self, module: str, line: str) -> None:
        path = self.tree / (module.replace(".", "/") + ".py")
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")

    def assert_broken(self, contract: str, forbidden: str) -> None:
        result = self.lint()
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn(f"{contract} BROKEN", result.stdout)
        self.assertIn(forbidden, result.stdout)

    def test_the_tree_keeps_every_contract(self) -> None:
        result = self.lint()
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("Contracts: 3 kept, 0 broken.", result.stdout)

    def test_an_app_importing_upwards_breaks_the_layers(self) -> None:
        self.add_line("communities.models", "from campaign.pipeline import models  # noqa")
        self.assert_broken(
            "Apps and the campaign's parts depend downwards",
            "communities.models -> campaign.pipeline.models",
        )

    def test_the_campaign_importing_scoring_breaks_the_layers(self) -> None:
        self.add_line("campaign.decision.ranking", "from scoring.engine import models  # noqa")
        self.assert_broken(
            "Apps and the campaign's parts depend downwards",
            "campaign.decision.ranking -> scoring.engine.models",
        )

    def test_a_stage_importing_another_stage_breaks_their_independence(self) -> None:
        self.add_line("campaign.decision.views", "from campaign.joint import actions  # noqa")
        self.assert_broken(
            "Apps and the campaign's parts depend downwards",
            "campaign.decision.views -> campaign.joint.actions",
        )

    def test_a_cycle_through_a_function_level_import_is_found(self) -> None:
        self.add_line(
            "scoring.engine.rules",
            "def _probe() -> None:\n    from scoring.engine import recompute  # noqa",
        )
        self.assert_broken("No import cycles between sibling modules", ".rules -> .recompute")


class PreconditionTests(SimpleTestCase):
    def test_every_precondition_of_the_table_is_implemented_by_a_stage(self) -> None:
        self.assertEqual(workflow.every_precondition_implemented(), [])

    def test_a_precondition_without_an_implementation_stops_the_system_check(self) -> None:
        missing = workflow.Precondition.SURVEY_COMPLETE
        checks = {p: c for p, c in workflow._CHECKS.items() if p != missing}
        with mock.patch.dict(workflow._CHECKS, checks, clear=True):
            errors = workflow.every_precondition_implemented()
        self.assertEqual([error.id for error in errors], ["campaign.E001"])
        self.assertIn("survey_complete", errors[0].msg)
