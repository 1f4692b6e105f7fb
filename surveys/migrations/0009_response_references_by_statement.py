"""The responses table's references are checked once per statement, not once
per row.

PostgreSQL checks a foreign key with one query per inserted row and key: a
million imported responses cost five million of them, about ten seconds of
the import's thirty (benchmarks/RESULTS.md). The five foreign keys of
``surveys_response`` are replaced by triggers that do the same work per
statement, set-based:

- after an INSERT, one statement trigger reads the new rows' distinct keys,
  locks the rows they refer to (``FOR KEY SHARE``, as PostgreSQL's own checks
  do, so that no concurrent transaction can delete them before this one
  commits) and refuses the statement if one is missing;
- after an UPDATE that changes a key, a row trigger does the same for the row;
- after a DELETE (or key UPDATE) on a referenced table, a trigger refuses it
  while a response still refers to the row (Django refuses first, through
  the fields' ``on_delete``; this guards raw SQL).

Errors are PostgreSQL's own ``foreign_key_violation`` (SQLSTATE 23503), which
Django raises as ``IntegrityError``. TRUNCATE, which bypasses triggers, is not
guarded. SQLite (the demo database) gets no triggers: Django's ``on_delete``
protects its rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (column of surveys_response, referenced table, its key)
REFERENCES = [
    ("survey_id", "surveys_surveypage", "page_ptr_id"),
    ("revision_id", "wagtailcore_revision", "id"),
    ("service_point_id", "surveys_servicepoint", "id"),
    ("invitation_id", "surveys_invitation", "id"),
    ("excluded_by_id", "auth_user", "id"),
]
REFERENCE_ROWS = ", ".join(
    f"('{column}', '{table}', '{key}')" for column, table, key in REFERENCES
)

# Raised by both checks below, worded as PostgreSQL's own foreign keys.
REFUSE_MISSING = """
CREATE FUNCTION surveys_response_refuse_missing(col text, parent text, missing text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE foreign_key_violation USING
        MESSAGE = format(
            'insert or update on table "surveys_response" violates its '
            'reference to "%s"', parent),
        DETAIL = format(
            'Key (%s)=(%s) is not present in table "%s".', col, missing, parent),
        TABLE = 'surveys_response', COLUMN = col;
END
$$;
"""


def _check_statement() -> str:
    """One query over the statement's new rows: their distinct combinations of
    keys (one pass), the rows they refer to locked ``FOR KEY SHARE``, and the
    first key that found no row."""
    columns = ", ".join(column for column, _table, _key in REFERENCES)
    locked = ",\n".join(
        f"    locked_{column} AS (SELECT p.{key} AS id FROM {table} p"  # noqa: S608
        f" WHERE p.{key} IN (SELECT {column} FROM used) FOR KEY SHARE OF p)"
        for column, table, key in REFERENCES
    )
    missing = "\n        UNION ALL\n".join(
        f"        SELECT '{column}' AS col, '{table}' AS parent,"  # noqa: S608
        f" min({column})::text AS missing FROM used"
        f" WHERE {column} NOT IN (SELECT id FROM locked_{column})"
        for column, table, _key in REFERENCES
    )
    return f"""
CREATE FUNCTION surveys_response_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    WITH used AS MATERIALIZED (
        SELECT {columns} FROM new_rows GROUP BY {columns}
    ),
{locked}
    SELECT col, parent, missing INTO bad FROM (
{missing}
    ) AS checked WHERE missing IS NOT NULL LIMIT 1;
    IF FOUND THEN
        PERFORM surveys_response_refuse_missing(bad.col, bad.parent, bad.missing);
    END IF;
    RETURN NULL;
END
$$;
"""  # noqa: S608 - formatted from the constant REFERENCES only


CHECK_ROW = f"""
CREATE FUNCTION surveys_response_check_row_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ref record;
    value text;
    present text;
BEGIN
    FOR ref IN SELECT * FROM (VALUES {REFERENCE_ROWS}) AS r (col, parent, key)
    LOOP
        value := to_jsonb(NEW) ->> ref.col;
        CONTINUE WHEN value IS NULL
            OR value IS NOT DISTINCT FROM to_jsonb(OLD) ->> ref.col;
        -- EXECUTE leaves FOUND as it was: read the key back instead.
        EXECUTE format(
            'SELECT %2$I::text FROM %1$I WHERE %2$I = $1::bigint FOR KEY SHARE',
            ref.parent, ref.key
        ) INTO present USING value;
        IF present IS NULL THEN
            PERFORM surveys_response_refuse_missing(ref.col, ref.parent, value);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
"""  # noqa: S608 - formatted from the constant REFERENCES only

# TG_ARGV: the referring column of surveys_response, the referenced key.
PROTECT_SQL = """
CREATE FUNCTION surveys_response_protect_referenced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    held text;
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        EXECUTE format(
            'SELECT min(o.%2$I)::text FROM old_rows o'
            ' WHERE EXISTS (SELECT 1 FROM surveys_response r WHERE r.%1$I = o.%2$I)',
            TG_ARGV[0], TG_ARGV[1]
        ) INTO held;
    ELSE
        held := to_jsonb(OLD) ->> TG_ARGV[1];
        EXECUTE format(
            'SELECT $1 FROM surveys_response WHERE %I = $1::bigint LIMIT 1', TG_ARGV[0]
        ) INTO held USING held;
    END IF;
    IF held IS NOT NULL THEN
        RAISE foreign_key_violation USING
            MESSAGE = format(
                'update or delete on table "%s" violates the reference from '
                'table "surveys_response"', TG_TABLE_NAME),
            DETAIL = format(
                'Key (%s)=(%s) is still referenced from table "surveys_response".',
                TG_ARGV[1], held),
            TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$;
"""


def _held_trigger(column: str) -> str:
    """The name stem of the triggers guarding the rows ``column`` refers to."""
    return f"surveys_response_{column}_held"


def _triggers():
    yield (
        "CREATE TRIGGER surveys_response_references_insert AFTER INSERT "
        "ON surveys_response REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION surveys_response_check_references()"
    )
    changed = " OR ".join(
        f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column, _t, _k in REFERENCES
    )
    yield (
        "CREATE TRIGGER surveys_response_references_update AFTER UPDATE "
        f"ON surveys_response FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION surveys_response_check_row_references()"
    )
    for column, table, key in REFERENCES:
        name = _held_trigger(column)
        yield (
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION surveys_response_protect_referenced('{column}', '{key}')"
        )
        yield (
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {key} ON {table} "
            f"FOR EACH ROW WHEN (OLD.{key} IS DISTINCT FROM NEW.{key}) "
            f"EXECUTE FUNCTION surveys_response_protect_referenced('{column}', '{key}')"
        )


def _drops():
    for column, table, _key in REFERENCES:
        name = _held_trigger(column)
        yield f"DROP TRIGGER IF EXISTS {name}_delete ON {table}"
        yield f"DROP TRIGGER IF EXISTS {name}_update ON {table}"
    for event in ("update", "insert"):
        yield (
            f"DROP TRIGGER IF EXISTS surveys_response_references_{event} "
            "ON surveys_response"
        )
    yield "DROP FUNCTION IF EXISTS surveys_response_protect_referenced()"
    yield "DROP FUNCTION IF EXISTS surveys_response_check_row_references()"
    yield "DROP FUNCTION IF EXISTS surveys_response_check_references()"
    yield "DROP FUNCTION IF EXISTS surveys_response_refuse_missing(text, text, text)"


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (
        REFUSE_MISSING,
        _check_statement(),
        CHECK_ROW,
        PROTECT_SQL,
        *_triggers(),
    ):
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _drops():
        schema_editor.execute(statement, params=None)


def _without_constraint(name, to, **options):
    return migrations.AlterField(
        model_name="response",
        name=name,
        field=models.ForeignKey(db_constraint=False, to=to, **options),
    )


PROTECT = django.db.models.deletion.PROTECT


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_response_invitation_query_name"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        _without_constraint(
            "excluded_by",
            settings.AUTH_USER_MODEL,
            blank=True,
            db_index=False,
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="+",
        ),
        _without_constraint(
            "invitation",
            "surveys.invitation",
            blank=True,
            db_index=False,
            null=True,
            on_delete=PROTECT,
            related_name="responses",
            related_query_name="response",
        ),
        _without_constraint(
            "revision", "wagtailcore.revision", on_delete=PROTECT, related_name="+"
        ),
        _without_constraint(
            "service_point",
            "surveys.servicepoint",
            blank=True,
            null=True,
            on_delete=PROTECT,
            related_name="responses",
        ),
        _without_constraint(
            "survey",
            "surveys.surveypage",
            db_index=False,
            on_delete=PROTECT,
            related_name="responses",
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
