"""Golden set, eval runner and benchmark. Importing settings first keeps every library loaded here off the network."""

import settings  # noqa: F401
