"""What a new user installs: the README's two Quick start commands take the exact versions of
constraints.txt, and that file pins every dependency pyproject.toml declares, inside its range.
(`.ci/run` checks the rest after installing: no package is left unpinned.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^=\s;]+)")


def pins() -> dict[str, Version]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if line.strip() and not line.startswith("#")]
    found = {}
    for line in entries:
        match = PIN.fullmatch(line)
        assert match, f"constraints.txt: {line!r} is not one exact version (name==version)"
        found[canonicalize_name(match[1])] = Version(match[2])
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = [project["dependencies"], *project.get("optional-dependencies", {}).values()]
    return [Requirement(text) for group in groups for text in group]


def test_every_declared_dependency_is_pinned_inside_its_range():
    pinned = pins()
    for requirement in declared():
        if requirement.marker and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in constraints.txt: run .ci/lock"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside {requirement}: run .ci/lock")


def test_quick_start_is_two_commands_that_install_the_lock():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    demo, tests = block.strip().splitlines()
    for command in (demo, tests):
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install "
                                  "-c constraints.txt -e ")
    assert demo.endswith("&& .venv/bin/aid demo")
    assert tests.endswith("'.[test]' && .venv/bin/python -m pytest")
