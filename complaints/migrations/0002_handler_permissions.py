"""Give the Complaint handlers group (and Officials' statistics view) the
complaints app's permissions, on a fresh database and on an existing one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make them now.
    app_config = apps.get_app_config("complaints")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    from accounts.roles import sync_roles

    sync_roles(apps)


def revoke(apps, schema_editor):
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    complaint_permissions = permission.objects.filter(
        content_type__app_label="complaints"
    )
    for role in group.objects.all():
        role.permissions.remove(*complaint_permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
