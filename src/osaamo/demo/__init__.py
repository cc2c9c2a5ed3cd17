"""The demo that `make run` loads: every bounded context's demo content, in the order they build on."""
