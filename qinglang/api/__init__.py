"""The REST API (FastAPI) and the dashboard it serves: thin routers over qinglang.services."""

from qinglang.api.app import create_app

__all__ = ["create_app"]
