"""The JSON Schemas: every one the code names is where the locator looks, is a valid schema, and ships in the wheel."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from credentials.schemas import DIRECTORY, SCHEMAS, load_schema, schema_path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "credentials"
# A schema file named anywhere in the code, a docstring or the README: ``microcredential.schema.json``,
# ``ob_v3p0_achievementcredential_schema.json``.
SCHEMA_FILE = re.compile(r"[\w-]+[._]schema\.json\b")


def shipped(path: Path, pattern: str) -> bool:
    """Whether setuptools' glob ``pattern`` (relative to the package, ``*`` within one folder) matches ``path``."""
    return len(path.parts) == len(Path(pattern).parts) and path.match(pattern)


def named_in(path: Path) -> set[str]:
    return set(SCHEMA_FILE.findall(path.read_text(encoding="utf-8")))


def test_every_schema_the_code_names_is_where_the_locator_finds_it():
    sources = [*PACKAGE.rglob("*.py"), ROOT / "README.md"]
    named = {name: path for path in sources for name in named_in(path)}
    assert set(SCHEMAS) <= set(named), "each schema of the locator is named somewhere"
    missing = {name: str(path.relative_to(ROOT)) for name, path in named.items() if not (DIRECTORY / name).is_file()}
    assert not missing, f"schemas named in the code but not in {DIRECTORY.relative_to(ROOT)}: {missing}"
    unknown = sorted(set(named) - set(SCHEMAS))
    assert not unknown, f"schema files named in the code that the locator does not know: {unknown}"


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_loads_and_is_a_valid_schema(name):
    schema = load_schema(name)
    assert schema_path(name).is_file() and schema_path(name).parent == PACKAGE / "schemas"
    validator_for(schema).check_schema(schema)


def test_only_known_schemas_are_located():
    with pytest.raises(LookupError, match="not one of microcred's schemas"):
        schema_path("../config.py")


def test_the_wheel_ships_every_data_file_the_package_reads():
    """Everything in credentials/ that is not Python (schemas, JSON-LD contexts, demo catalog, migration template) is
    matched by the package data in pyproject.toml, so an installed wheel finds it too."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["credentials"]
    data = [
        path.relative_to(PACKAGE)
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and path.name != "README.md"
    ]
    assert {path.as_posix() for path in data} >= {f"schemas/{name}" for name in SCHEMAS}
    unshipped = [str(path) for path in data if not any(shipped(path, pattern) for pattern in patterns)]
    assert not unshipped, f"not in [tool.setuptools.package-data]: {unshipped}"
