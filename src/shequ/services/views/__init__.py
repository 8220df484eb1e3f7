"""Pages of the service desk: ``catalog`` (items, windows, qualifications),
``cases`` (the window: intake, case pages, lists, rectification), ``public``
(the resident's phone pages) and ``stats`` (figures with drill-down)."""
