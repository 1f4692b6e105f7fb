"""The platform's roles as Django groups, with exactly the permissions each needs.

Permissions are named by ``app_label.codename`` patterns, so a role also gets
the permissions of models an app adds later: ``sync_roles`` runs after every
``migrate`` (permissions only exist once their app has migrated).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

ASSESSORS = "Assessors"
LEAD_ASSESSORS = "Lead assessors"
OFFICIALS = "Officials"
COMPLAINT_HANDLERS = "Complaint handlers"

ADMIN_ACCESS = "wagtailadmin.access_admin"

# Questionnaires, service points, margins and imports; never users or groups.
_ASSESSOR_PERMISSIONS = (
    ADMIN_ACCESS,
    "surveys.*",
    "analysis.*_wave",
    "analysis.*_populationmargin",
    "analysis.*_rollupweight",
    "analysis.run_index_pipeline",
    "analysis.view_*",
    "analysis.download_report",
    "wagtailimages.*",
    "wagtaildocs.*",
)

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ASSESSORS: _ASSESSOR_PERMISSIONS,
    LEAD_ASSESSORS: _ASSESSOR_PERMISSIONS,
    # Dashboards and report downloads, no editing of anything.
    OFFICIALS: (
        ADMIN_ACCESS,
        "analysis.view_*",
        "analysis.download_report",
        "analysis.publish_results",
        "complaints.view_complaintstatistics",
    ),
    # Complaints only: no survey, response or analysis permission.
    COMPLAINT_HANDLERS: (ADMIN_ACCESS, "complaints.*"),
}

# Page tree permissions (wagtailcore GroupPagePermission) on the root page.
ROLE_PAGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ASSESSORS: ("add_page", "change_page"),
    LEAD_ASSESSORS: ("add_page", "change_page", "publish_page"),
}


# Image and document permissions (wagtailcore GroupCollectionPermission) on the
# root collection: Wagtail checks these, not the model permissions above, so
# without them an assessor cannot upload an illustration or a methodology PDF.
ROLE_COLLECTION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    role: tuple(
        f"{app_label}.{action}_{model}"
        for app_label, model in (
            ("wagtailimages", "image"),
            ("wagtaildocs", "document"),
        )
        for action in ("add", "change", "delete", "choose")
    )
    for role in (ASSESSORS, LEAD_ASSESSORS)
}


def permission_matches(role: str, app_label: str, codename: str) -> bool:
    """Whether ``app_label.codename`` belongs to ``role``."""
    name = f"{app_label}.{codename}"
    return any(fnmatchcase(name, pattern) for pattern in ROLE_PERMISSIONS[role])


def sync_roles(apps=None) -> None:
    """Create the role groups and set their permissions to exactly the patterns'.

    ``apps`` is a migration state registry, or None for the live models.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    page_permission_model = apps.get_model("wagtailcore", "GroupPagePermission")
    page_model = apps.get_model("wagtailcore", "Page")
    all_permissions = list(
        permission_model.objects.select_related("content_type").all()
    )
    root = page_model.objects.filter(depth=1).first()
    root_collection = (
        apps.get_model("wagtailcore", "Collection").objects.filter(depth=1).first()
    )
    for role in ROLE_PERMISSIONS:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(
            [
                perm
                for perm in all_permissions
                if permission_matches(role, perm.content_type.app_label, perm.codename)
            ]
        )
        if root_collection is not None:
            _sync_collection_permissions(
                apps, group, root_collection, all_permissions, role
            )
        page_codenames = ROLE_PAGE_PERMISSIONS.get(role, ())
        if root is None:
            continue
        page_model_permissions = {
            perm.codename: perm
            for perm in all_permissions
            if perm.content_type.app_label == "wagtailcore"
            and perm.codename in page_codenames
        }
        page_permission_model.objects.filter(group=group, page=root).exclude(
            permission__codename__in=page_codenames
        ).delete()
        for codename in page_codenames:
            if codename in page_model_permissions:
                page_permission_model.objects.get_or_create(
                    group=group, page=root, permission=page_model_permissions[codename]
                )


def _sync_collection_permissions(apps, group, collection, all_permissions, role):
    """Set the group's permissions on ``collection`` to exactly the role's."""
    wanted = ROLE_COLLECTION_PERMISSIONS.get(role, ())
    permissions = [
        perm
        for perm in all_permissions
        if f"{perm.content_type.app_label}.{perm.codename}" in wanted
    ]
    model = apps.get_model("wagtailcore", "GroupCollectionPermission")
    model.objects.filter(group=group, collection=collection).exclude(
        permission__in=permissions
    ).delete()
    for perm in permissions:
        model.objects.get_or_create(
            group=group, collection=collection, permission=perm
        )
