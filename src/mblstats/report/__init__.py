"""Chapter-level results: library computations joined with the study's published numbers.

Each function returns one table or result that a chapter shows. The computing happens in
``cohort``, ``stats``, ``selection`` and ``models``. This package only joins their results with
the published values, so that a chapter calls one function per table.
"""
