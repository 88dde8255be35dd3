"""API-key authentication: the keys read model, the scopes policy and the Lambda authorizer."""
