"""The production configuration deploy/generate.py writes (docs/deploy.md) is checked by the tools
that will read it: systemd-analyze verify on the units (their commands are this checkout's .venv),
nginx -t on Debian's nginx with the site included and a self-signed certificate, logrotate on
the rotation file, postgres -C on the PostgreSQL settings; and the units' own command lines serve
the site and run the job worker with the generated environment file."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from incidents.photos import MAX_PHOTOS
from tests.jobs.conftest import empty_queue
from tests.servers import database_url, free_port

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "grid.example.gov.cn"
UNITS = (
    "pingan-web.service",
    "pingan-worker.service",
    "pingan-backup.service",
    "pingan-backup.timer",
)
PG_BIN = Path("/usr/lib/postgresql/15/bin/postgres")


def generate(out: Path, *options: str) -> dict[str, Path]:
    """Runs deploy/generate.py as docs/deploy.md does; the files it wrote, by name."""
    command = [sys.executable, "deploy/generate.py", "--out", str(out), "--domain", DOMAIN]
    result = subprocess.run(
        [*command, *options], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {Path(line).name: Path(line) for line in result.stdout.split()}


@pytest.fixture
def generated(tmp_path) -> dict[str, Path]:
    """The files for a 4-process, 8 GB server, TLS files and logs in the test's folder."""
    (tmp_path / "logs").mkdir()
    return generate(
        tmp_path / "out",
        "--workers", "4",
        "--memory-gb", "8",
        "--tls-cert", str(tmp_path / "tls" / "site.crt"),
        "--tls-key", str(tmp_path / "tls" / "site.key"),
        "--log-dir", str(tmp_path / "logs"),
        "--env-file", str(tmp_path / "no-such.env"),
    )  # fmt: skip


def env_file(path: Path) -> dict[str, str]:
    """An EnvironmentFile= as systemd reads it (NAME=value lines, # comments)."""
    lines = path.read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {name: value for name, value in pairs}


def exec_start(unit: Path) -> list[str]:
    """The unit's ExecStart command line (continuation lines joined)."""
    text = unit.read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


# --- The tools that read the files accept them ------------------------------------------------


def test_systemd_accepts_the_units_and_finds_their_commands(generated):
    for name in UNITS:
        assert generated[name].exists()
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(generated[name]) for name in UNITS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""  # not even a warning
    web = exec_start(generated["pingan-web.service"])
    assert web[0] == str(ROOT / ".venv" / "bin" / "gunicorn")
    assert "config.asgi_worker.Worker" in web
    assert exec_start(generated["pingan-worker.service"])[-2:] == ["procrastinate", "worker"]
    unit = generated["pingan-web.service"].read_text()
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in unit
    assert f"ReadWritePaths={ROOT}/var/media\n" in unit
    assert "EnvironmentFile=" in unit
    assert "Restart=on-failure" in unit


def test_systemd_refuses_a_unit_whose_command_is_missing(generated, tmp_path):
    # The check above can fail: the same unit pointing at a checkout without .venv is refused.
    broken = tmp_path / "pingan-web.service"
    broken.write_text(generated["pingan-web.service"].read_text().replace("/.venv/", "/no-venv/"))
    result = subprocess.run(["systemd-analyze", "verify", str(broken)], capture_output=True)
    assert result.returncode != 0
    assert b"is not executable" in result.stderr


def test_nginx_accepts_the_site_with_a_self_signed_certificate(generated, tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={DOMAIN}", "-keyout", str(tls / "site.key"), "-out", str(tls / "site.crt")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/nginx.log;\nevents {{}}\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        + "".join(f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("client_body", "proxy"))
        + "".join(f"    {kind}_temp_path {temp}/{kind};\n" for kind in ("fastcgi", "uwsgi", "scgi"))
        + f"    include {generated['pingan-nginx.conf']};\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-e", str(tmp_path / "logs" / "nginx.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # A broken site is refused: the check can fail.
    site = generated["pingan-nginx.conf"]
    site.write_text(site.read_text().replace("proxy_buffering off;", "proxy_buffering maybe;"))
    assert subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True).returncode != 0


def test_the_site_config_matches_the_settings(generated):
    site = generated["pingan-nginx.conf"].read_text()
    # The largest field report the site accepts passes nginx: every photo at PHOTO_MAX_MB.
    mb = MAX_PHOTOS * settings.PHOTO_MAX_BYTES // (1024 * 1024)
    assert f"client_max_body_size {mb + 10}m;" in site
    # The header Django trusts with HTTPS=true is the one nginx sets, from its own $scheme.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert f"alias {settings.STATIC_ROOT}/;" in site
    assert "location /media/ {\n        return 404;" in site  # photos only through their view
    stream = site.split("location /notifications/stream/ {")[1].split("}")[0]
    assert "proxy_buffering off;" in stream
    assert "proxy_read_timeout 120s;" in stream
    assert settings.LIVE_HEARTBEAT_SECONDS < 120
    assert "return 301 https://$host$request_uri;" in site
    environment = env_file(generated["pingan.env"])
    assert environment["NUM_PROXIES"] == "1"
    assert environment["HTTPS"] == "true"
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    assert environment["DB_POOL_MAX_SIZE"] == str(pool)
    assert oct(generated["pingan.env"].stat().st_mode & 0o777) == "0o600"


def test_logrotate_accepts_and_rotates_the_site_logs(generated, tmp_path):
    state = tmp_path / "logrotate.state"
    command = ["logrotate", "-s", str(state), str(generated["pingan-logrotate"])]
    result = subprocess.run([*command[:1], "-d", *command[1:]], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "rotating pattern: " in result.stderr
    assert "180 rotations" in result.stderr
    if os.geteuid() != 0:
        return  # a real rotation creates the new log for www-data: root only
    (tmp_path / "logs" / "access.log").write_text("GET / 200\n")
    subprocess.run([*command[:1], "-f", *command[1:]], check=True, capture_output=True)
    rotated = [p.name for p in (tmp_path / "logs").iterdir()]
    assert any(name.startswith("access.log-") for name in rotated), rotated
    assert (tmp_path / "logs" / "access.log").stat().st_size == 0


@pytest.fixture
def postgres_dir() -> Iterator[Path]:
    """A folder the postgres user may read (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="pingan-pgconf-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    yield folder
    shutil.rmtree(folder)


def postgres_value(folder: Path, name: str) -> str:
    """A setting as the server reads it from folder/postgresql.conf (postgres -C, no server)."""
    command = [str(PG_BIN), "-D", str(folder), "-C", name]
    if os.geteuid() == 0:  # the server refuses root, as initdb does (scripts/pg.sh)
        command = ["runuser", "-u", "postgres", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgres_reads_the_settings_sized_for_the_server(generated, postgres_dir):
    shutil.copy(generated["pingan-postgresql.conf"], postgres_dir / "pingan.conf")
    # As Debian's postgresql.conf reads conf.d/.
    (postgres_dir / "postgresql.conf").write_text("include 'pingan.conf'\n")
    if os.geteuid() == 0:
        for path in postgres_dir.iterdir():
            shutil.chown(path, "postgres")
    assert postgres_value(postgres_dir, "shared_buffers") == str(2048 * 1024 // 8)  # 8 kB pages
    assert postgres_value(postgres_dir, "effective_cache_size") == str(4096 * 1024 // 8)
    assert postgres_value(postgres_dir, "maintenance_work_mem") == str(512 * 1024)  # kB
    assert postgres_value(postgres_dir, "jit") == "off"
    # Every pool of 4 web processes and the worker fits, with room to spare.
    pool = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    assert int(postgres_value(postgres_dir, "max_connections")) >= 5 * pool + 30
    # And a wrong value is refused, so the reading above is a check.
    with (postgres_dir / "pingan.conf").open("a") as conf:
        conf.write("work_mem = 4 parsecs\n")
    with pytest.raises(AssertionError, match="contains errors"):
        postgres_value(postgres_dir, "work_mem")


# --- The generated services run ---------------------------------------------------------------


def _get(url: str, **headers: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Host": DOMAIN, **headers})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _until(check, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
        except OSError:
            answer = None
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


@pytest.fixture
def services(tmp_path) -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_units_command_lines_serve_the_site_and_run_the_worker(
    transactional_db, tmp_path, services
):
    """gunicorn with uvicorn workers and the job worker, started from the units' ExecStart with
    nothing but the generated environment file (the test database instead of the socket's)."""
    empty_queue()
    port = free_port()
    files = generate(tmp_path / "out", "--port", str(port), "--workers", "2",
                     "--env-file", str(tmp_path / "none.env"))  # fmt: skip
    environment = env_file(files["pingan.env"])
    assert environment["PINGAN_ENV"] == "production"
    environment.update(DATABASE_URL=database_url(), MEDIA_ROOT=str(tmp_path / "media"))
    environment.update(PATH=os.environ["PATH"], LANG="C.UTF-8", JOBS_POLL_SECONDS="0.5")
    logs = (tmp_path / "services.log").open("w")

    def start(unit: str) -> None:
        command = exec_start(files[unit])
        services.append(
            subprocess.Popen(command, cwd=ROOT, env=environment, stdout=logs, stderr=logs)
        )

    start("pingan-web.service")
    base = f"http://127.0.0.1:{port}"
    assert _until(lambda: _get(f"{base}/healthz"), 60) == (200, {"status": "ok"}), (
        tmp_path / "services.log"
    ).read_text()[-3000:]
    # READY_REQUIRE_WORKER=true in the environment file: no worker yet, not ready.
    assert _get(f"{base}/readyz") == (
        503,
        {"status": "not ready", "reason": "job worker not running", "workers": 0},
    )
    start("pingan-worker.service")
    ready = _until(lambda: _get(f"{base}/readyz")[0] == 200 and _get(f"{base}/readyz"), 60)
    assert ready == (200, {"status": "ready", "workers": 1}), (
        tmp_path / "services.log"
    ).read_text()[-3000:]
    # HTTPS=true and NUM_PROXIES=1: plain requests are sent to https://, as nginx's are not.
    plain = urllib.request.Request(f"{base}/accounts/login/", headers={"Host": DOMAIN})
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(plain, timeout=20)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"] == f"https://{DOMAIN}/accounts/login/"
    proxied = urllib.request.Request(
        f"{base}/accounts/login/", headers={"Host": DOMAIN, "X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(proxied, timeout=20) as page:
        assert page.status == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert page.headers.get("Server") is None  # no server header, as serve.sh


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_pingan_manage_runs_manage_py_with_the_environment_file(tmp_path):
    """The wrapper the docs use for every production manage.py command: check --deploy passes
    with the generated environment file."""
    env = tmp_path / "pingan.env"
    files = generate(tmp_path / "out", "--user", getpass.getuser(), "--env-file", str(env))
    shutil.copy(files["pingan.env"], env)
    clean = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}  # nothing of the test's own
    result = subprocess.run(
        [str(files["pingan-manage"]), "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    # Generated again, the environment file keeps the keys already in use.
    again = generate(tmp_path / "again", "--env-file", str(env))
    for key in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        assert env_file(again["pingan.env"])[key] == env_file(env)[key]


def test_the_database_script_makes_a_role_that_owns_a_postgis_database(db, tmp_path):
    """pingan-database.sql, run with psql as the server's superuser (here the test cluster's),
    makes the role and its database with PostGIS; the role is no superuser."""
    name = "pingan_sqltest"
    url = f"postgis://{name}:secret-pw@127.0.0.1:5432/{name}"
    files = generate(tmp_path / "out", "--database-url", url, "--env-file", str(tmp_path / "x"))
    server = connection.settings_dict
    psql = ["psql", "-X", "-q", "-h", server["HOST"], "-U", server["USER"], "-d", "postgres"]
    try:
        with files["pingan-database.sql"].open() as script:
            subprocess.run([*psql, "-v", "ON_ERROR_STOP=1"], stdin=script, check=True)
        check = subprocess.run(
            [*psql[:-2], "-U", name, "-d", name, "-At", "-c",
             "SELECT extname FROM pg_extension WHERE extname = 'postgis';"
             " SELECT rolsuper FROM pg_roles WHERE rolname = current_user;"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert check.stdout.split() == ["postgis", "f"]
    finally:
        subprocess.run([*psql, "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run([*psql, "-c", f"DROP ROLE IF EXISTS {name}"], check=True)
