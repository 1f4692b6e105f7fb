from django.db import migrations

WORKFLOW_NAME = "Questionnaire review"
TASK_NAME = "Lead assessor approval"
LEAD_ASSESSORS = "Lead assessors"


def create_workflow(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    task_model = apps.get_model("wagtailcore", "GroupApprovalTask")
    workflow_model = apps.get_model("wagtailcore", "Workflow")
    workflow_task_model = apps.get_model("wagtailcore", "WorkflowTask")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    leads, _ = group_model.objects.get_or_create(name=LEAD_ASSESSORS)
    content_type, _ = content_type_model.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = task_model.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = task_model.objects.create(
            name=TASK_NAME, active=True, content_type=content_type
        )
    task.groups.add(leads)
    workflow, _ = workflow_model.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    workflow_task_model.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )


def remove_workflow(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(
        name=WORKFLOW_NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_surveys_responses_bank"),
        ("accounts", "0001_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
