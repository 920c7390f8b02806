"""Text cells that a spreadsheet would run as formulas, and how a CSV download must write them.

Shared by the DataStore download test (tests/security/test_downloads_and_headers.py) and the
pipelines' CSV test (tests/pipelines/test_transform.py), which run in different environments.
"""

# (stored value, cell in the CSV file); the apostrophe makes a spreadsheet show the cell as text.
FORMULA_CELLS = [
    ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
    ("+49 371 4880", "'+49 371 4880"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tTab", "'\tTab"),
    ("\r=1+1", "'\r=1+1"),
    ("|calc", "'|calc"),
    (" =1+1", "' =1+1"),  # leading spaces: LibreOffice trims them on import
    ("\u00a0\u3000=1+1", "'\u00a0\u3000=1+1"),
    ("＝1+1", "'＝1+1"),  # full-width forms: read as = + - @ |
    ("＋1", "'＋1"),
    ("－1", "'－1"),
    ("＠SUM(A1)", "'＠SUM(A1)"),
    ("｜calc", "'｜calc"),
    (";=1+1", ";'=1+1"),  # German Excel splits at ";": the part after it is a cell of its own
    ("Mo-Fr; =1+1", "Mo-Fr;' =1+1"),
    ("a;b;+c", "a;b;'+c"),
]
HARMLESS_CELLS = ["Straße der Nationen", "Mo-Fr 8-18 Uhr; Sa geschlossen", "amt@stadt-chemnitz.de", "1 = 1"]
