#!/usr/bin/env python3
"""Print the dependencies pyproject.toml declares (and optional groups) for pip -r.

python3 .ci/deps.py [GROUP ...]
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())[
    "project"
]
lines = list(project["dependencies"])
for group in sys.argv[1:]:
    lines += project["optional-dependencies"][group]
print("\n".join(lines))
