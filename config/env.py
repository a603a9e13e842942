"""Environment reading, in one place (django-environ).

Every setting that differs between a laptop demo, CI and production comes from the environment:
``DATABASE_URL`` (default: SQLite under ``var/``), ``GRIDCHECK_DATA_DIR``, ``GRIDCHECK_SPARK_MASTER`` (a
Spark cluster for the analysis, default none), ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS`` and
``USE_<INTEGRATION>`` flags.
"""

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Read before anything chooses the settings module (manage.py, wsgi.py and the console script call
# ``settings_module()``), so that DJANGO_SETTINGS_MODULE and DEBUG in .env take effect.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("GRIDCHECK_VAR_DIR", default=str(BASE_DIR / "var")))


def settings_module() -> str:
    """The settings module: DJANGO_SETTINGS_MODULE from the environment or .env, else the base settings."""
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def local_secret_key() -> str:
    """This installation's own random secret key, made once under ``VAR_DIR`` (never a known default)."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        temporary = VAR_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(temporary, path)  # atomic: the first process to finish wins, the others read its key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()
