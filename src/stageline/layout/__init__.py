"""Layout: a blueprint and a view become an immutable scene of boxes, arrows, lines and text.

``layout(bp, view, theme)`` in :mod:`stageline.layout.engine` is the entry point; views are
chosen in :mod:`stageline.layout.view`, themes in :mod:`stageline.layout.theme`.
"""

__all__: list[str] = []
