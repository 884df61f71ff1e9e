"""What people take away from Bothand: printable summaries, calendar files, charts.

Renderers here turn domain objects into bytes or text. They hold no clinical rules (those live
in ``bothand.domain``) and read no content files (that is ``bothand.catalog``'s job).
"""
