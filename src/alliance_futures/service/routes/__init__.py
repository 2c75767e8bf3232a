"""The service's routes, one module per resource (as FastAPI's full-stack template lays them out)."""
