"""People, organisations (providers, employers, the operator) and what role each person has where."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.translation import TranslatedTextField, translated


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="fi"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", _("Higher-education institution (provider)")
    EMPLOYER = "employer", _("Employer or other organisation")
    OPERATOR = "operator", _("Platform operator")


class Organisation(models.Model):
    """A tenant: a university that provides micro-credentials, an employer, or the operator."""

    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    name = TranslatedTextField(_("name"))
    description = TranslatedTextField(_("description"))
    country = models.CharField(_("country (ISO 3166-1)"), max_length=2, default="FI")
    city = models.CharField(_("city"), max_length=100, blank=True)
    homepage = models.URLField(_("website"), blank=True)
    institution_code = models.CharField(
        _("institution code (Statistics Finland)"), max_length=10, blank=True
    )
    business_id = models.CharField(_("business ID (Y-tunnus)"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["slug"]

    def __str__(self) -> str:
        return translated(self.name) or self.slug

    @property
    def display_name(self) -> str:
        return translated(self.name) or self.slug

    @property
    def is_provider(self) -> bool:
        return self.kind == OrganisationKind.PROVIDER


class Role(models.TextChoices):
    PROVIDER_ADMIN = "provider_admin", _("Administrator")
    DESIGNER = "designer", _("Designer")
    REGISTRAR = "registrar", _("Registrar")
    TEACHER = "teacher", _("Teacher")
    EMPLOYER_ADMIN = "employer_admin", _("Employer administrator")
    EMPLOYER_MEMBER = "employer_member", _("Employee")
    OPERATOR = "operator", _("Operator")


ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.PROVIDER: frozenset({Role.PROVIDER_ADMIN, Role.DESIGNER, Role.REGISTRAR, Role.TEACHER}),
    OrganisationKind.EMPLOYER: frozenset({Role.EMPLOYER_ADMIN, Role.EMPLOYER_MEMBER}),
    OrganisationKind.OPERATOR: frozenset({Role.OPERATOR}),
}


class Membership(models.Model):
    """A person's role in an organisation; a person may hold several roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


class ApiToken(models.Model):
    """A personal API token acting for one organisation; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
