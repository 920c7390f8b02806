"""The portal's catalogue service (CSW): pycsw's configuration and its feed from the portal."""
