"""A Django user model over the `users` table that `accounts` creates.

This is the model a Django site uses to share the table (see docs/django.md); the test suite
uses it to check that Django reads and accepts what `accounts` writes, and the reverse.
"""
import os

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class User(AbstractBaseUser):
    # AbstractBaseUser brings `password` and `last_login`.
    user_id = models.CharField(max_length=150, unique=True)
    email = models.EmailField()
    is_active = models.BooleanField(default=False)
    level = models.TextField(null=True, blank=True)
    department = models.TextField(null=True, blank=True)
    date_joined = models.DateTimeField()
    activation_sent_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = BaseUserManager()

    USERNAME_FIELD = "user_id"
    EMAIL_FIELD = "email"

    class Meta:
        app_label = "sharedsite"
        db_table = "users"
        # accounts owns the schema and its migrations; with DJ_MANAGED=1 the tests let Django's
        # migrate make the table instead, for accounts to adopt (docs/django.md shows both).
        managed = os.environ.get("DJ_MANAGED") == "1"
