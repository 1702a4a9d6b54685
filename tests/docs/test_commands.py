"""Every `manage.py` and `make` command that README.md and docs/**/*.md show in a shell code block
runs as written, in a fresh clone of this checkout, and ends with exit status 0 and no traceback.

The clone is what a reader has after `make demo`: `make db` started its own PostgreSQL cluster
(nothing is exported: keys come from its var/, the database from its cluster), then the demo's
steps ran (migrate, load_demo, load_demo_incidents, load_demo_ledger, load_demo_responders,
collectstatic). Each code block runs top to bottom in one `bash` in the clone's directory, as a
reader types it: its commands, and the lines between them that set up the shell (exports,
`eval`, `createdb` …; not git, systemctl or curl); each command's exit status and output are
checked on their own. Files a command names that a reader brings (boundary files, a backup
archive) are made first from the demo (`file_for`). The restore of a backup "on a new machine or
a fresh clone" runs in a second clone with its own cluster. A command that only makes sense
otherwise is in SKIPPED with the reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Two clones, the whole demo county, every briefing and forecast the docs show: about half an
# hour, so `make docs-check` runs it and `make test` leaves it out.
pytestmark = [pytest.mark.slow, pytest.mark.docs]
ROOT = Path(__file__).resolve().parents[2]
SHELL_BLOCKS = {"", "sh", "bash", "shell", "console"}
COMMAND = re.compile(r"(^|[\s/])manage\.py\s|^make(\s|$)")
ARCHIVE = "var/backups/pingan-backup-20261205T182446Z.tar"

# Shown in the docs but not run here, with why (kept as short as possible).
SKIPPED = {
    "make demo": "serves the site until stopped; its steps run here as the set-up",
    "make test": "the whole test suite, this test included",
    ".venv/bin/python manage.py procrastinate worker": "runs until stopped (tests/jobs start it)",
    "make bundle": "the 390 MB offline archive: CI's `make bundle-check` builds and installs it",
}
# Commands the docs show failing on purpose: their exit status and the one line they print.
EXPECTED_FAILURES = {
    "env -u SECRET_KEY PINGAN_ENV=production .venv/bin/python manage.py check": (
        1,
        "ImproperlyConfigured: Set the environment variable SECRET_KEY "
        "(production: no key file is read).",
    ),
}
# Run in a second, fresh clone: the restore on a new machine (docs/operations/backup.md).
IN_FRESH_CLONE = {"make db", f"make restore FILE={ARCHIVE}"}
# Lines of a block run between its commands: they set up the reader's shell.
SETUP_LINE = re.compile(
    r"^(export |eval |[A-Z_]+=\S*$|[A-Z_]+=\$\(|/usr/lib/postgresql/\d+/bin/(createdb|dropdb) "
    r"|printf .*> var/\w+(\s|$))"
)
# Environment of the test run that a reader's shell does not have.
NOT_THE_READERS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "DATABASE_URL")


@dataclass(frozen=True)
class DocCommand:
    path: str
    line: int
    text: str
    block: tuple[str, ...]  # the runnable lines of its code block, itself included
    index: int  # its place among them

    @property
    def bare(self) -> str:
        """The command without a trailing comment."""
        return _bare(self.text)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def _logical_lines(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Lines joined across backslash continuations and quoted newlines, as the shell reads them."""
    pending: list[str] = []
    start = 0
    for number, line in lines:
        if not pending:
            start = number
        pending.append(line)
        text = "\n".join(pending)
        if text.endswith("\\"):
            continue
        try:
            shlex.split(text, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        yield start, re.sub(r"\\\n\s*", " ", text)
        pending = []


def _block_commands(relative: str, block: list[tuple[int, str]]) -> list[DocCommand]:
    lines = [(start, text.strip()) for start, text in _logical_lines(block)]
    runnable = [
        (start, text)
        for start, text in lines
        if (COMMAND.search(text) and _bare(text) not in SKIPPED) or SETUP_LINE.match(text)
    ]
    texts = tuple(text for _start, text in runnable)
    commands = [
        DocCommand(relative, start, text, texts, index)
        for index, (start, text) in enumerate(runnable)
        if COMMAND.search(text)
    ]
    skipped = [
        DocCommand(relative, start, text, (), -1)
        for start, text in lines
        if COMMAND.search(text) and _bare(text) in SKIPPED
    ]
    return sorted(commands + skipped, key=lambda command: command.line)


def _bare(text: str) -> str:
    return re.split(r"\s+#\s", text, maxsplit=1)[0].strip()


def doc_commands() -> list[DocCommand]:
    found = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        relative = str(doc.relative_to(ROOT))
        language: str | None = None  # inside a code block: its language
        block: list[tuple[int, str]] = []
        for number, line in enumerate(doc.read_text().splitlines(), start=1):
            fence = re.match(r"^```(\S*)", line)
            if fence and language is None:
                language, block = fence.group(1), []
            elif fence:
                if language in SHELL_BLOCKS:
                    found += _block_commands(relative, block)
                language = None
            elif language is not None:
                block.append((number, line))
    return found


COMMANDS = doc_commands()


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


class Clone:
    """A clone of this checkout (its uncommitted changes included) with its own cluster."""

    def __init__(self, base: Path, name: str) -> None:
        self.dir = base / name
        subprocess.run(["git", "clone", "-q", str(ROOT), str(self.dir)], check=True)
        changed = subprocess.run(
            ["git", "ls-files", "-m", "-o", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split("\0")  # fmt: skip
        compiled = [str(p.relative_to(ROOT)) for p in (ROOT / "locale").rglob("*.mo")]
        for relative in [name for name in changed if name] + compiled:
            target = self.dir / relative
            if (ROOT / relative).is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, target)
        (self.dir / ".venv").symlink_to(ROOT / ".venv")
        env = {k: v for k, v in os.environ.items() if k not in NOT_THE_READERS}
        env = {k: v for k, v in env.items() if not k.startswith(("NOTIFY_", "PYTEST", "DJANGO"))}
        env["PINGAN_STATE_DIR"] = str(base / "state")
        self.env = env

    def run(self, command: str) -> subprocess.CompletedProcess:
        return _run(command, self.dir, self.env)

    def must(self, command: str) -> str:
        done = self.run(command)
        assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
        return done.stdout


@pytest.fixture(scope="module")
def clones() -> Iterator[dict[str, Clone]]:
    base = Path(tempfile.mkdtemp(prefix="pingan-docs-"))
    base.chmod(0o755)  # the postgres user (clusters made as root) passes through
    made: dict[str, Clone] = {}
    try:
        demo = made["demo"] = Clone(base, "demo")
        demo.must("make db")
        for step in ("migrate --no-input -v 0", "load_demo", "load_demo_roads",
                     "load_demo_incidents", "load_demo_ledger", "load_demo_responders",
                     "load_demo_service_points",
                     "collectstatic --no-input -v 0"):  # fmt: skip
            demo.must(f".venv/bin/python manage.py {step}")
        made["fresh"] = Clone(base, "fresh")
        yield made
    finally:
        for clone in made.values():
            clone.run("make stop")
        shutil.rmtree(base, ignore_errors=True)


# --- Files a command names, made from the demo as a reader would bring them ---------------------


def _export(demo: Clone, name: str, *options: str):
    import geopandas

    demo.must(f".venv/bin/python manage.py export_areas var/_{name} {' '.join(options)}")
    return geopandas.read_file(demo.dir / "var" / f"_{name}")


def file_for(command: DocCommand, clones: dict[str, Clone]) -> None:
    """Makes the files ``command`` names, unless they are there."""
    here = clones["fresh" if command.bare in IN_FRESH_CLONE else "demo"].dir
    if ARCHIVE in command.text and not (here / ARCHIVE).exists():
        demo = clones["demo"]
        if not (demo.dir / ARCHIVE).exists():
            made = demo.must(".venv/bin/python manage.py backup").strip()
            shutil.copy2(made, demo.dir / ARCHIVE)
        (here / ARCHIVE).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(demo.dir / ARCHIVE, here / ARCHIVE)
    words = shlex.split(command.bare)
    for verb, make in (
        ("import_areas", boundary_file),
        ("import_roads", road_file),
        ("import_service_points", service_point_file),
        ("import_people", roster_file),
        ("import_ledger", ledger_file),
    ):
        if verb in words:
            name = words[words.index(verb) + 1]
            if not name.startswith("-") and not (here / name).exists():
                make(clones["demo"], here / name)


def road_file(demo: Clone, path: Path) -> None:
    """A county's road file as the docs describe it, made from the roads in use."""
    demo.must(".venv/bin/python manage.py export_roads var/_roads.gpkg")
    import geopandas

    roads = geopandas.read_file(demo.dir / "var" / "_roads.gpkg")
    if path.name == "道路.shp":  # GBK, the class coded in a column named DLDJ
        codes = {"expressway": "1", "national": "2", "provincial": "省道", "county": "县道"}
        roads["DLDJ"] = [codes.get(value, "") for value in roads["class"]]
        roads.loc[roads.index[:3], "DLDJ"] = "专用公路"
        roads[["DLDJ", "geometry"]].to_file(path, encoding="GBK")
    elif path.name == "roads.gpkg":  # CGCS2000 metres, Chinese class names in 等级
        names = {"expressway": "高速", "national": "国道", "provincial": "省道", "county": "县道",
                 "township": "乡道", "village": "村道", "street": "街道"}  # fmt: skip
        roads["等级"] = [names.get(value, "村道") for value in roads["class"]]
        roads[["等级", "geometry"]].to_crs("EPSG:4544").to_file(path)


def service_point_file(demo: Clone, path: Path) -> None:
    """Service points at the demo's village centres, as CSV (lon, lat) or a GeoPackage layer."""
    villages = _export(demo, "v.gpkg", "--level village").to_crs("EPSG:4326")
    centres = villages.geometry.representative_point()
    if path.suffix == ".csv":
        rows = ["name,kind,lon,lat"] + [
            f"{name}调解室,调解室,{point.x:.6f},{point.y:.6f}"
            for name, point in zip(villages["name"], centres, strict=True)
        ]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    elif path.suffix == ".gpkg":
        points = villages[["name"]].set_geometry(centres)
        points.to_file(path, layer="points")


def _villages_with_townships(demo: Clone):
    townships = _export(demo, "t.gpkg", "--level township").set_index("code")["name"]
    villages = _export(demo, "v.gpkg", "--level village").to_crs("EPSG:4326")
    villages["township"] = [townships[code] for code in villages["parent_code"]]
    return villages


def roster_file(demo: Clone, path: Path) -> None:
    """A grid leaders' roster (网格员花名册) as counties keep it: a merged title row, Chinese
    headers, grids named within their village, full-width digits in a phone number."""
    from openpyxl import Workbook

    grids = _export(demo, "g.gpkg", "--level grid").head(6)
    villages = _villages_with_townships(demo).set_index("code")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    book = Workbook()
    sheet = book.active
    sheet.append(["网格员花名册"])
    sheet.merge_cells("A1:G1")
    sheet.append(["姓名", "手机号", "身份证号", "所属乡镇", "所属村/社区", "所属网格", "职务"])
    for i, (name, parent) in enumerate(zip(grids["name"], grids["parent_code"], strict=True)):
        village = villages.loc[parent]
        first17 = f"621122198501{i + 1:02d}10{i}"
        total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
        number = first17 + "10X98765432"[total % 11]
        phone = f"1770000{i:04d}" if i else "１７７ ００００ ００００"
        local = name.removeprefix(village["name"])
        sheet.append(
            [f"网格员{i}", phone, number, village["township"], village["name"], local, "专职网格员"]
        )
    book.save(path)


def ledger_file(demo: Clone, path: Path) -> None:
    """A dispute ledger (矛盾纠纷排查调处台账): a title row, Excel-serial and Chinese dates, place
    names only on most rows, GCJ-02 coordinates on some, a category text no mapping knows."""
    import prcoords
    from openpyxl import Workbook

    villages = _villages_with_townships(demo).head(20)
    centres = villages.geometry.representative_point()
    book = Workbook()
    sheet = book.active
    sheet.append(["2023年矛盾纠纷排查调处台账（示例，非真实数据）"])
    sheet.append(["编号", "登记时间", "纠纷类型", "简要情况", "当事人", "所属乡镇", "所属村",
                  "经度", "纬度", "坐标系", "化解结果", "办结时间"])  # fmt: skip
    kinds = ("婚姻家庭纠纷", "土地承包纠纷", "山林水利纠纷", "邻里纠纷", "放牧纠纷")
    for i, (township, village, point) in enumerate(
        zip(villages["township"], villages["name"], centres, strict=True)
    ):
        gcj = prcoords.wgs_gcj((point.y, point.x)) if i % 4 == 0 else None
        sheet.append([
            f"2023-{i + 1:03d}", 44990 + i * 9 if i % 2 else f"2023年{i % 12 + 1}月{i % 27 + 1}日",
            kinds[i % len(kinds)], "示例纠纷", "甲某、乙某", township, village,
            gcj.lon if gcj else None, gcj.lat if gcj else None, "GCJ-02" if gcj else None,
            "调解成功" if i % 5 else "未化解", "",
        ])  # fmt: skip
    book.save(path)


def boundary_file(demo: Clone, path: Path) -> None:
    """The boundary file a command imports, made from the demo's areas as the docs describe it."""
    if path.name == "townships.shp":
        townships = _export(demo, "t.gpkg", "--level township")[["code", "name", "geometry"]]
        townships.to_crs("EPSG:4544").to_file(path)
    elif path.name == "grids.gpkg":
        _export(demo, "g.gpkg", "--level grid").to_file(path, layer="grid")
    elif path.name == "boundaries.gpkg":
        _export(demo, "g.gpkg", "--level grid").to_file(path, layer="grids")
    elif path.name == "outline_from_amap.geojson":  # published in GCJ-02
        import prcoords
        import shapely

        def to_gcj(coords):
            moved = [prcoords.wgs_gcj((lat, lon)) for lon, lat in coords]
            return [(point.lon, point.lat) for point in moved]

        county = _export(demo, "c.geojson", "--level county")
        county["geometry"] = shapely.transform(county.geometry.values, to_gcj)
        county.to_file(path, driver="GeoJSON")
    elif path.name == "村界.zip":  # a zipped shapefile with Chinese field names, in GBK
        villages = _export(demo, "v.gpkg", "--level village")
        villages = villages.rename(columns={"code": "村代码", "name": "村名称"})
        folder = path.parent / "var" / "_villages"
        folder.mkdir()
        villages[["村代码", "村名称", "geometry"]].to_file(folder / "村界.shp", encoding="GBK")
        with zipfile.ZipFile(path, "w") as bundle:
            for part in folder.iterdir():
                bundle.write(part, part.name)


# --- The commands ------------------------------------------------------------------------------


def _order(command: DocCommand) -> int:
    # The loads of demo-data.md first (what the others read), the backup's restore and upgrade
    # last (they replace the database).
    if command.path == "docs/demo-data.md":
        return 0
    if command.path == "docs/operations/backup.md":
        return 2
    return 1


ORDERED = sorted(COMMANDS, key=_order)


def test_the_docs_show_commands():
    assert len(COMMANDS) > 40
    assert {"make demo", f"make restore FILE={ARCHIVE}"} <= {c.bare for c in COMMANDS}


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str


_RESULTS: dict[tuple[str, tuple[str, ...]], list[Result]] = {}


def run_block(command: DocCommand, clone: Clone) -> Result:
    """Runs the command's block in one shell (once), each command's output kept apart."""
    key = (command.path, command.block)
    if key not in _RESULTS:
        out = Path(tempfile.mkdtemp(prefix="pingan-docs-out-"))
        script = []
        for index, text in enumerate(command.block):
            if COMMAND.search(text):
                script.append(f"{{\n{text}\n}} >{out}/{index}.out 2>{out}/{index}.err")
                script.append(f"echo $? >{out}/{index}.status")
            else:
                script.append(text)
        clone.run("\n".join(script))
        _RESULTS[key] = [
            Result(
                int((out / f"{i}.status").read_text()),
                (out / f"{i}.out").read_text(),
                (out / f"{i}.err").read_text(),
            )
            if (out / f"{i}.status").exists()
            else Result(-1, "", "not run")
            for i in range(len(command.block))
        ]
        shutil.rmtree(out)
    return _RESULTS[key][command.index]


@pytest.mark.parametrize("command", ORDERED, ids=str)
def test_command_runs_as_written(command: DocCommand, clones):
    if command.bare in SKIPPED:
        pytest.skip(SKIPPED[command.bare])
    clone = clones["fresh" if command.bare in IN_FRESH_CLONE else "demo"]
    if command.index == 0 or not any(COMMAND.search(t) for t in command.block[: command.index]):
        # The block's first command: what the whole block needs is made before it runs.
        for other in COMMANDS:
            if other.block == command.block and other.path == command.path:
                file_for(other, clones)
        if "/tmp/pingan-check-media" in " ".join(command.block):
            shutil.rmtree("/tmp/pingan-check-media", ignore_errors=True)
        if f"make restore FILE={ARCHIVE}" in command.block:  # the keys travel with the archive
            for key in ("secret_key", "field_encryption_keys", "field_hash_key"):
                shutil.copy2(clones["demo"].dir / "var" / key, clone.dir / "var" / key)
    done = run_block(command, clone)
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output[-4000:]
    status, line = EXPECTED_FAILURES.get(command.bare, (0, None))
    assert done.status == status, f"{command}: {command.text}\n{output[-4000:]}"
    if line:
        assert done.stderr.strip() == line
