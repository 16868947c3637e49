"""Retrieval and answering. Importing settings first keeps every library this package loads off the network."""

import settings  # noqa: F401
