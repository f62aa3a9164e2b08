"""HTTP routers of the hall server (prefix /api/v1), the errors they answer and who may call them."""
