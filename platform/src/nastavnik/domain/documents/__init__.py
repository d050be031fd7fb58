"""Documents the platform fills from its data: orders and the like, as .docx.

Importing this package needs no database or settings: it is plain rendering.
"""
