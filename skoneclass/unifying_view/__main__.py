"""``python -m skoneclass.unifying_view``: the table of doc/unifying_view.rst."""

import sys

from . import to_rst, unifying_view_table

sys.stdout.write(to_rst(unifying_view_table()))
