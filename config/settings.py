"""Settings for Pingan Grid, read from the environment (the only source of configuration).

Required: SECRET_KEY, FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY (docs/security/encryption.md).
Outside production each missing one is read from the file the Makefile keeps in var/; a production
server (PINGAN_ENV=production, or HTTPS=true) must set them. Every other variable has a default and
is listed, with it, in the README's settings table. config/environment.py parses and checks the
values.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

from config.environment import (
    env,
    env_bool,
    env_list,
    env_or_file,
    fernet_keys,
    local_socket_dir,
    production,
    proxy_ssl_header,
    tile_sources,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Production or not (issue 14, docs/security/deployment.md) ---------------------------------
# PINGAN_ENV=production (or HTTPS=true, unless PINGAN_ENV=development) marks a production server:
# its keys must come from the environment. Elsewhere (a developer's or operator's checkout) a key
# not in the environment is read from the file `make` keeps in var/ (scripts/secret-key.sh), so
# manage.py runs without exporting anything.
PRODUCTION = production()
_VAR = BASE_DIR / "var"
SECRET_KEY = env_or_file("SECRET_KEY", _VAR / "secret_key", production=PRODUCTION)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# HTTPS (docs/security/deployment.md). One switch, HTTPS=true, for a site served over TLS (usually
# by a reverse proxy in front of uvicorn): redirect plain HTTP, HSTS for a year including
# subdomains, cookies only over TLS, and trust the proxy's X-Forwarded-Proto. Each part can be
# set on its own with the variable of the same name. HSTS preload is a promise to browser vendors
# that is hard to take back, so only SECURE_HSTS_PRELOAD=true asks for it.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# The load balancer's liveness and readiness probes may speak plain HTTP to uvicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(
    env("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https" if HTTPS else "")
)

# Encryption at rest of parties' ID numbers and phones (accounts.crypto,
# docs/security/encryption.md). FIELD_ENCRYPTION_KEYS: comma-separated Fernet keys, the first
# encrypts, all decrypt (two while `manage.py rotate_field_keys` re-encrypts under a new one).
# FIELD_HASH_KEY: the key of the HMAC that makes ID numbers and phones searchable. The Makefile
# keeps generated ones in var/ (scripts/secret-key.sh). Error messages never repeat a key.
FIELD_ENCRYPTION_KEYS = fernet_keys(
    env_or_file("FIELD_ENCRYPTION_KEYS", _VAR / "field_encryption_keys", production=PRODUCTION)
)
FIELD_HASH_KEY = env_or_file("FIELD_HASH_KEY", _VAR / "field_hash_key", production=PRODUCTION)
if len(FIELD_HASH_KEY) < 32:
    raise ImproperlyConfigured("FIELD_HASH_KEY must be at least 32 random characters.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    # The job runner (docs/notifications/jobs.md); before our apps so their tasks.py register.
    "procrastinate.contrib.django",
    "gridmap",
    "roads",
    "accounts",
    "notify",
    "incidents",
    "patrols",
    "volunteers",
    "analytics",
    "backups",
    # Importing a county's rosters and ledgers (issue 19, docs/onboarding.md).
    "onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their own caching): NUL bytes → 400, no-store.
    "config.http.RequestHygieneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Idle timeout and the list of a user's sessions (accounts.middleware); after auth.
    "accounts.middleware.SessionActivityMiddleware",
    # An imported account on its initial password sees only the password page (docs/onboarding.md).
    "onboarding.middleware.InitialPasswordMiddleware",
    # Last: turns a login refused during a lockout into the lockout page / 429 JSON.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridmap.context_processors.map_settings",
                "gridmap.context_processors.demo_data",
                "notify.context_processors.bell",
            ],
        },
    },
]

# Persistent connections are not optional: the first PostGIS call on a new connection costs
# 10-13 ms (REFERENCE.md), which is five times a whole locate request.
_default_db = {
    "ENGINE": "django.contrib.gis.db.backends.postgis",
    "NAME": "pingan",
    "USER": "pingan",
    "HOST": local_socket_dir(BASE_DIR),
    "PORT": "",
}
_database_url = env("DATABASE_URL", "")
DATABASES = {
    "default": (
        dj_database_url.parse(_database_url, engine="django.contrib.gis.db.backends.postgis")
        if _database_url
        else _default_db
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = int(env("DB_CONN_MAX_AGE", "600"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
# --- ASGI serving: a pool of database connections (issue 13, docs/notifications/live.md) ---
# scripts/serve.sh serves config.asgi with uvicorn. Under ASGI Django runs each request's
# synchronous code in a thread of that request's own, so a persistent connection (CONN_MAX_AGE)
# would be opened anew per request and left behind with its thread. A psycopg pool per process
# (DB_POOL, the default) lends a connection per request and takes it back, keeping the first-query
# cost low; Django refuses a pool together with CONN_MAX_AGE, so DB_CONN_MAX_AGE applies only with
# DB_POOL=false. DB_POOL_MIN_SIZE/DB_POOL_MAX_SIZE: connections per server process.
DB_POOL = env_bool("DB_POOL", True)
if DB_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DB_POOL_MIN_SIZE", "2")),
        "max_size": int(env("DB_POOL_MAX_SIZE", "8")),
        "timeout": 10,
    }

AUTH_USER_MODEL = "accounts.User"
# Django's hashers, then the one for imported accounts' random one-time initial passwords (few
# rounds: their strength is their entropy; onboarding/hashers.py). Never the default.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "onboarding.hashers.InitialPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 等保 2.0: at least 10 characters from at least 3 of the 4 classes (accounts.passwords).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# --- Login protection, API tokens, sessions (docs/security/login-and-tokens.md) ---
# django-axes watches every authenticate() call (the login page, the admin's, POST
# /api/auth/token/): after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked for AXES_COOLOFF_MINUTES. Attempts are rows in the database (axes' models,
# readable and resettable in the admin).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
# API tokens (accounts.tokens) live this many days; a new one per successful token request.
API_TOKEN_DAYS = int(env("API_TOKEN_DAYS", "30"))
# A session ends SESSION_HOURS after login at the latest, and after SESSION_IDLE_MINUTES without
# a request (accounts.middleware).
SESSION_COOKIE_AGE = int(float(env("SESSION_HOURS", "8")) * 3600)
SESSION_IDLE_MINUTES = int(env("SESSION_IDLE_MINUTES", "30"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# One date format everywhere, YYYY-MM-DD, in both languages (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
# Uploaded photos live here and are served only through a permission-checked view, never /media/.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Dispatch: a responder's position older than this is stale (not offered as a candidate), and a
# unit based in the matter's own township ranks as if it were this many metres closer.
DISPATCH_STALE_MINUTES = int(env("DISPATCH_STALE_MINUTES", "30"))
DISPATCH_HOME_PREFERENCE_M = float(env("DISPATCH_HOME_PREFERENCE_M", "500"))
# Where a road network is loaded candidates rank by travel time, and the same preference is in
# minutes: 2.5 is the 500 m above at an e-bike's straight-line 12 km/h (docs/roads.md).
DISPATCH_HOME_PREFERENCE_MINUTES = float(env("DISPATCH_HOME_PREFERENCE_MINUTES", "2.5"))
# An offer not accepted within this many minutes expires and goes to the next candidate
# (`manage.py expire_offers`, run every minute); a phone may post its position at most once per
# this many seconds.
DISPATCH_OFFER_TIMEOUT_MINUTES = int(env("DISPATCH_OFFER_TIMEOUT_MINUTES", "5"))
DISPATCH_POSITION_MIN_INTERVAL_S = int(env("DISPATCH_POSITION_MIN_INTERVAL_S", "10"))

# --- API input limits (docs/security/input-and-leaks.md) ---
# A point sent in (matters, responder positions, duplicate hints) farther than this from the
# sender's jurisdiction is refused (400); nearer ones outside every grid go to the nearest grid.
POINT_MARGIN_KM = float(env("POINT_MARGIN_KM", "20"))
# Pixels all photos of one report may declare together (headers are read before any decoding).
PHOTO_MAX_PIXELS_PER_REQUEST = int(float(env("PHOTO_MAX_MEGAPIXELS_PER_REQUEST", "80")) * 1e6)
# Largest photo accepted before re-encoding (phones send 5-12 MB pictures).
PHOTO_MAX_BYTES = int(env("PHOTO_MAX_MB", "15")) * 1024 * 1024
# Safety index weights and caps laid over analytics.safety.DEFAULTS (docs/analytics.md).
SAFETY_INDEX: dict = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Per-client limits of public endpoints (gridmap.throttling), e.g. "60/min"; NUM_PROXIES: how
    # many proxies (nginx …) stand before uvicorn, so the client is read from X-Forwarded-For.
    "DEFAULT_THROTTLE_RATES": {"locate": env("LOCATE_THROTTLE_RATE", "120/min")},
    "NUM_PROXIES": int(env("NUM_PROXIES", "0")),
    # {"detail": …, "errors": {field: [messages]}} from every API view (docs/api.md).
    "EXCEPTION_HANDLER": "config.http.api_exception_handler",
    # JSON nested too deeply to parse is a 400, not a RecursionError (config/http.py).
    "DEFAULT_PARSER_CLASSES": [
        "config.http.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pingan Grid API",
    "DESCRIPTION": "Grid network, incidents and dispatch for a county governance center.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served by the project itself (drf-spectacular-sidecar): intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error answers every operation can give (config/openapi.py), and <id:pk> as integers.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.document_errors",
    ],
    "PATH_CONVERTER_OVERRIDES": {"id": int, "segment": str},
    "ENUM_NAME_OVERRIDES": {
        "PartyRoleEnum": "incidents.choices.PartyRole",
        "StateEnum": "incidents.choices.State",
    },
}

# Base map for every map page: "none" (boundaries on a plain background, fully offline), "osm"
# (any OpenStreetMap-style XYZ server: MAP_TILE_URL), or "tianditu" (needs TIANDITU_KEY; CGCS2000,
# no offset). GCJ-02 tile servers are not offered: overlays would sit 250-300 m off.
MAP_TILES = env("MAP_TILES", "none")
if MAP_TILES not in {"none", "osm", "tianditu"}:
    raise ImproperlyConfigured(f"MAP_TILES must be none, osm or tianditu, not {MAP_TILES!r}.")
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
TIANDITU_KEY = env("TIANDITU_KEY", "")
if MAP_TILES == "tianditu" and not TIANDITU_KEY:
    raise ImproperlyConfigured("Set the environment variable TIANDITU_KEY (MAP_TILES=tianditu).")

# Content-Security-Policy (django-csp; docs/security/deployment.md): scripts only from the site's
# own files, never inline or eval'd; the only nonce is the briefing's folium maps (their generated
# inline scripts, analytics.maps). Styles keep 'unsafe-inline' because style *attributes* need
# it: folium's generated maps and the briefing's legend and SVG charts carry style="…" (a nonce
# cannot cover attributes, and with a nonce present browsers ignore 'unsafe-inline').
# Tiles of the configured base map are the only images from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", "blob:", *tile_sources(MAP_TILES, MAP_TILE_URL)],
        "connect-src": [csp.SELF],
        "font-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Every error page is the site's own (base.html, both languages; JSON under /api/): config/views.py.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# GDAL < 3.9 cannot block file/network access from hostile SRS strings (gis.W001). The project
# never passes user-supplied SRS text to GDAL: imports accept only known SRIDs and named CRS
# choices (gridmap.coords), so the warning is acknowledged here.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
# security.W021 asks every HSTS site to join the browsers' preload list. That list is public and
# slow to leave, and a county intranet host cannot be on it; preloading is the operator's choice
# (SECURE_HSTS_PRELOAD=true), so without it the reminder is acknowledged here.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# --- Personal-data access log (issue 12, docs/security/access-log.md) ---------------------------
# Days an access-log row is kept before `manage.py prune_access_log` may remove it (at least 180:
# 等保 2.0; the database refuses to delete younger rows whatever this says).
ACCESS_LOG_RETENTION_DAYS = int(env("ACCESS_LOG_RETENTION_DAYS", "180"))
# A ledger export with more rows carrying unmasked parties than this needs a stated reason.
LEDGER_REASON_THRESHOLD = int(env("LEDGER_REASON_THRESHOLD", "50"))

# --- Patrols (issue 16, docs/patrols.md) ---------------------------------------------------------
# Days a patrol's GPS track (personal data: where a person was, when) is kept after the patrol
# ended; the daily job then deletes its points and line and keeps the figures (distance, duration,
# covered share, the month's coverage).
PATROL_TRACK_RETENTION_DAYS = int(env("PATROL_TRACK_RETENTION_DAYS", "90"))
# "导航" links to the phone's map apps (gridmap.navigation): the caller name the apps' URI APIs
# ask for (Amap src, Baidu src, Tencent referer).
MAP_URI_SOURCE = env("MAP_URI_SOURCE", "pingan-grid")

# --- Live notifications in the site (issue 13, docs/notifications/live.md) ----------------------
# The event stream (/notifications/stream/) ends after LIVE_STREAM_SECONDS (the browser reconnects
# and replays what it missed), sends a heartbeat comment every LIVE_HEARTBEAT_SECONDS so proxies
# keep it open; where no stream is possible the page polls every LIVE_POLL_SECONDS.
LIVE_STREAM_SECONDS = int(env("LIVE_STREAM_SECONDS", "300"))
LIVE_HEARTBEAT_SECONDS = int(env("LIVE_HEARTBEAT_SECONDS", "15"))
LIVE_POLL_SECONDS = int(env("LIVE_POLL_SECONDS", "3"))
# --- Notifications: outbox, preferences, delivery (issue 13, docs/notifications/events.md) ------
# SMS a user may receive per day (further ones are not written); a failing delivery is retried
# with back-off doubling from NOTIFY_RETRY_BASE_SECONDS (at most an hour apart) until
# NOTIFY_MAX_ATTEMPTS attempts, then marked failed; external sends of a batch run in this many
# threads.
NOTIFY_SMS_DAILY_CAP = int(env("NOTIFY_SMS_DAILY_CAP", "20"))
NOTIFY_MAX_ATTEMPTS = int(env("NOTIFY_MAX_ATTEMPTS", "8"))
NOTIFY_RETRY_BASE_SECONDS = float(env("NOTIFY_RETRY_BASE_SECONDS", "5"))
NOTIFY_DELIVERY_THREADS = int(env("NOTIFY_DELIVERY_THREADS", "8"))
# Deadline warnings: how long before the deadline, e.g. "2h,1d" (m/h/d); per tier overrides.
NOTIFY_DEADLINE_WARNINGS = env("NOTIFY_DEADLINE_WARNINGS", "2h,1d")
NOTIFY_DEADLINE_WARNINGS_BY_TIER = {
    tier: env(f"NOTIFY_DEADLINE_WARNINGS_{tier.upper()}", "")
    for tier in ("ordinary", "larger", "major")
}
# --- Notification channels (issue 13, docs/notifications/channels.md) ---------------------------
# Defaults for every center without a channel of its own in the admin (CenterChannel). The WeCom
# and DingTalk URLs carry their key/access_token: treat them as secrets.
NOTIFY_WECOM_WEBHOOK = env("NOTIFY_WECOM_WEBHOOK", "")
NOTIFY_DINGTALK_WEBHOOK = env("NOTIFY_DINGTALK_WEBHOOK", "")
NOTIFY_DINGTALK_SECRET = env("NOTIFY_DINGTALK_SECRET", "")
# SMS gateway: "generic" (JSON {phone, text, key, id}) or "aliyun" (Alibaba Cloud SendSms).
NOTIFY_SMS_URL = env("NOTIFY_SMS_URL", "")
NOTIFY_SMS_PROVIDER = env("NOTIFY_SMS_PROVIDER", "generic")
if NOTIFY_SMS_PROVIDER not in {"generic", "aliyun"}:
    raise ImproperlyConfigured("NOTIFY_SMS_PROVIDER must be generic or aliyun.")
NOTIFY_SMS_KEY_ID = env("NOTIFY_SMS_KEY_ID", "")
NOTIFY_SMS_KEY_SECRET = env("NOTIFY_SMS_KEY_SECRET", "")
NOTIFY_SMS_SIGN_NAME = env("NOTIFY_SMS_SIGN_NAME", "")
NOTIFY_SMS_TEMPLATE = env("NOTIFY_SMS_TEMPLATE", "")
# Seconds to wait for a gateway; a CA bundle file for intranet gateways (TLS is always verified).
NOTIFY_HTTP_TIMEOUT = float(env("NOTIFY_HTTP_TIMEOUT", "5"))
NOTIFY_CA_BUNDLE = env("NOTIFY_CA_BUNDLE", "")
# Plain http is refused except to 127.0.0.1/localhost unless this is set (intranet gateways).
NOTIFY_ALLOW_HTTP = env_bool("NOTIFY_ALLOW_HTTP", False)
# Prefix that makes a notification's link absolute in external messages ("" = no link sent).
NOTIFY_SITE_URL = env("NOTIFY_SITE_URL", "")
# urllib3 logs each request line, query (a webhook's key) included, at DEBUG: never let it.
LOGGING["loggers"] = {"urllib3": {"level": "INFO"}}

# --- Scheduled briefings (issue 13, docs/notifications/briefings.md) ----------------------------
# Folder of the stored monthly and quarterly briefings (HTML and PDF); empty: MEDIA_ROOT/briefings.
# Like photos, they are served only through a permission-checked view, never as static files.
BRIEFINGS_ROOT = env("BRIEFINGS_ROOT", "")

# --- Backup and restore (issue 14, docs/operations/backup.md) -----------------------------------
# `manage.py backup` writes its archives here (mode 0700 folder, 0600 files): they hold the
# parties' personal data, encrypted with FIELD_ENCRYPTION_KEYS, which must be kept elsewhere.
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
# Folder of the pg_dump/pg_restore to use; empty: the server's own major version from
# /usr/lib/postgresql/<major>/bin, else PATH.
PG_BINDIR = env("PG_BINDIR", "")
# --- Job runner (issue 13, docs/notifications/jobs.md) -----------------------------------------
# Procrastinate keeps its queue in our own database; each app's tasks.py is discovered. A worker
# (`manage.py procrastinate worker`, `make worker`) runs this many jobs at once: they mostly wait
# on the database or a webhook, so a little more than the 2 cores is right.
PROCRASTINATE_WORKER_DEFAULTS = {
    "concurrency": int(env("JOBS_WORKER_CONCURRENCY", "4")),
    # On stop, running jobs get this long to finish before they are aborted (and retried).
    "shutdown_graceful_timeout": float(env("JOBS_SHUTDOWN_TIMEOUT_S", "30")),
    # A new job wakes the worker at once (LISTEN/NOTIFY); a job scheduled for later (a
    # notification's retry) is looked for this often.
    "fetch_job_polling_interval": float(env("JOBS_POLL_SECONDS", "1")),
}
# The daily clean-up deletes finished jobs older than this many days; failed ones are kept longer
# so that an administrator can still see and retry them.
JOBS_KEEP_DAYS = int(env("JOBS_KEEP_DAYS", "7"))
JOBS_KEEP_FAILED_DAYS = int(env("JOBS_KEEP_FAILED_DAYS", "90"))
# --- Production service (issue 14, docs/deploy.md) ----------------------------------------------
# /readyz counts the job workers alive (heartbeat within 30 s) in every answer; with this set it
# also answers 503 "job worker not running" when there is none, so the monitor that watches
# /readyz sees a stopped worker (notifications held back). The production env file sets it.
READY_REQUIRE_WORKER = env_bool("READY_REQUIRE_WORKER", False)
