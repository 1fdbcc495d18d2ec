"""`page` and `page_size` (1-500, default 50) with the contract's envelope.

`next` and `previous` are query strings such as "?page=2&page_size=10", as in the contract's
examples, carrying the request's other parameters along. Malformed values are a 400.
"""

from collections import OrderedDict

from django.core.paginator import InvalidPage
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


def _positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        bounds = f"between 1 and {maximum}" if maximum else "1 or more"
        raise exceptions.ValidationError({name: [f"Must be a whole number {bounds}."]})
    return value


class ContractPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_query_param = "page"
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        return _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        number = _positive_int(request, "page", 1)
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise exceptions.NotFound(f"Page {number} does not exist.") from exc
        return list(self.page)

    def _link(self, number: int | None) -> str | None:
        if number is None:
            return None
        params = self.request.query_params.copy()
        params[self.page_query_param] = str(number)
        return "?" + params.urlencode()

    def get_next_link(self):
        return self._link(self.page.next_page_number() if self.page.has_next() else None)

    def get_previous_link(self):
        return self._link(self.page.previous_page_number() if self.page.has_previous() else None)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                count=self.page.paginator.count,
                next=self.get_next_link(),
                previous=self.get_previous_link(),
                results=data,
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 10},
                "next": {"type": "string", "nullable": True, "example": "?page=2"},
                "previous": {"type": "string", "nullable": True, "example": None},
                "results": schema,
            },
        }
