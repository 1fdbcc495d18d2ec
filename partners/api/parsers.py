"""The request body parser: DRF's JSON parser, with a bound on nesting.

Python's JSON parser recurses once per level, so a body nested a thousand levels deep would end
in a RecursionError (a 500); and even a shallower one would have every validator walk it.
A body nested more than MAX_DEPTH levels is a 400 here, measured without recursion. (Strings the
database cannot store, NUL and lone surrogates, are the fields' business: partners.api.fields.)
"""

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep."


def depth_exceeds(data, limit: int) -> bool:
    """Whether objects and lists nest deeper than `limit` in `data`."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


class ContractJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(TOO_DEEP) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise exceptions.ParseError(TOO_DEEP)
        return data
