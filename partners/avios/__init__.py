"""The Avios Credit Currency contract (spec/avios-credit-currency-api.txt): shared by the
outbound connector, the bundled sandbox programme and our inbound credit door."""
