#!/usr/bin/env python3
"""Copy the npm front-end packages into src/shequ/static/vendor/.

The 政务外网 has no internet, so every asset is served by Shequ itself. `npm ci`
fetches the exact versions recorded in package-lock.json into node_modules/;
this script copies the files that templates reference (and their source maps
and licences) into the static tree, where `shequ collectstatic` picks them up.

Run from the repository root: `python scripts/build_assets.py`. Exits non-zero
and names the missing file when node_modules/ lacks one.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "shequ" / "static" / "vendor"

# target folder -> (npm package, files inside the package; "?" marks optional ones)
ASSETS: dict[str, tuple[str, list[str]]] = {
    "bootstrap": (
        "bootstrap",
        [
            "dist/css/bootstrap.min.css",
            "dist/css/bootstrap.min.css.map?",
            "dist/js/bootstrap.bundle.min.js",
            "dist/js/bootstrap.bundle.min.js.map?",
            "LICENSE",
        ],
    ),
    "htmx": ("htmx.org", ["dist/htmx.min.js", "LICENSE"]),
    "echarts": ("echarts", ["dist/echarts.min.js", "LICENSE"]),
}


def build() -> list[str]:
    copied: list[str] = []
    for folder, (package, files) in ASSETS.items():
        source_dir = NODE_MODULES / package
        manifest = source_dir / "package.json"
        if not manifest.exists():
            raise SystemExit(f"build_assets: {manifest} 不存在，请先运行 `npm ci`。")
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        target_dir = VENDOR / folder
        target_dir.mkdir(parents=True, exist_ok=True)
        for name in files:
            optional = name.endswith("?")
            name = name.rstrip("?")
            source = source_dir / name
            if not source.exists():
                if optional:
                    continue
                raise SystemExit(f"build_assets: {source} 不存在（{package} {version}）。")
            shutil.copyfile(source, target_dir / Path(name).name)
        (target_dir / "VERSION").write_text(f"{package} {version}\n", encoding="utf-8")
        copied.append(f"{package} {version} -> {target_dir.relative_to(ROOT)}")
    return copied


def main() -> int:
    for line in build():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
