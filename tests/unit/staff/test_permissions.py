"""The permission table follows the job description's tiers; the Auditor only reads."""

import itertools

import pytest

from cistern.staff.permissions import (
    CSR_TIERS,
    DESCRIPTIONS,
    PERMISSIONS,
    READ_ACTIONS,
    Action,
    actions_for,
)
from cistern.staff.roles import Role


def allowed(role: Role) -> set[Action]:
    return set(actions_for(role))


@pytest.mark.parametrize(("lower", "higher"), list(itertools.pairwise(CSR_TIERS)))
def test_each_csr_tier_may_do_everything_the_tier_below_may(lower: Role, higher: Role) -> None:
    assert allowed(lower) <= allowed(higher), allowed(lower) - allowed(higher)


def test_the_csr_tiers_run_from_csr_i_to_the_manager() -> None:
    assert CSR_TIERS == (Role.CSR_I, Role.CSR_II, Role.CSR_III, Role.CSR_SENIOR, Role.MANAGER)


def test_each_csr_tier_above_csr_i_adds_something() -> None:
    for lower, higher in itertools.pairwise(CSR_TIERS):
        assert allowed(higher) > allowed(lower), f"{higher} adds nothing over {lower}"


def test_the_manager_may_do_everything_a_senior_may() -> None:
    assert allowed(Role.CSR_SENIOR) <= allowed(Role.MANAGER)


def test_the_auditor_has_only_read_actions() -> None:
    assert allowed(Role.AUDITOR) <= READ_ACTIONS
    assert allowed(Role.AUDITOR) == READ_ACTIONS, "the Auditor reads everything"


def test_read_actions_are_named_as_views() -> None:
    for action in READ_ACTIONS:
        assert action.value.endswith((".view", ".search")), action


def test_every_action_has_roles_and_a_description() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert set(DESCRIPTIONS) == set(Action)
    assert all(PERMISSIONS[a] for a in Action)


def test_only_the_administrator_manages_staff_and_district_settings() -> None:
    assert PERMISSIONS[Action.STAFF_MANAGE] == {Role.ADMIN}
    assert PERMISSIONS[Action.DISTRICT_SETTINGS_EDIT] == {Role.ADMIN}


def test_every_role_can_open_the_workspace() -> None:
    assert PERMISSIONS[Action.WORKSPACE_VIEW] == set(Role)
