"""Reference job backend for the Jobs page: FastAPI HTTP/WebSocket API, RQ workers, Redis state.

See ``docs/api.md`` at the repository root for the contract this package implements.
"""
