"""DCAT-AP.de for the portal: vocabularies, validators, the RDF profile, SHACL checks, quality score."""
