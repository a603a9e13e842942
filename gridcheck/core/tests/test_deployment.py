"""Deployment safety: error pages, the secret key, .env read before the settings are chosen, exports."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_a_missing_page_is_a_chinese_page_without_the_url_list(client, county):
    client.force_login(county.users["reader_east"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert 'data-testid="error-page"' in text and "页面" in text
    assert "URLconf" not in text and "Using the URLconf" not in text


@pytest.mark.django_db
def test_a_refused_page_is_a_chinese_page(client, county):
    client.force_login(county.users["liaison"])
    response = client.get("/staff/qualifications/")
    assert response.status_code == 403
    assert 'data-testid="error-page"' in response.content.decode()


def _python(code: str, env: dict) -> str:
    full = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_debug_is_off_and_the_secret_is_not_a_known_default(tmp_path):
    out = _python(
        "from config.env import settings_module; settings_module(); "
        "from django.conf import settings; print(settings.DEBUG, len(settings.SECRET_KEY), settings.SECRET_KEY)",
        {"GRIDCHECK_VAR_DIR": str(tmp_path)},
    )
    debug, length, key = out.split()
    assert debug == "False" and int(length) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == key
    again = _python(
        "from config.env import settings_module; settings_module(); "
        "from django.conf import settings; print(settings.SECRET_KEY)",
        {"GRIDCHECK_VAR_DIR": str(tmp_path)},
    )
    assert again == key  # one key per installation, kept


def test_production_settings_in_dotenv_are_chosen_before_the_settings_load(tmp_path):
    """``.env`` naming the production settings must take effect (it used to be read too late)."""
    code = (
        "import config.env as e, environ, pathlib; "
        f"environ.Env.read_env(pathlib.Path({str(tmp_path / '.env')!r}), overwrite=False); "
        "print(e.settings_module())"
    )
    (tmp_path / ".env").write_text("DJANGO_SETTINGS_MODULE=config.settings.production\n")
    assert _python(code, {"GRIDCHECK_VAR_DIR": str(tmp_path)}) == "config.settings.production"
    manage = (ROOT / "manage.py").read_text() + (ROOT / "config" / "wsgi.py").read_text()
    assert "settings_module()" in manage and 'setdefault("DJANGO_SETTINGS_MODULE"' not in manage


def test_production_check_deploy_has_no_warning(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "-production-secret-0123456789abcdefghij",
        "ALLOWED_HOSTS": "gridcheck.example.cn",
        "GRIDCHECK_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "sqlite:///" + str(tmp_path / "db.sqlite3"),
    }
    full = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    full.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_formula_text_exports_as_text_not_a_formula(county):
    from gridcheck.archive.models import Customer
    from gridcheck.core.exports import export_xlsx

    customer = county.customers["east11"]
    Customer.objects.filter(pk=customer.pk).update(name='=HYPERLINK("http://x","点我")', address="+1-2@3")
    book = load_workbook(io.BytesIO(export_xlsx("customers", Customer.objects.filter(pk=customer.pk))))
    sheet = book.active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    texts = {cell.value: cell.data_type for cell in cells if isinstance(cell.value, str)}
    assert texts['=HYPERLINK("http://x","点我")'] == "s"
    assert texts["+1-2@3"] == "s"
    assert not any(cell.data_type == "f" for cell in cells)
