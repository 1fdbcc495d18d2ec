"""A PostgreSQL trigger that keeps posted ledger transactions immutable.

The model refuses edits and deletes too; the trigger holds even for raw SQL, bulk updates and
other clients of the database. A pending transaction may still be edited (amount, release date,
reason...) through the ledger; a posted one may only change status, along these transitions:
pending -> completed | cancelled, completed -> reversed | adjusted,
pending_external_approval -> completed | rejected. No transaction may be deleted.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION loyalty_transaction_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    status_fields text[] := ARRAY[
        'status', 'status_message', 'status_message_code', 'completed_at', 'loyalty_system_id'
    ];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'ledger transaction % cannot be deleted; reverse or cancel it',
            OLD.public_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.id <> OLD.id
       OR NEW.public_id <> OLD.public_id
       OR NEW.loyalty_currency_id <> OLD.loyalty_currency_id
       OR NEW.origin_account_id <> OLD.origin_account_id
       OR NEW.destination_account_id <> OLD.destination_account_id
       OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'ledger transaction % cannot change its identity or accounts',
            OLD.public_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF NEW.status <> OLD.status AND NOT (
           (OLD.status = 'pending' AND NEW.status IN ('completed', 'cancelled'))
        OR (OLD.status = 'completed' AND NEW.status IN ('reversed', 'adjusted'))
        OR (OLD.status = 'pending_external_approval' AND NEW.status IN ('completed', 'rejected'))
    ) THEN
        RAISE EXCEPTION 'ledger transaction % cannot go from % to %',
            OLD.public_id, OLD.status, NEW.status USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status <> 'pending'
       AND (to_jsonb(NEW) - status_fields) IS DISTINCT FROM (to_jsonb(OLD) - status_fields) THEN
        RAISE EXCEPTION 'posted ledger transaction % cannot be edited; only its status may change',
            OLD.public_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS loyalty_transaction_guard ON loyalty_transaction;
CREATE TRIGGER loyalty_transaction_guard
    BEFORE UPDATE OR DELETE ON loyalty_transaction
    FOR EACH ROW EXECUTE FUNCTION loyalty_transaction_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS loyalty_transaction_guard ON loyalty_transaction;
DROP FUNCTION IF EXISTS loyalty_transaction_guard();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
