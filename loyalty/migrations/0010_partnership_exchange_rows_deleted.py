"""Exchanges live in ExchangePartnership: the exchange_in and exchange_out Partnership rows are
deleted before their types go (next migration). Those rows named one currency only, no exchange
ever read them and they cannot become exchange partnerships (which need the partner's currency
and a ratio)."""

from django.db import migrations

OLD_EXCHANGE_TYPES = ("exchange_in", "exchange_out")


def delete_exchange_partnerships(apps, schema_editor):
    Partnership = apps.get_model("loyalty", "Partnership")
    Partnership.objects.filter(type__in=OLD_EXCHANGE_TYPES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0009_exchanges_and_forwarding"),
    ]

    operations = [
        migrations.RunPython(delete_exchange_partnerships, migrations.RunPython.noop),
    ]
