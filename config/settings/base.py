"""Gridcheck settings: everything lives here; test.py and production.py only override."""

from config.env import BASE_DIR, VAR_DIR, env, local_secret_key

# No known fallback: without SECRET_KEY, a random key is made once for this installation (var/secret_key).
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key()
# Off unless asked for: the demo too shows Chinese error pages, never Django's debug page.
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "django_tasks",
    "gridcheck.core",
    "gridcheck.users",
    "gridcheck.archive",
    "gridcheck.notifications",
    "gridcheck.hazards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gridcheck.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridcheck.core.middleware.ChineseLocaleMiddleware",
    "gridcheck.core.middleware.RequestLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gridcheck.core.access.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "gridcheck.core.middleware.WriteGenerationMiddleware",
    # AxesMiddleware should be the last middleware in the list.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridcheck" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gridcheck.core.context_processors.navigation",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gridcheck.sqlite3'}"),
}
# WAL lets the web server read while an import writes; a busy timeout instead of "database is locked".
# IMMEDIATE transactions take the write lock when they begin, so two concurrent writers (two payments,
# two approvals) queue on the busy timeout instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)

# One cache for every gunicorn worker (files under VAR_DIR/cache): the home page's tiles and to-do counts
# and a long list's count are computed once per minute for all workers, not once per worker.
CACHES = {
    "default": {
        "BACKEND": "gridcheck.core.filecache.FileBasedCache",
        "LOCATION": env.str("GRIDCHECK_CACHE_DIR", default=str(VAR_DIR / "cache")),
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
# A list page's rendered rows are kept this long per page and scope, forgotten after any write through a
# page (gridcheck/core/templatetags/gc_tables.py) [s]; 0 renders them on every request.
GRIDCHECK_LIST_ROWS_CACHE_S = env.int("GRIDCHECK_LIST_ROWS_CACHE_S", default=60)
# Sessions read from that cache (the database when it has lost one): a query fewer on every page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend should be the first backend in the list.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves the static files (also with DEBUG off, from the app folders until collectstatic).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at every start where it is missing
STATICFILES_DIRS = [BASE_DIR / "gridcheck" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# django-axes: lock an account + address after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy the lockout is keyed on the client's address from X-Forwarded-For, trusted only
# when it comes from one of these proxies (deployment setting: the proxies' addresses).
GRIDCHECK_TRUSTED_PROXIES = env.list("GRIDCHECK_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "gridcheck.core.clientip.client_ip"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The browser's session, or an API token (`gridcheck drf_create_token USER`); never Basic auth.
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["gridcheck.core.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "gridcheck.core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Gridcheck API",
    "DESCRIPTION": "用电检查、反窃电与线损管理系统 API。权限与数据范围与网页一致。",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs pages are for staff (``view``), like the API they describe; not for a
    # customer's portal login or an anonymous visitor.
    "SERVE_PERMISSIONS": ["gridcheck.core.permissions.RolePermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# Archive imports: files larger than this are refused before they are read [bytes].
GRIDCHECK_IMPORT_MAX_BYTES = env.int("GRIDCHECK_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# At most this many row errors are reported for one file (the file is refused whole anyway).
GRIDCHECK_IMPORT_MAX_ERRORS = 200
# Where meter data (Parquet) lives.
GRIDCHECK_DATA_DIR = env.str("GRIDCHECK_DATA_DIR", default=str(VAR_DIR / "data"))
# Periodic jobs (gridcheck scheduler): daily jobs start from this hour, local time [h].
GRIDCHECK_DAILY_JOBS_HOUR = env.int("GRIDCHECK_DAILY_JOBS_HOUR", default=6)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- Notifications (gridcheck.notifications): outbox, email, SMS -------------------------------------
# Email goes through Django's email backends; SMTP by default, configured from the environment.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A mail server that does not answer within this many seconds counts as down [s].
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="gridcheck@localhost")
# Where the file-based email backend (used by the demo) writes its messages.
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# A message is tried this many times in all before it is marked failed.
GRIDCHECK_NOTIFY_MAX_ATTEMPTS = env.int("GRIDCHECK_NOTIFY_MAX_ATTEMPTS", default=5)
# Wait before retry n (n = 1, 2, ...): base * 2 ** (n - 1), at most the maximum [s].
GRIDCHECK_NOTIFY_RETRY_BASE_S = env.int("GRIDCHECK_NOTIFY_RETRY_BASE_S", default=60)
GRIDCHECK_NOTIFY_RETRY_MAX_S = env.int("GRIDCHECK_NOTIFY_RETRY_MAX_S", default=6 * 3600)
# A message left "sending" this long (the sender died mid-attempt) is queued again [s].
GRIDCHECK_NOTIFY_SENDING_TIMEOUT_S = env.int("GRIDCHECK_NOTIFY_SENDING_TIMEOUT_S", default=900)
# SMS backend (dotted path): the logging backend by default; the HTTP gateway sends for real.
GRIDCHECK_SMS_BACKEND = env.str(
    "GRIDCHECK_SMS_BACKEND", default="gridcheck.notifications.sms.LoggingSmsBackend"
)
GRIDCHECK_SMS_GATEWAY_URL = env.str("GRIDCHECK_SMS_GATEWAY_URL", default="")
GRIDCHECK_SMS_GATEWAY_TOKEN = env.str("GRIDCHECK_SMS_GATEWAY_TOKEN", default="")
GRIDCHECK_SMS_GATEWAY_TIMEOUT_S = env.float("GRIDCHECK_SMS_GATEWAY_TIMEOUT_S", default=10.0)
# Proxy for the SMS gateway ("" = connect directly; environment proxy variables are not used).
GRIDCHECK_SMS_GATEWAY_PROXY = env.str("GRIDCHECK_SMS_GATEWAY_PROXY", default="")
# The outbox API's message status and channel are named enums in the OpenAPI schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "MessageStatusEnum": "gridcheck.notifications.choices.MessageStatus",
        "MessageChannelEnum": "gridcheck.notifications.choices.Channel",
    }
)
# --- end of notifications -------------------------------------------------------------------------------

# --- hazards (gridcheck.hazards): the 1+1+1 calendar and hazard documents -------------------------
# The calendar's due days, lead and reminder days are rules: rows "hazards.*" of the rule table.
# Largest hazard photo accepted [bytes]; only JPEG and PNG are accepted.
GRIDCHECK_HAZARD_PHOTO_MAX_BYTES = env.int("GRIDCHECK_HAZARD_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# Letterhead of the hazard documents: "国网" + the company name unless set here.
GRIDCHECK_HAZARD_LETTERHEAD = env.str("GRIDCHECK_HAZARD_LETTERHEAD", default="")
# Prefix of the document numbers, e.g. 供电安〔2026〕11-003号.
GRIDCHECK_HAZARD_DOCUMENT_PREFIX = env.str("GRIDCHECK_HAZARD_DOCUMENT_PREFIX", default="供电安")
# The hazard choice sets under their own names in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "HazardStatusEnum": "gridcheck.hazards.choices.HazardStatus",
        "HazardSeverityEnum": "gridcheck.hazards.choices.HazardSeverity",
        "HazardCategoryEnum": "gridcheck.hazards.choices.HazardCategory",
        "NoticeKindEnum": "gridcheck.hazards.choices.NoticeKind",
        "NoticeChannelEnum": "gridcheck.hazards.choices.DeliveryChannel",
    }
)
# --- end hazards ---------------------------------------------------------------------------------

# --- meter data and line loss (gridcheck.readings, gridcheck.lineloss) ----------------------------
INSTALLED_APPS += [
    "django_tasks_db",
    "gridcheck.readings",
    "gridcheck.lineloss",
]
# Background jobs (monthly analysis) are rows in our own database; `gridcheck db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Meter-data files larger than this are refused before they are read [bytes].
GRIDCHECK_METER_DATA_MAX_BYTES = env.int("GRIDCHECK_METER_DATA_MAX_BYTES", default=200 * 1024 * 1024)
# Ibis backend of the monthly analysis: "duckdb" (embedded) or "pyspark".
GRIDCHECK_ANALYSIS_BACKEND = env.str("GRIDCHECK_ANALYSIS_BACKEND", default="duckdb")
# Spark master (spark://host:7077) of a cluster for the PySpark analysis runs: each such run submits the
# month to it from a child process (docs/scale-out.md). Empty: PySpark runs in-process, in local mode.
GRIDCHECK_SPARK_MASTER = env.str("GRIDCHECK_SPARK_MASTER", default="")
# Background runs (gridcheck.core.runs): a running run beats every GRIDCHECK_RUN_HEARTBEAT_S; one silent
# for GRIDCHECK_RUN_STALE_S is taken as dead (marked failed, its month may be started again), and so is a
# run that waited GRIDCHECK_RUN_QUEUED_MAX_S for a worker [s].
GRIDCHECK_RUN_HEARTBEAT_S = env.int("GRIDCHECK_RUN_HEARTBEAT_S", default=15)
GRIDCHECK_RUN_STALE_S = env.int("GRIDCHECK_RUN_STALE_S", default=120)
GRIDCHECK_RUN_QUEUED_MAX_S = env.int("GRIDCHECK_RUN_QUEUED_MAX_S", default=6 * 3600)
# The API schema names the runs' and the imports' status sets apart from the other "status" choice sets.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "AnalysisRunStatusEnum": "gridcheck.core.runs.RunStatus",
        "ImportStatusEnum": "gridcheck.readings.choices.ImportStatus",
    }
)
# --- end meter data and line loss -----------------------------------------------------------------

# --- theft and violation cases (gridcheck.cases) --------------------------------------------------
INSTALLED_APPS += ["gridcheck.cases"]
# The county-approval threshold is a rule: row "cases.approval_threshold_yuan" of the rule table.
# The case choice sets under their own names in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "CaseStatusEnum": "gridcheck.cases.choices.CaseStatus",
        "CaseKindEnum": "gridcheck.cases.choices.CaseKind",
        "CaseApprovalLevelEnum": "gridcheck.cases.choices.ApprovalLevel",
        "CaseApprovalDecisionEnum": "gridcheck.cases.choices.ApprovalDecision",
        # The approval "level" would otherwise collide with the qualification "level".
        "QualificationLevelEnum": "gridcheck.users.choices.QualificationLevel",
    }
)
# --- end cases ------------------------------------------------------------------------------------

# --- inspections (gridcheck.inspections): plans, work orders, field visits, seals, tip-offs -------
# Seals and sealing pliers (gridcheck.seals) sit below inspections: inspections may import them.
INSTALLED_APPS += ["gridcheck.seals", "gridcheck.inspections"]
# Largest visit photo accepted [bytes]; only JPEG and PNG are accepted.
# The phone visit page sends its photos (each up to GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES) base64-encoded in
# one JSON body: the request may carry several full-size photos, not Django's default 2.5 MB [bytes].
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=64 * 1024 * 1024)
GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES = env.int(
    "GRIDCHECK_INSPECTION_PHOTO_MAX_BYTES", default=8 * 1024 * 1024
)
# Due days, the tip-off visit time, the hazard deadline, patrol frequencies and the number of inspectors
# are station rules: rows "inspections.*" and "seals.*" of the rule table (gridcheck.core.rules).
# The inspection choice sets under their own names in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "WorkOrderStatusEnum": "gridcheck.inspections.choices.WorkOrderStatus",
        "WorkOrderSourceEnum": "gridcheck.inspections.choices.WorkOrderSource",
        "SealStatusEnum": "gridcheck.seals.choices.SealStatus",
        "TipOffStatusEnum": "gridcheck.inspections.choices.TipOffStatus",
        "InspectionPlanStatusEnum": "gridcheck.inspections.choices.PlanStatus",
    }
)
# --- end inspections ------------------------------------------------------------------------------

# --- theft detection (gridcheck.detection): ranked suspects with reasons ----------------------------
INSTALLED_APPS += ["gridcheck.detection"]
# `gridcheck analyse` and the monthly analysis task also score the month for theft once its line loss
# is written (`gridcheck detect --month` scores a month alone).
GRIDCHECK_DETECTION_AFTER_ANALYSIS = env.bool("GRIDCHECK_DETECTION_AFTER_ANALYSIS", default=True)
# The model registry (gridcheck_analytics.detection.models): `gridcheck detect train` saves each model
# trained on the closed inspection cases there and makes it current (<dir>/current.json). Empty: the
# folder `models` under GRIDCHECK_DATA_DIR.
GRIDCHECK_DETECTION_MODEL_DIR = env.str("GRIDCHECK_DETECTION_MODEL_DIR", default="")
# A trained detection model that scores the runs whatever the registry's current model: the path of a
# saved version (<registry>/<name>/<version>) or of a name (its latest version). Empty: the registry's
# current model, or, before any training, the rules and the unsupervised peer-group score. Each
# detection run records the version that scored it.
GRIDCHECK_DETECTION_MODEL = env.str("GRIDCHECK_DETECTION_MODEL", default="")
# A customer meter is a suspect when a theft rule fired, or when its combined score reaches this [0-1]
# (the analytics explain every score; a low model score alone does not make an inspection worthwhile).
GRIDCHECK_DETECTION_MIN_SCORE = env.float("GRIDCHECK_DETECTION_MIN_SCORE", default=0.5)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {"SuspectStatusEnum": "gridcheck.detection.choices.SuspectStatus"}
)
# --- end theft detection ----------------------------------------------------------------------------

# --- meter reading and billing (gridcheck.billing): books, cycles, readings, bills, refunds ---------
INSTALLED_APPS += ["gridcheck.billing"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "BillStatusEnum": "gridcheck.billing.choices.BillStatus",
        "ReadingSourceEnum": "gridcheck.billing.choices.ReadingSource",
    }
)

# --- collection (gridcheck.collection): receivables, payments, late fees, dunning, disconnection, cash --
INSTALLED_APPS += ["gridcheck.collection"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "PaymentChannelEnum": "gridcheck.collection.choices.PaymentChannel",
        "PaymentKindEnum": "gridcheck.collection.choices.PaymentKind",
        "PaymentStatusEnum": "gridcheck.collection.choices.PaymentStatus",
        "DunningChannelEnum": "gridcheck.collection.choices.DunningChannel",
        "StockKindEnum": "gridcheck.collection.choices.StockKind",
    }
)
# --- end collection --------------------------------------------------------------------------------

# --- supply contracts, temporary supply, metering assets (gridcheck.contracts, .temporary_supply,
# .metering); the business census (gridcheck.census) sits above the audit
INSTALLED_APPS += ["gridcheck.metering", "gridcheck.contracts", "gridcheck.temporary_supply"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "TemporarySupplyStatusEnum": "gridcheck.temporary_supply.choices.SupplyStatus",
        "CustomerCategoryEnum": "gridcheck.archive.choices.CustomerCategory",
    }
)
# --- end contracts ---------------------------------------------------------------------------------

# --- marketing audit (gridcheck.audit): rule library, runs, findings to closure -----------------------
INSTALLED_APPS += ["gridcheck.audit"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "FindingStatusEnum": "gridcheck.audit.choices.FindingStatus",
        "AuditModuleEnum": "gridcheck.audit.choices.Module",
        "AuditThemeEnum": "gridcheck.audit.choices.Theme",
        "AuditSeverityEnum": "gridcheck.audit.choices.Severity",
    }
)
# --- end audit -------------------------------------------------------------------------------------

# --- the quarterly business census (gridcheck.census) ----------------------------------------------
INSTALLED_APPS += ["gridcheck.census"]
# --- end census ------------------------------------------------------------------------------------

# --- assessment (gridcheck.assessment): KPIs and monthly scorecards; the station's reports (gridcheck.reports)
INSTALLED_APPS += ["gridcheck.assessment", "gridcheck.reports"]
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "AdjustmentKindEnum": "gridcheck.assessment.choices.AdjustmentKind",
        "ReportKindEnum": "gridcheck.reports.kinds.ReportKind",
    }
)
# --- end assessment --------------------------------------------------------------------------------

# --- servicedesk (gridcheck.servicedesk): the electricians' service desk (电工之家) ----------------------
INSTALLED_APPS += ["gridcheck.servicedesk"]
# Largest photo of a consultation or complaint accepted [bytes] (checked and re-encoded by core.uploads).
GRIDCHECK_SERVICEDESK_PHOTO_MAX_BYTES = env.int(
    "GRIDCHECK_SERVICEDESK_PHOTO_MAX_BYTES", default=5 * 1024 * 1024
)
# Largest PDF attached to a guidance document [bytes].
GRIDCHECK_SERVICEDESK_ATTACHMENT_MAX_BYTES = env.int(
    "GRIDCHECK_SERVICEDESK_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024
)
# Photos one question may carry.
GRIDCHECK_SERVICEDESK_MAX_PHOTOS = 6
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "ConsultationStatusEnum": "gridcheck.servicedesk.choices.ConsultationStatus",
        "ConsultationTopicEnum": "gridcheck.servicedesk.choices.Topic",
        "ComplaintStatusEnum": "gridcheck.servicedesk.choices.ComplaintStatus",
        "ComplaintSubjectEnum": "gridcheck.servicedesk.choices.ComplaintSubject",
        "AnnouncementKindEnum": "gridcheck.servicedesk.choices.AnnouncementKind",
        "AnnouncementReachEnum": "gridcheck.servicedesk.choices.AnnouncementReach",
        "GuidanceAudienceEnum": "gridcheck.servicedesk.choices.Audience",
        "CampaignKindEnum": "gridcheck.servicedesk.choices.CampaignKind",
        "CampaignStatusEnum": "gridcheck.servicedesk.choices.CampaignStatus",
        "TypicalCaseStatusEnum": "gridcheck.servicedesk.choices.TypicalCaseStatus",
        "SubjectEnum": "gridcheck.assessment.choices.Subject",  # assessment's, named as before
    }
)
# --- end servicedesk -------------------------------------------------------------------------------

# --- demo (gridcheck.demo): `gridcheck demo`, the top layer that builds a county from every app -------
INSTALLED_APPS += ["gridcheck.demo"]
