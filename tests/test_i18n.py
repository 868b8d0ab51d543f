"""The UI speaks Chinese, and every string of it goes through gettext.

Templates: Chinese text only inside {% translate %}/{% blocktranslate %} or _("...").
Python: a Chinese string literal must be an argument of a gettext function, a docstring, on a
line marked ``# i18n-data`` (it is matched against input, not shown), or in a module that holds
a file format or demo data rather than interface text (listed below, with why).
"""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType
from django.test import SimpleTestCase

ROOT = Path(settings.BASE_DIR)
APPS = ("config", "campaign", "communities", "standards", "scoring")
CJK = re.compile(r"[\u4e00-\u9fff]")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
DATA_MODULES = {
    "campaign/demo/": "demo data: community names, people, the campaign's name, explanations, "
    "audit comments, objections and replies, interviewers and survey files, the rules' note",
    "communities/resources.py": "spreadsheet column names are the file format imports match on",
    "standards/workbook.py": "sheet and column names are the file format imports match on",
    "campaign/migrations": "",
    "communities/migrations": "",
    "standards/migrations": "",
    "scoring/migrations": "",
}


def template_files() -> list[Path]:
    return sorted(
        {
            *ROOT.glob("templates/**/*.html"),
            *[p for app in APPS for p in ROOT.glob(f"{app}/**/templates/**/*.html")],
        }
    )


def python_files() -> list[Path]:
    files = [p for app in APPS for p in ROOT.glob(f"{app}/**/*.py")]
    return sorted(
        p for p in files if not any(str(p.relative_to(ROOT)).startswith(m) for m in DATA_MODULES)
    )


class TemplateTextTests(SimpleTestCase):
    def test_chinese_in_templates_is_translatable(self) -> None:
        problems = []
        for path in template_files():
            inside_block = False
            for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
                content = token.contents.strip()
                if token.token_type == TokenType.BLOCK:
                    name = content.split()[0] if content else ""
                    if name in ("blocktranslate", "blocktrans"):
                        inside_block = True
                    elif name in ("endblocktranslate", "endblocktrans"):
                        inside_block = False
                    if name in ("translate", "trans", "blocktranslate", "blocktrans"):
                        continue
                if token.token_type == TokenType.TEXT and not inside_block and CJK.search(content):
                    problems.append(f"{path.relative_to(ROOT)}:{token.lineno}: {content[:40]}")
                if token.token_type in (TokenType.VAR, TokenType.BLOCK):
                    for literal in re.findall(r'(?<!_\()"([^"]*)"', content):
                        if CJK.search(literal):
                            problems.append(
                                f'{path.relative_to(ROOT)}:{token.lineno}: "{literal}" needs _()'
                            )
        self.assertEqual(problems, [])


class PythonTextTests(SimpleTestCase):
    def test_chinese_string_literals_go_through_gettext(self) -> None:
        problems = []
        for path in python_files():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            allowed: set[int] = set()
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in GETTEXT
                ):
                    allowed |= {id(arg) for arg in node.args}
                if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body:
                    first = node.body[0]
                    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                        allowed.add(id(first.value))
            lines = path.read_text(encoding="utf-8").splitlines()
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and "# i18n-data" in lines[node.lineno - 1]:
                    allowed.add(id(node))
                if isinstance(node, ast.JoinedStr):
                    allowed |= {id(value) for value in node.values}
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr) and any(
                    isinstance(v, ast.Constant) and CJK.search(str(v.value)) for v in node.values
                ):
                    problems.append(
                        f"{path.relative_to(ROOT)}:{node.lineno}: f-string with Chinese text"
                    )
                elif (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and CJK.search(node.value)
                    and id(node) not in allowed
                ):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:30]!r}")
        self.assertEqual(problems, [])

    def test_the_language_is_simplified_chinese(self) -> None:
        self.assertEqual(settings.LANGUAGE_CODE, "zh-hans")
        self.assertEqual(settings.TIME_ZONE, "Asia/Shanghai")
