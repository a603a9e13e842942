"""Environment reading, in one place (django-environ).

Every setting that differs between a laptop demo, CI and production comes from the environment:
``DATABASE_URL`` (default: SQLite under ``var/``), ``GRIDCHECK_DATA_DIR``, ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS`` and ``USE_<INTEGRATION>`` flags.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("GRIDCHECK_VAR_DIR", default=str(BASE_DIR / "var")))
