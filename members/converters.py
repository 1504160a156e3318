"""Path converters. `id` is `int` limited to 18 digits: a larger number in an address is
a 404 rather than a database overflow."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
