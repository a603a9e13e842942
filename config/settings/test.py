"""Test settings: only overrides of base.py."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DATABASES = {"default": env.db_url("DATABASE_URL", default="sqlite:///:memory:")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ""}
# Each test process its own cache in memory (conftest empties it before each test).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests change rows with services between two visits of a list: rows rendered afresh (the cache has its
# own tests, which switch it on).
GRIDCHECK_LIST_ROWS_CACHE_S = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env.str("GRIDCHECK_TEST_DB_NAME", default=""):
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": env.str("GRIDCHECK_TEST_DB_NAME")}
