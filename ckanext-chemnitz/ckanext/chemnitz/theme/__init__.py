"""The city's look: home page content, header and footer, the legal and help pages."""
