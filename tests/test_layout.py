"""How the package is laid out: features talk through services and shared modules, never
through each other's views."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FEATURES = sorted(p.parent.name for p in (ROOT / "practice").glob("*/views.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_feature_imports_another_features_modules():
    assert {"caseload", "client", "sessions", "disclosure", "checkins"} <= set(FEATURES)
    crossing = []
    for feature in FEATURES:
        for path in (ROOT / "practice" / feature).glob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                other = parts[1] if len(parts) > 1 and parts[0] == "practice" else None
                if other in FEATURES and other != feature:
                    crossing.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossing == []


def test_no_module_outside_a_feature_imports_its_views():
    crossing = []
    for path in (ROOT / "practice").rglob("*.py"):
        relative = path.relative_to(ROOT / "practice")
        if relative.parts[0] in FEATURES or relative.name == "extension.py":
            continue
        for name in _imports(path):
            parts = name.split(".")
            if len(parts) > 2 and parts[1] in FEATURES and parts[2] == "views":
                crossing.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossing == []


def test_no_test_module_imports_another():
    """What tests share lives in tests/helpers; conftest.py holds fixtures, which pytest
    hands out, and nothing imports it."""
    crossing = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        own = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name in _imports(path):
            parts = name.split(".")
            is_test_module = any(part.startswith("test_") for part in parts[1:])
            is_conftest = parts[-1] == "conftest"
            if parts[0] == "tests" and (is_test_module or is_conftest) and not name.startswith(own):
                crossing.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossing == []
