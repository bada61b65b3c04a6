"""Safe HTML shared by every page specwright writes (reports, histories, diffs, the site).

``_escape`` builds markup that escapes by construction (:class:`Html`, ``el``); ``_assets``
holds the pages' one stylesheet and script with their content-security hashes; ``_page`` is
the offline page shell. It sits below every stage that renders a page, so the write stage's
site and diff use it without reaching up into the report stage.
"""
