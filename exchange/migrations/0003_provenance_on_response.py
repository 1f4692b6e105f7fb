# Provenance moves onto the response (surveys 0006): each imported response
# gets its job, row and interviewer from its ImportedResponse row and loses its
# placeholder resume digest ("import:<job>:<row>", never resumable), then the
# provenance table goes.

from django.db import migrations
from django.db.models import OuterRef, Subquery


def provenance_onto_responses(apps, schema_editor):
    imported = apps.get_model("exchange", "ImportedResponse")
    response = apps.get_model("surveys", "Response")
    source = imported.objects.filter(response_id=OuterRef("pk"))
    response.objects.filter(pk__in=imported.objects.values("response_id")).update(
        import_job=Subquery(source.values("job_id")[:1]),
        import_row=Subquery(source.values("row_number")[:1]),
        interviewer=Subquery(source.values("interviewer")[:1]),
        resume_digest=None,
    )


def provenance_back(apps, schema_editor):
    imported = apps.get_model("exchange", "ImportedResponse")
    response = apps.get_model("surveys", "Response")
    rows = response.objects.filter(import_job__isnull=False).only(
        "pk", "import_job", "import_row", "interviewer"
    )
    for chunk_start in range(0, rows.count(), 10_000):
        chunk = list(rows.order_by("pk")[chunk_start : chunk_start + 10_000])
        imported.objects.bulk_create(
            imported(
                response_id=r.pk,
                job_id=r.import_job,
                row_number=r.import_row or 0,
                interviewer=r.interviewer,
            )
            for r in chunk
        )
        for r in chunk:
            r.resume_digest = f"import:{r.import_job:010d}:{r.import_row or 0:09d}"
        response.objects.bulk_update(chunk, ["resume_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0002_prepared_rows"),
        ("surveys", "0006_response_import_provenance"),
    ]

    operations = [
        migrations.RunPython(provenance_onto_responses, provenance_back),
        migrations.DeleteModel(name="ImportedResponse"),
    ]
