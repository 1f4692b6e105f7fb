import pytest
from django.contrib.auth.models import Group

from accounts.roles import (
    ASSESSORS,
    COMPLAINT_HANDLERS,
    LEAD_ASSESSORS,
    OFFICIALS,
    ROLE_PERMISSIONS,
)
from tests.accounts.helpers import login_verified, member_of


def image_policy():
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(get_image_model())


def document_policy():
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(get_document_model())

pytestmark = pytest.mark.django_db


def test_the_migration_creates_every_role_group():
    assert set(ROLE_PERMISSIONS) <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize("role", [ASSESSORS, OFFICIALS, COMPLAINT_HANDLERS])
def test_every_role_can_reach_the_admin(client, role):
    login_verified(client, member_of(role))
    assert client.get("/admin/").status_code == 200


def test_an_official_cannot_edit_a_page(client, home_page):
    official = member_of(OFFICIALS)
    assert not home_page.permissions_for_user(official).can_edit()
    login_verified(client, official)
    response = client.get(f"/admin/pages/{home_page.pk}/edit/")
    assert response.status_code in (302, 403)


def test_an_official_cannot_change_reference_data(client):
    official = member_of(OFFICIALS)
    assert not official.has_perm("surveys.change_servicepoint")
    login_verified(client, official)
    assert client.get("/admin/snippets/surveys/servicepoint/add/").status_code in (
        302,
        403,
    )


def test_an_assessor_edits_pages_and_service_points_but_cannot_publish(home_page):
    assessor = member_of(ASSESSORS)
    permissions = home_page.permissions_for_user(assessor)
    assert permissions.can_edit()
    assert not permissions.can_publish()
    assert assessor.has_perm("surveys.add_servicepoint")


def test_a_lead_assessor_can_publish(home_page):
    lead = member_of(LEAD_ASSESSORS)
    assert home_page.permissions_for_user(lead).can_publish()


def test_an_assessor_cannot_manage_users(client):
    assessor = member_of(ASSESSORS)
    assert not assessor.has_perm("auth.change_user")
    login_verified(client, assessor)
    for url in ("/admin/users/", "/admin/groups/"):
        assert client.get(url).status_code in (302, 403), url


def test_a_complaint_handler_cannot_see_survey_data(client):
    handler = member_of(COMPLAINT_HANDLERS)
    assert not any(
        perm.startswith(("surveys.", "analysis."))
        for perm in handler.get_all_permissions()
    )
    login_verified(client, handler)
    assert client.get("/admin/snippets/surveys/servicepoint/").status_code in (302, 403)


def test_sync_roles_removes_a_permission_granted_by_hand():
    from django.contrib.auth.models import Permission

    from accounts.roles import sync_roles

    officials = Group.objects.get(name=OFFICIALS)
    officials.permissions.add(Permission.objects.get(codename="change_servicepoint"))
    sync_roles()
    assert not officials.permissions.filter(codename="change_servicepoint").exists()


@pytest.mark.parametrize("role", [ASSESSORS, LEAD_ASSESSORS])
def test_assessors_upload_and_choose_images_and_documents_in_the_root_collection(
    client, role
):
    assessor = member_of(role)
    for policy in (image_policy(), document_policy()):
        for action in ("add", "change", "choose"):
            assert policy.user_has_permission(assessor, action), (policy, action)
    login_verified(client, assessor)
    for url in (
        "/admin/images/multiple/add/",
        "/admin/documents/multiple/add/",
        "/admin/images/chooser/",
        "/admin/documents/chooser/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [OFFICIALS, COMPLAINT_HANDLERS])
def test_other_roles_get_no_image_or_document_permission(role):
    assert not image_policy().user_has_permission(member_of(role), "add")


def test_sync_roles_restores_the_collection_permissions_of_an_existing_database():
    from wagtail.models import GroupCollectionPermission

    from accounts.roles import sync_roles

    assessors = Group.objects.get(name=ASSESSORS)
    granted = GroupCollectionPermission.objects.filter(group=assessors)
    expected = set(granted.values_list("permission__codename", flat=True))
    assert "add_image" in expected and "add_document" in expected
    granted.filter(permission__codename="add_image").delete()
    officials = Group.objects.get(name=OFFICIALS)
    GroupCollectionPermission.objects.create(
        group=officials,
        collection=granted.first().collection,
        permission=granted.first().permission,
    )
    sync_roles()
    assert set(granted.values_list("permission__codename", flat=True)) == expected
    assert not GroupCollectionPermission.objects.filter(group=officials).exists()
