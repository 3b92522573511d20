"""Shared fixtures: staff users by role and clients signed in as them."""

from collections.abc import Callable

import pytest
from django.test import Client

from cistern.staff.models import User
from cistern.staff.roles import Role
from tests.factories.staff import staff_user


@pytest.fixture
def user_for(db: None) -> Callable[[Role], User]:
    """``user_for(Role.CSR_I)``: the cast member for that role, created on first use."""
    return staff_user


@pytest.fixture
def client_for(db: None) -> Callable[[Role], Client]:
    """``client_for(Role.CSR_I)``: a test client signed in as that role's cast member."""

    def make(role: Role) -> Client:
        client = Client()
        client.force_login(staff_user(role))
        return client

    return make
