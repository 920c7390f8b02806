"""What keeps visitors' browsers and the published data safe: response headers, CSV cells."""
