"""API-key authentication: the keys read model, the scopes policy and the Lambda authorizer."""

API_KEYS_READ_MODEL = "api-keys"  # the read model's name: the projection writes it, the authorizer reads it
