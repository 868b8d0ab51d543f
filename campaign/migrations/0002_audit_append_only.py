"""On PostgreSQL the audit table refuses UPDATE and DELETE, whoever asks (等保: the log cannot
be edited). SQLite, the laptop default, relies on the application never issuing them."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION campaign_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'campaign_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER campaign_auditevent_append_only
    BEFORE UPDATE OR DELETE ON campaign_auditevent
    FOR EACH ROW EXECUTE FUNCTION campaign_auditevent_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS campaign_auditevent_append_only ON campaign_auditevent;
DROP FUNCTION IF EXISTS campaign_auditevent_append_only();
"""


def forbid(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID, params=None)


def allow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW, params=None)


class Migration(migrations.Migration):
    dependencies = [("campaign", "0001_initial")]

    operations = [migrations.RunPython(forbid, allow)]
