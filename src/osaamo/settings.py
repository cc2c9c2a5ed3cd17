"""Django settings for Osaamo; every deployment value comes from `osaamo.config`."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from osaamo.config import SOURCE_ROOT, config

SECRET_KEY = config.secret_key
DEBUG = config.debug
BASE_URL = config.base_url
OSAAMO_KEY_ENCRYPTION_KEY = config.key_encryption_key
OSAAMO_PRODUCTION = config.production

_base_host = urlsplit(config.base_url).hostname or "127.0.0.1"
ALLOWED_HOSTS = list(config.allowed_hosts) or [_base_host, "127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [config.base_url]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API documentation's Swagger UI from our own static files (works offline)
    "osaamo.web",
    "osaamo.audit",
    "osaamo.accounts",
    "osaamo.framework",
    "osaamo.catalog",
    "osaamo.enrolment",
    "osaamo.credentials",
    "osaamo.assessment",
    "osaamo.demand",
    "osaamo.demo",
    "osaamo.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "osaamo.urls"
WSGI_APPLICATION = "osaamo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "osaamo.web.context_processors.site",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(config.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    config.var_dir.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "catalog:list"

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [SOURCE_ROOT / "locale"]  # project-wide strings; each app also has its own locale/
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = config.var_dir / "static"

EMAIL_BACKEND = os.environ.get("OSAAMO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("OSAAMO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("OSAAMO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("OSAAMO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OSAAMO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("OSAAMO_EMAIL_TLS", "") == "1"
DEFAULT_FROM_EMAIL = config.default_from_email

TASKS = {
    "default": {
        "BACKEND": os.environ.get("OSAAMO_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if config.production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OSAAMO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
