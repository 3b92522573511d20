"""Signing in through the real form, in a real browser."""

from collections.abc import Callable

from playwright.sync_api import Page, expect

from cistern.staff.roles import Role
from tests.factories.staff import CAST, staff_user


def test_a_csr_signs_in_and_lands_on_the_workspace(signed_in_page: Callable[[Role], Page]):
    # Given the CSR I of the cast, when she signs in through the form
    page = signed_in_page(Role.CSR_I)

    # Then she is on the workspace, and the top bar names her and her role
    assert page.url.endswith("/")
    expect(page.get_by_role("banner")).to_contain_text("CSR I")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_wrong_password_keeps_the_form_and_says_so(page: Page):
    # Given a CSR I, when someone types her username with a wrong password
    staff_user(Role.CSR_I)
    page.goto("/staff/login/")
    page.get_by_label("Username").fill(CAST[Role.CSR_I][0])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    # Then the sign-in form is shown again with an error, and nobody is signed in
    expect(page.locator(".errorlist")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert "/staff/login/" in page.url
